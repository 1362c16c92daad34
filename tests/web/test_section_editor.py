"""The section editor's form layer: one save through the service, its errors placed on the
form or on the source row the user typed them in."""

from django.http import QueryDict

from aia.exceptions import InvalidInput
from aia.framework import get_framework
from aia.web.forms import SectionEditor


def posted(**fields):
    data = QueryDict(mutable=True)
    data.update(
        {
            "rating": "present",
            "confidence": "high",
            "analysis": "Fighting for the city is the likely trigger.",
            "sources-TOTAL_FORMS": "3",
            "sources-INITIAL_FORMS": "1",
            # A saved source the user removes, then two they keep.
            "sources-0-title": "Old report",
            "sources-0-remove": "on",
            "sources-1-title": "Report of the mission",
            "sources-1-url": "https://www.ohchr.org/en/one",
            "sources-2-title": "Second report",
            "sources-2-url": "https://www.ohchr.org/en/two",
        }
    )
    data.update(fields)
    return data


def editor(data, **kwargs):
    return SectionEditor.bound(data, definition=get_framework().section("rf8"), **kwargs)


def refuse(fields):
    def save(data):
        raise InvalidInput("The section is not valid.", fields)

    return save


def test_saving_passes_only_the_kept_sources_to_the_service():
    saved = []
    assert editor(posted()).save(saved.append) is None
    [data] = saved
    assert data["rating"] == "present"
    assert [s["title"] for s in data["sources"]] == ["Report of the mission", "Second report"]


def test_a_source_error_lands_on_the_row_it_was_typed_in_not_the_service_number():
    form = editor(posted())
    summary = form.save(refuse({"sources.1.url": ["Enter a full web address."]}))
    assert form.formset.forms[2].errors == {"url": ["Enter a full web address."]}
    assert not form.formset.forms[1].errors
    assert summary == [{"href": "#id_sources-2-url", "text": "Enter a full web address."}]


def test_errors_without_a_place_lead_the_summary_before_the_field_errors():
    form = editor(posted())
    summary = form.save(
        refuse(
            {
                "analysis": ["Analysis is too long."],
                "sources": ["Cite at most 50 sources."],
                "sources.9.title": ["Enter a title."],
                "version": ["The case has moved on."],
            }
        )
    )
    assert form.form.errors == {"analysis": ["Analysis is too long."]}
    assert [item["text"] for item in summary] == [
        "The case has moved on.",
        "Cite at most 50 sources.",
        "Enter a title.",
        "Analysis is too long.",
    ]
    assert summary[0]["href"] == "#main-content"


def test_the_service_is_not_called_when_the_browser_sent_unusable_values():
    calls = []
    form = editor(posted(**{"sources-1-date_0": "x", "sources-1-date_1": "1"}))
    summary = form.save(calls.append)
    assert calls == []
    assert summary
    assert form.formset.forms[1].errors


def test_add_another_source_adds_one_blank_row():
    assert len(editor(posted(), add_row=True).formset.forms) == 4
