"""Admin pages for meetings and commands. Meetings are created on their own page and run from
a live detail page; records are never edited by hand — every button calls a service.

The rest of the package serves these pages: forms (forms.py), what the meeting page's buttons
do (actions.py), what its live part shows (detail.py), and the front page's figures
(dashboard.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin_readonly import ReadOnlyAdminMixin, TechnicalListMixin
from accounts.admin_scoping import ScopedAdminMixin, ScopedRelatedFilter
from accounts.authentication import request_employee
from accounts.models import Customer
from flexcare.errors import ServiceError

from ..agenda import agenda_days
from ..lifecycle import EndOutcome, meeting_end, meeting_retry_provisioning
from ..models import Command, Conference, ConferenceDevice, MeetingState, Provisioning
from ..selectors import devices_for_new_meeting
from ..services import meeting_create
from .actions import run_meeting_action
from .detail import live_context
from .forms import CommandForm, NewMeetingForm, meeting_customers
from .standing import meeting_title

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The agenda shows today and tomorrow (the nurse's "what is on"), or a week on request.
AGENDA_DAYS, AGENDA_WEEK = 2, 7


class ConferenceDeviceInline(ReadOnlyAdminMixin, ScopedAdminMixin, admin.TabularInline):
    model = ConferenceDevice
    fields = ("device", "settings", "active", "start_time", "end_time", "added_at")
    readonly_fields = fields
    extra = 0


@admin.register(Conference)
class ConferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "standing", "customer", "employee", "created_at")
    list_filter = ("state", "provisioning", ("customer", ScopedRelatedFilter), "created_at")
    list_select_related = ("customer", "employee")
    search_fields = ("id", "customer__name", "uri")
    show_full_result_count = False
    actions = ["retry_provisioning", "end_meeting"]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # The list names each meeting by its beds: their names in one more query per page.
        changelist = super().get_changelist_instance(request)
        beds = Prefetch("participants", queryset=ConferenceDevice.objects
                        .select_related("device").order_by("added_at", "pk"))
        changelist.result_list = changelist.result_list.prefetch_related(beds)
        return changelist

    @admin.display(description=_("meeting"), ordering="created_at")
    def title(self, meeting: Conference) -> str:
        return meeting_title(meeting, [p.device.name for p in meeting.participants.all()])

    @admin.display(description=_("state"), ordering="state")
    def standing(self, meeting: Conference) -> str:
        """The state in words (no tablet detail here: that is the meeting page's)."""
        if meeting.state == MeetingState.CLOSED:
            text, kind = _("Closed"), "closed"
        elif meeting.end_requested_at is not None:
            text, kind = _("Ending…"), "ending"
        elif meeting.provisioning == Provisioning.FAILED:
            return format_html('<span class="badge prov-FAILED">{}</span> '
                               '<small class="error-text">{}</small>',
                               _("Room could not be booked"), meeting.provisioning_error[:120])
        elif meeting.provisioning == Provisioning.PENDING:
            text, kind = _("Booking the room…"), "PENDING"
        else:
            text = _("In meeting") if meeting.state == MeetingState.STARTED else _("Room ready")
            kind = "OK"
        return format_html('<span class="badge prov-{}">{}</span>', kind, text)

    # Never edited as a form: the detail page shows it and its buttons call the services.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_run_permission(self, request: HttpRequest) -> bool:
        # Running meetings is a MANAGER's job (accounts.access).
        return request.user.has_perm("conferences.change_conference")

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<str:object_id>/timeline/", wrap(self.timeline_view),
                 name="conferences_conference_timeline"),
            path("<str:object_id>/run/", wrap(self.run_view), name="conferences_conference_run"),
            path("agenda/", wrap(self.agenda_view), name="conferences_conference_agenda"),
            *super().get_urls(),
        ]

    def _meeting(self, request: HttpRequest, object_id: str) -> Conference:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("customer",
                                                                            "employee"),
                                 pk=object_id)

    def _live_context(self, request: HttpRequest, meeting: Conference) -> dict[str, Any]:
        return live_context(meeting, can_run=self.has_run_permission(request))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        meeting = self._meeting(request, object_id)
        live = self._live_context(request, meeting)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": live["meeting_title"], "original": meeting, "has_view_permission": True,
            **live,
        }
        return TemplateResponse(request, "admin/conferences/conference/detail.html", context)

    def timeline_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The live part of the detail page (state, room, controls, timeline), fetched every
        few seconds."""
        meeting = self._meeting(request, object_id)
        return TemplateResponse(request, "admin/conferences/conference/live.html",
                                self._live_context(request, meeting))

    def run_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        meeting = self._meeting(request, object_id)
        if request.method != "POST" or not self.has_run_permission(request):
            raise PermissionDenied
        form = CommandForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("That action is not understood."))
        else:
            try:
                level, message = run_meeting_action(meeting, request_employee(request),
                                                    form.cleaned_data)
                messages.add_message(request, level, message)
            except ServiceError as exc:
                messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("admin:conferences_conference_change",
                                            args=[meeting.pk]))

    def agenda_view(self, request: HttpRequest) -> HttpResponse:
        """Upcoming meetings day by day and bed by bed: today and tomorrow, or a week."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        customers = Customer.objects.for_user(request.user).filter(
            pk__in=Conference.objects.for_user(request.user).values("customer"))
        chosen = request.GET.get("customer")
        customer = customers.filter(pk=chosen).first() if chosen else None
        days = AGENDA_WEEK if request.GET.get("days") == str(AGENDA_WEEK) else AGENDA_DAYS
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": _("Agenda"), "customers": customers, "customer": customer, "days": days,
            "week": AGENDA_WEEK, "today": today, "tomorrow": today + timedelta(days=1),
            "agenda": agenda_days(request.user, first=today, days=days,
                                  zone=timezone.get_current_timezone(), customer=customer),
        }
        return TemplateResponse(request, "admin/conferences/conference/agenda.html", context)

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        user = request_employee(request)
        customers = meeting_customers(user)
        chosen = request.POST.get("customer") or request.GET.get("customer")
        customer = customers.filter(pk=chosen).first() if chosen else None
        if customer is None and customers.count() == 1:
            customer = customers.first()
        form = NewMeetingForm(request.POST if request.method == "POST" else None,
                              user=user, customer=customer,
                              initial={"customer": customer,
                                       "language": translation.get_language()})
        start = end = None
        if request.method == "POST" and form.is_valid():
            start, end = form.times()
            try:
                meeting = meeting_create(customer=form.cleaned_data["customer"],
                                         devices=list(form.cleaned_data["devices"]),
                                         employee=user, actor=user,
                                         start=start, end=end,
                                         guests=form.cleaned_data["guests"],
                                         language=form.cleaned_data["language"]
                                         or translation.get_language())
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Meeting created."))
                return HttpResponseRedirect(reverse("admin:conferences_conference_change",
                                                    args=[meeting.pk]))
        # Busy at the time asked for (after a refused POST), else now.
        devices = [(device, busy, device.is_online)
                   for device, busy in devices_for_new_meeting(customer.pk, user,
                                                               start=start, end=end)
                   ] if customer else []
        context = {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": _("New meeting"), "form": form, "customer": customer,
            "customers": customers, "devices": devices,
            "selected": set(request.POST.getlist("devices")),
        }
        return TemplateResponse(request, "admin/conferences/conference/new.html", context)

    class Media:
        css = {"all": ("flexcare/portal.css",)}

    @admin.action(description=_("Retry provisioning (failed meetings)"), permissions=["run"])
    def retry_provisioning(self, request: HttpRequest, queryset: QuerySet[Conference]) -> None:
        actor = request_employee(request)
        retried = sum(meeting_retry_provisioning(meeting=meeting, actor=actor)
                      for meeting in queryset)
        self.message_user(request, _("Provisioning queued again for %(n)d meeting(s).")
                          % {"n": retried}, messages.SUCCESS)

    @admin.action(description=_("End meeting (hang up every tablet)"), permissions=["run"])
    def end_meeting(self, request: HttpRequest, queryset: QuerySet[Conference]) -> None:
        actor = request_employee(request)
        outcomes = [meeting_end(meeting=meeting, ended_by=actor).outcome for meeting in queryset]
        skipped = sum(o in (EndOutcome.ALREADY_CLOSED, EndOutcome.ALREADY_ENDING)
                      for o in outcomes)
        ended = len(outcomes) - skipped
        if not skipped:
            self.message_user(request, _("Ending %(n)d meeting(s).") % {"n": ended},
                              messages.SUCCESS)
        else:
            self.message_user(
                request, _("Ending %(n)d meeting(s); %(skipped)d already closed or ending.")
                % {"n": ended, "skipped": skipped}, messages.WARNING)


@admin.register(ConferenceDevice)
class ConferenceDeviceAdmin(TechnicalListMixin, ReadOnlyAdminMixin, ScopedAdminMixin,
                            admin.ModelAdmin):
    list_display = ("conference", "device", "active", "added_at")
    list_filter = ("active",)
    list_select_related = ("conference__customer", "device")
    show_full_result_count = False


class FinishedFilter(admin.SimpleListFilter):
    title = _("finished")
    parameter_name = "finished"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("hour", _("in the last hour")), ("day", _("in the last 24 hours"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Command]) -> QuerySet[Command]:
        hours = {"hour": 1, "day": 24}.get(self.value() or "")
        if hours is None:
            return queryset
        return queryset.filter(finished_at__gte=timezone.now() - timedelta(hours=hours))


@admin.register(Command)
class CommandAdmin(TechnicalListMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "type", "status", "setting", "tablet", "meeting", "delivery_count", "created_at",
        "executed_at",
    )
    list_filter = ("status", "type", FinishedFilter)
    list_select_related = ("conference_device__device", "conference_device__conference__customer",
                           "created_by")
    exclude = ("created_by",)
    readonly_fields = ("queued_by",)
    show_full_result_count = False

    @admin.display(description=_("queued by"))
    def queued_by(self, command: Command) -> StrOrPromise:
        # Text, not a link: the employee may be outside the viewer's scope.
        return command.created_by.email if command.created_by else _("system")

    @admin.display(description=_("setting"))
    def setting(self, command: Command) -> str:
        return command.setting_display() or "-"

    @admin.display(description=_("tablet"), ordering="conference_device__device__name")
    def tablet(self, command: Command) -> str:
        return command.conference_device.device.name

    @admin.display(description=_("meeting"))
    def meeting(self, command: Command) -> str:
        meeting = command.conference_device.conference
        url = reverse("admin:conferences_conference_change", args=[meeting.pk])
        return format_html('<a href="{}">{}</a>', url, meeting)


