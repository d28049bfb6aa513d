"""Admin pages for tablets and their tokens."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_scoping import ScopedAdminMixin

from .models import Device, DeviceToken


@admin.register(Device)
class DeviceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "serial", "device_id", "customer", "locked", "last_seen_at")
    list_filter = ("locked",)
    list_select_related = ("customer",)
    search_fields = ("name", "serial", "device_id", "technical_room_number")
    readonly_fields = ("locked", "last_seen_at", "created_at")


@admin.register(DeviceToken)
class DeviceTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "device", "created_at", "revoked_at")
    list_select_related = ("device",)
    readonly_fields = ("prefix", "device", "created_at", "revoked_at")
