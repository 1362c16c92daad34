from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AiaConfig(AppConfig):
    name = "aia"
    verbose_name = "Atrocity Impact Assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the security log's receivers.
        import aia.signals  # noqa: F401


class AIAAdminConfig(admin_apps.AdminConfig):
    """The admin app with AIA's site (superusers with a verified one-time code only)."""

    default = False  # ``aia``'s own config stays AiaConfig; settings name this one.
    default_site = "aia.admin_site.AIAAdminSite"
