"""Editing assessment sections: only by the team's officials, only in the editing state."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import Conflict, InvalidInput, PermissionRefused
from aia.framework import SECTION_CODES, get_framework
from aia.models import Case, Section, User
from aia.models.choices import (
    Capacity,
    CaseState,
    Confidence,
    Crime,
    EventType,
    Rating,
    SectionKind,
    Stage,
)
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.services.reviews import reviews_void_stale
from aia.validation import Errors, choice, choice_list, date, text, unknown_fields, url
from aia.wording import states_phrase

# The fields each kind of section accepts.
EDITABLE_FIELDS = {
    SectionKind.SCOPE: (
        "analysis",
        "sources",
        "period_start",
        "period_end",
        "groups_at_risk",
        "crimes_at_risk",
        "likely_perpetrators",
    ),
    SectionKind.RISK_FACTOR: (
        "rating",
        "confidence",
        "analysis",
        "key_evidence",
        "indicators",
        "sources",
    ),
    SectionKind.FOOTPRINT: ("exposure", "confidence", "analysis", "sources"),
    SectionKind.DIMENSION: ("capacity", "confidence", "analysis", "sources"),
}

# The states in which a section kind may be edited. The scope is part of the assessment
# stage's content, so it stays editable until the assessment is submitted.
EDITING_STATES = {
    SectionKind.SCOPE: (CaseState.SCOPING, CaseState.ASSESSMENT),
    SectionKind.RISK_FACTOR: (CaseState.ASSESSMENT,),
    SectionKind.FOOTPRINT: (CaseState.ASSESSMENT,),
    SectionKind.DIMENSION: (CaseState.ASSESSMENT,),
}

MAX_SOURCES = 50


def section_is_editable(case: Case, kind: str) -> bool:
    return case.state in EDITING_STATES[kind]


class SectionEditConflict(Conflict):
    """Someone saved the section after the editor's copy of it was read.

    ``section`` is the section as saved now, so the page can show it beside the refused text.
    """

    def __init__(self, section: Section):
        super().__init__(
            "Someone else saved this section after you opened it. Your changes were not saved.",
            {"section": section.code},
        )
        self.section = section


def section_revision(section: Section) -> str:
    """Return the token of the section's saved content that an editor hands back on saving
    (``section_update``'s ``revision``): when it was last saved, or "" if never."""
    return section.updated_at.isoformat() if section.updated_at else ""


def _is_current(section: Section, revision: str) -> bool:
    if not revision:
        return section.updated_at is None
    try:
        moment = datetime.datetime.fromisoformat(revision)
    except ValueError:
        return False
    return section.updated_at is not None and section.updated_at == moment


def _clean_sources(errors: Errors, value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add("sources", "Give the sources as a list of {title, url, date}.")
        return []
    if len(value) > MAX_SOURCES:
        errors.add("sources", f"A section can cite at most {MAX_SOURCES} sources.")
        return []
    cleaned = []
    for index, item in enumerate(value):
        field = f"sources.{index}"
        if not isinstance(item, dict):
            errors.add(field, "Give each source as {title, url, date}.")
            continue
        unknown_fields(
            errors,
            {f"{field}.{k}": v for k, v in item.items()},
            [f"{field}.{k}" for k in ("title", "url", "date")],
        )
        title = text(errors, item, "title", required=True, max_length=300, label="source title")
        link = url(errors, item.get("url"), "url", label="source link")
        when = date(errors, item, "date", not_future=True, label="source date")
        # Re-key the nested errors so the user can tell which row is wrong.
        for key in ("title", "url", "date"):
            if key in errors.fields:
                for message in errors.fields.pop(key):
                    errors.add(f"{field}.{key}", message)
        cleaned.append({"title": title, "url": link, "date": when.isoformat() if when else ""})
    return cleaned


def _clean(section: Section, data: dict[str, Any]) -> dict[str, Any]:
    errors = Errors()
    if not isinstance(data, dict):
        raise InvalidInput(
            "Send the section as a JSON object.", {"non_field_errors": ["Send an object."]}
        )
    allowed = EDITABLE_FIELDS[section.kind]
    unknown_fields(errors, data, allowed)
    clean: dict[str, Any] = {}
    for field in allowed:
        if field not in data:
            continue
        if field == "rating":
            clean[field] = choice(errors, data, field, Rating.values)
        elif field in ("capacity", "exposure"):
            clean[field] = choice(errors, data, field, Capacity.values)
        elif field == "confidence":
            clean[field] = choice(errors, data, field, Confidence.values)
        elif field == "crimes_at_risk":
            clean[field] = choice_list(errors, data, field, Crime.values, label="crimes at risk")
        elif field == "indicators":
            numbers = [i.number for i in get_framework().section(section.code).indicators]
            clean[field] = choice_list(errors, data, field, numbers, label="indicators")
        elif field == "sources":
            clean[field] = _clean_sources(errors, data[field])
        elif field == "period_start":
            clean[field] = date(errors, data, field, not_future=True, label="start of the period")
        elif field == "period_end":
            # May be after today: the period an assessment covers runs on to the horizon of
            # the risk it assesses (the start, like a source, is something already seen).
            clean[field] = date(errors, data, field, label="end of the period")
        elif field == "key_evidence":
            clean[field] = text(errors, data, field, max_length=1000, label="key evidence")
        else:
            clean[field] = text(errors, data, field)
    start = clean.get("period_start", section.period_start)
    end = clean.get("period_end", section.period_end)
    if start and end and end < start:
        errors.add("period_end", "The end of the period must be on or after its start.")
    errors.raise_if_any("The section was not saved: check the highlighted fields.")
    return clean


def section_check(*, section: Section, data: dict[str, Any]) -> dict[str, list[str]]:
    """Return what is wrong with ``data`` as content of ``section``, field by field, without
    saving anything (empty when it is valid).

    A page whose own checks already failed asks this too, so the user hears of every problem
    in one round rather than the service's after the page's.
    """
    try:
        _clean(section, data)
    except InvalidInput as error:
        return error.fields
    return {}


def sections_create(*, case: Case) -> None:
    """Create the sections of the case's current version, untouched, when its team is named
    (``case_assign``): nobody may edit them before. Until then the case has no section rows,
    and ``selectors.section_list`` reads it as every section not started.

    Cases opened before sections waited for the team have theirs already: they are kept (the
    database skips rows whose case, version and code exist).
    """
    Section.objects.bulk_create(Section.untouched(case, case.version), ignore_conflicts=True)


def section_update(
    *, case: Case, actor: User, code: str, data: dict[str, Any], revision: str | None = None
) -> Section:
    """Change some fields of one section of the case's current version.

    Refuses edits outside the section's editing state, voids approvals of changed content and
    records which fields changed in the audit trail. Saving unchanged content does nothing.
    An incomplete section is saved all the same (as work in progress): completeness is the
    submission's guard, not the editor's.

    ``revision`` (``section_revision`` of the copy the editor started from) makes the save
    refuse, with ``SectionEditConflict``, a change to a section someone saved since: two
    people editing one section must not silently overwrite each other. Without it (the API)
    the last save wins, as before.
    """
    if code not in SECTION_CODES:
        raise InvalidInput(f"There is no section {code!r}.", {"code": ["Unknown section."]})
    with transaction.atomic():
        case = case_lock(case)
        if not permissions.can_edit_content(case, actor):
            raise PermissionRefused("Only officials on the case team can edit its assessment.")
        section = Section.objects.select_for_update().get(
            case=case, version=case.version, code=code
        )
        if not section_is_editable(case, section.kind):
            raise Conflict(
                "This section can be edited only while the case is "
                f"{states_phrase(EDITING_STATES[section.kind])}.",
                {"state": case.state, "section": code},
            )
        clean = _clean(section, data)
        changed = {name: value for name, value in clean.items() if getattr(section, name) != value}
        if not changed:
            return section
        if revision is not None and not _is_current(section, revision):
            raise SectionEditConflict(section)
        before_status = section.status
        for name, value in changed.items():
            setattr(section, name, value)
        section.status = section.compute_status()
        section.updated_at = timezone.now()
        section.updated_by = actor
        section.save(update_fields=[*changed, "status", "updated_at", "updated_by"])
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.SECTION_UPDATED,
            stage=Stage.ASSESSMENT,
            details={
                "section": code,
                "fields": sorted(changed),
                # Short choices are recorded in full; long text only by name (the reviews
                # and report snapshots keep the full content).
                "values": {
                    name: value
                    for name, value in changed.items()
                    if name in ("rating", "capacity", "exposure", "confidence")
                },
                "status": [before_status, section.status],
            },
        )
        reviews_void_stale(case=case, actor=actor, stages=(Stage.ASSESSMENT, Stage.SIGN_OFF))
    return section
