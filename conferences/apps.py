from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from . import audit_words, checks  # noqa: F401  (checks registers the system checks)

        audit_words.register()
