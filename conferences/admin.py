"""Admin pages for meetings and commands."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_scoping import ScopedAdminMixin

from .models import Command, Conference, ConferenceDevice


class ConferenceDeviceInline(ScopedAdminMixin, admin.TabularInline):
    model = ConferenceDevice
    fields = ("device", "settings", "active", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conference)
class ConferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "state", "provisioning", "employee", "created_at")
    list_filter = ("state", "provisioning")
    list_select_related = ("customer", "employee")
    readonly_fields = (
        "uri", "pin", "desktop_link", "clinical_link", "mobile_link", "vdx_booking_id",
        "state", "provisioning", "provisioning_error", "provisioning_attempts", "created_at",
        "provisioned_at", "started_at", "end_requested_at", "closed_at",
    )
    inlines = [ConferenceDeviceInline]


@admin.register(Command)
class CommandAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "type", "status", "value", "volume", "quality", "conference_device", "delivery_count",
        "created_at", "executed_at",
    )
    list_filter = ("status", "type")
    list_select_related = ("conference_device",)
    readonly_fields = (
        "status", "error", "created_by", "created_at", "fetched_at", "claim_expires_at",
        "delivery_count", "executed_at", "finished_at",
    )
