"""Celery tasks: thin, id-based, safe to run twice. Each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="conferences.mark_meeting_started")
def mark_meeting_started(meeting_id: str) -> bool:
    from .lifecycle import meeting_mark_started

    return meeting_mark_started(meeting_id=meeting_id)
