"""Every documented way to run the Celery worker starts it again when it exits.

A worker can exit for good on a broker outage (issue 20, docs/deployment.md): docker compose
and the systemd units restart it, and so does ``scripts/services.sh`` for the tests. Neither
Docker nor systemd runs here: their configuration is checked, and the script is run for real.
"""

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.stack import ROOT, compose_command

DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"


def _compose_service(name: str) -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose["services"][name]


def _units() -> dict[str, str]:
    """The systemd units that docs/deployment.md gives, by file name."""
    blocks = re.findall(
        r"```ini\n(# /etc/systemd/system/(\S+)\n.*?)```", DEPLOYMENT_DOC.read_text(), re.S
    )
    return {name: text for text, name in blocks}


def _running(pid: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(") ", 1)[1].split()[0] != "Z"  # a zombie has exited


def _unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(text)
    return parser


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_compose_starts_the_service_again_whenever_it_exits(service):
    assert _compose_service(service)["restart"] in ("always", "unless-stopped")


def test_compose_lets_the_worker_finish_a_report_before_stopping_it():
    grace = _compose_service("worker")["stop_grace_period"]
    assert int(grace.removesuffix("s")) > 180  # report_render's time limit


def test_the_deployment_guide_gives_a_unit_for_the_worker_and_for_beat():
    assert set(_units()) == {"aia-worker.service", "aia-beat.service"}


@pytest.mark.parametrize(
    ("unit", "service"), [("aia-worker.service", "worker"), ("aia-beat.service", "beat")]
)
def test_each_systemd_unit_runs_compose_command_and_starts_it_again_whenever_it_exits(
    unit, service
):
    config = _unit(_units()[unit])
    assert config["Service"]["Restart"] == "always"
    assert config["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up
    assert config["Service"]["Environment"] == "DJANGO_SETTINGS_MODULE=config.settings.production"
    command = shlex.split(config["Service"]["ExecStart"])
    expected = compose_command(service)
    assert Path(command[0]).name == expected[0]
    assert command[1:] == expected[1:]


def test_the_systemd_worker_stops_with_a_warm_shutdown_that_a_report_can_finish_in():
    service = _unit(_units()["aia-worker.service"])["Service"]
    assert service["KillMode"] == "mixed"
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 180


@pytest.mark.needs("systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    celery = Path(sys.executable).with_name("celery")
    for name, text in _units().items():
        # The units name the production paths; systemd checks that the program exists.
        (tmp_path / name).write_text(text.replace("/opt/aia/.venv/bin/celery", str(celery)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # It reports a line it cannot parse but still exits 0.
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.slow
def test_the_worker_from_services_sh_is_started_again_when_it_is_killed(redis, tmp_path):
    script = r"""
set -euo pipefail
source scripts/services.sh
AIA_REDIS_URL=$1
trap worker_stop EXIT
worker_start
first=$(cat "$AIA_WORKER_DIR/worker.pid")
kill -KILL "$first"
for _ in $(seq 300); do  # up to 30 s
    (( $(grep -c ' ready\.' "$AIA_WORKER_LOG") >= 2 )) && break
    sleep 0.1
done
second=$(cat "$AIA_WORKER_DIR/worker.pid")
echo "first=$first second=$second ready=$(grep -c ' ready\.' "$AIA_WORKER_LOG")"
kill -0 "$second"
"""
    result = subprocess.run(
        ["bash", "-c", script, "test", redis.url],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "TMPDIR": str(tmp_path),
            "AIA_CELERY": str(Path(sys.executable).with_name("celery")),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = dict(item.split("=") for item in result.stdout.split())
    assert found["first"] != found["second"]
    assert int(found["ready"]) == 2
    assert "Celery worker stopped" in result.stderr
    # worker_stop leaves nothing running.
    assert not _running(found["first"])
    assert not _running(found["second"])
