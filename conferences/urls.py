"""Meeting endpoints, at the TelecomX paths (no prefix, no trailing slash)."""

from django.urls import path

from .api import tablet

urlpatterns = [
    path("iptv/flexcareconference/meeting/device", tablet.GetMeetingApi.as_view(),
         name="tablet-getmeeting"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/commands",
         tablet.GetCommandsApi.as_view(), name="tablet-getcommands"),
    path("iptv/flexcareconference/meeting/<str:meeting_id>/commands/<str:command_id>/executed",
         tablet.AcknowledgeApi.as_view(), name="tablet-acknowledge"),
]
