from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Importing checks and receivers registers the system checks and the signal receivers.
        from . import audit_words, checks, receivers  # noqa: F401

        audit_words.register()
