from django.apps import AppConfig


class AiaConfig(AppConfig):
    name = "aia"
    verbose_name = "Atrocity Impact Assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the security log's receivers.
        import aia.signals  # noqa: F401
