"""Two hosts, each a web process (gunicorn) and a Celery worker with its own empty MEDIA_ROOT,
sharing only PostgreSQL, Redis and an S3 bucket (moto's S3 server on loopback): a case goes from
a trigger to a signed report and an evidence bundle over HTTP, every request going to the hosts
in turn; the report one host's worker rendered is downloaded through the other host's web
process; and a report altered in the bucket is refused there in words.

It needs PostgreSQL (every process shares the test database), redis-server and moto
(tests/tools.py; make test provides them).
"""

import hashlib
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from itertools import cycle
from pathlib import Path

import pytest
from django.core.management import call_command

from aia.framework import DIMENSION_CODES, RISK_FACTOR_CODES, get_framework
from aia.models import Report, User
from aia.models.choices import ReportStatus
from aia.permissions import requires_second_factor
from tests.factories import PASSWORD, SCOPE, SOURCE, option_data, trigger_data
from tests.integration.s3 import S3Server
from tests.integration.stack import ROOT, child_env, free_port, start_worker, wait_for
from tests.signing_in import fresh_totp_code

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.needs("redis"),
    pytest.mark.needs("moto"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


GUNICORN = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2"]
RENDERED = re.compile(r"aia\.tasks\.report_render\[[^\]]+\] succeeded")


class Host:
    """One host: gunicorn and a Celery worker with their own (empty) MEDIA_ROOT."""

    def __init__(self, name: str, env: dict[str, str], tmp_path: Path) -> None:
        self.name = name
        self.media = tmp_path / f"{name}-media"
        self.media.mkdir()
        env = {**env, "DJANGO_MEDIA_ROOT": str(self.media)}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (tmp_path / f"{name}-web.log").open("w")
        self.web = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.worker = start_worker(env, tmp_path / f"{name}-worker.log")
        wait_for(self._answers, timeout=60, what=f"gunicorn on {name}")

    def _answers(self) -> bool:
        if self.web.poll() is not None:
            raise AssertionError(f"gunicorn on {self.name} exited")
        try:
            urllib.request.urlopen(f"{self.url}/healthz/", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def rendered(self) -> int:
        return len(RENDERED.findall(self.worker.output()))

    def stop(self) -> None:
        self.worker.stop()
        self.web.terminate()
        self.web.wait(timeout=30)
        self.log.close()


class Answer:
    def __init__(self, status: int, body: bytes, headers) -> None:
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        return json.loads(self.body)


def call(base: str, method: str, path: str, token: str = "", body=None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return Answer(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), error.headers)


class Api:
    """A user's API client that sends each request to the next host in turn."""

    def __init__(self, hosts: cycle, username: str) -> None:
        self.hosts = hosts
        user = User.objects.get(username=username)
        body = {"username": username, "password": PASSWORD}
        if requires_second_factor(user):
            body["otp"] = fresh_totp_code(user)
        self.token = self.ok("POST", "/api/v1/auth/token/", body, token="")["token"]

    def send(self, method: str, path: str, body=None, *, token=None, host=None) -> Answer:
        base = (host or next(self.hosts)).url
        return call(base, method, path, self.token if token is None else token, body)

    def ok(self, method: str, path: str, body=None, **kwargs):
        answer = self.send(method, path, body, **kwargs)
        assert answer.status in (200, 201), (method, path, answer.status, answer.body[:800])
        return answer.json()

    def take(self, case_id: str, name: str, **body):
        return self.ok("POST", f"/api/v1/cases/{case_id}/transitions/{name}/", body)


@pytest.fixture
def hosts(redis, tmp_path):
    s3 = S3Server()
    bucket = s3.bucket()
    env = child_env(
        redis.url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(tmp_path / "mail"),
        **s3.env(bucket),
    )
    started = []
    try:
        for name in ("host-a", "host-b"):
            started.append(Host(name, env, tmp_path))
        yield started, s3, bucket
    finally:
        for host in started:
            host.stop()
        s3.close()


def _walk_to_sign_off(api: dict[str, Api]) -> str:
    """From a trigger to a case signed off, over HTTP (as tests/api/test_lifecycle.py)."""
    api["feed"].ok("POST", "/api/v1/triggers/", trigger_data(finding="ongoing"))
    [case] = api["sro"].ok("GET", "/api/v1/cases/")["results"]
    case_id = case["id"]
    api["sro"].take(
        case_id,
        "assign",
        lead_official="lead",
        legal_adviser="legal",
        officials=["official"],
        minister="minister",
    )
    api["lead"].ok("PATCH", f"/api/v1/cases/{case_id}/sections/scope/", SCOPE)
    api["lead"].take(case_id, "start_assessment")
    framework = get_framework()
    for code in RISK_FACTOR_CODES:
        indicators = [i.number for i in framework.section(code).indicators][:1]
        body = {"rating": "present", "confidence": "medium", "analysis": f"Analysis of {code}."}
        body.update(indicators=indicators, sources=[SOURCE])
        api["official"].ok("PATCH", f"/api/v1/cases/{case_id}/sections/{code}/", body)
    body = {"exposure": "medium", "confidence": "high", "analysis": "Aid and trade."}
    api["official"].ok("PATCH", f"/api/v1/cases/{case_id}/sections/uk_footprint/", body)
    for code in DIMENSION_CODES:
        body = {"capacity": "low", "confidence": "medium", "analysis": f"UK on {code}."}
        api["official"].ok("PATCH", f"/api/v1/cases/{case_id}/sections/{code}/", body)
    api["lead"].take(case_id, "submit_assessment")
    api["legal"].take(case_id, "approve_assessment", comment="Sound.")
    for category in ("diplomacy", "sanctions", "legal"):
        api["official"].ok("POST", f"/api/v1/cases/{case_id}/options/", option_data(category))
    gap = {"category": "leverage", "reason": "The UK has no leverage over the parties."}
    api["official"].ok("POST", f"/api/v1/cases/{case_id}/option-gaps/", gap)
    api["lead"].take(case_id, "submit_options")
    api["legal"].take(case_id, "approve_options")
    api["sro"].take(case_id, "sign_off", password=PASSWORD, comment="Agreed.")
    return case_id


def _verify_bundle(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "bundle.zip"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("verify_bundle", str(path), stdout=out)
    return out.getvalue()


def test_two_hosts_share_nothing_but_the_database_redis_and_the_bucket(team, hosts, tmp_path):
    started, s3, bucket = hosts
    turn = cycle(started)
    names = ("feed", "sro", "lead", "official", "legal", "minister", "auditor")
    api = {name: Api(turn, name) for name in names}

    case_id = _walk_to_sign_off(api)
    report = wait_for(
        lambda: Report.objects.filter(case_id=case_id, status=ReportStatus.READY).first(),
        timeout=180,
        what="a worker to render the signed report",
    )
    [renderer] = [host for host in started if host.rendered()]
    [other] = [host for host in started if host is not renderer]

    # The file is in the bucket and on no host's disk.
    stored = s3.client().get_object(Bucket=bucket, Key=report.pdf.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == report.sha256
    assert [p for host in started for p in host.media.rglob("*")] == []

    # Downloaded through the web process of the host whose worker did not render it.
    pdf = api["sro"].send("GET", f"/api/v1/reports/{report.pk}/pdf/", host=other)
    assert pdf.status == 200
    assert pdf.body == stored

    # The evidence bundle, from each host, proves itself against the trail.
    for host in started:
        bundle = api["auditor"].send("GET", f"/api/v1/cases/{case_id}/bundle/", host=host)
        assert bundle.status == 200, bundle.body[:800]
        assert "All checks passed" in _verify_bundle(bundle.body, tmp_path)

    # A byte changed in the bucket: refused by either host, naming the file.
    changed = bytearray(stored)
    changed[-20] ^= 0x01
    s3.client().put_object(Bucket=bucket, Key=report.pdf.name, Body=bytes(changed))
    for host in started:
        refused = api["sro"].send("GET", f"/api/v1/reports/{report.pk}/pdf/", host=host)
        assert refused.status == 500
        assert refused.json()["message"].startswith(
            f"The PDF of report 1 of {report.case.reference} does not match the SHA-256"
        )
        assert refused.json()["extra"] == {"file": report.pdf.name}
