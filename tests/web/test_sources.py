"""The source library's pages: adding a source with its file (and the files refused, with
nothing stored), downloading it only as an attachment and only with need-to-know, and citing
it from a section and an option."""

import hashlib

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from aia.models import AccessRecord, Citation, Source
from aia.models.choices import CaseState
from aia.services.options import option_create
from aia.services.sources import source_add, source_cite
from tests.factories import case_in_state, option_data
from tests.source_files import PDF, PNG, SOURCE, upload
from tests.web.helpers import case_url, error_summary, text

pytestmark = pytest.mark.django_db

FORM = {k: v for k, v in SOURCE.items() if k != "published_on"} | {
    "published_on_0": "6",
    "published_on_1": "9",
    "published_on_2": "2024",
}


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _post_with_raw_name(client, url: str, name: str, content: bytes):
    """Post the form with a file whose name is sent exactly as given (the test client, like a
    browser, would send only the last part of a path)."""
    body = encode_multipart(BOUNDARY, FORM)
    body = body[: -len(f"--{BOUNDARY}--\r\n")]
    body += (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.generic("POST", url, data=body, content_type=MULTIPART_CONTENT)


def test_an_official_adds_a_source_with_its_file_and_the_library_lists_it(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    client = client_for(team.official)
    assert "Open the source library" in text(client.get(case_url(case)))
    page = client.get(case_url(case, "web:source-new"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        case_url(case, "web:source-new"), {**FORM, "file": upload("mission report.pdf", PDF)}
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.sha256 == hashlib.sha256(PDF).hexdigest()
    library = text(client.get(response.url))
    assert "added to the library" in library
    assert SOURCE["title"] in library
    assert "6 September 2024" in library
    assert "Confirmed by several independent sources" in library
    assert "Download mission report.pdf" in library
    assert "Not cited yet" in library


def test_a_file_over_the_limit_is_refused_and_nothing_stored(team, client_for, settings):
    settings.AIA_SOURCE_MAX_BYTES = 1024
    case = case_in_state(team, CaseState.ASSESSMENT)
    big = PDF + b"0" * 2048
    response = client_for(team.official).post(
        case_url(case, "web:source-new"), {**FORM, "file": upload("big.pdf", big)}
    )
    assert response.status_code == 400
    assert error_summary(response) == ["The file must be smaller than 1 KB."]
    assert not Source.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_whose_content_does_not_match_its_extension_is_refused(team, client_for, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    response = client_for(team.official).post(
        case_url(case, "web:source-new"),
        {**FORM, "file": upload("photo.pdf", PNG, "application/pdf")},
    )
    assert response.status_code == 400
    [message] = error_summary(response)
    assert "does not match its name" in message
    assert "should be a PDF, but its content is a PNG image" in message
    assert not Source.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    "name", ["../../etc/report.pdf", "..\\secret\\report.pdf", "folder/report.pdf", "a&#47;b.pdf"]
)
def test_a_file_name_with_path_characters_is_refused_not_cut_down(team, client_for, settings, name):
    case = case_in_state(team, CaseState.ASSESSMENT)
    response = _post_with_raw_name(
        client_for(team.official), case_url(case, "web:source-new"), name, PDF
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "The file name must not contain /, \\ or '..': rename the file and choose it again."
    ]
    assert not Source.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_name_with_control_characters_is_refused(team, client_for, settings):
    case = case_in_state(team, CaseState.ASSESSMENT)
    response = _post_with_raw_name(
        client_for(team.official), case_url(case, "web:source-new"), "report\x01.pdf", PDF
    )
    assert response.status_code == 400
    assert "hidden control characters" in error_summary(response)[0]
    assert not Source.objects.exists()
    assert _stored_files(settings) == []


def test_the_form_is_refused_to_those_who_may_not_add(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    assert client_for(team.legal).get(case_url(case, "web:source-new")).status_code == 403
    assert client_for(team.other_official).get(case_url(case, "web:source-new")).status_code == 404
    closed = case_in_state(team, CaseState.LEGAL_REVIEW)
    assert client_for(team.official).get(case_url(closed, "web:source-new")).status_code == 409


def test_the_file_downloads_as_an_attachment_only_with_need_to_know(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(
        case=case, actor=team.official, data=SOURCE, upload=upload("<b>x</b>.pdf", PDF)
    )
    url = case_url(case, "web:source-file", source_id=source.pk)
    response = client_for(team.legal).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AccessRecord.objects.filter(
        user=team.legal, what=AccessRecord.What.SOURCE_DOWNLOADED
    ).exists()
    for stranger in (team.other_official, team.outsider, team.other_sro):
        assert client_for(stranger).get(url).status_code == 404
    # A source of another case is not found through this one.
    other = case_in_state(team, CaseState.SCOPING, reference="OTHER-1", title="Another")
    assert (
        client_for(team.official)
        .get(case_url(other, "web:source-file", source_id=source.pk))
        .status_code
        == 404
    )


def test_a_source_is_cited_from_a_section_and_an_option_and_removed(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(case=case, actor=team.official, data=SOURCE)
    client = client_for(team.official)
    section_page = text(client.get(case_url(case, "web:section", code="rf3")))
    assert "Cite a source from this case's library" in section_page
    assert "Add at least one source" not in section_page
    response = client.post(
        case_url(case, "web:source-cite"), {"section": "rf3", "source": source.pk}
    )
    assert response.url.endswith("/sections/rf3/#library-sources")
    page = client.get(response.url)
    assert f"'{SOURCE['title']}' is cited here." in text(page)
    assert 'id="cited-sources"' in page.content.decode()
    library = text(client.get(case_url(case, "web:sources")))
    assert "Not cited yet" not in library
    response = client.post(
        case_url(case, "web:source-uncite", source_id=source.pk), {"section": "rf3"}
    )
    assert "is no longer cited here" in text(client.get(response.url))
    assert not Citation.objects.exists()
    # Someone who may only read sees the citations, with no form.
    source_cite(source=source, actor=team.official, section_code="rf3")
    legal = text(client_for(team.legal).get(case_url(case, "web:section", code="rf3")))
    assert SOURCE["title"] in legal
    assert "Cite a source from this case's library" not in legal


def test_an_option_cites_a_source_from_its_page(team, client_for):
    case = case_in_state(team, CaseState.OPTIONS)
    source = source_add(case=case, actor=team.official, data=SOURCE)
    option = option_create(case=case, actor=team.official, data=option_data("sanctions"))
    client = client_for(team.official)
    assert "Cite a source from this case's library" in text(
        client.get(case_url(case, "web:option", option_id=option.pk))
    )
    response = client.post(
        case_url(case, "web:source-cite"), {"option": str(option.pk), "source": source.pk}
    )
    assert response.status_code == 302
    assert Citation.objects.get().option == option
    library = text(client.get(case_url(case, "web:sources")))
    assert f"Option: {option.title}" in library


def test_the_library_page_is_need_to_know(team, client_for):
    case = case_in_state(team, CaseState.ASSESSMENT)
    assert client_for(team.legal).get(case_url(case, "web:sources")).status_code == 200
    assert client_for(team.outsider).get(case_url(case, "web:sources")).status_code == 404
