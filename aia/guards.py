"""Guards of the case state machine: pure predicates over a case (docs/architecture.md,
*Transitions*).

Each guard answers one question about the case's own data and can explain a refusal in
words a user understands. Guards never write and never look at who is asking: who may take a
transition is ``aia.permissions``' business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aia.framework import DIMENSION_CODES, FOOTPRINT, RISK_FACTOR_CODES, SCOPE
from aia.models.choices import CORE_OPTION_CATEGORIES, ReportStatus, SectionStatus

if TYPE_CHECKING:
    from aia.models import Case


class Guard:
    """A named condition for ``@transition(conditions=[...])`` that can explain itself."""

    def __init__(self, check: Callable[[Case], bool], explain: Callable[[Case], dict[str, Any]]):
        self.check = check
        self.explain = explain
        self.__name__ = check.__name__.lstrip("_")
        self.__doc__ = check.__doc__

    def __call__(self, case: Case) -> bool:
        return self.check(case)

    def __repr__(self) -> str:
        return f"<Guard {self.__name__}>"


def _incomplete_sections(case: Case, codes: tuple[str, ...]) -> list[str]:
    statuses = dict(
        case.sections.filter(version=case.version, code__in=codes).values_list("code", "status")
    )
    return [code for code in codes if statuses.get(code) != SectionStatus.COMPLETE]


def _team_is_named(case: Case) -> bool:
    """Return whether the lead official and the legal adviser are named."""
    return case.lead_official_id is not None and case.legal_adviser_id is not None


team_is_named = Guard(
    _team_is_named,
    lambda case: {
        "message": "Name a lead official and a legal adviser before assigning the case.",
        "missing": [
            name
            for name, value in (
                ("lead_official", case.lead_official_id),
                ("legal_adviser", case.legal_adviser_id),
            )
            if value is None
        ],
    },
)


def _scope_is_complete(case: Case) -> bool:
    """Return whether the scope section is complete."""
    return not _incomplete_sections(case, (SCOPE,))


scope_is_complete = Guard(
    _scope_is_complete,
    lambda case: {
        "message": "Complete the scope (period, groups at risk, crimes at risk and a "
        "description of the situation) before starting the assessment.",
        "incomplete_sections": [SCOPE],
    },
)

ASSESSMENT_SECTION_CODES = (*RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES)


def _assessment_is_complete(case: Case) -> bool:
    """Return whether every risk factor, the UK footprint and every dimension is complete."""
    return not _incomplete_sections(case, ASSESSMENT_SECTION_CODES)


assessment_is_complete = Guard(
    _assessment_is_complete,
    lambda case: {
        "message": "Complete every risk factor, the UK footprint and every dimension before "
        "submitting the assessment.",
        "incomplete_sections": _incomplete_sections(case, ASSESSMENT_SECTION_CODES),
    },
)


def _uncovered_core_categories(case: Case) -> list[str]:
    with_options = set(
        case.options.filter(version=case.version, withdrawn_at__isnull=True).values_list(
            "category", flat=True
        )
    )
    with_reasons = set(
        case.option_gaps.filter(version=case.version).values_list("category", flat=True)
    )
    return [
        category.value
        for category in CORE_OPTION_CATEGORIES
        if category not in with_options and category not in with_reasons
    ]


def _core_options_covered(case: Case) -> bool:
    """Return whether each core category has an option or a recorded reason why none."""
    return not _uncovered_core_categories(case)


core_options_covered = Guard(
    _core_options_covered,
    lambda case: {
        "message": "Each core category (diplomacy, sanctions, legal, leverage) needs at least "
        "one option or a recorded reason why there is none.",
        "uncovered_categories": _uncovered_core_categories(case),
    },
)


def _signed_report_is_ready(case: Case) -> bool:
    """Return whether the current signed report has been rendered."""
    return case.reports.filter(superseded_at__isnull=True, status=ReportStatus.READY).exists()


signed_report_is_ready = Guard(
    _signed_report_is_ready,
    lambda case: {
        "message": "The signed report has not been rendered yet; it can be submitted to the "
        "minister once it is ready.",
    },
)
