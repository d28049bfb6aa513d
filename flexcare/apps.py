from django.apps import AppConfig


class FlexcareConfig(AppConfig):
    """The project package as an app only for its system checks and operational commands."""

    name = "flexcare"
    verbose_name = "FlexCare"

    def ready(self) -> None:
        from . import admin_site, checks  # noqa: F401  (checks register themselves)

        admin_site.install()
