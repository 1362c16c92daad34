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
    """A named condition for ``@transition(conditions=[...])`` that can explain itself.

    ``shortfall`` answers with what stands in the way (the incomplete sections, the uncovered
    categories, or simply ``True``), and with nothing falsy when the guard passes; ``explain``
    turns that answer into a refusal's message and details. One evaluation serves both the
    check and its explanation, so a page that shows why a step is blocked asks once.
    """

    def __init__(
        self,
        shortfall: Callable[[Case], Any],
        explain: Callable[[Case, Any], dict[str, Any]],
        *,
        name: str,
        doc: str,
    ):
        self.shortfall = shortfall
        self.explain = explain
        self.__name__ = name
        self.__doc__ = doc

    def __call__(self, case: Case) -> bool:
        return not self.shortfall(case)

    def refusal(self, case: Case) -> dict[str, Any] | None:
        """Return the explanation (``message`` and details) when the guard fails, else
        ``None``."""
        shortfall = self.shortfall(case)
        return self.explain(case, shortfall) if shortfall else None

    def __repr__(self) -> str:
        return f"<Guard {self.__name__}>"


def _incomplete_sections(case: Case, codes: tuple[str, ...]) -> list[str]:
    statuses = dict(
        case.sections.filter(version=case.version, code__in=codes).values_list("code", "status")
    )
    return [code for code in codes if statuses.get(code) != SectionStatus.COMPLETE]


def _unnamed_team(case: Case) -> list[str]:
    return [
        name
        for name, value in (
            ("lead_official", case.lead_official_id),
            ("legal_adviser", case.legal_adviser_id),
        )
        if value is None
    ]


team_is_named = Guard(
    _unnamed_team,
    lambda case, missing: {
        "message": "Name a lead official and a legal adviser before assigning the case.",
        "missing": missing,
    },
    name="team_is_named",
    doc="Return whether the lead official and the legal adviser are named.",
)


scope_is_complete = Guard(
    lambda case: _incomplete_sections(case, (SCOPE,)),
    lambda case, incomplete: {
        "message": "Complete the scope (period, groups at risk, crimes at risk and a "
        "description of the situation) before starting the assessment.",
        "incomplete_sections": incomplete,
    },
    name="scope_is_complete",
    doc="Return whether the scope section is complete.",
)

ASSESSMENT_SECTION_CODES = (*RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES)


assessment_is_complete = Guard(
    lambda case: _incomplete_sections(case, ASSESSMENT_SECTION_CODES),
    lambda case, incomplete: {
        "message": "Complete every risk factor, the UK footprint and every dimension before "
        "submitting the assessment.",
        "incomplete_sections": incomplete,
    },
    name="assessment_is_complete",
    doc="Return whether every risk factor, the UK footprint and every dimension is complete.",
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


core_options_covered = Guard(
    _uncovered_core_categories,
    lambda case, uncovered: {
        "message": "Each core category (diplomacy, sanctions, legal, leverage) needs at least "
        "one option or a recorded reason why there is none.",
        "uncovered_categories": uncovered,
    },
    name="core_options_covered",
    doc="Return whether each core category has an option or a recorded reason why none.",
)


signed_report_is_ready = Guard(
    lambda case: (
        not case.reports.filter(superseded_at__isnull=True, status=ReportStatus.READY).exists()
    ),
    lambda case, _: {
        "message": "The signed report has not been rendered yet; it can be submitted to the "
        "minister once it is ready.",
    },
    name="signed_report_is_ready",
    doc="Return whether the current signed report has been rendered.",
)
