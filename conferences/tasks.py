"""Celery tasks: thin, id-based, safe to run twice or concurrently. Each calls one service;
those that wait (provisioning, changing or ending at VDX, sending e-mail) re-run themselves
when the step asks to.

The services queue these tasks, so they import this module at their top; each task imports
its service when it runs, which breaks the cycle."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task


@shared_task(bind=True, name="conferences.provision_meeting", max_retries=None)
def provision_meeting(self: Task, meeting_id: str) -> None:
    from .provisioning import provision_step

    delay = provision_step(meeting_id=meeting_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(bind=True, name="conferences.end_at_vdx", max_retries=20)
def end_at_vdx(self: Task, meeting_id: str) -> None:
    from .provisioning import vdx_end_step

    delay = vdx_end_step(meeting_id=meeting_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(bind=True, name="conferences.discard_booking", max_retries=30)
def discard_booking(self: Task, booking_id: str) -> None:
    from .provisioning import booking_discard_step

    # 30 tries, backing off to PROVISION_BACKOFF_MAX_SECONDS: about half an hour by default.
    delay = booking_discard_step(booking_id=booking_id, attempt=self.request.retries + 1)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(bind=True, name="conferences.reschedule_at_vdx", max_retries=20)
def reschedule_at_vdx(self: Task, meeting_id: str) -> None:
    from .provisioning import vdx_reschedule_step

    delay = vdx_reschedule_step(meeting_id=meeting_id, attempt=self.request.retries + 1)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(bind=True, name="conferences.send_invitation", max_retries=None)
def send_invitation(self: Task, guest_id: str) -> None:
    from .guests import guest_invitation_send

    # The step counts its tries and gives up after its last (guests.SEND_ATTEMPTS).
    delay = guest_invitation_send(guest_id=guest_id, attempt=self.request.retries + 1)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(name="conferences.purge_guests")
def purge_guests() -> int:
    from .guests import guests_purge

    return guests_purge()


@shared_task(name="conferences.mark_meeting_started")
def mark_meeting_started(meeting_id: str) -> bool:
    from .lifecycle import meeting_mark_started

    return meeting_mark_started(meeting_id=meeting_id)


@shared_task(name="conferences.finish_closing")
def finish_closing(meeting_id: str) -> bool:
    from .lifecycle import meeting_finish_closing

    return meeting_finish_closing(meeting_id=meeting_id)


@shared_task(name="conferences.sweep")
def sweep(job: str) -> Any:
    """Run one periodic job of conferences.sweeps by name, as the beat schedule lists them."""
    from . import sweeps

    if job not in sweeps.scheduled_jobs():  # a message names the job: run only those
        raise ValueError(f"unknown sweep {job!r}")
    return getattr(sweeps, job)()
