"""Real Redis, Celery worker and beat processes for the integration tests."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A throwaway redis-server on a fixed port that a test can stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="aia-test-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (make test installs it)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what="redis to start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def database_url() -> str:
    """Return the URL of the test database this process uses, for the worker to share."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def child_env(redis_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class CeleryProcess:
    """A Celery worker or beat process in its own process group, with its log kept."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, ready: str) -> None:
        self.log = log
        self.handle = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: ready in self.output() or self.process.poll() is not None,
            timeout=60,
            what=f"celery {args[0]} to start",
        )
        if self.process.poll() is not None:
            raise RuntimeError(f"celery {args[0]} exited:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """Kill the process and its children at once, as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


def start_worker(env: dict[str, str], log: Path, concurrency: int = 1) -> CeleryProcess:
    return CeleryProcess(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
        ready="ready.",
    )


def compose_command(service: str) -> list[str]:
    """Return the command line docker-compose.yml runs ``service`` with."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return list(compose["services"][service]["command"])


def start_as_compose_does(service: str, env: dict[str, str], log: Path) -> CeleryProcess:
    """Start the ``worker`` or ``beat`` service with its docker-compose.yml command line (beat
    keeps its schedule in the database: django-celery-beat's DatabaseScheduler)."""
    command = compose_command(service)
    if command[:4] != ["celery", "-A", "config", service]:
        raise AssertionError(f"docker-compose.yml runs {service} as {command}")
    ready = "ready." if service == "worker" else "beat: Starting"
    return CeleryProcess(command[3:], env, log, ready=ready)


def start_beat(env: dict[str, str], log: Path) -> CeleryProcess:
    """Start beat with the settings' scheduler (the DatabaseScheduler), looking at its schedule
    every second."""
    return CeleryProcess(
        ["beat", "--loglevel=INFO", "--max-interval=1"],
        env,
        log,
        ready="beat: Starting",
    )


@contextlib.contextmanager
def producer_on(redis_url: str) -> Iterator[None]:
    """Make this test process send tasks to ``redis_url`` instead of running them in-process."""
    from config.celery import app

    def forget_connections() -> None:
        # What Celery does after a fork: the next send opens a pool for the new broker URL.
        app._pool = None
        app.amqp._producer_pool = None

    old = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    forget_connections()
    try:
        yield
    finally:
        app.conf.update(**old)
        forget_connections()
