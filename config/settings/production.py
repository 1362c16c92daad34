"""Settings for production: secure by default, everything from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *
from config.settings.base import AWS_STORAGE_BUCKET_NAME, STORAGES, database_from_url, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Files go where config.settings.base says (the object store when a bucket is named).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Signed reports on one machine's disk are lost to every other web host, and to a container
# restarted elsewhere: production refuses to start without a bucket unless the operator says
# that one host with a backed-up disk is what they run (docs/deployment.md).
AIA_ALLOW_LOCAL_FILES = env.bool("AIA_ALLOW_LOCAL_FILES", default=False)
if not AWS_STORAGE_BUCKET_NAME and not AIA_ALLOW_LOCAL_FILES:
    raise ImproperlyConfigured(
        "Files would be kept on this machine's disk: set AWS_STORAGE_BUCKET_NAME (and the "
        "object store's AWS_* settings), or AIA_ALLOW_LOCAL_FILES=true to keep them on one "
        "host's disk knowingly (docs/deployment.md)."
    )

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
# EMAIL_URL (config.settings.base) says where mail goes. Without it production still sends by
# SMTP, to EMAIL_HOST:EMAIL_PORT as earlier releases did, rather than print mail nobody reads.
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="aia-noreply@localhost")
