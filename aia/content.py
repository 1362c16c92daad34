"""The canonical content of a stage: what a review approves and what its hash covers."""

from typing import Any

from aia.canonical import sha256_of
from aia.framework import SECTION_CODES
from aia.models import Case
from aia.models.choices import Stage

_SECTION_ORDER = {code: index for index, code in enumerate(SECTION_CODES)}


def assessment_content(case: Case, version: int | None = None) -> dict[str, Any]:
    version = version or case.version
    sections = sorted(
        case.sections.filter(version=version), key=lambda section: _SECTION_ORDER[section.code]
    )
    return {"stage": Stage.ASSESSMENT.value, "sections": [s.content() for s in sections]}


def options_content(case: Case, version: int | None = None) -> dict[str, Any]:
    version = version or case.version
    options = case.options.filter(version=version).order_by("category", "created_at", "id")
    gaps = case.option_gaps.filter(version=version).order_by("category")
    content = {
        "stage": Stage.OPTIONS.value,
        "options": [option.content() for option in options],
        "gaps": [{"category": gap.category, "reason": gap.reason} for gap in gaps],
    }
    submission = submission_content(case)
    # The legal adviser approves the submission with the options. Only a written one joins
    # the content, so the hash of a case without one is what it was before submissions.
    if version == case.version and any(submission.values()):
        content["submission"] = submission
    return content


def submission_content(case: Case) -> dict[str, str]:
    """Return the submission the officials wrote: the issue, the recommendation, handling,
    and which way the risk is moving (a code, ``""`` when not given)."""
    return {
        "issue": case.submission_issue,
        "recommendation": case.submission_recommendation,
        "handling": case.submission_handling,
        "trend": case.submission_trend,
    }


def stage_content(case: Case, stage: str) -> dict[str, Any]:
    """Return the canonical content of the stage in the case's current version.

    The sign-off stage covers both reviewed stages, by their hashes.
    """
    if stage == Stage.ASSESSMENT:
        return assessment_content(case)
    if stage == Stage.OPTIONS:
        return options_content(case)
    if stage in (Stage.SIGN_OFF, Stage.MINISTER):
        return {
            "stage": Stage.SIGN_OFF.value,
            "assessment_hash": sha256_of(assessment_content(case)),
            "options_hash": sha256_of(options_content(case)),
        }
    raise ValueError(f"Unknown stage {stage!r}")


def stage_content_hash(case: Case, stage: str) -> str:
    return sha256_of(stage_content(case, stage))
