"""Build fully worked, signed-off cases for the report tests and the report benchmarks.

Everything goes through the real services (triggers, sections, options, reviews, dissents,
transitions), so the report is rendered from exactly the snapshot a real case would freeze.
``CaseContent`` says what to write; ``heavy_content`` and ``hostile_content`` are the two
fillings the tests and ``bench/`` use.
"""

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES, get_framework
from aia.models import Case
from aia.services import cases as case_services
from aia.services.assessment import section_update
from aia.services.options import (
    case_submission_update,
    option_create,
    option_gap_record,
    option_update,
    option_withdraw,
)
from aia.services.reviews import dissent_record
from tests.factories import PASSWORD, Team, committing, ingest

_numbers = itertools.count(1)


@dataclass
class CaseContent:
    """What to write into a case on its way to sign-off."""

    triggers: list[dict[str, Any]]
    scope: dict[str, Any]
    risk_factors: dict[str, dict[str, Any]]
    footprint: dict[str, Any]
    dimensions: dict[str, dict[str, Any]]
    options: list[dict[str, Any]]
    # Option index -> the reason it was withdrawn.
    withdrawals: dict[int, str] = field(default_factory=dict)
    # Core category -> the recorded reason why it has no option.
    gaps: dict[str, str] = field(default_factory=dict)
    assessment_returns: list[str] = field(default_factory=list)
    options_returns: list[str] = field(default_factory=list)
    sign_off_returns: list[str] = field(default_factory=list)
    # (attribute of the Team, stage, text)
    dissents: list[tuple[str, str, str]] = field(default_factory=list)
    assessment_approval: str = "The assessment is sound and proportionate."
    options_approval: str = "The options are lawful as framed."
    sign_off_comment: str = "Signed off for the minister."
    # The submission to the minister: issue, recommendation and handling.
    submission: dict[str, str] = field(default_factory=dict)


def walk_to_signed_off(team: Team, content: CaseContent) -> Case:
    """Take a new case from its triggers to ``signed_off`` through the services.

    The report is rendered eagerly inside ``committing()``, as the on-commit task would.
    """
    s = case_services
    first, *others = content.triggers
    case = ingest(actor=team.sro, data=first).case
    for data in others:
        ingest(actor=team.sro, data=data)
    case.refresh_from_db()
    case = s.case_assign(
        case=case,
        actor=team.sro,
        lead_official=team.lead,
        legal_adviser=team.legal,
        officials=[team.official],
        minister=team.minister,
    )
    section_update(case=case, actor=team.lead, code="scope", data=content.scope)
    case = s.case_start_assessment(case=case, actor=team.lead)

    for code in RISK_FACTOR_CODES:
        section_update(case=case, actor=team.official, code=code, data=content.risk_factors[code])
    section_update(case=case, actor=team.official, code="uk_footprint", data=content.footprint)
    for code in DIMENSION_CODES:
        section_update(case=case, actor=team.official, code=code, data=content.dimensions[code])
    case = s.case_submit_assessment(case=case, actor=team.lead)
    for number, comment in enumerate(content.assessment_returns, start=1):
        case = s.case_return_assessment(case=case, actor=team.legal, comment=comment)
        revised = content.risk_factors["rf1"]["analysis"] + f"\n\nRevised after review {number}."
        section_update(case=case, actor=team.official, code="rf1", data={"analysis": revised})
        case = s.case_submit_assessment(case=case, actor=team.lead)
    case = s.case_approve_assessment(
        case=case, actor=team.legal, comment=content.assessment_approval
    )

    option_ids = [
        option_create(case=case, actor=team.official, data=data).pk for data in content.options
    ]
    for category, reason in content.gaps.items():
        option_gap_record(case=case, actor=team.official, category=category, reason=reason)
    for index, reason in content.withdrawals.items():
        option_withdraw(case=case, actor=team.official, option_id=option_ids[index], reason=reason)
    if content.submission:
        case_submission_update(case=case, actor=team.official, data=content.submission)
    for actor_name, stage, text in content.dissents:
        dissent_record(case=case, actor=getattr(team, actor_name), stage=stage, text_=text)

    def revise_first_option(note: str) -> None:
        index = next(i for i in range(len(option_ids)) if i not in content.withdrawals)
        rationale = content.options[index].get("rationale", "") + f" {note}"
        option_update(
            case=case,
            actor=team.official,
            option_id=option_ids[index],
            data={"rationale": rationale.strip()},
        )

    case = s.case_submit_options(case=case, actor=team.lead)
    for number, comment in enumerate(content.options_returns, start=1):
        case = s.case_return_options(case=case, actor=team.legal, comment=comment)
        revise_first_option(f"(Revised after legal review {number}.)")
        case = s.case_submit_options(case=case, actor=team.lead)
    case = s.case_approve_options(case=case, actor=team.legal, comment=content.options_approval)

    for number, comment in enumerate(content.sign_off_returns, start=1):
        case = s.case_return_for_revision(case=case, actor=team.sro, comment=comment)
        revise_first_option(f"(Revised for the SRO, round {number}.)")
        case = s.case_submit_options(case=case, actor=team.lead)
        case = s.case_approve_options(
            case=case, actor=team.legal, comment=f"Revision {number} approved."
        )

    with committing():
        case = s.case_sign_off(
            case=case, actor=team.sro, password=PASSWORD, comment=content.sign_off_comment
        )
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------------------
# Fillings
# ------------------------------------------------------------------------------
_SENTENCES = (
    "Armed groups have consolidated control over the main supply routes into the region.",
    "Credible reports describe the systematic burning of villages inhabited by the group.",
    "Local monitors recorded a sharp rise in identity-based hate speech on radio and online.",
    "The de facto authorities have restricted humanitarian access to displacement camps.",
    "Survivors interviewed by the mission gave consistent accounts of targeted killings.",
    "Senior commanders have not been disciplined for abuses committed by units under them.",
    "Communications shutdowns have coincided with the most serious attacks on civilians.",
    "Arms continue to reach the parties through neighbouring states despite the embargo.",
    "Sexual and gender-based violence has been used to terrorise and displace communities.",
    "The judiciary is not functioning in the affected areas and no prosecutions have begun.",
    "Regional mediation has stalled and the parties have rejected a ceasefire proposal.",
    "Displacement has doubled in six months and food insecurity is at emergency levels.",
)


def prose(sentences: int, *, seed: int = 0) -> str:
    """Return deterministic, plausible analysis text in paragraphs of four sentences."""
    chosen = [_SENTENCES[(seed + i * 5) % len(_SENTENCES)] for i in range(sentences)]
    paragraphs = [" ".join(chosen[i : i + 4]) for i in range(0, len(chosen), 4)]
    return "\n\n".join(paragraphs)


def trigger(number: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "inquiry_finding",
        "instrument": "report",
        "source_body": "Independent International Fact-Finding Mission",
        "reference": f"A/HRC/REPORT/{number}",
        "title": f"Findings of the mission, report {number}",
        "finding_date": "2024-09-06",
        "finding": "serious_risk",
        "crimes": ["genocide", "crimes_against_humanity"],
        "groups_at_risk": "Civilians of the test region",
        "summary": "Reasonable grounds to believe atrocity crimes are at serious risk.",
        "source_url": f"https://www.ohchr.org/en/hr-bodies/hrc/report-{number}",
        "situation": {"country_code": "SD", "name": "Report test situation"},
    }
    data.update(overrides)
    return data


def _source(number: int) -> dict[str, str]:
    return {
        "title": f"Mission report, annex {number}",
        "url": f"https://www.ohchr.org/en/documents/annex-{number}",
        "date": "2024-09-06",
    }


RATINGS = ("present", "partially_present", "absent", "unknown")
LEVELS = ("low", "medium", "high")
CATEGORIES = (
    "diplomacy",
    "sanctions",
    "legal",
    "leverage",
    "protection",
    "defence",
    "information",
    "programmatic",
)
RECOMMENDATIONS = ("recommended", "for_consideration", "not_recommended")
DEPARTMENTS = ("fcdo", "hmt_ofsi", "dbt_ecju", "home_office", "mod", "cabinet_office", "other")


def heavy_content(
    *,
    situation: str | None = None,
    options: int = 30,
    analysis_sentences: int = 16,
    reviews: int = 20,
    text: Callable[[int, int], str] | None = None,
) -> CaseContent:
    """Return a heavily filled case: long analyses, ``options`` options, ``reviews`` reviews.

    The review count is made of returns and re-approvals at every stage (see the walk).
    """
    text = text or (lambda sentences, seed: prose(sentences, seed=seed))
    situation = situation or f"Heavy report situation {next(_numbers)}"
    framework = get_framework()
    risk_factors = {}
    for index, code in enumerate(RISK_FACTOR_CODES):
        indicators = [i.number for i in framework.section(code).indicators][:4]
        risk_factors[code] = {
            "rating": RATINGS[index % 4],
            "confidence": LEVELS[index % 3],
            "key_evidence": text(2, index),
            "analysis": text(analysis_sentences, index),
            "indicators": indicators,
            "sources": [_source(index % 5), _source(index + 10)],
        }
    dimensions = {
        code: {
            "capacity": ("high", "medium", "low", "none")[index % 4],
            "confidence": LEVELS[index % 3],
            "analysis": text(analysis_sentences // 2, index + 3),
            "sources": [_source(index % 3)],
        }
        for index, code in enumerate(DIMENSION_CODES)
    }
    option_list = [
        {
            "category": CATEGORIES[i % len(CATEGORIES)],
            "title": f"Option {i + 1}: {_SENTENCES[i % len(_SENTENCES)][:-1].lower()}",
            "description": text(4, i),
            "target_actors": "Leaders of the armed group and their financiers",
            "lead_department": DEPARTMENTS[i % len(DEPARTMENTS)],
            "expected_effect": LEVELS[(i // 3) % 3],
            "feasibility": LEVELS[i % 3],
            "risk_of_harm": LEVELS[(i + 1) % 3],
            "mitigation": text(2, i + 2),
            "timeframe": ("Immediate", "Within three months", "Six to twelve months")[i % 3],
            "recommendation": RECOMMENDATIONS[i % 3],
            "rationale": text(2, i + 7),
        }
        for i in range(options)
    ]
    # reviews = a + 1 (assessment) + o + 1 (options) + 2 per SRO return + 1 (sign-off).
    sign_off_returns = 3 if reviews >= 12 else 0
    remaining = reviews - 3 - 2 * sign_off_returns
    assessment_returns = max(remaining // 2, 0)
    options_returns = max(remaining - assessment_returns, 0)
    return CaseContent(
        triggers=[
            trigger(
                next(_numbers),
                kind="special_adviser_notification",
                instrument="statement",
                source_body="UN Special Adviser on the Prevention of Genocide",
                finding_date="2024-05-21",
                situation={"country_code": "SD", "name": situation},
            ),
            trigger(next(_numbers), situation={"country_code": "SD", "name": situation}),
            trigger(
                next(_numbers),
                finding="ongoing",
                finding_date="2025-02-19",
                situation={"country_code": "SD", "name": situation},
            ),
        ],
        scope={
            "analysis": text(analysis_sentences, 1),
            "period_start": "2023-04-15",
            "period_end": "2026-12-31",
            "groups_at_risk": "Masalit, Fur and Zaghawa communities; displaced people in camps",
            "crimes_at_risk": ["genocide", "crimes_against_humanity", "war_crimes"],
            "likely_perpetrators": "Armed group A, allied militias and units of the armed forces",
            "sources": [_source(1)],
        },
        risk_factors=risk_factors,
        footprint={
            "exposure": "medium",
            "confidence": "high",
            "analysis": text(analysis_sentences, 2),
            "sources": [_source(2)],
        },
        dimensions=dimensions,
        options=option_list,
        withdrawals={options - 1: "Overtaken by the partner-led initiative."} if options else {},
        assessment_returns=[
            f"Return {n}: tighten the evidence for RF{n}." for n in range(1, assessment_returns + 1)
        ],
        options_returns=[
            f"Return {n}: the legal basis of option {n} needs spelling out."
            for n in range(1, options_returns + 1)
        ],
        sign_off_returns=[
            f"SRO return {n}: reconsider the sequencing." for n in range(1, sign_off_returns + 1)
        ],
        dissents=[
            ("official", "assessment", text(3, 4)),
            ("lead", "options", text(2, 6)),
        ],
    )


# Hostile user text: markup, local files, remote URLs, an unbreakable word, other scripts.
LONG_WORD = "Ω" + "".join(f"{n % 10}" for n in range(298)) + "Ω"
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel=stylesheet href="http://127.0.0.1:9/x.css">'
CSS_URL = "background: url(http://127.0.0.1:9/track.png)"
ARABIC = "الإبادة الجماعية"
CYRILLIC = "Геноцид и преступления"
GREEK = "Γενοκτονία και εγκλήματα"
# Scripts DejaVu has no glyphs for, which fall back to the other fonts installed: text in
# them gets its own test (see test_report_safety.py).
BURMESE = "လူမျိုးတုံးသတ်ဖြတ်မှု"
ETHIOPIC = "የዘር ማጥፋት ወንጀል"
CHINESE = "种族灭绝罪"
KOREAN = "집단살해죄"
SITUATION = 'Situation <i>x</i> & "y"'
GAP_REASON = "No court with jurisdiction is seised; the ICJ route is covered under diplomacy."


def hostile_content(**kwargs: Any) -> CaseContent:
    """Return ``heavy_content`` with hostile text in titles, analyses, options and dissents."""
    kwargs.setdefault("situation", f"{SITUATION} {next(_numbers)}")
    content = heavy_content(**kwargs)
    content.risk_factors["rf1"]["key_evidence"] = f"{SCRIPT} {IMG} evidence"
    content.risk_factors["rf2"]["analysis"] = f"See {LINK} and {CSS_URL}.\n\n{LONG_WORD}"
    content.scope["analysis"] = f"{ARABIC} — {CYRILLIC} — {GREEK}"
    content.options[0]["title"] = f"Option 1 {SCRIPT}"
    content.options[1]["description"] = f"{IMG} {LINK}"
    content.options[2]["rationale"] = LONG_WORD
    content.dissents.append(("legal", "options", f"{IMG} {LINK} {CSS_URL} {LONG_WORD}"))
    content.submission = {
        "issue": f"The issue {SCRIPT} in one paragraph.",
        "recommendation": f"Agree the recommended options. {IMG}",
        "handling": f"Tell partners first. {LINK}",
    }
    # A core category with no option, only the recorded reason why.
    for option in content.options:
        if option["category"] == "legal":
            option["category"] = "information"
    content.gaps["legal"] = GAP_REASON
    return content


def trimmed(snapshot: dict[str, Any], *, options: int = 6) -> dict[str, Any]:
    """Return a copy of a snapshot with fewer options and reviews and short analyses.

    For tests that need a few pages of a real report rather than all thirty.
    """
    small = copy.deepcopy(snapshot)
    small["options"] = small["options"][:options]
    small["reviews"] = small["reviews"][:4]
    for section in (*small["risk_factors"], small["uk_footprint"], *small["dimensions"]):
        section["analysis"] = section["analysis"][:200]
    return small
