"""Production settings pass Django's deployment checklist with no warnings, and refuse to start
with files on one machine's disk unless the operator says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "AWS_", "AIA_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x7!" + "k" * 60 + "-long-random-production-secret",
        DJANGO_ALLOWED_HOSTS="aia.example.gov.uk",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:1/0",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = check_deploy(
        tmp_path,
        AWS_STORAGE_BUCKET_NAME="aia-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:1",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_with_files_on_local_disk(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr
    assert "AIA_ALLOW_LOCAL_FILES=true" in result.stderr


def test_production_keeps_files_on_local_disk_when_the_operator_says_so(tmp_path):
    result = check_deploy(tmp_path, AIA_ALLOW_LOCAL_FILES="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__module__, s.bucket_name, s.default_acl, s.querystring_auth, "
    "s.file_overwrite, s.endpoint_url, s.addressing_style)"
)


def test_a_named_bucket_makes_the_object_store_the_private_default_storage(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        AWS_STORAGE_BUCKET_NAME="aia-files",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "aia-files",
        "private",
        "True",
        "False",
        "http://minio:9000",
        "path",
    ]


def test_make_run_keeps_files_on_the_local_disk_with_no_object_store():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local")
    probe = PROBE.split("print(")[0] + "print(type(s).__module__, type(s).__name__)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.files.storage.filesystem", "FileSystemStorage"]
