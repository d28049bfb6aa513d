"""Bearer tokens, employees' (accounts.UserToken) and tablets' (devices.DeviceToken) alike: one
abstract model and one set of functions to issue, check, record the use of, revoke and purge
them. The secrets and their digests are made by flexcare.secrets, nowhere else."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flexcare.ids import ObjectIdField
from flexcare.secrets import secret_digest, secret_new

from .scoping import ScopedQuerySet


class TokenState(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


class TokenQuerySet(ScopedQuerySet):
    @property
    def customer_path(self) -> str:  # type: ignore[override]  # a property: derived from the owner
        return f"{self.model.owner_field}__customer"

    def active(self) -> TokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def usable(self) -> TokenQuerySet:
        """Active tokens whose owner may use them (not Token.refused): those token_check
        accepts, but for expiry. The tablets' polls compile their token rule from this."""
        return self.active().exclude(self.model.refused())

    def matching(self, token: str) -> TokenQuerySet:
        """The row of a plain token, if any: looked up by digest, never by the token."""
        return self.filter(digest=secret_digest(token))


class Token(models.Model):
    """A bearer token. Only its SHA-256 digest and a short visible prefix are stored.

    A subclass adds the foreign key to the token's owner, which has a `customer`, and names it
    in `owner_field`; `marker` starts its plain tokens, for secret scanners."""

    owner_field: ClassVar[str]
    marker: ClassVar[str]

    id = ObjectIdField(primary_key=True)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def expires_at(self) -> datetime | None:
        """None: a token lives until revoked, unless a subclass gives it an expiry."""
        return None

    @classmethod
    def expired_by(cls, moment: datetime) -> Q:
        """Matches the tokens that had expired at `moment` (as `expires_at` says)."""
        return Q(pk__in=[])

    @classmethod
    def refused(cls) -> Q:
        """Matches the tokens whose owner may not use them: its customer is blocked. A
        deleted owner (a tablet's token outlives its registration) is for the caller to
        answer, as is an owner without a customer (a platform admin)."""
        from .models import CustomerState  # accounts.models imports this module (Token)

        return Q(**{f"{cls.owner_field}__customer__state": CustomerState.BLOCKED})


T = TypeVar("T", bound=Token)


def token_issue(*, model: type[T], **owner: Any) -> str:
    """A new token of `owner` (the owner's foreign key, and any other field of `model`): the
    plain token is returned once and never stored."""
    secret = secret_new(model.marker)
    model.objects.create(prefix=secret.prefix, digest=secret.digest, **owner)
    return secret.plain


def token_check(*, model: type[T], token: object) -> tuple[TokenState, T | None]:
    """The active row of a plain token (with its owner and the owner's customer) and whether
    it may be used: INVALID when unknown, revoked or refused (Token.refused), EXPIRED past
    its expiry (the row is returned: the caller may say so)."""
    if not isinstance(token, str) or not token:
        return TokenState.INVALID, None
    tokens = model.objects.usable()
    row = tokens.select_related(tokens.customer_path).matching(token).first()
    if row is None:
        return TokenState.INVALID, None
    expires_at = row.expires_at
    if expires_at is not None and timezone.now() >= expires_at:
        return TokenState.EXPIRED, row
    return TokenState.VALID, row


def tokens_revoke(*, tokens: TokenQuerySet) -> int:
    """Every active token of `tokens` stops working at once; how many did."""
    return tokens.active().update(revoked_at=timezone.now())


def tokens_purge(*, model: type[Token]) -> int:
    """Delete the tokens that can never be used again: revoked, or expired, for longer than
    TOKEN_PURGE_AFTER_HOURS. Until then an expired token is told apart from an unknown one."""
    old = timezone.now() - timedelta(hours=settings.TOKEN_PURGE_AFTER_HOURS)
    dead = Q(revoked_at__lte=old) | model.expired_by(old)
    deleted, _by_model = model.objects.filter(dead).delete()
    return deleted


def last_use_record(*, row: models.Model, field: str, every: timedelta) -> None:
    """Record a use at `row.<field>`, at most once per `every`, so that most requests with a
    token write nothing. Employees' tokens record it on the token; a tablet, which has one
    token at a time, on the device (its last_seen_at)."""
    now = timezone.now()
    recent = now - every
    last = getattr(row, field)
    if last is not None and last > recent:
        return
    # Conditional, so that concurrent requests write once.
    type(row)._default_manager.filter(
        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": recent}), pk=row.pk
    ).update(**{field: now})
    setattr(row, field, now)
