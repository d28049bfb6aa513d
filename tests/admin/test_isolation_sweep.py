"""Tenant-isolation sweep over the Django admin (docs/domain.md#scoping), generated from the admin
site's registry: every ModelAdmin of our apps (apps whose code lives in this repository, not in
site-packages), and with it every inline, action, per-object URL (custom ones included), form,
list filter and autocomplete source, is swept for every user of the tenants world
(tests/tenants.py) against the objects of three targets:

* own     — the customers the user may see (its customer; a reseller's whole subtree; for
            ADMIN everything),
* sibling — the rest of the user's reseller tree (e.g. Reseller A, A2, A-sub, A3 for A1 users),
* other   — the other reseller trees, plus objects of no customer (the platform admin).

Which customer an object belongs to comes from its manager's `customer_path`
(accounts.scoping.ScopedQuerySet); which customers a user may see is computed here from the
parent chain, independently of the `tree_path` prefix the portal uses; what a level may do
comes from accounts.access. A registered model whose manager has no `for_user` fails loudly.

Ids are 24-hex ObjectIds, so finding an out-of-scope id in a page is never a coincidence: the
HTML checks search ids, never short names like "B1".

The world (tests/conftest.py's `tenants_world`) is built once per module inside a transaction
rolled back at the end; each test runs in a savepoint of it (pytest-django's `db`), so whatever
an action changes is undone.

Every check is a function returning its problems; `test_each_check_catches_a_leak` disables
the portal's scoping and proves that each one then reports something. Known defects are listed
in KNOWN_DEFECTS: those cases are `xfail(strict=True)` until fixed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from bson import ObjectId
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import AdminForm, InlineAdminFormSet
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.forms import BaseForm, BaseFormSet
from django.test import Client, RequestFactory
from django.test.utils import ContextList
from django.urls import reverse

from accounts.access import AccessLevel
from accounts.admin_scoping import ScopedAdminMixin
from accounts.models import Customer, User
from tests.admin.isolation.html_forms import post_forms
from tests.admin.isolation.world import (
    ADMINS,
    OUR_APPS,
    OUR_MODELS,
    TREE,
    USER_KEYS,
    Owner,
    World,
    _ancestors,
    _changes,
    _login,
    _may_view,
    _perm,
    _resolve_path,
    _url,
    admin_model,
    customer_path,
    scope,
    targets,
)

pytestmark = pytest.mark.django_db

# --- known defects: (test, case id) -> reason; those cases are xfail(strict=True) --------

KNOWN_DEFECTS: dict[tuple[str, str], str] = {}


def _case_id(*parts: str) -> str:
    return "-".join(p.replace(" ", "_") for p in parts)


def _params(test: str, cases: Iterable[tuple[str, ...]]) -> list[Any]:
    params = []
    for case in cases:
        case_id = _case_id(*case)
        reason = KNOWN_DEFECTS.get((test, case_id))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(*case, id=case_id, marks=marks))
    return params


def _admin_user_target_cases(*, out_of_scope_only: bool = False) -> list[tuple[str, ...]]:
    return [(label, key, target) for label in ADMINS for key in USER_KEYS
            for target in targets(key) if not (out_of_scope_only and target == "own")]


def _admin_user_cases() -> list[tuple[str, ...]]:
    return [(label, key) for label in ADMINS for key in USER_KEYS]


# --- structure: every admin, inline and model is scoped -----------------------------------

def test_the_sweep_finds_our_admins() -> None:
    assert {"accounts", "devices", "conferences"} <= set(OUR_APPS)
    assert {"accounts.customer", "accounts.user", "devices.device", "devices.devicetoken",
            "conferences.conference", "conferences.conferencedevice",
            "conferences.command"} <= set(ADMINS)


@pytest.mark.parametrize("label", list(ADMINS))
def test_every_admin_and_inline_is_scoped(label: str) -> None:
    model_admin = ADMINS[label]
    classes: list[tuple[type, Any]] = [(type(model_admin), model_admin.model)]
    classes += [(cls, cls.model) for cls in model_admin.inlines]
    for level in AccessLevel.values:  # get_inlines may depend on the user
        request = RequestFactory().get("/")
        request.user = User(access_level=level)
        classes += [(cls, cls.model) for cls in model_admin.get_inlines(request, None)]
    for cls, model in classes:
        assert issubclass(cls, ScopedAdminMixin), f"{cls.__qualname__} is not scoped"
        mro = cls.__mro__
        assert mro.index(ScopedAdminMixin) < mro.index(BaseModelAdmin), (
            f"{cls.__qualname__}: ScopedAdminMixin must come before the Django admin base")
        path = customer_path(model)
        assert _resolve_path(model, path) is Customer, f"{model._meta.label}: {path!r}"


@pytest.mark.parametrize("label", list(ADMINS))
def test_the_world_has_objects_of_every_swept_model(world: World, label: str) -> None:
    """Otherwise the sweep of that model would be vacuous: extend tests/tenants.py."""
    owners = set(world.owners(admin_model(label)).values())
    a_side = {n for n in TREE if _ancestors(n)[-1] == "Reseller A"}
    for wanted in ({"A1"}, a_side - {"A1"}, set(TREE) - a_side):
        assert owners & wanted, f"{label}: no objects of any of {sorted(wanted)}"


# --- permissions and the add view -------------------------------------------------------

def check_permissions(client: Any, world: World, label: str, key: str) -> list[str]:
    model_admin, model = ADMINS[label], admin_model(label)
    request = world.request(key)
    problems = []
    # The admin grants no more than accounts.access, and lets every level that may view, view.
    if model_admin.has_view_permission(request) != _may_view(key, model):
        problems.append(f"has_view_permission is {model_admin.has_view_permission(request)}")
    for action in ("add", "change", "delete"):
        if getattr(model_admin, f"has_{action}_permission")(request) and not _perm(
                key, model, action):
            problems.append(f"the admin grants {action} beyond accounts.access")
    expected = 200 if model_admin.has_add_permission(request) else 403
    status = _login(client, world, key).get(_url(model, "add")).status_code
    if status != expected:
        problems.append(f"add view: {status}, expected {expected}")
    return problems


@pytest.mark.parametrize(("label", "key"), _params("test_permissions_and_add_view",
                                                   _admin_user_cases()))
def test_permissions_and_add_view(client: Any, world: World, label: str, key: str) -> None:
    problems = check_permissions(client, world, label, key)
    assert not problems, "\n".join(problems)


# --- changelist, including the filter sidebar --------------------------------------------

def changelist_problems(world: World, key: str, model: type[models.Model], cl: Any, html: str,
                        names: Iterable[Owner]) -> list[str]:
    problems = []
    listed = {o.pk for o in cl.result_list}
    matching = set(cl.queryset.values_list("pk", flat=True))
    for obj in world.objects(model, names):
        if world.visible(key, obj):
            if obj.pk not in matching:
                problems.append(f"missing in-scope {world.describe(model, obj.pk)}")
        elif obj.pk in listed or obj.pk in matching or str(obj.pk) in html:
            problems.append(f"lists out-of-scope {world.describe(model, obj.pk)}")
    # The filter sidebar: no choice may select or be named after an out-of-scope object.
    hidden = world.out_of_scope(key)
    out_customers = set(TREE) - scope(key)
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            query, display = str(choice.get("query_string", "")), str(choice.get("display", ""))
            leaked = [world.describe(*hidden[pk]) for pk in hidden if pk in query]
            leaked += [display] if display in out_customers else []
            if leaked:
                problems.append(f"filter {spec.title!r} offers {leaked}")
    return problems


def check_changelist(client: Any, world: World, label: str, key: str, target: str) -> list[str]:
    model = admin_model(label)
    response = _login(client, world, key).get(_url(model, "changelist"))
    expected = 200 if _may_view(key, model) else 403
    if response.status_code != expected:
        return [f"changelist: {response.status_code}, expected {expected}"]
    if expected == 403:
        return []
    return changelist_problems(world, key, model, response.context["cl"],
                               response.content.decode(), targets(key)[target])


@pytest.mark.parametrize(("label", "key", "target"),
                         _params("test_changelist", _admin_user_target_cases()))
def test_changelist(client: Any, world: World, label: str, key: str, target: str) -> None:
    problems = check_changelist(client, world, label, key, target)
    assert not problems, "\n".join(problems)


# --- pages read by several checks, fetched once per module -------------------------------

@dataclass(frozen=True)
class Page:
    status: int
    html: str
    forms: list[tuple[str, BaseForm]]  # see _context_forms
    unscoped: list[str]


def get_page(client: Any, world: World, key: str, url: str) -> Page:
    """GET `url` with `client`, logged in as `key`, once per module: the in-scope pages are
    read by test_object_urls, test_pages_show_no_out_of_scope_id and test_form_choices alike.
    Each test runs in a rollback of the same world and only GETs before it reads a page
    (test_object_urls reads them before any POST), so the page is the one it would get itself.
    test_each_check_catches_a_leak works on a World of its own (World.unshared)."""
    if (key, url) not in world.pages:
        response = client.get(url)
        world.pages[key, url] = Page(response.status_code, response.content.decode(),
                                     *_context_forms(response))
    page: Page = world.pages[key, url]
    return page


# --- every per-object URL: change, history, delete, custom views, view on site -----------

def object_urls(model_admin: admin.ModelAdmin) -> dict[str, Callable[[str], str]]:
    """name -> (id -> URL) for every admin URL of the model that takes one object id (change,
    history, delete, the catch-all redirect, custom views), and the site's view-on-site."""
    opts = model_admin.model._meta
    root = _url(model_admin.model, "changelist")
    urls: dict[str, Callable[[str], str]] = {}
    for pattern in model_admin.get_urls():
        route = str(pattern.pattern)
        if len(pattern.pattern.regex.groupindex) == 1 and "<" in route:
            param = route[route.index("<"):route.index(">") + 1]
            urls[pattern.name or route] = (lambda pk, r=route, p=param: root + r.replace(p, pk))  # type: ignore[misc]  # the loop values bound as defaults
    content_type = ContentType.objects.get_for_model(opts.model).pk
    urls["view_on_site"] = lambda pk: reverse("admin:view_on_site", args=[content_type, pk])
    return urls


def _answer(response: Any, pk: str) -> tuple[int, str]:
    return response.status_code, getattr(response, "url", "").replace(pk, "<id>")


def _not_found(response: Any) -> bool:
    return response.status_code == 404 or (
        response.status_code == 302 and response.url == reverse("admin:index"))


def harvested_forms(world: World, label: str) -> list[tuple[str, dict[str, list[str]]]]:
    """(URL template, data) of every POST form on the per-object pages of one object as ADMIN
    sees them (every button shown): replayed against out-of-scope ids."""
    if label not in world.harvested:
        model_admin = ADMINS[label]
        reference = (world.objects(model_admin.model, {"A1"})
                     or world.objects(model_admin.model, set(TREE)))[0]
        pk = quote(reference.pk)
        client = _login(Client(), world, "ADMIN")
        found: list[tuple[str, dict[str, list[str]]]] = []
        for url in object_urls(model_admin).values():
            response = client.get(url(pk), follow=True)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                page = response.request["PATH_INFO"]
                found += [(action.replace(pk, "{id}"),
                           {k: [v.replace(pk, "{id}") for v in vs] for k, vs in data.items()})
                          for action, data in post_forms(page, response.content.decode())
                          if pk in action]
        unique = {repr(form): form for form in found}  # redirects lead to the same page
        world.harvested[label] = list(unique.values())
    return world.harvested[label]


def check_object_urls(client: Any, world: World, label: str, key: str, target: str,
                      capture: Any) -> list[str]:
    model_admin, model = ADMINS[label], admin_model(label)
    opts, request = model._meta, world.request(key)
    may = {"change": _may_view(key, model), "history": _may_view(key, model),
           "delete": _perm(key, model, "delete") and model_admin.has_delete_permission(request)}
    urls = object_urls(model_admin)
    forms = harvested_forms(world, label)
    client = _login(client, world, key)
    problems = []
    objects = world.objects(model, targets(key)[target])
    hidden = [obj for obj in objects if not world.visible(key, obj)]
    for obj in objects:
        if obj not in hidden:
            pk, what = quote(obj.pk), world.describe(model, obj.pk)
            for view, allowed in may.items():
                status = get_page(client, world, key, _url(model, view, pk)).status
                if status != (200 if allowed else 403):
                    problems.append(f"{view} of {what}: {status}")
    # The same for every target of this admin and user: asked once (a fifth of this check),
    # after the pages above (a missing id's redirect leaves a message for the next page).
    if (label, key) not in world.missing_answers:
        missing = str(ObjectId())
        world.missing_answers[label, key] = {name: _answer(client.get(url(missing)), missing)
                                             for name, url in urls.items()}
    answers_for_missing = world.missing_answers[label, key]
    # One snapshot before and one after all the requests to this target's out-of-scope
    # objects (not a pair per object: they were a fifth of this check): a change to any
    # object of their customers, by any of them, is still caught.
    before = world.snapshot({world.owner(obj) for obj in hidden})
    posted: list[tuple[str, list[str]]] = []
    for obj in hidden:
        pk, what = quote(obj.pk), world.describe(model, obj.pk)
        for name, url in urls.items():  # answered exactly like a missing id, on every URL
            response = client.get(url(pk))
            answer = _answer(response, pk)
            if answer != answers_for_missing[name] or answer[0] == 200:
                problems.append(f"{name} of out-of-scope {what}: {answer}, but "
                                f"{answers_for_missing[name]} for a missing id")
            view = name.rpartition("_")[2]
            if name == f"{opts.app_label}_{opts.model_name}_{view}" and view in may and not (
                    _not_found(response) or (response.status_code == 403 and not may[view])):
                # not found; 403 only without the model permission
                problems.append(f"{view} of out-of-scope {what}: {answer}")
        posts = [(url(pk), {"post": ["yes"]}) for url in urls.values()]
        posts += [(action.replace("{id}", pk),
                   {k: [v.replace("{id}", pk) for v in vs] for k, vs in data.items()})
                  for action, data in forms]
        for post_url, data in posts:
            with capture(execute=True):
                response = client.post(post_url, data)
            if response.status_code not in (302, 403, 404, 405):
                problems.append(f"POST {post_url} {sorted(data)}: {response.status_code}")
        posted += [(u.replace(pk, "{id}"), sorted(d)) for u, d in posts]
    after = world.snapshot({world.owner(obj) for obj in hidden})
    if after != before:
        described = [world.describe(model, obj.pk) for obj in hidden]
        problems.append(f"POSTs {sorted(set(map(repr, posted)))} to out-of-scope {described} "
                        f"changed {_changes(before, after)}")
    return problems


@pytest.mark.parametrize(("label", "key", "target"),
                         _params("test_object_urls", _admin_user_target_cases()))
def test_object_urls(client: Any, world: World, label: str, key: str, target: str,
                     django_capture_on_commit_callbacks: Any) -> None:
    problems = check_object_urls(client, world, label, key, target,
                                 django_capture_on_commit_callbacks)
    assert not problems, "\n".join(problems)


# --- pages: no out-of-scope id anywhere in what a user is shown -------------------------

def _add_probes(world: World, key: str, model: type[models.Model]) -> list[str]:
    """The add page asked to start from an out-of-scope related object (?customer=<id>)."""
    hidden = world.out_of_scope(key)
    probes = []
    for f in model._meta.get_fields():
        if f.is_relation and not f.auto_created and f.related_model in OUR_MODELS:
            probes += [f"{_url(model, 'add')}?{f.name}={pk}"
                       for pk, (m, _) in hidden.items() if m is f.related_model]
    return probes


def _pages(world: World, key: str, model: type[models.Model]) -> list[str]:
    """Changelist, add page (also asked for out-of-scope related ids) and the change, history
    and delete pages of every object the user may see."""
    pages = [_url(model, "changelist"), _url(model, "add"), *_add_probes(world, key, model)]
    for obj in world.objects(model, scope(key)):
        if world.visible(key, obj):
            pages += [_url(model, view, quote(obj.pk)) for view in ("change", "history", "delete")]
    return pages


def check_pages(client: Any, world: World, label: str, key: str) -> list[str]:
    hidden = world.out_of_scope(key)
    client = _login(client, world, key)
    problems = []
    for url in _pages(world, key, admin_model(label)):
        page = get_page(client, world, key, url)
        if page.status == 200:
            problems += [f"{url} shows {world.describe(*hidden[pk])}" for pk in hidden
                         if pk in page.html]
    return problems


@pytest.mark.parametrize(("label", "key"), _params("test_pages_show_no_out_of_scope_id",
                                                   _admin_user_cases()))
def test_pages_show_no_out_of_scope_id(client: Any, world: World, label: str, key: str) -> None:
    problems = check_pages(client, world, label, key)
    assert not problems, "\n".join(problems)


def check_site_pages(client: Any, world: World, key: str) -> list[str]:
    """The front page (a ward's, or a reseller's and the admin's: conferences.admin.front)
    and each of our apps' index."""
    hidden = world.out_of_scope(key)
    client = _login(client, world, key)
    urls = [reverse("admin:index")] + [reverse("admin:app_list", args=[a]) for a in OUR_APPS
                                       if any(label.startswith(f"{a}.") for label in ADMINS)]
    problems = []
    for url in urls:
        html = client.get(url).content.decode()
        problems += [f"{url} shows {world.describe(*hidden[pk])}" for pk in hidden if pk in html]
    return problems


@pytest.mark.parametrize("key", [pytest.param(k, id=_case_id(k)) for k in USER_KEYS])
def test_site_pages_show_no_out_of_scope_id(client: Any, world: World, key: str) -> None:
    problems = check_site_pages(client, world, key)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", ["MANAGER@A1", "RESELLER@Reseller A"])
def test_the_site_pages_check_catches_a_front_page_leak(client: Any, world: World,
                                                        monkeypatch: Any, key: str) -> None:
    """The front pages read through `for_user` (not the admin's scoping): unscoped, they
    would show other tenants' meetings, tablets and failures, and the check says so."""
    monkeypatch.setattr("accounts.scoping.visible_customers_q", lambda user, prefix="": Q())
    assert check_site_pages(client, world, key)


# --- form choices: every form of the add and change pages, inlines included ---------------

def _context_forms(response: Any) -> tuple[list[tuple[str, BaseForm]], list[str]]:
    """Every form in a page's context (the admin form, inline formsets, custom pages' forms),
    and the problem of each inline formset whose admin is not scoped."""
    context = response.context
    forms: list[tuple[str, BaseForm]] = []
    unscoped: list[str] = []
    if response.status_code != 200 or context is None:
        return forms, unscoped
    seen: set[int] = set()
    for ctx in (context if isinstance(context, ContextList) else [context]):
        for name, value in ctx.flatten().items():  # type: ignore[union-attr]  # the test client's Contexts
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, InlineAdminFormSet):
                    if not isinstance(item.opts, ScopedAdminMixin):
                        unscoped.append(f"{item.opts} is not scoped")
                    item = item.formset
                if isinstance(item, AdminForm):
                    item = item.form
                if id(item) in seen:
                    continue
                seen.add(id(item))
                if isinstance(item, BaseFormSet):
                    forms += [(f"{name}[{index}]", form)
                              for index, form in enumerate([*item.forms, item.empty_form])]
                elif isinstance(item, BaseForm):
                    forms.append((name, item))
    return forms, sorted(set(unscoped))


def _choice_values(field: Any) -> set[str]:
    values: set[str] = set()
    for value, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # an optgroup
            values |= {str(v) for v, _ in label}
        else:
            values.add(str(value))
    return values


def form_problems(world: World, key: str, where: str, form: BaseForm) -> list[str]:
    allowed, hidden = scope(key), world.out_of_scope(key)
    problems = []
    for name, form_field in form.fields.items():
        queryset = getattr(form_field, "queryset", None)
        if queryset is not None:
            owners = world.owners(queryset.model)  # fails loudly for an unscoped model
            problems += [f"{where}.{name} offers {world.describe(queryset.model, pk)}"
                         for pk in queryset.values_list("pk", flat=True)
                         if owners.get(pk, "?") not in allowed]
        problems += [f"{where}.{name} offers choice {world.describe(*hidden[v])}"
                     for v in _choice_values(form_field) if v in hidden]
    return problems


def check_forms(client: Any, world: World, label: str, key: str) -> list[str]:
    model = admin_model(label)
    client = _login(client, world, key)
    urls = [_url(model, "add"), *_add_probes(world, key, model)]
    urls += [_url(model, "change", quote(o.pk)) for o in world.objects(model, scope(key))
             if world.visible(key, o)]
    problems = []
    for url in urls:
        page = get_page(client, world, key, url)
        problems += [f"{url} {problem}" for problem in page.unscoped]
        for where, form in page.forms:
            problems += form_problems(world, key, f"{url} {where}", form)
    return problems


@pytest.mark.parametrize(("label", "key"), _params("test_form_choices", _admin_user_cases()))
def test_form_choices(client: Any, world: World, label: str, key: str) -> None:
    problems = check_forms(client, world, label, key)
    assert not problems, "\n".join(problems)


# --- autocomplete: every relation the autocomplete view accepts --------------------------

def _autocomplete_sources() -> list[tuple[str, str]]:
    """(model label, field) of every forward relation of every installed model whose far end
    is one of our admins: the autocomplete view serves all of them, not only declared
    autocomplete_fields (which are a subset, asserted below). Reverse relations are left out:
    Django's view fails on them (AttributeError, a 500) before it reads any row."""
    sources = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            remote = getattr(getattr(f, "remote_field", None), "model", None)
            if (f.is_relation and not f.auto_created and isinstance(remote, type)
                    and remote._meta.label_lower in ADMINS):  # type: ignore[attr-defined]  # a model class
                sources.add((model._meta.label_lower, f.name))
    for label, model_admin in ADMINS.items():
        for owner in [model_admin, *(cls(model_admin.model, admin.site)
                                     for cls in model_admin.inlines)]:
            for name in owner.autocomplete_fields:
                assert (owner.model._meta.label_lower, name) in sources, (label, name)
    return sorted(sources)


def check_autocomplete(client: Any, world: World, source: str, name: str, key: str) -> list[str]:
    source_model = apps.get_model(source)
    source_field = source_model._meta.get_field(name)
    remote = source_field.remote_field.model
    to_field = getattr(source_field.remote_field, "field_name", remote._meta.pk.attname)
    to_field = remote._meta.get_field(to_field).attname
    hidden = {str(getattr(o, to_field)): o.pk for o in world.objects(remote, [*TREE, None])
              if world.owner(o) not in scope(key)}
    client = _login(client, world, key)
    ids: list[str] = []
    for page in range(1, 100):
        response = client.get(reverse("admin:autocomplete"), {
            "app_label": source_model._meta.app_label, "model_name": source_model._meta.model_name,
            "field_name": name, "term": "", "page": page})
        if response.status_code != 200:
            if response.status_code == 404 or (
                    response.status_code == 403 and not _may_view(key, remote)):
                break
            return [f"autocomplete: {response.status_code}"]
        data = response.json()
        ids += [r["id"] for r in data["results"]]
        if not data["pagination"]["more"]:
            break
    return [f"autocomplete offers {world.describe(remote, hidden[i])}" for i in ids if i in hidden]


@pytest.mark.parametrize(("source", "field_name", "key"), _params(
    "test_autocomplete", [(s, f, k) for s, f in _autocomplete_sources() for k in USER_KEYS]))
def test_autocomplete(client: Any, world: World, source: str, field_name: str, key: str) -> None:
    problems = check_autocomplete(client, world, source, field_name, key)
    assert not problems, "\n".join(problems)


# --- actions -----------------------------------------------------------------------------

def check_actions(client: Any, world: World, label: str, key: str, target: str,
                  capture: Any) -> list[str]:
    """Every action the user has (delete_selected included), posted with out-of-scope ids —
    unconfirmed, through the action bar, confirmed, "select all", and by replaying the forms
    of whatever confirmation page it shows — changes nothing of those customers' objects,
    related objects included."""
    model_admin, model = ADMINS[label], admin_model(label)
    names = targets(key)[target]
    actions = model_admin.get_actions(world.request(key))
    problems = []
    if "delete_selected" in actions and not _perm(key, model, "delete"):
        problems.append("delete_selected offered without the delete permission")
    pks = [str(o.pk) for o in world.objects(model, names) if not world.visible(key, o)]
    changelist = _url(model, "changelist")
    client = _login(client, world, key)
    before = world.snapshot(names)
    for name in actions:
        selected = {"action": [name], "_selected_action": pks}
        posts = [selected, {**selected, "index": ["0"]},
                 {**selected, "post": ["yes"], "confirm": ["yes"]},
                 {**selected, "index": ["0"], "select_across": ["1"]},
                 {**selected, "select_across": ["1"], "post": ["yes"], "confirm": ["yes"]}]
        for data in posts:
            with capture(execute=True):
                response = client.post(changelist, data)
            if response.status_code == 200 and data is selected:  # a confirmation page
                posts += [{**form, "_selected_action": pks}
                          for url, form in post_forms(changelist, response.content.decode())
                          if url.split("?")[0] == changelist]
            after = world.snapshot(names)
            if after != before:
                problems.append(f"{name} {sorted(data)} changed {_changes(before, after)}")
                before = after
    return problems


@pytest.mark.parametrize(("label", "key", "target"), _params(
    "test_actions", _admin_user_target_cases(out_of_scope_only=True)))
def test_actions(client: Any, world: World, label: str, key: str, target: str,
                 django_capture_on_commit_callbacks: Any) -> None:
    problems = check_actions(client, world, label, key, target,
                             django_capture_on_commit_callbacks)
    assert not problems, "\n".join(problems)


# --- the checks are meaningful: with scoping switched off, each one reports a leak --------

def _unscoped(queryset: Any, request: Any) -> Any:
    return queryset


@pytest.mark.parametrize("check", ["changelist", "object_urls", "pages", "forms",
                                   "autocomplete", "actions"])
def test_each_check_catches_a_leak(client: Any, world: World, monkeypatch: Any, check: str,
                                   django_capture_on_commit_callbacks: Any) -> None:
    monkeypatch.setattr("accounts.admin_scoping._scoped", _unscoped)
    world = world.unshared()  # nothing it reads unscoped may be kept for the other tests
    capture = django_capture_on_commit_callbacks
    key, device, meeting = "MANAGER@A1", "devices.device", "conferences.conference"
    problems = {
        "changelist": lambda: check_changelist(client, world, meeting, key, "other"),
        "object_urls": lambda: check_object_urls(client, world, meeting, key, "other", capture),
        "pages": lambda: check_pages(client, world, device, key),
        "forms": lambda: check_forms(client, world, device, key),
        "autocomplete": lambda: check_autocomplete(client, world, device, "customer", key),
        "actions": lambda: check_actions(client, world, meeting, key, "sibling", capture),
    }[check]()
    assert problems
    if check == "changelist":  # the customer filter too
        assert any("filter" in p for p in problems), problems
    if check in ("object_urls", "actions"):  # and it changed someone else's meeting
        assert any("changed" in p for p in problems), problems
