"""The worker outlives a Redis restart while email is failing, and no email is lost or doubled.

Issue 20: a worker that held a task retried with a countdown died for good when Redis
restarted ("Restoring 1 unacknowledged message(s)", then ``Unrecoverable error:
AttributeError("'NoneType' object has no attribute 'hostname'")``). A failed task now records
its next attempt on its outbox row and the sweeper sends it when it is due, so the worker holds
nothing while it waits.

The processes run as docker-compose.yml runs them: the worker and beat with compose's command
lines (beat running its jobs every 5 seconds, ``AIA_BEAT_INTERVAL_SECONDS``), on PostgreSQL and a
Redis that the test restarts, sending email to an SMTP server the test runs on loopback, which
refuses service (421) until the test lets it take mail. Skipped without PostgreSQL, like the rest
of the real stack.
"""

import logging
import re
import time

import pytest
from django.db import transaction

from aia.models import Notification, OutboxTask
from aia.services.notifications import EMAIL_TASK, notify
from tests.factories import UserFactory
from tests.integration.smtp import SMTPServer
from tests.integration.stack import (
    CeleryProcess,
    child_env,
    producer_on,
    start_as_compose_does,
    wait_for,
)

logger = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    # The worker shares the PostgreSQL test database (the postgres marker: tests/tools.py).
    pytest.mark.django_db(transaction=True),
]

EMAILS = 3
# How often beat runs each periodic job here, the outbox sweep among them.
BEAT_SECONDS = 5


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server
    server.close()


@pytest.fixture
def compose_stack(redis, smtp, tmp_path):
    """The worker and beat, started with docker-compose.yml's command lines, sending email to
    ``smtp``; both stopped after the test."""
    env = child_env(redis.url, EMAIL_URL=smtp.url, AIA_BEAT_INTERVAL_SECONDS=str(BEAT_SECONDS))
    worker = start_as_compose_does("worker", env, tmp_path / "worker.log")
    beat = start_as_compose_does("beat", env, tmp_path / "beat.log")
    with producer_on(redis.url):
        yield worker, beat
    beat.stop()
    worker.stop()


def _alive(process: CeleryProcess) -> bool:
    return process.process.poll() is None


def _exited(process: CeleryProcess) -> str:
    tail = "\n".join(process.output().splitlines()[-40:])
    return f"celery {process.process.args[5]} exited ({process.process.returncode}):\n{tail}"


def _sweeps(worker: CeleryProcess) -> int:
    return len(re.findall(r"aia\.tasks\.outbox_sweep\[[^]]+\] succeeded", worker.output()))


def _idle() -> bool:
    """Whether the worker holds no message: none running, none waiting for a process."""
    from config.celery import app

    inspect = app.control.inspect(timeout=5, limit=1)
    active, reserved = inspect.active(), inspect.reserved()
    return bool(active and reserved) and not any([*active.values(), *reserved.values()])


def test_the_worker_outlives_a_redis_restart_and_every_email_arrives_once(
    compose_stack, redis, smtp
):
    worker, beat = compose_stack
    started = time.monotonic()

    def mark(event: str) -> None:
        # The timings, shown with `-o log_cli=true --log-cli-level=INFO`.
        logger.info("%6.1fs %s", time.monotonic() - started, event)

    users = UserFactory.create_batch(EMAILS)
    with transaction.atomic():
        notes = notify(
            case=None,
            users=users,
            kind=Notification.Kind.REMINDER,
            key="issue-20",
            subject="Worker fault test",
            body="Sent through the outbox.",
        )
    assert len(notes) == EMAILS
    mark("notifications committed, SMTP refusing")

    # SMTP is down: each email fails once and is scheduled again.
    wait_for(
        lambda: smtp.refused >= EMAILS or not _alive(worker),
        timeout=60,
        what=f"the worker to try each of the {EMAILS} emails while SMTP refuses",
    )
    assert _alive(worker), _exited(worker)
    mark(f"SMTP refused {smtp.refused} connections")

    # Restart Redis while the worker runs nothing. Losing Redis in the middle of a task can
    # still end the worker (the same Celery bug, for as long as the task runs: why every way to
    # run it starts it again, docs/deployment.md), and beat sends it a sweep every few seconds:
    # so restart Redis just after one.
    sweeps = _sweeps(worker)
    wait_for(
        lambda: (_sweeps(worker) > sweeps and _idle()) or not _alive(worker),
        timeout=60,
        what="the worker to be idle after a sweep",
    )
    redis.stop()
    redis.start()
    mark("Redis restarted")
    wait_for(
        lambda: worker.output().count("Connected to redis://") >= 2 or not _alive(worker),
        timeout=60,
        what="the worker to reconnect to Redis",
    )
    assert _alive(worker), _exited(worker)
    mark("worker reconnected")

    rows = list(OutboxTask.objects.filter(task=EMAIL_TASK))
    assert len(rows) == EMAILS
    for row in rows:
        assert row.completed_at is None, row.last_error
        assert row.failed_attempts >= 1
        assert row.next_attempt_at is not None
        assert "421" in row.last_error

    smtp.accept()
    mark("SMTP accepting")
    wait_for(
        lambda: all(smtp.received_by(user.email) for user in users) or not _alive(worker),
        timeout=120,
        what="every email to arrive once SMTP accepts mail",
    )
    mark("every email arrived")
    wait_for(
        lambda: not OutboxTask.objects.filter(completed_at=None).exists() or not _alive(worker),
        timeout=60,
        what="every outbox row to be completed",
    )
    mark("every outbox row completed")

    assert _alive(worker), _exited(worker)
    assert _alive(beat), _exited(beat)
    for user in users:
        assert len(smtp.received_by(user.email)) == 1, user.email
    assert len(smtp.messages) == EMAILS
    assert not Notification.objects.filter(email_wanted=True, emailed_at=None).exists()
