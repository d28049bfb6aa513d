"""Meeting state transitions (PRODUCT.md §4, Meeting). Each one is a guarded conditional
UPDATE: it happens once, however many times or however concurrently it is asked for."""

from __future__ import annotations

from django.utils import timezone

from .models import Conference, MeetingState, Provisioning


def meeting_mark_started(*, meeting_id: str) -> bool:
    """CREATED → STARTED, once a tablet executed START_MEETING. False if it did not apply."""
    return bool(
        Conference.objects.filter(
            pk=meeting_id, state=MeetingState.CREATED, provisioning=Provisioning.OK
        ).update(state=MeetingState.STARTED, started_at=timezone.now())
    )
