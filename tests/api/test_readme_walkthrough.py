"""The README's API walk-through, run as written against a live server.

The README's ``## The API`` section is a shell session (``curl`` and ``jq``) that takes a new
trigger to a signed-off report and the minister's decision, as the demo's users. This test
runs its code blocks, in order, in ``bash``, with only the server's address changed, and
checks what a reader would see: the states printed at each step, every section complete, the
report downloaded, and the case in the database where the walk-through says it is.
"""

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from aia.demo.seed import demo_users_ensure
from aia.models import Case
from aia.models.choices import CaseState, EventType, ReportStatus, SectionStatus
from tests.factories import restore_permissions_and_roles
from tests.integration.stack import child_env

pytestmark = [
    pytest.mark.slow,
    # A live server and the ``demo_code`` command it calls need committed data.
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(django_settings.BASE_DIR)
SERVER_LINE = "API=http://127.0.0.1:8000/api/v1"
PASSWORD = "demo-password-2026"


def readme_walkthrough() -> str:
    """The code blocks of the README's API section, joined in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## The API\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL))


def test_the_readme_api_section_is_a_walkthrough_from_trigger_to_signed_off_report():
    script = readme_walkthrough()
    assert script.count(SERVER_LINE) == 1
    for step in ("/triggers/", "assign", "sign_off", "reports/", "record_decision"):
        assert step in script


# The walk-through's demo_code calls read the test database from another process.
@pytest.mark.postgres
def test_the_readme_walkthrough_runs_as_written(live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    restore_permissions_and_roles()
    demo_users_ensure(password=PASSWORD)
    script = readme_walkthrough().replace(SERVER_LINE, f"API={live_server.url}/api/v1")
    # The walk-through runs from the repository's root (``.venv/bin/python manage.py``);
    # here from a scratch directory that has both, so the report lands there.
    work = tmp_path / "work"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    (work / "manage.py").symlink_to(ROOT / "manage.py")
    # The test settings on this test's database; no Redis (demo_code needs none).
    env = child_env("", PYTHONPATH=str(ROOT))

    result = subprocess.run(  # noqa: S603 - bash running the README's own commands
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    # The replay names the same case, and each transition prints the state it reached.
    case = Case.objects.get()
    assert '"created": false' in out
    assert case.reference in out
    states = [line.strip('"') for line in out.splitlines() if re.fullmatch(r'"[a-z_]+"', line)]
    assert [s for s in states if s in CaseState.values] == [
        CaseState.SCOPING,
        CaseState.ASSESSMENT,
        CaseState.LEGAL_REVIEW,
        CaseState.OPTIONS,
        CaseState.OPTIONS_REVIEW,
        CaseState.SIGN_OFF,
        CaseState.WITH_MINISTER,
        CaseState.MONITORING,
    ]
    assert f'"state": "{CaseState.SIGNED_OFF}"' in out
    assert out.count(": complete") == 22  # 14 risk factors and 8 dimensions
    assert case.state == CaseState.MONITORING
    assert {section.status for section in case.sections.all()} == {SectionStatus.COMPLETE}
    # The PDF downloaded is the signed report, byte for byte.
    report = case.reports.get()
    assert report.status == ReportStatus.READY
    downloaded = list(work.glob("*-report-1.pdf"))
    assert len(downloaded) == 1
    assert hashlib.sha256(downloaded[0].read_bytes()).hexdigest() == report.sha256
    # The audit trail printed ends with the minister's decision.
    assert re.search(rf"^\d+ {EventType.TRANSITION} record_decision$", out, re.MULTILINE)
