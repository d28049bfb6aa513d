from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (register the system checks, receivers)
