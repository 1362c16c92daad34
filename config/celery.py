"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Without ``REDIS_URL`` the
tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``), which is what ``make run`` uses.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("aia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
