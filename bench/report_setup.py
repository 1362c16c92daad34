"""Shared setup for the report scripts in ``bench/``: Django on a throwaway SQLite database.

The scripts build real cases through the services, so they need a migrated database and a
media folder; both live in a temporary directory that is removed when the process ends.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> Path:
    """Point Django at a fresh temporary database, migrate it and return the temp folder."""
    workdir = Path(tempfile.mkdtemp(prefix="aia-report-bench-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    # Render in-process, as the tests do, whatever the shell says about Redis.
    os.environ.pop("REDIS_URL", None)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return workdir
