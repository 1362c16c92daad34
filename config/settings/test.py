"""Settings for the test suite (``make test``).

The database comes from DATABASE_URL (PostgreSQL in ``make test``), else SQLite.
"""

from config.settings.base import *
from config.settings.base import ANCHORS_STORAGE, BASE_DIR, EMAIL_BACKEND, STORAGES, env

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory unless EMAIL_URL (config.settings.base) says where to send it: a Celery
# worker started by the integration tests sends to their SMTP server, or with
# DJANGO_EMAIL_BACKEND (which wins) writes its emails to files they can read.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    default=EMAIL_BACKEND
    if env("EMAIL_URL", default="")
    else "django.core.mail.backends.locmem.EmailBackend",
)
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "test-mail"))
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")
# Files on the local disk, or in the object store when AWS_STORAGE_BUCKET_NAME names a bucket
# (the processes the object-storage tests start).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Digests the tests' beat writes stay apart from a development run's (unless a bucket holds them).
if not env("AIA_ANCHORS_BUCKET", default=""):
    STORAGES["anchors"] = {
        **ANCHORS_STORAGE,
        "OPTIONS": {
            "location": str(env.path("AIA_ANCHORS_ROOT", default=BASE_DIR / "var" / "test-anchors"))
        },
    }
# Serve static files from the finders, as runserver does, without a collectstatic run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
