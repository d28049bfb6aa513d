"""Customers in a reseller tree, employees (the custom user model), their API tokens, and the
audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from flexcare.ids import ObjectIdField

from .access import AccessLevel, level_at_least, level_has_module_perms, level_has_perm
from .emails import email_normal_form
from .scoping import ScopedQuerySet
from .tablet_settings import TabletSettings
from .tokens import Token


class Feature(models.TextChoices):
    FLEXCARE = "FLEXCARE", "FlexCare"
    IPTVBUSINESS = "IPTVBUSINESS", "IPTV Business"
    IPTVPRIVATE = "IPTVPRIVATE", "IPTV Private"


# Meetings and devices need one of these (docs/domain.md#features).
MEETING_FEATURES = frozenset({Feature.FLEXCARE, Feature.IPTVBUSINESS})


class CustomerState(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    BLOCKED = "BLOCKED", _("Blocked")


class CustomerQuerySet(ScopedQuerySet):
    customer_path = ""

    def can_hold_tablets(self) -> CustomerQuerySet:
        """Active, with a meeting feature: those that may have tablets and meetings
        (accounts.services.require_meeting_customer says why another may not)."""
        has_feature = Q()
        for feature in MEETING_FEATURES:
            has_feature |= Q(features__icontains=f'"{feature}"')
        return self.filter(has_feature, state=CustomerState.ACTIVE)


class Customer(models.Model):
    id = ObjectIdField(primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=CustomerState.choices, default=CustomerState.ACTIVE
    )
    is_reseller = models.BooleanField(_("reseller"), default=False)
    parent_reseller = models.ForeignKey(
        "self",
        verbose_name=_("parent reseller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"is_reseller": True},
    )
    # Materialised path "/<root id>/…/<own id>/": a reseller's whole subtree is one indexed
    # prefix match, so scoping never needs a recursive query.
    tree_path = models.CharField(max_length=1000, editable=False, db_index=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    default_tablet_settings = models.JSONField(
        _("default tablet settings"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent_reseller=F("id")), name="customer_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(state__in=CustomerState.values), name="customer_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(tree_path__startswith="/", tree_path__endswith="/")
                & ~Q(tree_path="/"),
                name="customer_tree_path_set",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_blocked(self) -> bool:
        return self.state == CustomerState.BLOCKED

    @property
    def has_meeting_feature(self) -> bool:
        return not MEETING_FEATURES.isdisjoint(self.features or ())

    @property
    def tablet_defaults(self) -> TabletSettings:
        return TabletSettings.from_wire(self.default_tablet_settings or {})

    def clean(self) -> None:
        unknown = set(self.features or ()) - set(Feature.values)
        if not isinstance(self.features, list) or unknown:
            raise ValidationError({"features": _("Unknown features: %(features)s")
                                   % {"features": sorted(unknown)}})
        try:
            TabletSettings.from_wire(self.default_tablet_settings or {})
        except ValueError as exc:
            raise ValidationError({"default_tablet_settings": str(exc)}) from exc
        if self.parent_reseller is not None and not self.parent_reseller.is_reseller:
            raise ValidationError({"parent_reseller": _("The parent must be a reseller.")})


class UserQuerySet(ScopedQuerySet):
    pass


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # a base built at run time
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # Exact, on the stored normal form: a case-insensitive match in the database would
        # also match look-alikes that the failure count (accounts.lockout) keeps apart.
        return self.get(email=email_normal_form(username))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from .services import user_create

        return user_create(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["access_level"] = AccessLevel.ADMIN
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    """An employee. Logs in by e-mail; what it may do comes from `access_level` and `customer`."""

    id = ObjectIdField(primary_key=True)
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    access_level = models.CharField(
        _("access level"), max_length=10, choices=AccessLevel.choices, default=AccessLevel.VIEWER
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_active = models.BooleanField(_("enabled"), default=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Part of every admin session's hash: a new value ends all of the user's sessions (see
    # _get_session_auth_hash). Empty until the user is first disabled.
    session_salt = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = UserManager()
    # Django's raw password pending a save (AbstractBaseUser sets it; its stubs omit it).
    _password: str | None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(access_level=AccessLevel.ADMIN) | Q(customer__isnull=False),
                name="user_needs_customer_unless_admin",
            ),
            models.CheckConstraint(
                condition=Q(access_level__in=AccessLevel.values), name="user_access_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def normalize_username(cls, username: Any) -> Any:
        # Django's clean() stores this: forms and services alike save the normal form.
        return email_normal_form(username) if isinstance(username, str) else username

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True  # a new password as far as save() is concerned

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every way of setting a password ends in this save: accounts.services, Django's
        # password forms (the admin's own and an owner's for another user) and `manage.py
        # changepassword`. set_password keeps the new password in `_password` until the save;
        # a hash upgrade at login clears it first, the password being the same.
        disabled = self.__dict__.pop("_password_disabled", False)
        replaced = not self._state.adding and (self._password is not None or disabled)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if replaced:
                # Admin sessions end by themselves: their hash is of the password hash.
                from .services import user_tokens_revoke

                user_tokens_revoke(user=self)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash with session_salt added (Django's own while it is empty, so sessions
        # survive the upgrade). Overridden here rather than in get_session_auth_hash so that
        # the SECRET_KEY_FALLBACKS check, which calls this, sees the salt too.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, self.password + self.session_salt, secret=secret,
                           algorithm="sha256").hexdigest()

    # Every enabled employee works in the admin portal; what they see there is scoped and
    # what they may change is decided by access level (accounts.access).
    @property
    def is_staff(self) -> bool:
        return self.is_active

    @property
    def is_superuser(self) -> bool:
        return self.is_active and self.access_level == AccessLevel.ADMIN

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and level_has_perm(self.access_level, perm)

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and level_has_module_perms(self.access_level, app_label)

    def at_least(self, level: str) -> bool:
        return level_at_least(self.access_level, level)


class UserToken(Token):
    """An employee's API token from `/auth/login`. A non-persistent token expires
    EMPLOYEE_TOKEN_IDLE_MINUTES after its last recorded use (`last_used_at`, written at most
    once a minute: accounts.services.user_token_touch)."""

    owner_field = "user"
    marker = "fcu_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="tokens"
    )
    persistent = models.BooleanField(_("never expires"), default=False)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now, editable=False)

    class Meta(Token.Meta):
        verbose_name = _("user token")
        verbose_name_plural = _("user tokens")

    @property
    def expires_at(self) -> datetime | None:
        """None for a persistent token. The expiry slides with use, but `last_used_at` is
        written at most once a minute, so a token expires between one minute short of the idle
        limit and the idle limit after its real last use (never later)."""
        return None if self.persistent else self.last_used_at + self.idle_limit()

    @classmethod
    def expired_by(cls, moment: datetime) -> Q:
        return Q(persistent=False, last_used_at__lte=moment - cls.idle_limit())

    @staticmethod
    def idle_limit() -> timedelta:
        return timedelta(minutes=settings.EMPLOYEE_TOKEN_IDLE_MINUTES)

    @classmethod
    def refused(cls) -> Q:
        return Q(user__is_active=False) | super().refused()


# The audit trail: who did what to which meeting or tablet, and when (recorded by
# accounts.audit.audit_record). Nobody edits or deletes an entry (the admin is read-only), and
# an entry names its actor in text, so deleting or renaming the user later changes nothing in it.


class AuditAction(models.TextChoices):
    MEETING_CREATE = "meeting.create", _("created meeting")
    MEETING_RETRY_PROVISIONING = "meeting.retry_provisioning", _("retried provisioning")
    MEETING_END = "meeting.end", _("ended meeting")
    MEETING_RESCHEDULE = "meeting.reschedule", _("moved meeting")
    MEETING_CANCEL = "meeting.cancel", _("cancelled meeting")
    MEETING_INVITE = "meeting.invite", _("invited guests")
    MEETING_RESEND_INVITATION = "meeting.resend_invitation", _("re-sent invitation")
    COMMAND_QUEUE = "command.queue", _("queued command")
    DEVICE_CREATE = "device.create", _("registered tablet")
    DEVICE_UPDATE = "device.update", _("changed tablet")
    DEVICE_RESET_TOKEN = "device.reset_token", _("reset tablet token")
    DEVICE_DELETE = "device.delete", _("deleted tablet")
    CUSTOMER_CREATE = "customer.create", _("created customer")
    CUSTOMER_UPDATE = "customer.update", _("changed customer")
    USER_CREATE = "user.create", _("created user")
    USER_UPDATE = "user.update", _("changed user")
    USER_REVOKE_TOKENS = "user.revoke_tokens", _("revoked API tokens")
    USER_DELETE = "user.delete", _("deleted user")


# Entries about employees (their levels, their e-mails): read only by those who may see the
# employees themselves (OWNER and above).
USER_ACTIONS = [action for action in AuditAction if action.startswith("user.")]


class AuditEntryQuerySet(ScopedQuerySet):
    customer_path = "customer"

    def for_user(self, user: Any) -> Self:
        entries = super().for_user(user)
        if user is None or not user.has_perm("accounts.view_user"):
            entries = entries.exclude(action__in=USER_ACTIONS)
        return entries


class AuditEntry(models.Model):
    id = ObjectIdField(primary_key=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("who"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The actor's e-mail when the entry was recorded: it outlives the user, and a later change
    # of e-mail cannot rewrite who did it.
    actor_email = models.EmailField(_("who"), blank=True)
    # PROTECT: deleting a customer must not erase its trail. A customer anyone has worked on
    # is blocked, not deleted.
    customer = models.ForeignKey(
        "accounts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=50, db_index=True,
                              choices=AuditAction.choices)
    object_id = models.CharField(_("object id"), max_length=24, db_index=True)
    target = models.CharField(_("object"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at"]

    def __str__(self) -> str:
        actor = self.actor_email or _("system")
        return (f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {actor} "
                f"{self.get_action_display()} {self.target}")
