"""
The assessment framework: section definitions loaded from a versioned YAML file.

The section codes and their order are a contract shared with the models, the API and the report.
The text (factors, indicators, guidance questions) is data and lives in the YAML file, which
load_framework() validates strictly so that a bad edit fails loudly rather than reaching a case.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings

__all__ = [
    "CRIMES",
    "DIMENSION_CODES",
    "FOOTPRINT",
    "INDICATORS_STATUSES",
    "INDICATOR_STATUSES",
    "KINDS",
    "RISK_FACTOR_CODES",
    "RISK_FACTOR_GROUPS",
    "SCOPE",
    "SECTION_CODES",
    "Framework",
    "FrameworkError",
    "Indicator",
    "SectionDefinition",
    "Source",
    "get_framework",
    "load_framework",
]

# Section codes (contract).
SCOPE = "scope"
RISK_FACTOR_CODES = tuple(f"rf{i}" for i in range(1, 15))
FOOTPRINT = "uk_footprint"
DIMENSION_CODES = (
    "leverage",
    "logistics",
    "protection",
    "military",
    "diplomacy",
    "legal",
    "information",
    "sgbv",
)
SECTION_CODES = (SCOPE, *RISK_FACTOR_CODES, FOOTPRINT, *DIMENSION_CODES)

# Allowed values.
KINDS = ("scope", "risk_factor", "footprint", "dimension")
CRIMES = ("genocide", "crimes_against_humanity", "war_crimes")
RISK_FACTOR_GROUPS = ("common", "genocide", "crimes_against_humanity", "war_crimes")
INDICATORS_STATUSES = ("complete_as_summarised", "incomplete", "not_available")
INDICATOR_STATUSES = ("complete", "partial")
# Only paraphrase is held; UN wording would need its own value and a check against the original.
WORDINGS = ("summary",)
SHORT_TITLE_MAX_LENGTH = 40

# The Framework's fixed structure: RF1-RF8 are common to all three crimes, then two factors each
# for genocide, crimes against humanity and war crimes.
_GROUP_BY_NUMBER = {
    **dict.fromkeys(range(1, 9), "common"),
    9: "genocide",
    10: "genocide",
    11: "crimes_against_humanity",
    12: "crimes_against_humanity",
    13: "war_crimes",
    14: "war_crimes",
}
_APPLIES_TO_BY_GROUP = {
    "common": CRIMES,
    "genocide": ("genocide",),
    "crimes_against_humanity": ("crimes_against_humanity",),
    "war_crimes": ("war_crimes",),
}

_TOP_LEVEL_KEYS = {"version", "title", "sources", "notes", "sections"}
_SOURCE_KEYS = {"id", "citation", "url"}
_COMMON_SECTION_KEYS = {"code", "kind", "title", "short_title", "description", "guidance_questions"}
_RISK_FACTOR_KEYS = _COMMON_SECTION_KEYS | {
    "number",
    "group",
    "applies_to",
    "title_confirmed",
    "wording",
    "description_note",
    "indicators_status",
    "indicators_note",
    "indicators",
    "source",
}
_INDICATOR_KEYS = {"number", "text", "status", "wording"}


class FrameworkError(Exception):
    """The framework file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Source:
    """A document the framework text was drawn from."""

    id: str
    citation: str
    url: str | None


@dataclass(frozen=True)
class Indicator:
    """A numbered indicator of a risk factor, such as 8.7."""

    number: str
    text: str
    status: str
    wording: str = "summary"


@dataclass(frozen=True)
class SectionDefinition:
    """The definition of one assessment section: scope, a risk factor, footprint or dimension."""

    code: str
    kind: str
    title: str
    short_title: str
    description: str | None
    guidance_questions: tuple[str, ...]
    number: int | None = None
    group: str | None = None
    applies_to: tuple[str, ...] = ()
    title_confirmed: bool = True
    indicators_status: str | None = None
    indicators: tuple[Indicator, ...] = ()
    source: str | None = None
    # Risk factors only: how the text relates to the UN original, and why parts are missing.
    wording: str | None = None
    description_note: str | None = None
    indicators_note: str | None = None


@dataclass(frozen=True)
class Framework:
    """A loaded, validated framework: the ordered section definitions and their provenance."""

    version: str
    title: str
    notes: tuple[str, ...]
    sources: tuple[Source, ...]
    sections: tuple[SectionDefinition, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the section codes in assessment order."""
        return tuple(section.code for section in self.sections)

    def section(self, code: str) -> SectionDefinition:
        """Return the section with the given code."""
        for section in self.sections:
            if section.code == code:
                return section
        raise FrameworkError(f"Unknown section code {code!r}.")

    def codes_of_kind(self, kind: str) -> tuple[str, ...]:
        """Return the codes of the sections of the given kind, in assessment order."""
        if kind not in KINDS:
            raise FrameworkError(f"Unknown section kind {kind!r}; expected one of {KINDS}.")
        return tuple(section.code for section in self.sections if section.kind == kind)

    def source(self, source_id: str) -> Source:
        """Return the source with the given id."""
        for source in self.sources:
            if source.id == source_id:
                return source
        raise FrameworkError(f"Unknown source id {source_id!r}.")


def _expected_kind(code: str) -> str:
    if code == SCOPE:
        return "scope"
    if code == FOOTPRINT:
        return "footprint"
    if code in RISK_FACTOR_CODES:
        return "risk_factor"
    return "dimension"


class _Validator:
    """Check one parsed framework document and build the Framework from it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> FrameworkError:
        return FrameworkError(f"{self.path}: {where}: {message}")

    def mapping(self, value: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}.")
        # Unknown keys are usually typos; silently ignoring them would hide missing data.
        unknown = sorted(str(key) for key in value if key not in allowed)
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(unknown)}.")
        return value

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "must be a non-empty string.")
        return value.strip()

    def optional_string(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        if data.get(key) is None:
            return None
        return self.string(data, key, where)

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]
    ) -> str:
        value = data.get(key)
        if value not in allowed:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}.")
        return value

    def string_list(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}.{key}", "must be a non-empty list.")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{where}.{key}[{index}]", "must be a non-empty string.")
        return tuple(item.strip() for item in value)

    def framework(self, document: Any) -> Framework:
        data = self.mapping(document, "top level", _TOP_LEVEL_KEYS)
        if data.get("version") is None:
            raise self.fail("version", "is missing.")
        # An unquoted version such as 2026.10 parses as a float and would lose its trailing zero.
        if not isinstance(data["version"], str):
            raise self.fail("version", f"{data['version']!r} must be a quoted string.")
        version = self.string(data, "version", "top level")
        title = self.string(data, "title", "top level")
        notes = self.string_list(data, "notes", "top level")
        sources = self.sources(data.get("sources"))
        sections = self.sections(data.get("sections"), {source.id for source in sources})
        return Framework(
            version=version, title=title, notes=notes, sources=sources, sections=sections
        )

    def sources(self, value: Any) -> tuple[Source, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("sources", "must be a non-empty list.")
        sources = []
        seen = set()
        for index, item in enumerate(value):
            where = f"sources[{index}]"
            data = self.mapping(item, where, _SOURCE_KEYS)
            source_id = self.string(data, "id", where)
            if source_id in seen:
                raise self.fail(f"{where}.id", f"duplicate source id {source_id!r}.")
            seen.add(source_id)
            citation = self.string(data, "citation", where)
            url = self.optional_string(data, "url", where)
            sources.append(Source(id=source_id, citation=citation, url=url))
        return tuple(sources)

    def sections(self, value: Any, source_ids: set[str]) -> tuple[SectionDefinition, ...]:
        if not isinstance(value, list):
            raise self.fail("sections", "must be a list.")
        codes = [item.get("code") if isinstance(item, Mapping) else None for item in value]
        if codes != list(SECTION_CODES):
            raise self.fail("sections", self.order_problem(codes))
        return tuple(
            self.section(item, f"section {code!r}", source_ids)
            for item, code in zip(value, SECTION_CODES, strict=True)
        )

    def order_problem(self, codes: list[Any]) -> str:
        """Describe how the section codes differ from SECTION_CODES."""
        for index, (found, expected) in enumerate(zip(codes, SECTION_CODES, strict=False)):
            if found != expected:
                return (
                    f"codes must follow the contract order; position {index} should be "
                    f"{expected!r} but is {found!r}."
                )
        if len(codes) < len(SECTION_CODES):
            missing = ", ".join(SECTION_CODES[len(codes) :])
            return f"missing section(s) at the end: {missing}."
        extra = ", ".join(repr(code) for code in codes[len(SECTION_CODES) :])
        return f"unexpected extra section(s) at the end: {extra}."

    def section(self, item: Any, where: str, source_ids: set[str]) -> SectionDefinition:
        code = item["code"]
        expected_kind = _expected_kind(code)
        allowed = _RISK_FACTOR_KEYS if expected_kind == "risk_factor" else _COMMON_SECTION_KEYS
        kind = item.get("kind")
        if kind not in KINDS:
            raise self.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}.")
        if kind != expected_kind:
            raise self.fail(f"{where}.kind", f"must be {expected_kind!r}, not {kind!r}.")
        data = self.mapping(item, where, allowed)
        short_title = self.string(data, "short_title", where)
        if len(short_title) > SHORT_TITLE_MAX_LENGTH:
            raise self.fail(
                f"{where}.short_title", f"is longer than {SHORT_TITLE_MAX_LENGTH} characters."
            )
        common = {
            "code": code,
            "kind": kind,
            "title": self.string(data, "title", where),
            "short_title": short_title,
            "description": self.optional_string(data, "description", where),
            "guidance_questions": self.string_list(data, "guidance_questions", where),
        }
        if kind != "risk_factor":
            if common["description"] is None:
                raise self.fail(f"{where}.description", "must be a non-empty string.")
            return SectionDefinition(**common)
        return self.risk_factor(data, where, common, source_ids)

    def risk_factor(
        self,
        data: Mapping[str, Any],
        where: str,
        common: dict[str, Any],
        source_ids: set[str],
    ) -> SectionDefinition:
        # The checks run in the document's order, so the first error reported is the first
        # one an editor reading the file meets.
        number = self.risk_factor_number(data, where, common["code"])
        group = self.risk_factor_group(data, where, number)
        applies_to = self.risk_factor_applies_to(data, where, group)
        title_confirmed = data.get("title_confirmed")
        if not isinstance(title_confirmed, bool):
            raise self.fail(f"{where}.title_confirmed", "must be true or false.")
        wording = self.choice(data, "wording", where, WORDINGS)
        description_note = self.optional_string(data, "description_note", where)
        # A gap in the source must be explained to the analyst, never left silently blank.
        if common["description"] is None and description_note is None:
            raise self.fail(f"{where}.description_note", "is required when description is null.")
        source = self.string(data, "source", where)
        if source not in source_ids:
            raise self.fail(f"{where}.source", f"{source!r} is not a declared source id.")
        indicators_status, indicators_note, indicators = self.risk_factor_indicators(
            data, where, number
        )
        return SectionDefinition(
            **common,
            number=number,
            group=group,
            applies_to=applies_to,
            title_confirmed=title_confirmed,
            indicators_status=indicators_status,
            indicators=indicators,
            source=source,
            wording=wording,
            description_note=description_note,
            indicators_note=indicators_note,
        )

    def risk_factor_number(self, data: Mapping[str, Any], where: str, code: str) -> int:
        number = data.get("number")
        expected_number = RISK_FACTOR_CODES.index(code) + 1
        # bool is an int subclass; True must not pass for risk factor 1.
        if type(number) is not int or number != expected_number:
            raise self.fail(f"{where}.number", f"must be the integer {expected_number}.")
        return number

    def risk_factor_group(self, data: Mapping[str, Any], where: str, number: int) -> str:
        group = self.choice(data, "group", where, RISK_FACTOR_GROUPS)
        if group != _GROUP_BY_NUMBER[number]:
            raise self.fail(
                f"{where}.group", f"risk factor {number} belongs to {_GROUP_BY_NUMBER[number]!r}."
            )
        return group

    def risk_factor_applies_to(
        self, data: Mapping[str, Any], where: str, group: str
    ) -> tuple[str, ...]:
        applies_to = self.string_list(data, "applies_to", where)
        for crime in applies_to:
            if crime not in CRIMES:
                raise self.fail(
                    f"{where}.applies_to", f"{crime!r} is not one of {', '.join(CRIMES)}."
                )
        if applies_to != _APPLIES_TO_BY_GROUP[group]:
            expected = ", ".join(_APPLIES_TO_BY_GROUP[group])
            raise self.fail(f"{where}.applies_to", f"a {group} factor applies to: {expected}.")
        return applies_to

    def risk_factor_indicators(
        self, data: Mapping[str, Any], where: str, number: int
    ) -> tuple[str, str | None, tuple[Indicator, ...]]:
        """Return the factor's indicators status, its note and the indicators, consistent."""
        status = self.choice(data, "indicators_status", where, INDICATORS_STATUSES)
        note = self.optional_string(data, "indicators_note", where)
        if status != "complete_as_summarised" and note is None:
            raise self.fail(
                f"{where}.indicators_note", f"is required when indicators are {status}."
            )
        indicators = self.indicators(data.get("indicators"), where, number)
        if status == "not_available" and indicators:
            raise self.fail(f"{where}.indicators", "must be empty when not_available.")
        if status != "not_available" and not indicators:
            raise self.fail(f"{where}.indicators", f"must not be empty when {status}.")
        if status != "incomplete" and any(i.status == "partial" for i in indicators):
            raise self.fail(
                f"{where}.indicators_status", "must be incomplete when an indicator is partial."
            )
        return status, note, indicators

    def indicators(self, value: Any, where: str, factor: int) -> tuple[Indicator, ...]:
        if not isinstance(value, list):
            raise self.fail(f"{where}.indicators", "must be a list.")
        pattern = re.compile(rf"{factor}\.[1-9][0-9]*")
        indicators = []
        seen = set()
        for index, item in enumerate(value):
            item_where = f"{where}.indicators[{index}]"
            data = self.mapping(item, item_where, _INDICATOR_KEYS)
            number = data.get("number")
            # Unquoted, 8.10 would parse as the float 8.1: insist on strings.
            if not isinstance(number, str):
                raise self.fail(f"{item_where}.number", f"{number!r} must be a quoted string.")
            if not pattern.fullmatch(number):
                raise self.fail(
                    f"{item_where}.number",
                    f"{number!r} is not an indicator of risk factor {factor} ({factor}.n).",
                )
            if number in seen:
                raise self.fail(f"{item_where}.number", f"duplicate indicator number {number!r}.")
            seen.add(number)
            indicators.append(
                Indicator(
                    number=number,
                    text=self.string(data, "text", item_where),
                    status=self.choice(data, "status", item_where, INDICATOR_STATUSES),
                    wording=self.choice(data, "wording", item_where, WORDINGS),
                )
            )
        return tuple(indicators)


def load_framework(path: str | os.PathLike[str]) -> Framework:
    """Read, validate and return the framework in the YAML file at path."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read the framework file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: invalid YAML: {exc}") from exc
    return _Validator(path).framework(document)


@functools.cache
def get_framework() -> Framework:
    """Return the framework named by settings.AIA_FRAMEWORK_FILE, loaded once per process."""
    return load_framework(settings.AIA_FRAMEWORK_FILE)
