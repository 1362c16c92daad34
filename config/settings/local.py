"""Settings for a developer's machine and ``make run``."""

from config.settings.base import *
from config.settings.base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
(BASE_DIR / "var").mkdir(exist_ok=True)
