"""Admin pages for meetings and commands: read-only until the portal's meeting pages, since
meetings and commands change only through conferences.services and the tablets."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_readonly import ReadOnlyAdminMixin
from accounts.admin_scoping import ScopedAdminMixin

from .models import Command, Conference, ConferenceDevice


class ConferenceDeviceInline(ReadOnlyAdminMixin, ScopedAdminMixin, admin.TabularInline):
    model = ConferenceDevice
    fields = ("device", "settings", "active", "added_at")
    readonly_fields = fields
    extra = 0


@admin.register(Conference)
class ConferenceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "state", "provisioning", "employee", "created_at")
    list_filter = ("state", "provisioning")
    list_select_related = ("customer", "employee")
    inlines = [ConferenceDeviceInline]


@admin.register(ConferenceDevice)
class ConferenceDeviceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("conference", "device", "active", "added_at")
    list_filter = ("active",)
    list_select_related = ("conference__customer", "device")


@admin.register(Command)
class CommandAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "type", "status", "value", "volume", "quality", "conference_device", "delivery_count",
        "created_at", "executed_at",
    )
    list_filter = ("status", "type")
    list_select_related = ("conference_device__device",)
