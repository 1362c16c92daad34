"""A case's source library: a source is recorded once, with its file if it has one, and cited
from any section or option of the case (docs/architecture.md, *Sources*).

The officials on the team keep the library while the case's content is being written (its
editing states); citing follows the rules of editing the section or option cited, since a
citation is part of that content. Every step is on the audit trail, a file by its SHA-256 and
size.
"""

import html
from typing import Any

from django.db import transaction
from django.utils import timezone

from aia import permissions
from aia.exceptions import Conflict, InvalidInput, NotFound, PermissionRefused
from aia.framework import get_framework
from aia.models import Case, Citation, Option, Section, Source, User
from aia.models.choices import CaseState, EventType, Stage
from aia.models.sources import Reliability
from aia.selectors import option_get, section_get
from aia.services.assessment import EDITING_STATES, section_is_editable
from aia.services.audit import case_event_record
from aia.services.locking import case_lock
from aia.uploads import CheckedUpload, UploadRefused, check_file_name, check_upload
from aia.validation import Errors, choice, date, text, url
from aia.wording import state_phrase, states_phrase

# The library changes while any of the case's content may: scope, assessment or options.
LIBRARY_STATES = (CaseState.SCOPING, CaseState.ASSESSMENT, CaseState.OPTIONS)
MAX_SOURCES = 200


def _clean(data: dict[str, Any], upload: Any, raw_name: str | None) -> tuple[dict, Any]:
    errors = Errors()
    clean = {
        "title": text(errors, data, "title", required=True, max_length=300, label="title"),
        "author": text(errors, data, "author", max_length=300, label="author or body"),
        "published_on": date(
            errors, data, "published_on", not_future=True, label="date it was published"
        ),
        "url": url(errors, data.get("url"), "url", label="web address"),
        "reliability": choice(errors, data, "reliability", Reliability.values),
    }
    if "reliability" not in errors.fields and not clean["reliability"]:
        errors.add("reliability", "Choose how reliable the source is.")
    checked = None
    try:
        if upload is not None:
            checked = check_upload(upload, raw_name=raw_name)
        elif raw_name:
            # Django drops a file whose name is only path or control characters; say why.
            check_file_name(html.unescape(raw_name))
            errors.add("file", "The file could not be read: choose it again.")
    except UploadRefused as refusal:
        errors.add("file", refusal.message)
    errors.raise_if_any("The source was not added: check the highlighted fields.")
    return clean, checked


def source_check(
    *, data: dict[str, Any], upload: Any = None, raw_name: str | None = None
) -> dict[str, list[str]]:
    """Return what is wrong with a source and its file, field by field, storing nothing: a
    page whose own checks failed asks this too, so every problem is told in one round."""
    try:
        _clean(data, upload, raw_name)
    except InvalidInput as error:
        return error.fields
    return {}


def _lock_for_library(case: Case, actor: User) -> Case:
    case = case_lock(case)
    if not permissions.can_view_case(case, actor):
        raise NotFound("Case not found.")
    if not permissions.can_edit_content(case, actor):
        raise PermissionRefused("Only officials on the case team can add to its source library.")
    if case.state not in LIBRARY_STATES:
        raise Conflict(
            f"Sources can be added only while the case is {states_phrase(LIBRARY_STATES)}.",
            {"state": case.state},
        )
    return case


def source_add(
    *,
    case: Case,
    actor: User,
    data: dict[str, Any],
    upload: Any = None,
    raw_name: str | None = None,
) -> Source:
    """Record a source in the case's library, with its file if one is given.

    ``data`` holds ``title``, ``author``, ``published_on``, ``url`` and ``reliability``;
    ``upload`` is the file (Django's ``UploadedFile``), ``raw_name`` its name as sent. Every
    check runs before anything is stored: a refusal leaves no row and no file.
    """
    clean, checked = _clean(data, upload, raw_name)
    source = Source(added_by=actor, added_at=timezone.now(), **clean)
    try:
        with transaction.atomic():
            case = _lock_for_library(case, actor)
            if case.sources.count() >= MAX_SOURCES:
                raise Conflict(f"A case's library can hold at most {MAX_SOURCES} sources.", {})
            source.case = case
            if checked is not None:
                _attach(source, upload, checked)
            source.save()
            case_event_record(
                case=case, actor=actor, type=EventType.SOURCE_ADDED, details=_details(source)
            )
    except BaseException:
        # Nothing stored on a refusal or a failure: no row (rolled back) and no file.
        if source.file:
            source.file.delete(save=False)
        raise
    return source


def _attach(source: Source, upload: Any, checked: CheckedUpload) -> None:
    source.file_name = checked.name
    source.content_type = checked.content_type
    source.size = checked.size
    source.sha256 = checked.sha256
    upload.seek(0)
    source.file.save("source", upload, save=False)


def _details(source: Source, **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "source": source.pk,
        "title": source.title,
        "reliability": source.reliability,
    }
    if source.file:
        details.update(file_name=source.file_name, sha256=source.sha256, size=source.size)
    return {**details, **extra}


def _target(
    case: Case, section_code: str, option_id: Any
) -> tuple[dict[str, Section | Option], str, dict[str, str]]:
    """Return the section or option to cite (locked case), its stage and its audit details;
    refuse one that cannot change now, as editing it would be refused."""
    if bool(section_code) == bool(option_id):
        raise InvalidInput("Say which section or option cites the source.", {})
    if section_code:
        section = section_get(case=case, code=section_code)
        if section.pk is None or not section_is_editable(case, section.kind):
            raise Conflict(
                "This section's sources can be changed only while the case is "
                f"{states_phrase(EDITING_STATES[section.kind])}.",
                {"state": case.state, "section": section_code},
            )
        return {"section": section}, Stage.ASSESSMENT, {"section": section.code}
    option = option_get(case=case, option_id=option_id)
    if case.state != CaseState.OPTIONS or option.withdrawn_at is not None:
        raise Conflict(
            "An option's sources can be changed only while the case is "
            f"{state_phrase(CaseState.OPTIONS)}, and never once it is withdrawn.",
            {"state": case.state},
        )
    return {"option": option}, Stage.OPTIONS, {"option": str(option.pk), "on": option.title}


def _lock_for_citing(case: Case, actor: User) -> Case:
    case = case_lock(case)
    if not permissions.can_view_case(case, actor):
        raise NotFound("Case not found.")
    if not permissions.can_edit_content(case, actor):
        raise PermissionRefused("Only officials on the case team can change what it cites.")
    return case


def _restatus(target: dict[str, Section | Option]) -> None:
    """A section's citations count towards its completeness: work its status out again."""
    section = target.get("section")
    if isinstance(section, Section):
        status = section.compute_status()
        if status != section.status:
            section.status = status
            section.save(update_fields=["status"])


def source_cite(
    *, source: Source, actor: User, section_code: str = "", option_id: Any = None
) -> Citation:
    """Cite a library source from a section (by its code) or an option (by its id) of the
    current version. Citing it again where it is cited already changes nothing."""
    with transaction.atomic():
        case = _lock_for_citing(source.case, actor)
        target, stage, where = _target(case, section_code, option_id)
        citation, created = Citation.objects.get_or_create(
            source=source,
            **target,
            defaults={"cited_by": actor, "cited_at": timezone.now()},
        )
        if created:
            _restatus(target)
            case_event_record(
                case=case,
                actor=actor,
                type=EventType.SOURCE_CITED,
                stage=stage,
                details=_details(source, **where),
            )
    return citation


def source_uncite(
    *, source: Source, actor: User, section_code: str = "", option_id: Any = None
) -> None:
    """Stop citing a library source from a section or an option; the source stays in the
    library."""
    with transaction.atomic():
        case = _lock_for_citing(source.case, actor)
        target, stage, where = _target(case, section_code, option_id)
        deleted, _ = Citation.objects.filter(source=source, **target).delete()
        if not deleted:
            raise Conflict("That source is not cited there.", {})
        _restatus(target)
        case_event_record(
            case=case,
            actor=actor,
            type=EventType.SOURCE_UNCITED,
            stage=stage,
            details=_details(source, **where),
        )


def place_name(citation: Citation) -> str:
    """Return the name of the section or option a citation is on, as pages and the report
    say it."""
    if citation.section_id:
        return get_framework().section(citation.section.code).title
    return citation.option.title
