from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """An app only so that Django finds its management commands."""

    name = "devtools"
    verbose_name = "Development tools"
