from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Tablets")

    def ready(self) -> None:
        from . import audit_words

        audit_words.register()
