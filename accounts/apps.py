from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth import user_logged_in

        from . import admin_login
        from .sessions import session_login_recorded

        user_logged_in.connect(session_login_recorded, dispatch_uid="accounts.session_login")
        admin_login.install()
