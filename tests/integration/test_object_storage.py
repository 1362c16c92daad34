"""Files in an S3 object store (moto's S3 server on loopback, standing in for MinIO or AWS):
a signed report and a source file go to the bucket and nowhere on the local disk, are read back
checked against their SHA-256, and a file changed or lost in the bucket is refused in words, on
the web, in the API and in the evidence bundle."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aia.models.choices import CaseState
from aia.services.anchors import anchor_digest_write
from aia.services.sources import source_add
from tests import source_files
from tests.factories import case_in_state
from tests.integration.s3 import REGION, S3Server

pytestmark = [pytest.mark.needs("moto"), pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def s3():
    server = S3Server()
    yield server
    server.close()


@pytest.fixture
def bucket(s3, settings):
    """A new empty bucket, made the default storage for the test."""
    name = s3.bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_options(name)}
    return name


def _objects(s3, bucket) -> list[str]:
    return [item["Key"] for item in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])]


def _tamper(s3, bucket, key) -> None:
    """Change one byte of the object, as someone with write access to the bucket could."""
    body = bytearray(s3.client().get_object(Bucket=bucket, Key=key)["Body"].read())
    body[-20] ^= 0x01
    s3.client().put_object(Bucket=bucket, Key=key, Body=bytes(body))


def test_the_settings_give_the_storage_these_tests_use(s3):
    """config/settings/base.py builds, from the standard AWS_* names, what the tests set."""
    probe = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], settings.STORAGES['anchors']]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "AIA_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        AIA_ANCHORS_BUCKET="aia-anchors",
        **s3.env("aia-files"),
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    files, anchors = json.loads(result.stdout)
    assert files == s3.storage_options("aia-files")
    assert anchors == s3.storage_options("aia-anchors")


def test_chain_head_digests_go_to_a_locked_bucket_and_chain_there(team, s3, settings):
    """Whichever worker host runs the daily task, the digests are written to, and chained
    from, one bucket, which object lock keeps from being rewritten."""
    name = f"aia-anchors-{s3.bucket()[-12:]}"
    s3.client().create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=True,
    )
    settings.STORAGES = {**settings.STORAGES, "anchors": s3.storage_options(name)}
    case_in_state(team, CaseState.ASSESSMENT)
    first, second = anchor_digest_write(), anchor_digest_write()
    assert _objects(s3, name) == [first.name, second.name]
    assert second.previous_sha256 == first.sha256
    stored = s3.client().get_object(Bucket=name, Key=second.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == second.sha256


def test_a_signed_report_goes_to_the_bucket_and_is_served_from_it(
    team, s3, bucket, settings, client_for, api_for
):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    assert _objects(s3, bucket) == [report.pdf.name]
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
    stored = s3.client().get_object(Bucket=bucket, Key=report.pdf.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == report.sha256
    # Private: nobody but the owner is granted anything.
    grants = s3.client().get_object_acl(Bucket=bucket, Key=report.pdf.name)["Grants"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)

    web = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert b"".join(web.streaming_content) == stored
    api = api_for(team.sro).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert b"".join(api.streaming_content) == stored


def test_a_report_changed_in_the_bucket_is_refused_naming_the_file(
    team, s3, bucket, client_for, api_for
):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    _tamper(s3, bucket, report.pdf.name)
    what = f"The PDF of report 1 of {report.case.reference}"

    page = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert page.status_code == 500
    assert f"{what} does not match the SHA-256 recorded when it was stored" in (
        page.content.decode()
    )
    assert b"%PDF" not in page.content

    answer = api_for(team.sro).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert answer.status_code == 500
    assert answer.json()["message"].startswith(f"{what} does not match")
    assert answer.json()["extra"] == {"file": report.pdf.name}

    bundle = api_for(team.sro).get(f"/api/v1/cases/{report.case.pk}/bundle/")
    assert bundle.status_code == 500
    assert bundle.json()["message"].startswith(f"{what} does not match")
    bundle_page = client_for(team.sro).get(f"/cases/{report.case.pk}/bundle/")
    assert bundle_page.status_code == 500
    assert f"{what} does not match the SHA-256" in bundle_page.content.decode()


def test_a_report_missing_from_the_bucket_is_refused_in_words(team, s3, bucket, client_for):
    report = case_in_state(team, CaseState.SIGNED_OFF).reports.get()
    s3.client().delete_object(Bucket=bucket, Key=report.pdf.name)
    page = client_for(team.sro).get(f"/reports/{report.pk}/download/")
    assert page.status_code == 500
    assert "is missing from storage, so it has not been sent" in page.content.decode()


def test_a_source_file_and_the_bundle_come_from_the_bucket(
    team, s3, bucket, settings, client_for, api_for
):
    case = case_in_state(team, CaseState.ASSESSMENT)
    source = source_add(
        case=case,
        actor=team.official,
        data=dict(source_files.SOURCE),
        upload=source_files.upload("mission.pdf", source_files.PDF),
    )
    assert source.file.name in _objects(s3, bucket)
    url = f"/cases/{case.pk}/sources/{source.pk}/file/"
    assert b"".join(client_for(team.official).get(url).streaming_content) == source_files.PDF

    answer = api_for(team.sro).get(f"/api/v1/cases/{case.pk}/bundle/")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        documents = [name for name in archive.namelist() if name.startswith("sources/")]
        assert [archive.read(name) for name in documents] == [source_files.PDF]

    _tamper(s3, bucket, source.file.name)
    page = client_for(team.official).get(url)
    assert page.status_code == 500
    assert "The file of source" in page.content.decode()
    assert "does not match the SHA-256 recorded when it was stored" in page.content.decode()
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
