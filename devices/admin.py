"""Admin pages for tablets and their tokens. Writes go through devices.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_readonly import ReadOnlyAdminMixin
from accounts.admin_scoping import ScopedAdminMixin, service_check

from .models import Device, DeviceToken
from .services import device_create, device_token_reset, require_meeting_customer
from .tablet_settings import TabletSettings


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ("customer", "name", "serial", "device_id", "technical_room_number",
                  *TabletSettings.field_names())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance._state.adding and data.get("customer"):
            service_check(lambda: require_meeting_customer(data["customer"]))
        return data


@admin.register(Device)
class DeviceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = DeviceForm
    list_display = ("name", "serial", "device_id", "customer", "locked", "last_seen_at")
    list_filter = ("locked",)
    list_select_related = ("customer",)
    search_fields = ("name", "serial", "device_id", "technical_room_number")
    readonly_fields = ("locked", "last_seen_at", "created_at")
    actions = ["reset_token"]

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = device_create(
            customer=obj.customer, name=obj.name, serial=obj.serial, device_id=obj.device_id,
            technical_room_number=obj.technical_room_number,
            tablet_settings=obj.tablet_settings,
        )
        obj.pk = created.pk

    @admin.action(description="Reset token (log the tablet out and unlock it)",
                  permissions=["change"])
    def reset_token(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset:
            device_token_reset(device=device)
        self.message_user(request, f"Reset {len(queryset)} tablet(s).", messages.SUCCESS)


@admin.register(DeviceToken)
class DeviceTokenAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "device", "created_at", "revoked_at")
    list_select_related = ("device",)


