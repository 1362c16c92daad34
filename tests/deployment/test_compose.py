"""docker-compose.yml agrees with the real settings (no Docker engine needed).

The compose file is parsed with PyYAML, its ${VAR} references are filled with safe test values,
and the production settings are imported in a subprocess with exactly that environment.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_DIR = ROOT / "config" / "settings"
DJANGO_SERVICES = ("web", "migrate", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")

# What an operator would export before `docker compose up` (see the compose file's header).
TEST_VALUES = {
    "DJANGO_SECRET_KEY": "compose-test-secret-key-not-used-anywhere-0123456789",
    "POSTGRES_PASSWORD": "compose-test-password",
    "DJANGO_ALLOWED_HOSTS": "aia.example.org",
    "AWS_SECRET_ACCESS_KEY": "compose-test-minio-secret",
}

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}."""

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = variables.get(name)
        if op in (":-", ":?") and current == "":
            current = None
        if current is not None:
            return current
        if op in (":-", "-"):
            return arg or ""
        if op in (":?", "?"):
            raise AssertionError(f"compose needs {name}: {arg}")
        return ""

    return _VAR.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str, variables: dict[str, str] | None = None) -> dict[str, str]:
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    variables = TEST_VALUES if variables is None else variables
    return {key: interpolate(str(value), variables) for key, value in raw.items()}


def command(name: str) -> list[str]:
    cmd = service(name).get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def depends_on(name: str) -> dict[str, str]:
    deps = service(name).get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {dep: (spec or {}).get("condition", "service_started") for dep, spec in deps.items()}


def required_env_vars(path: Path) -> set[str]:
    """Names read via env(...)/env.<cast>(...) with no default in a settings module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "env":
            positional_default = 2  # Env.__call__(var, cast=None, default=NOTSET, ...)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        ):
            positional_default = 1  # env.str/bool/int/list/db/path(var, default=NOTSET, ...)
        else:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        has_default = len(node.args) > positional_default or any(
            kw.arg == "default" for kw in node.keywords
        )
        if not has_default:
            names.add(first.value)
    return names


def clean_environ() -> dict[str, str]:
    """The test process's environment minus anything that configures the app."""
    prefixes = ("DJANGO_", "CELERY_", "AWS_", "AIA_")
    names = {"DATABASE_URL", "REDIS_URL", "TEST_REDIS_URL", "CONN_MAX_AGE", "EMAIL_HOST"}
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(prefixes) and key not in names
    }


PROBE = """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app
from django.urls import Resolver404, resolve
db = settings.DATABASES["default"]
try:
    healthz = resolve("/healthz/").url_name or "?"
except Resolver404:
    healthz = None
print(json.dumps({
    "settings": settings.SETTINGS_MODULE,
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "db_host": db["HOST"],
    "db_name": db["NAME"],
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_main": app.main,
    "healthz": healthz,
    "storage": settings.STORAGES["default"],
    "beat_scheduler": app.conf.beat_scheduler,
}))
"""


@cache
def probe_settings(env_items: tuple[tuple[str, str], ...]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean_environ(), **dict(env_items)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"django.setup() failed with the compose environment:\n{result.stderr}"
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe_service(name: str) -> dict:
    return probe_settings(tuple(sorted(environment(name).items())))


# ------------------------------------------------------------------------------------------------


def test_compose_file_has_the_expected_services():
    assert {"db", "redis", "minio", "createbucket", *DJANGO_SERVICES} <= set(compose()["services"])


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_django_services_use_production_settings(name):
    assert environment(name)["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_django_services_share_one_image(name):
    assert service(name).get("build") == service("web").get("build")
    assert service(name).get("image") == service("web").get("image")


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_production_settings_import_with_the_compose_environment(name):
    probed = probe_service(name)
    assert probed["settings"] == "config.settings.production"
    assert probed["debug"] is False
    assert probed["engine"] == "django.db.backends.postgresql"
    assert probed["db_host"] == "db"
    assert urlsplit(probed["broker"]).hostname == "redis"
    assert probed["eager"] is False, "with REDIS_URL set, tasks must go to the worker"
    assert probed["celery_main"] == "aia"


def test_settings_env_parser_finds_the_required_variables():
    """Guards the AST scan below against silently finding nothing."""
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"} <= required_env_vars(
        SETTINGS_DIR / "production.py"
    )


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_required_env_var_is_provided(name):
    required = required_env_vars(SETTINGS_DIR / "base.py") | required_env_vars(
        SETTINGS_DIR / "production.py"
    )
    env = environment(name)
    missing = sorted(var for var in required if not env.get(var))
    assert not missing, f"{name} lacks {missing} (read with no default by the settings)"


def test_compose_refuses_to_start_without_a_secret_key():
    with pytest.raises(AssertionError, match="DJANGO_SECRET_KEY"):
        environment("web", {**TEST_VALUES, "DJANGO_SECRET_KEY": ""})


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_use_the_config_app(name):
    cmd = command(name)
    assert cmd[0] == "celery"
    assert cmd[cmd.index("-A") + 1] == "config"
    assert probe_service(name)["celery_main"] == "aia"  # `-A config` finds config.celery.app


def test_worker_consumes_the_default_and_reports_queues():
    cmd = command("worker")
    assert "worker" in cmd
    queues = cmd[cmd.index("-Q") + 1].split(",")
    assert set(queues) == {"celery", "reports"}
    assert cmd[cmd.index("--max-tasks-per-child") + 1] == "50"


def test_web_runs_gunicorn_on_the_wsgi_app():
    cmd = command("web")
    assert cmd[:2] == ["gunicorn", "config.wsgi:application"]
    assert "0.0.0.0:8000" in cmd


def test_migrate_is_one_shot():
    assert command("migrate")[:3] == ["python", "manage.py", "migrate"]
    assert service("migrate").get("restart") in ("no", None)


@pytest.mark.parametrize("name", ["db", "redis", "web"])
def test_services_have_healthchecks(name):
    test = service(name).get("healthcheck", {}).get("test")
    assert test, f"{name} has no healthcheck"
    assert test[0] in ("CMD", "CMD-SHELL")


def test_healthcheck_commands():
    assert "pg_isready" in service("db")["healthcheck"]["test"]
    assert service("redis")["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    web_check = " ".join(service("web")["healthcheck"]["test"])
    assert "/healthz/" in web_check
    assert "urllib" in web_check


def test_web_healthcheck_is_valid_python_and_its_host_is_allowed():
    test = service("web")["healthcheck"]["test"]
    code = test[test.index("-c") + 1]
    compile(code, "<healthcheck>", "exec")
    host = re.search(r"'Host':\s*'([^']+)'", code)
    assert host, "the healthcheck must send a Host header that ALLOWED_HOSTS accepts"
    assert host.group(1) in probe_service("web")["allowed_hosts"]
    # Production redirects plain HTTP to HTTPS unless the proxy header says it was HTTPS.
    assert "X-Forwarded-Proto" in code
    assert probe_service("web")["healthz"], "config.urls does not route /healthz/"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_wait_for_healthy_db_and_redis(name):
    deps = depends_on(name)
    assert deps.get("db") == "service_healthy"
    assert deps.get("redis") == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_wait_for_migrations(name):
    assert depends_on(name).get("migrate") == "service_completed_successfully"


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_urls_point_at_the_compose_services(name):
    env = environment(name)
    database = urlsplit(env["DATABASE_URL"])
    redis = urlsplit(env["REDIS_URL"])
    assert database.scheme in ("postgres", "postgresql", "pgsql")
    assert database.hostname == "db"
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert database.hostname in compose()["services"]
    assert redis.hostname in compose()["services"]


def test_database_credentials_match_the_db_service():
    database = urlsplit(environment("web")["DATABASE_URL"])
    db_env = environment("db")
    assert database.username == db_env["POSTGRES_USER"]
    assert database.password == db_env["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == db_env["POSTGRES_DB"]


def test_named_volumes_are_declared():
    declared = set(compose().get("volumes") or {})
    for name, svc in compose()["services"].items():
        for volume in svc.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_interpolation_helper():
    values = {"A": "1", "EMPTY": ""}
    assert interpolate("${A}-${B:-x}-${EMPTY:-y}-${EMPTY-z}-$$HOME", values) == "1-x-y--$HOME"
    with pytest.raises(AssertionError, match="B"):
        interpolate("${B:?set B}", values)


# ------------------------------------------------------------------------------------------------
# The object store: MinIO, its bucket made before any Django service starts
# ------------------------------------------------------------------------------------------------
def test_minio_has_a_healthcheck_and_keeps_its_data_in_a_volume():
    assert service("minio")["image"].startswith("minio/minio")
    assert service("minio")["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert any(v.startswith("minio-data:") for v in service("minio")["volumes"])


def test_the_bucket_is_made_once_minio_is_healthy_and_before_any_django_service():
    assert service("createbucket")["image"].startswith("minio/mc")
    assert service("createbucket").get("restart") == "no"
    assert depends_on("createbucket") == {"minio": "service_healthy"}
    script = service("createbucket")["command"][0]
    assert "mc mb --ignore-existing" in script
    assert "mc anonymous set none" in script  # private: no public reads or listing
    assert "mc version enable" in script  # a file overwritten or deleted can be restored
    # The chain-head digests: a bucket with object lock, every digest kept unchangeable.
    assert 'mc mb --ignore-existing --with-lock "aia/$$ANCHORS_BUCKET"' in script
    assert 'mc retention set --default COMPLIANCE "$$ANCHORS_RETENTION"' in script
    for name in DJANGO_SERVICES:
        assert depends_on(name).get("createbucket") == "service_completed_successfully", name


def test_django_services_and_minio_agree_on_the_bucket_and_the_keys():
    mc = environment("createbucket")
    minio = environment("minio")
    for name in DJANGO_SERVICES:
        env = environment(name)
        assert env["AWS_STORAGE_BUCKET_NAME"] == mc["BUCKET"]
        assert env["AIA_ANCHORS_BUCKET"] == mc["ANCHORS_BUCKET"] != mc["BUCKET"]
        assert urlsplit(env["AWS_S3_ENDPOINT_URL"]).hostname == "minio"
        assert env["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
        alias = urlsplit(mc["MC_HOST_aia"])
        assert (alias.hostname, alias.port) == ("minio", 9000)
        assert (alias.username, alias.password) == (
            env["AWS_ACCESS_KEY_ID"],
            env["AWS_SECRET_ACCESS_KEY"],
        )


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_django_services_keep_their_files_in_the_bucket_not_on_a_volume(name):
    storage = probe_service(name)["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == environment(name)["AWS_STORAGE_BUCKET_NAME"]
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["file_overwrite"] is False
    assert not service(name).get("volumes"), "no container's disk holds files others need"


def test_compose_refuses_to_start_without_the_object_store_secret():
    with pytest.raises(AssertionError, match="AWS_SECRET_ACCESS_KEY"):
        environment("web", {**TEST_VALUES, "AWS_SECRET_ACCESS_KEY": ""})


def test_beat_keeps_its_schedule_in_the_database():
    assert command("beat") == ["celery", "-A", "config", "beat", "-l", "info"]
    assert "-s" not in command("beat")
    assert "--schedule" not in command("beat")
    assert probe_service("beat")["beat_scheduler"] == (
        "django_celery_beat.schedulers:DatabaseScheduler"
    )
