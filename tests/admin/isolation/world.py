"""What the admin isolation sweep (tests/admin/test_isolation_sweep.py) sweeps and against
what: our apps' admins, the tenants world of tests/tenants.py as the sweep expects it, which
customers each user may see, and the World that maps every object to its customer."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.access import AccessLevel, level_at_least, level_has_perm
from accounts.models import USER_ACTIONS, User
from accounts.scoping import ScopedQuerySet
from tests.tenants import Tenants

REPO = Path(__file__).resolve().parents[3]


# --- what is swept: our apps' admins ------------------------------------------------------

def _is_ours(app_config: Any) -> bool:
    path = Path(app_config.path).resolve()
    return (path.is_relative_to(REPO) and not path.is_relative_to(Path(sys.prefix).resolve())
            and not {"site-packages", "dist-packages"} & set(path.parts))


OUR_APPS = sorted(c.label for c in apps.get_app_configs() if _is_ours(c))
ADMINS: dict[str, admin.ModelAdmin] = {
    model._meta.label_lower: model_admin
    for model, model_admin in sorted(admin.site._registry.items(),
                                     key=lambda item: item[0]._meta.label_lower)
    if model._meta.app_label in OUR_APPS
}
OUR_MODELS = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def _is_scoped(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager.all(), ScopedQuerySet)


# --- the tenants world, as this sweep expects it --------------------------------------------

# name -> parent reseller (mirrors tests/tenants.py; checked against the built world).
TREE: dict[str, str | None] = {
    "Reseller A": None, "Reseller B": None, "A-sub": "Reseller A",
    "A1": "Reseller A", "A2": "Reseller A", "A3": "A-sub", "B1": "Reseller B",
}
USER_KEYS = [
    *(f"{level}@{name}" for name in ("A1", "B1") for level in ("VIEWER", "MANAGER", "OWNER")),
    "RESELLER@Reseller A", "RESELLER@A-sub", "RESELLER@Reseller B", "ADMIN",
]
PLATFORM = None  # the "customer" of objects that belong to no customer (the ADMIN user)

Owner = str | None


def _level(key: str) -> str:
    return key.partition("@")[0]


def _ancestors(name: str) -> list[str]:
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = TREE[current]
    return chain


def scope(key: str) -> frozenset[Owner]:
    """The customers `key` may see: its own; a reseller's subtree; ADMIN all (and PLATFORM)."""
    if _level(key) == AccessLevel.ADMIN:
        return frozenset([*TREE, PLATFORM])
    own = key.partition("@")[2]
    if _level(key) == AccessLevel.RESELLER:
        return frozenset(n for n in TREE if own in _ancestors(n))
    return frozenset([own])


def targets(key: str) -> dict[str, frozenset[Owner]]:
    own = scope(key)
    if _level(key) == AccessLevel.ADMIN:
        return {"own": own}
    root = _ancestors(key.partition("@")[2])[-1]
    tree = {n for n in TREE if _ancestors(n)[-1] == root}
    found = {"own": own, "sibling": frozenset(tree - own),
             "other": frozenset(set(TREE) - tree) | {PLATFORM}}
    return {name: names for name, names in found.items() if names}


# Rows an admin hides on purpose although they are in the tenant's scope: they must answer
# like out-of-scope rows (not found), but showing them is not counted as a tenant leak.
HIDDEN_BY_DESIGN: dict[str, Callable[[User, Any], bool]] = {
    # UserAdmin.get_queryset: users above the viewer's own level are invisible.
    "accounts.user": lambda viewer, obj: not level_at_least(viewer.access_level, obj.access_level),
    # UserTokenAdmin.get_queryset: likewise for their API tokens.
    "accounts.usertoken": lambda viewer, obj: not level_at_least(viewer.access_level,
                                                                 obj.user.access_level),
    # AuditEntryQuerySet.for_user: entries about users, for those who may see users.
    "accounts.auditentry": lambda viewer, obj: (obj.action in USER_ACTIONS
                                                and not viewer.has_perm("accounts.view_user")),
}


# --- helpers ----------------------------------------------------------------------------

def customer_path(model: type[models.Model]) -> str:
    """The model's lookup to its Customer; fails the test for a model that is not scoped."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet) or not callable(getattr(queryset, "for_user", 0)):
        pytest.fail(f"{model._meta.label} has no for_user scoping (its manager is not an "
                    f"accounts.scoping.ScopedQuerySet): the admin cannot scope it")
    return queryset.customer_path


def _resolve_path(model: type[models.Model], path: str) -> type[models.Model]:
    for part in filter(None, path.split("__")):
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]  # a relation: a model class
    return model


def _perm(key: str, model: type[models.Model], action: str) -> bool:
    return level_has_perm(_level(key), f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def _may_view(key: str, model: type[models.Model]) -> bool:
    return _perm(key, model, "view") or _perm(key, model, "change")


def _url(model: type[models.Model], view: str, *args: Any) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def admin_model(label: str) -> type[models.Model]:
    return ADMINS[label].model


@dataclass
class World:
    tenants: Tenants
    names: dict[str, str]  # customer pk -> name
    sessions: dict[str, str]  # user key -> the session cookie of its login (see _login)
    _owners: dict[type[models.Model], dict[Any, Owner]] = field(default_factory=dict)
    harvested: dict[str, list[tuple[str, dict[str, list[str]]]]] = field(default_factory=dict)
    # (label, user key) -> URL name -> the answer to an id that names no object
    missing_answers: dict[tuple[str, str], dict[str, tuple[int, str]]] = field(
        default_factory=dict)
    # (user key, URL) -> the page a GET of it shows (test_isolation_sweep.get_page)
    pages: dict[tuple[str, str], Any] = field(default_factory=dict)

    def unshared(self) -> World:
        """This world without the answers and pages kept for the tests that share them."""
        return replace(self, harvested={}, missing_answers={}, pages={})

    def user(self, key: str) -> User:
        return self.tenants.users[key]

    def request(self, key: str) -> Any:
        request = RequestFactory().get("/")
        request.user = self.user(key)
        return request

    def owners(self, model: type[models.Model], *, fresh: bool = False) -> dict[Any, Owner]:
        """Every object of `model` -> the name of its customer (PLATFORM for none). Cached
        for the world as built; `fresh` reads rows that tests created or changed."""
        if fresh or model not in self._owners:
            path = customer_path(model)
            rows = model._default_manager.values_list("pk", f"{path}__pk" if path else "pk")
            found = {pk: (None if cpk is None else self.names.get(cpk, f"?{cpk}"))
                     for pk, cpk in rows}
            if fresh:
                return found
            self._owners[model] = found
        return self._owners[model]

    def owner(self, obj: models.Model) -> Owner:
        owners = self.owners(type(obj))
        return owners[obj.pk] if obj.pk in owners else self.owners(type(obj), fresh=True)[obj.pk]

    def objects(self, model: type[models.Model], names: Iterable[Owner]) -> list[Any]:
        wanted = set(names)
        pks = [pk for pk, owner in self.owners(model).items() if owner in wanted]
        return list(model._default_manager.filter(pk__in=pks).order_by("pk"))

    def visible(self, key: str, obj: models.Model) -> bool:
        hidden = HIDDEN_BY_DESIGN.get(obj._meta.label_lower)
        return self.owner(obj) in scope(key) and not (hidden and hidden(self.user(key), obj))

    def out_of_scope(self, key: str) -> dict[str, tuple[type[models.Model], Any]]:
        """str(pk) -> (model, pk) of every scoped object `key` must never see."""
        allowed = scope(key)
        return {str(pk): (model, pk) for model in OUR_MODELS if _is_scoped(model)
                for pk, owner in self.owners(model).items() if owner not in allowed}

    def describe(self, model: type[models.Model], pk: Any) -> str:
        owner = self.owners(model).get(pk, "?")
        return f"{model._meta.label_lower} {pk} of {owner!r}"

    def snapshot(self, names: Iterable[Owner]) -> dict[tuple[str, Any], dict[str, Any]]:
        """Every field of every scoped object of customers `names`, read from the database
        (one query a model: the sweep takes thousands)."""
        wanted = set(names)
        customers = [pk for pk, name in self.names.items() if name in wanted]
        snap = {}
        for model in OUR_MODELS:
            if _is_scoped(model):
                path = customer_path(model)
                lookup = f"{path}__pk" if path else "pk"
                owned = Q(**{f"{lookup}__in": customers})
                if PLATFORM in wanted:
                    owned |= Q(**{f"{lookup}__isnull": True})
                for row in model._default_manager.filter(owned).values():
                    snap[(model._meta.label_lower, row[model._meta.pk.attname])] = row
        return snap


def _changes(before: dict, after: dict) -> list[Any]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def world_of(tenants: Tenants) -> World:
    """The sweep's view of the tenants world (built once per module: tests/conftest.py)."""
    parents = {name: (c.parent_reseller.name if c.parent_reseller else None)
               for name, c in tenants.customers.items()}
    assert parents == TREE, "tests/tenants.py changed: update TREE in this sweep"
    assert sorted(tenants.users) == sorted(USER_KEYS), "update USER_KEYS in this sweep"
    # Each user logs in once, here, inside the module's transaction: a test only changes
    # its session within its own savepoint, so every test finds it as it was after the
    # login (a login per test, a tenth of the sweep, proved nothing more).
    sessions = {}
    for key in USER_KEYS:
        client = Client()
        client.force_login(tenants.users[key])
        sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(tenants, {c.pk: name for name, c in tenants.customers.items()}, sessions)


def _login(client: Any, world: World, key: str) -> Any:
    """`client` logged in as `key`: with the session its login made (see world_of)."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[key]
    return client


