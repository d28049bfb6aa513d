"""Admin pages for meetings and commands: read-only records (meetings and commands change
only through conferences.services, the lifecycle and the tablets), with lifecycle actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_readonly import ReadOnlyAdminMixin
from accounts.admin_scoping import ScopedAdminMixin

from .lifecycle import meeting_end, meeting_retry_provisioning
from .models import Command, Conference, ConferenceDevice, Provisioning


class ConferenceDeviceInline(ReadOnlyAdminMixin, ScopedAdminMixin, admin.TabularInline):
    model = ConferenceDevice
    fields = ("device", "settings", "active", "added_at")
    readonly_fields = fields
    extra = 0


@admin.register(Conference)
class ConferenceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "state", "provisioning", "provisioning_attempts",
                    "provisioning_error", "employee", "created_at")
    list_filter = ("state", "provisioning")
    list_select_related = ("customer", "employee")
    inlines = [ConferenceDeviceInline]
    actions = ["retry_provisioning", "end_meeting"]

    def has_run_permission(self, request: HttpRequest) -> bool:
        # Running the lifecycle is a MANAGER's job (accounts.access), though the record
        # itself is never edited by hand.
        return request.user.has_perm("conferences.change_conference")

    @admin.action(description="Retry provisioning (failed meetings)", permissions=["run"])
    def retry_provisioning(self, request: HttpRequest, queryset: QuerySet[Conference]) -> None:
        failed = [m for m in queryset if m.provisioning == Provisioning.FAILED]
        for meeting in failed:
            meeting_retry_provisioning(meeting=meeting)
        self.message_user(request, f"Provisioning queued again for {len(failed)} meeting(s).",
                          messages.SUCCESS)

    @admin.action(description="End meeting (hang up every tablet)", permissions=["run"])
    def end_meeting(self, request: HttpRequest, queryset: QuerySet[Conference]) -> None:
        for meeting in queryset:
            meeting_end(meeting=meeting, ended_by=request.user)
        self.message_user(request, f"Ending {len(queryset)} meeting(s).", messages.SUCCESS)


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
