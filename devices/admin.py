"""Admin pages for tablets and their tokens. Writes go through devices.services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin_readonly import ReadOnlyAdminMixin, TechnicalListMixin
from accounts.admin_scoping import ScopedAdminMixin, ScopedRelatedFilter, service_check
from accounts.models import CustomerQuerySet
from accounts.services import require_meeting_customer
from accounts.tablet_settings import TabletSettings
from accounts.tablet_settings_form import FORM_FIELDS as SETTINGS_FIELDS
from accounts.tablet_settings_form import TabletSettingsForm
from flexcare.errors import ServiceError
from flexcare.moments import local_moment

from .models import Device, DeviceQuerySet, DeviceToken
from .services import (
    device_check_deletable,
    device_create,
    device_delete,
    device_token_reset,
    device_update,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DeviceForm(TabletSettingsForm, forms.ModelForm):
    """A tablet and its meeting settings (accounts.tablet_settings_form: the customer's
    defaults use the same fields). Only customers that can hold tablets are offered."""

    class Meta:
        model = Device
        fields = ("customer", "name", "serial", "device_id", "technical_room_number",
                  *(name for name in TabletSettings.field_names() if name != "set_volume"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.settings_initial(self.instance.tablet_settings)
        else:
            self.settings_initial(TabletSettings())
        if "customer" in self.fields:
            field = cast(forms.ModelChoiceField, self.fields["customer"])
            field.help_text = _(
                "Only customers with FlexCare can hold tablets: your platform administrator "
                "enables it.")
            # Offered: the customers that can hold tablets. Accepted: any in scope, so that
            # one that cannot (FlexCare withdrawn since the page was loaded, say) is told why
            # by clean() rather than "Select a valid choice".
            field.widget.choices = forms.ModelChoiceField(
                queryset=cast(CustomerQuerySet, field.queryset).can_hold_tablets(),
                empty_label=field.empty_label,
            ).choices

    @property
    def changed_data(self) -> list[str]:
        changed = super().changed_data
        return [*changed, "set_volume"] if "volume" in changed else changed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        fallback = (self.instance.tablet_settings if not self.instance._state.adding
                    else TabletSettings())
        if not self.errors:
            data.update(self.cleaned_settings(fallback).__dict__)
        customer = data.get("customer")
        if self.instance._state.adding and customer:
            if not customer.has_meeting_feature:
                # The API keeps the contract's wording; here we say what to do about it.
                raise forms.ValidationError({"customer": _(
                    "This customer does not have FlexCare yet; ask your platform "
                    "administrator to enable it.")})
            service_check(lambda: require_meeting_customer(customer))
        return data


class OnlineFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "online"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("online")), ("no", _("offline"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Device]) -> QuerySet[Device]:
        devices = cast(DeviceQuerySet, queryset)  # the admin's, from Device.objects
        if self.value() == "yes":
            return devices.online()
        if self.value() == "no":
            return devices.offline()
        return queryset


class LoginFilter(admin.SimpleListFilter):
    title = _("login")
    parameter_name = "login"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("open for login")), ("in", _("logged in")), ("closed", _("closed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Device]) -> QuerySet[Device]:
        open_ = Q(locked=False, claim_open_until__gt=timezone.now())
        if self.value() == "open":
            return queryset.filter(open_)
        if self.value() == "in":
            return queryset.filter(locked=True)
        if self.value() == "closed":
            return queryset.filter(locked=False).exclude(open_)
        return queryset


@admin.register(Device)
class DeviceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = DeviceForm
    # Online and last seen first: what a ward looks at; the rest fits 1280 px beside them.
    list_display = ("online", "last_seen_at", "tablet", "technical_room_number", "login_state",
                    "customer")
    list_display_links = ("tablet",)
    list_filter = (("customer", ScopedRelatedFilter), OnlineFilter, LoginFilter)
    list_select_related = ("customer",)
    search_fields = ("name", "serial", "device_id", "technical_room_number")
    readonly_fields = ("login_state", "last_seen_at", "created_at")
    show_full_result_count = False
    actions = ["reset_token"]
    fieldsets = (
        (None, {"fields": ("customer", "name", "serial", "device_id", "technical_room_number")}),
        (_("Meeting settings"), {"fields": SETTINGS_FIELDS}),
        (_("State"), {"fields": ("login_state", "last_seen_at", "created_at")}),
    )

    @admin.display(description=_("online"))
    def online(self, device: Device) -> str:
        if device.is_online:
            return format_html('<span class="badge ok">{}</span>', _("online"))
        return format_html('<span class="badge off">{}</span>', _("offline"))

    @admin.display(description=_("tablet"), ordering="name")
    def tablet(self, device: Device) -> str:
        # The serial under the name: one column less, so the list fits beside the filters.
        return format_html("{}<br><small>{}</small>", device.name, device.serial)

    @admin.display(description=_("login"))
    def login_state(self, device: Device) -> StrOrPromise:
        if device.locked:
            return _("logged in")
        if device.is_open_for_login and device.claim_open_until:  # it has one when open
            until = local_moment(device.claim_open_until)
            return _("open for login until %(time)s") % {"time": until}
        return _("closed")

    def get_readonly_fields(self, request: HttpRequest, obj: Device | None = None) -> Any:
        # A tablet stays with its customer (devices.services.device_update).
        return (*self.readonly_fields, "customer") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            device_update(device=Device.objects.get(pk=obj.pk), actor=request.user, **changes)
            return
        obj.set_volume = form.cleaned_data["set_volume"]
        created = device_create(
            customer=obj.customer, name=obj.name, serial=obj.serial, device_id=obj.device_id,
            technical_room_number=obj.technical_room_number,
            tablet_settings=obj.tablet_settings, actor=request.user,
        )
        obj.pk = created.pk

    @admin.action(description=_("Reset token (log the tablet out and open it for login)"),
                  permissions=["change"])
    def reset_token(self, request: HttpRequest, queryset: QuerySet[Device]) -> Any:
        if "confirm" not in request.POST:
            # Resetting logs a tablet out in the middle of its work: ask first.
            return TemplateResponse(request, "admin/devices/device/reset_token_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.opts,
                "title": _("Reset tablet tokens?"), "devices": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "claim_minutes": settings.TABLET_CLAIM_MINUTES,
            })
        for device in queryset:
            device_token_reset(device=device, actor=request.user)
        self.message_user(
            request, _("Reset %(n)d tablet(s): they must log in again within %(minutes)d minutes.")
            % {"n": len(queryset), "minutes": settings.TABLET_CLAIM_MINUTES}, messages.SUCCESS)
        return None

    # Deleting, one tablet or "delete selected", goes through devices.services.device_delete
    # (recorded); a tablet with meeting history is refused with the service's reason.
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = []
        for device in objs:
            try:
                device_check_deletable(device=device)
            except ServiceError as exc:
                refusals.append(exc.message)
        if refusals:  # rather than "you may not delete meeting tablets", which misleads
            return deleted, counts, set(), refusals
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Device) -> None:
        device_delete(device=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset:
            device_delete(device=device, actor=request.user)

    # A meeting may take a tablet between the confirmation and the delete: the service then
    # refuses, and the whole request is undone with its reason instead of an error page.
    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Device]) -> Any:
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    class Media:
        css = {"all": ("flexcare/portal.css",)}


@admin.register(DeviceToken)
class DeviceTokenAdmin(TechnicalListMixin, ReadOnlyAdminMixin, ScopedAdminMixin,
                       admin.ModelAdmin):
    list_display = ("prefix", "device", "created_at", "revoked_at")
    list_select_related = ("device",)
    show_full_result_count = False
