"""Tests for the assessment framework file and its loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from aia.framework import (
    DIMENSION_CODES,
    FOOTPRINT,
    RISK_FACTOR_CODES,
    SCOPE,
    SECTION_CODES,
    Framework,
    FrameworkError,
    get_framework,
    load_framework,
)

SHIPPED_FILE = Path(__file__).resolve().parents[2] / "aia" / "framework" / "framework-v1.yaml"

# Factors for which no indicator text was retrieved from any source.
NOT_AVAILABLE = ("rf1", "rf2", "rf3", "rf4", "rf5", "rf6", "rf10", "rf11", "rf12", "rf14")
UNCONFIRMED_TITLES = ("rf3", "rf6", "rf10", "rf11")


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework(SHIPPED_FILE)


@pytest.fixture
def document() -> dict[str, Any]:
    """Return a fresh, mutable copy of the shipped file's parsed contents."""
    return copy.deepcopy(yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8")))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def sections_by_code(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {section["code"]: section for section in document["sections"]}


class TestShippedFramework:
    def test_loads(self, framework):
        assert framework.version == "2026.1"
        assert framework.title
        assert framework.notes
        assert {source.id for source in framework.sources} >= {"un-foa-2014"}

    def test_settings_point_at_shipped_file(self):
        assert Path(settings.AIA_FRAMEWORK_FILE).resolve() == SHIPPED_FILE

    def test_get_framework_is_cached(self, framework):
        get_framework.cache_clear()
        try:
            first = get_framework()
            assert get_framework() is first
            assert first == framework
        finally:
            get_framework.cache_clear()

    def test_codes_in_contract_order(self, framework):
        assert framework.codes == SECTION_CODES
        assert SECTION_CODES[0] == SCOPE
        assert SECTION_CODES[15] == FOOTPRINT
        assert len(SECTION_CODES) == 24

    def test_codes_of_kind(self, framework):
        assert framework.codes_of_kind("scope") == (SCOPE,)
        assert framework.codes_of_kind("risk_factor") == RISK_FACTOR_CODES
        assert framework.codes_of_kind("footprint") == (FOOTPRINT,)
        assert framework.codes_of_kind("dimension") == DIMENSION_CODES

    def test_unknown_kind_or_code_raises(self, framework):
        with pytest.raises(FrameworkError, match="nope"):
            framework.codes_of_kind("nope")
        with pytest.raises(FrameworkError, match="rf15"):
            framework.section("rf15")

    def test_fourteen_risk_factors_with_groups(self, framework):
        groups = {code: framework.section(code).group for code in RISK_FACTOR_CODES}
        assert groups == {
            **{f"rf{i}": "common" for i in range(1, 9)},
            "rf9": "genocide",
            "rf10": "genocide",
            "rf11": "crimes_against_humanity",
            "rf12": "crimes_against_humanity",
            "rf13": "war_crimes",
            "rf14": "war_crimes",
        }
        for number, code in enumerate(RISK_FACTOR_CODES, start=1):
            section = framework.section(code)
            assert section.number == number
            assert section.short_title.startswith(f"RF{number} ")
        assert framework.section("rf1").applies_to == (
            "genocide",
            "crimes_against_humanity",
            "war_crimes",
        )
        assert framework.section("rf13").applies_to == ("war_crimes",)

    def test_eight_dimensions(self, framework):
        assert DIMENSION_CODES == (
            "leverage",
            "logistics",
            "protection",
            "military",
            "diplomacy",
            "legal",
            "information",
            "sgbv",
        )
        for code in DIMENSION_CODES:
            section = framework.section(code)
            assert section.kind == "dimension"
            assert section.description
            assert 4 <= len(section.guidance_questions) <= 6

    def test_guidance_questions(self, framework):
        for section in framework.sections:
            assert section.guidance_questions, section.code
            assert len(section.short_title) <= 40, section.code
        for code in RISK_FACTOR_CODES:
            assert 3 <= len(framework.section(code).guidance_questions) <= 5, code
        footprint = " ".join(framework.section(FOOTPRINT).guidance_questions)
        assert "Criterion 2" in footprint
        assert "OSJA" in footprint

    def test_rf8_indicators(self, framework):
        rf8 = framework.section("rf8")
        assert [indicator.number for indicator in rf8.indicators] == [
            f"8.{i}" for i in range(1, 13)
        ]
        assert rf8.indicators_status == "complete_as_summarised"
        assert all(indicator.status == "complete" for indicator in rf8.indicators)

    def test_rf9_indicators(self, framework):
        rf9 = framework.section("rf9")
        assert [indicator.number for indicator in rf9.indicators] == [f"9.{i}" for i in range(1, 7)]
        assert rf9.indicators_status == "complete_as_summarised"

    @pytest.mark.parametrize(
        ("code", "count", "partial"), [("rf7", 11, "7.11"), ("rf13", 10, "13.10")]
    )
    def test_cut_off_lists_are_incomplete(self, framework, code, count, partial):
        section = framework.section(code)
        assert section.indicators_status == "incomplete"
        assert len(section.indicators) == count
        assert [i.number for i in section.indicators if i.status == "partial"] == [partial]
        assert section.indicators[-1].number == partial
        assert section.indicators_note

    @pytest.mark.parametrize("code", NOT_AVAILABLE)
    def test_factors_without_retrieved_indicators(self, framework, code):
        section = framework.section(code)
        assert section.indicators == ()
        assert section.indicators_status == "not_available"
        assert "A/70/741" in section.indicators_note

    @pytest.mark.parametrize("code", UNCONFIRMED_TITLES)
    def test_unconfirmed_factors_have_no_description(self, framework, code):
        section = framework.section(code)
        assert section.title_confirmed is False
        assert section.description is None
        assert section.description_note

    def test_other_factors_have_confirmed_titles_and_descriptions(self, framework):
        for code in set(RISK_FACTOR_CODES) - set(UNCONFIRMED_TITLES):
            section = framework.section(code)
            assert section.title_confirmed is True, code
            assert section.description, code

    def test_every_text_marked_summary(self, framework, document):
        for code in RISK_FACTOR_CODES:
            section = framework.section(code)
            assert section.wording == "summary", code
            assert all(indicator.wording == "summary" for indicator in section.indicators)
        # Check the raw file too, so the marking cannot come from a loader default.
        for raw in sections_by_code(document).values():
            if raw["kind"] == "risk_factor":
                assert raw["wording"] == "summary", raw["code"]
                for indicator in raw["indicators"]:
                    assert indicator["wording"] == "summary", indicator["number"]

    def test_sources_declared(self, framework):
        declared = {source.id for source in framework.sources}
        for code in RISK_FACTOR_CODES:
            assert framework.section(code).source in declared, code
        assert framework.source("un-foa-2014").citation


class TestValidation:
    def assert_rejected(self, tmp_path, document, *fragments):
        with pytest.raises(FrameworkError) as excinfo:
            load_framework(write(tmp_path, document))
        message = str(excinfo.value)
        for fragment in fragments:
            assert fragment in message, message

    def test_round_trip_of_unmodified_document(self, tmp_path, document, framework):
        assert load_framework(write(tmp_path, document)) == framework

    def test_wrong_order(self, tmp_path, document):
        sections = document["sections"]
        sections[1], sections[2] = sections[2], sections[1]
        self.assert_rejected(tmp_path, document, "order", "'rf1'", "'rf2'")

    def test_missing_section(self, tmp_path, document):
        document["sections"] = [s for s in document["sections"] if s["code"] != "sgbv"]
        self.assert_rejected(tmp_path, document, "missing", "sgbv")

    def test_unknown_kind(self, tmp_path, document):
        sections_by_code(document)["leverage"]["kind"] = "lever"
        self.assert_rejected(tmp_path, document, "section 'leverage'.kind", "'lever'")

    def test_kind_not_matching_code(self, tmp_path, document):
        sections_by_code(document)["leverage"]["kind"] = "scope"
        self.assert_rejected(tmp_path, document, "section 'leverage'.kind", "'dimension'")

    def test_duplicate_indicator_number(self, tmp_path, document):
        indicators = sections_by_code(document)["rf8"]["indicators"]
        indicators[1]["number"] = "8.1"
        self.assert_rejected(tmp_path, document, "section 'rf8'.indicators[1]", "duplicate", "8.1")

    def test_indicator_under_wrong_factor(self, tmp_path, document):
        sections_by_code(document)["rf9"]["indicators"][0]["number"] = "8.1"
        self.assert_rejected(tmp_path, document, "section 'rf9'.indicators[0]", "risk factor 9")

    def test_unquoted_indicator_number(self, tmp_path, document):
        sections_by_code(document)["rf8"]["indicators"][9]["number"] = 8.10
        self.assert_rejected(tmp_path, document, "section 'rf8'.indicators[9].number", "quoted")

    def test_missing_version(self, tmp_path, document):
        del document["version"]
        self.assert_rejected(tmp_path, document, "version", "missing")

    def test_unquoted_version(self, tmp_path, document):
        document["version"] = 2026.1
        self.assert_rejected(tmp_path, document, "version", "quoted")

    def test_wrong_group(self, tmp_path, document):
        sections_by_code(document)["rf9"]["group"] = "common"
        self.assert_rejected(tmp_path, document, "section 'rf9'.group", "'genocide'")

    def test_wrong_number(self, tmp_path, document):
        sections_by_code(document)["rf4"]["number"] = 5
        self.assert_rejected(tmp_path, document, "section 'rf4'.number", "4")

    def test_unknown_crime(self, tmp_path, document):
        sections_by_code(document)["rf13"]["applies_to"] = ["aggression"]
        self.assert_rejected(tmp_path, document, "section 'rf13'.applies_to", "'aggression'")

    def test_bad_indicator_status(self, tmp_path, document):
        sections_by_code(document)["rf9"]["indicators"][0]["status"] = "verbatim"
        self.assert_rejected(tmp_path, document, "section 'rf9'.indicators[0].status")

    def test_wording_must_be_summary(self, tmp_path, document):
        sections_by_code(document)["rf8"]["wording"] = "verbatim"
        self.assert_rejected(tmp_path, document, "section 'rf8'.wording", "'verbatim'")

    def test_not_available_with_indicators(self, tmp_path, document):
        rf1 = sections_by_code(document)["rf1"]
        rf1["indicators"] = [
            {"number": "1.1", "text": "x", "status": "complete", "wording": "summary"}
        ]
        self.assert_rejected(tmp_path, document, "section 'rf1'.indicators", "not_available")

    def test_partial_indicator_requires_incomplete(self, tmp_path, document):
        sections_by_code(document)["rf7"]["indicators_status"] = "complete_as_summarised"
        self.assert_rejected(tmp_path, document, "section 'rf7'.indicators_status", "partial")

    def test_null_description_needs_note(self, tmp_path, document):
        del sections_by_code(document)["rf3"]["description_note"]
        self.assert_rejected(tmp_path, document, "section 'rf3'.description_note")

    def test_empty_guidance_questions(self, tmp_path, document):
        sections_by_code(document)["scope"]["guidance_questions"] = []
        self.assert_rejected(tmp_path, document, "section 'scope'.guidance_questions")

    def test_long_short_title(self, tmp_path, document):
        sections_by_code(document)["legal"]["short_title"] = "x" * 41
        self.assert_rejected(tmp_path, document, "section 'legal'.short_title", "40")

    def test_unknown_field(self, tmp_path, document):
        sections_by_code(document)["military"]["indicators"] = []
        self.assert_rejected(
            tmp_path, document, "section 'military'", "unknown field", "indicators"
        )

    def test_undeclared_source(self, tmp_path, document):
        sections_by_code(document)["rf8"]["source"] = "wikipedia"
        self.assert_rejected(tmp_path, document, "section 'rf8'.source", "'wikipedia'")

    def test_missing_file(self, tmp_path):
        with pytest.raises(FrameworkError, match="cannot read"):
            load_framework(tmp_path / "absent.yaml")

    def test_invalid_yaml(self, tmp_path):
        path = tmp_path / "broken.yaml"
        path.write_text("sections: [unclosed\n", "utf-8")
        with pytest.raises(FrameworkError, match="invalid YAML"):
            load_framework(path)
