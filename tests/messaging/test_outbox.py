"""The outbox finds the task a row names in Celery's registry, by the name stored on the row."""

import json
import logging
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from aia.models import OutboxTask
from aia.services.outbox import outbox_dispatch, outbox_enqueue, outbox_sweep, outbox_task
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STORED_NAMES = ["aia.tasks.notification_email", "aia.tasks.report_render"]


def _old_row(task: str) -> OutboxTask:
    # As a database written before this release holds it: only the task's name.
    return OutboxTask.objects.create(
        task=task, kwargs={"notification_id": str(uuid.uuid4())}, created_at=timezone.now()
    )


@pytest.mark.parametrize("name", STORED_NAMES)
def test_a_stored_task_name_is_dispatched_to_the_task_registered_under_it(name):
    row = _old_row(name)
    task = celery_app.tasks[name]
    with mock.patch.object(task, "apply_async") as apply_async:
        assert outbox_dispatch(outbox_id=row.pk) is True
    apply_async.assert_called_once_with(kwargs=row.kwargs, task_id=str(row.pk))
    row.refresh_from_db()
    assert row.dispatch_count == 1


def test_the_stored_names_are_registered_in_a_process_that_never_imported_the_tasks():
    # In this test process something has long imported aia.tasks; a fresh one has not.
    probe = (
        "import json, django; django.setup()\n"
        "from aia.services.outbox import outbox_task\n"
        "from django.conf import settings\n"
        f"print(json.dumps([[outbox_task(n).name for n in {STORED_NAMES!r}],"
        " settings.CELERY_TASK_ALWAYS_EAGER]))\n"
    )
    result = subprocess.run(  # noqa: S603 - this Python on a fixed probe
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PATH": "", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names, eager = json.loads(result.stdout.strip().splitlines()[-1])
    assert names == STORED_NAMES
    assert eager is True


def test_an_unregistered_task_name_is_named_in_the_error():
    with pytest.raises(LookupError, match=r"No Celery task is registered as 'aia\.tasks\.nope'"):
        outbox_task("aia.tasks.nope")


def test_enqueuing_work_for_an_unregistered_task_fails_the_service_and_records_nothing():
    with pytest.raises(LookupError, match=r"aia\.tasks\.nope"), transaction.atomic():
        outbox_enqueue(task="aia.tasks.nope", kwargs={})
    assert not OutboxTask.objects.exists()


def test_a_row_naming_an_unregistered_task_keeps_its_work_and_says_why(caplog):
    unknown = _old_row("aia.tasks.renamed_long_ago")
    known = _old_row("aia.tasks.notification_email")
    task = celery_app.tasks["aia.tasks.notification_email"]

    with (
        mock.patch.object(task, "apply_async") as apply_async,
        caplog.at_level(logging.ERROR, logger="aia.services.outbox"),
    ):
        # The sweeper is not stopped by the bad row: the other one still goes.
        assert outbox_sweep() == 1

    apply_async.assert_called_once_with(kwargs=known.kwargs, task_id=str(known.pk))
    unknown.refresh_from_db()
    assert unknown.dispatched_at is None
    assert unknown.completed_at is None
    assert unknown.last_error == "No Celery task is registered as 'aia.tasks.renamed_long_ago'."
    assert "aia.tasks.renamed_long_ago" in caplog.text
