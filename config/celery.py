"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Without ``REDIS_URL`` the
tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``), which is what ``make run`` uses.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("aia")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker imports each installed app's ``tasks`` module as it starts. Other processes get
# ``aia.tasks`` registered by importing it: ``aia.services.outbox`` does, before it looks up the
# task an outbox row names.
app.autodiscover_tasks()
