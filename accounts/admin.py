"""Admin pages for customers and employees. Writes go through accounts.services."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .access import AccessLevel, levels_up_to
from .admin_readonly import ReadOnlyAdminMixin
from .admin_scoping import (
    ScopedAdminMixin,
    ScopedRelatedFilter,
    preselect_single_choice,
    service_check,
)
from .authentication import request_employee
from .models import AuditEntry, Customer, Feature, User, UserToken
from .services import (
    check_grant,
    check_level_fits_customer,
    customer_check_parent,
    customer_check_reseller_flag,
    customer_create,
    customer_update,
    user_create,
    user_delete,
    user_tokens_revoke,
    user_update,
)
from .tablet_settings import TabletSettings
from .tablet_settings_form import FORM_FIELDS as SETTINGS_FIELDS
from .tablet_settings_form import TabletSettingsForm, settings_in_words
from .templatetags.audit import audit_line

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _is_admin(request: HttpRequest) -> bool:
    return request_employee(request).access_level == AccessLevel.ADMIN


class CustomerForm(TabletSettingsForm, forms.ModelForm):
    """A customer, with the settings its new tablets start from as the tablet form's own
    fields (accounts.tablet_settings_form), stored as `default_tablet_settings`."""

    features = forms.MultipleChoiceField(
        choices=Feature.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Features"),
    )

    class Meta:
        model = Customer
        fields = ("name", "state", "is_reseller", "parent_reseller", "features")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings_initial(self.instance.tablet_defaults)

    @property
    def changed_data(self) -> list[str]:
        changed = [name for name in super().changed_data if name not in SETTINGS_FIELDS]
        return [*changed, "default_tablet_settings"] if self.changed_settings else changed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["default_tablet_settings"] = self.cleaned_settings(
            self.instance.tablet_defaults).to_wire()
        if "parent_reseller" in data:
            service_check(lambda: customer_check_parent(
                customer=self.instance, parent=data["parent_reseller"]))
        if "is_reseller" in data and not data["is_reseller"]:
            service_check(lambda: customer_check_reseller_flag(customer=self.instance,
                                                               is_reseller=False))
        return data


@admin.register(Customer)
class CustomerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = CustomerForm
    list_display = ("name", "state", "is_reseller", "parent_reseller", "feature_list",
                    "created_at")
    list_filter = ("state", "is_reseller")
    list_select_related = ("parent_reseller",)
    search_fields = ("name",)

    def get_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if "parent_reseller" in self.get_readonly_fields(request, obj):
            # Read-only, Django would link the parent to its change page, which puts a
            # reseller's id (outside the user's scope) on the page: show its name.
            fields = ["parent_name" if f == "parent_reseller" else f for f in fields]
        else:  # editable: its read-only stand-in would show it twice
            fields = [f for f in fields if f != "parent_name"]
        if "feature_list" in self.get_readonly_fields(request, obj):
            # Read-only, Django would show the stored JSON list: show the features' names.
            fields = ["feature_list" if f == "features" else f for f in fields]
        return list(dict.fromkeys(fields))

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        if _is_admin(request):
            return ()
        if obj is not None and not self.has_change_permission(request, obj):
            return ("parent_reseller", "parent_name", "features", "feature_list")
        # Only platform admins create resellers and set features (docs/domain.md#features); a
        # reseller neither moves nor blocks its own organisation.
        own = obj is not None and obj.pk == request_employee(request).customer_id
        return ("is_reseller", "features", "feature_list", "parent_name",
                *(("parent_reseller", "state") if own else ()))

    def get_fieldsets(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        fields = [f for f in self.get_fields(request, obj) if f not in SETTINGS_FIELDS]
        about = None if _is_admin(request) or (obj is not None and obj.has_meeting_feature) \
            else _("FlexCare (tablets and meetings) is enabled by the platform administrator: "
                   "once the customer is saved, ask yours to enable it.")
        # Who may only look sees the settings in words (as form fields they would read "None").
        view_only = obj is not None and not self.has_change_permission(request, obj)
        settings = ("tablet_defaults_shown",) if view_only else SETTINGS_FIELDS
        return [(None, {"fields": fields, "description": about}),
                (_("Settings for new tablets"), {"fields": settings})]

    @admin.display(description=_("Features"))
    def feature_list(self, customer: Customer) -> str:
        return ", ".join(customer.features) or "-"

    @admin.display(description=_("Meeting settings"))
    def tablet_defaults_shown(self, customer: Customer) -> str:
        return settings_in_words(customer.tablet_defaults)

    @admin.display(description=_("parent reseller"))
    def parent_name(self, customer: Customer) -> str:
        return customer.parent_reseller.name if customer.parent_reseller else "-"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent_reseller":  # only a reseller can be a parent
            field.queryset = field.queryset.filter(is_reseller=True)
        return field

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not _is_admin(request) and "parent_reseller" in form.base_fields:
            # A reseller's customers always hang below a reseller it can see.
            form.base_fields["parent_reseller"].required = True
            preselect_single_choice(form.base_fields["parent_reseller"])
        return form

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in form.cleaned_data}
        if change:
            customer_update(customer=obj, actor=request_employee(request), **fields)
            return
        settings = form.cleaned_data.get("default_tablet_settings") or {}
        created = customer_create(
            name=obj.name, parent_reseller=obj.parent_reseller, is_reseller=obj.is_reseller,
            features=obj.features or [], state=obj.state,
            default_tablet_settings=TabletSettings.from_wire(settings),
            actor=request_employee(request),
        )
        obj.pk, obj.tree_path = created.pk, created.tree_path


# The type checker sees the mixin as the user form it is mixed into.
if TYPE_CHECKING:
    _UserForm = forms.ModelForm[User]
else:
    _UserForm = object


class LevelChoicesMixin(_UserForm):
    """Offers only the access levels the editing user may grant, and checks them."""

    request_user: User

    def limit_levels(self) -> None:
        field = self.fields.get("access_level")
        if isinstance(field, forms.ChoiceField):
            field.choices = [(level.value, level.label)
                             for level in levels_up_to(self.request_user.access_level)]

    def clean_access_level(self) -> str:
        level = self.cleaned_data["access_level"]
        service_check(lambda: check_grant(granter=self.request_user, level=level))
        return level

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        level = data.get("access_level", getattr(self.instance, "access_level", None))
        customer = data.get("customer", getattr(self.instance, "customer", None))
        if level:
            service_check(lambda: check_level_fits_customer(level, customer))
        return data


class UserCreateForm(LevelChoicesMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "customer", "access_level")


class UserEditForm(LevelChoicesMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "name", "customer", "access_level", "is_active")


class AccessLevelFilter(admin.SimpleListFilter):
    """Only the levels the viewer can see (users above its own level are invisible)."""

    title = _("access level")
    parameter_name = "access_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        levels = levels_up_to(request_employee(request).access_level)
        return [(level.value, level.label) for level in levels]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        return queryset.filter(access_level=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "customer", "access_level", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": (
            "email", "name", "customer", "access_level", "usable_password", "password1",
            "password2")}),
    )
    list_display = ("email", "name", "access_level", "customer", "is_active", "last_login")
    list_filter = (AccessLevelFilter, "is_active")
    list_select_related = ("customer",)
    search_fields = ("email", "name")
    ordering = ("email",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")

    actions = ("revoke_tokens",)

    def get_queryset(self, request: HttpRequest) -> Any:
        # Never show (and so never let anyone edit) a user above the viewer's own level.
        return super().get_queryset(request).filter(
            access_level__in=levels_up_to(request_employee(request).access_level))

    @admin.action(description=_("Revoke API tokens (log out of the API everywhere)"),
                  permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request_employee(request)
        revoked = sum(user_tokens_revoke(user=user, actor=actor) for user in queryset)
        self.message_user(request, _("Revoked %(n)d API token(s).") % {"n": revoked},
                          messages.SUCCESS)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is not None and obj.pk == request.user.pk:
            return (*self.readonly_fields, "access_level", "customer", "is_active")
        return self.readonly_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)

        class Form(base):  # type: ignore[misc, valid-type]  # the class Django built, from a variable
            request_user = request_employee(request)

            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.limit_levels()

        return Form

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data
                      if name in ("email", "name", "customer", "access_level", "is_active")}
            # The form already copied its values onto `obj`: the service checks the change
            # against the stored user.
            user_update(user=User.objects.get(pk=obj.pk), changed_by=request_employee(request),
                        **fields)
            return
        password = form.cleaned_data.get("password1") or None
        created = user_create(
            email=obj.email, password=password, access_level=obj.access_level,
            customer=obj.customer, name=obj.name, created_by=request_employee(request),
        )
        obj.pk = created.pk

    # Deleting is for platform admins only (accounts.access); it is recorded like any change.
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A user's API tokens go with it; their admin, read-only, would otherwise forbid it.
        perms_needed.discard(UserToken._meta.verbose_name)  # type: ignore[arg-type]  # Django's set holds lazy names
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_delete(user=obj, deleted_by=request_employee(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_delete(user=user, deleted_by=request_employee(request))


@admin.register(UserToken)
class UserTokenAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Employees' API tokens, to see who uses the API; revoked from the user list."""

    list_display = ("prefix", "user", "persistent", "created_at", "last_used_at", "revoked_at")
    list_filter = ("persistent", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email", "=prefix")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(
            user__access_level__in=levels_up_to(request_employee(request).access_level))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Entries read as sentences with a link to their object (accounts.audit_text); the raw
    details only behind a toggle on an entry's page."""

    # People and customers as plain text: a read-only foreign key would link to an object
    # that may lie outside the viewer's scope (an ADMIN acting, say).
    fields = ("at", "who", "what", "customer_name", "raw_details")
    readonly_fields = fields
    list_display = ("at", "who", "what", "customer_name")
    list_display_links = ("at",)
    list_filter = ("action", ("customer", ScopedRelatedFilter))
    list_select_related = ("customer",)
    search_fields = ("=object_id", "target")
    show_full_result_count = False

    @admin.display(description=_("who"), ordering="actor_email")
    def who(self, entry: AuditEntry) -> StrOrPromise:
        # As recorded: the actor may since have been deleted or changed e-mail.
        return entry.actor_email or _("system")

    @admin.display(description=_("what"))
    def what(self, entry: AuditEntry) -> str:
        return audit_line(entry)

    @admin.display(description=_("customer"))
    def customer_name(self, entry: AuditEntry) -> str:
        return entry.customer.name

    @admin.display(description=_("details"))
    def raw_details(self, entry: AuditEntry) -> str:
        return format_html('<details class="raw-details"><summary>{}</summary><pre>{}</pre>'
                           "</details>", _("details"),
                           json.dumps(entry.details, indent=2, ensure_ascii=False))

    class Media:
        css = {"all": ("flexcare/portal.css",)}
