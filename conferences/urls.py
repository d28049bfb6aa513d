"""Meeting endpoints, at the TelecomX paths (no prefix, no trailing slash)."""

from django.urls import path

from .api import employee, tablet

urlpatterns = [
    path("iptv/flexcareconference/meeting/device", tablet.GetMeetingApi.as_view(),
         name="tablet-getmeeting"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/commands",
         tablet.GetCommandsApi.as_view(), name="tablet-getcommands"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/commands/<str:command_id>/executed",
         tablet.AcknowledgeApi.as_view(), name="tablet-acknowledge"),
    # Employee endpoints (user token).
    path("iptv/flexcareconference/meeting", employee.CreateMeetingApi.as_view(),
         name="employee-meeting-create"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>", employee.MeetingApi.as_view(),
         name="employee-meeting"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/guests",
         employee.AddGuestsApi.as_view(), name="employee-meeting-guests"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/createcommand",
         employee.CreateCommandApi.as_view(), name="employee-createcommand"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/close",
         employee.CloseMeetingApi.as_view(), name="employee-meeting-close"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/devices/<str:device_id>",
         employee.DeviceStateApi.as_view(), name="employee-device-state"),
    path("flexcare/videochat/meetings", employee.MeetingListApi.as_view(),
         name="employee-meeting-list"),
]
