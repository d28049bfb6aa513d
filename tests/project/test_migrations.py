"""Data migrations, run on rows made before them (on the suite's database: SQLite, or PostgreSQL
with its exclusion constraint)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_TIMES = [("conferences", "0005_booking_round")]


@pytest.mark.django_db(transaction=True)
def test_existing_meetings_become_meetings_for_now(settings):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_TIMES)
    old = executor.loader.project_state(BEFORE_TIMES).apps
    customer = old.get_model("accounts", "Customer").objects.create(name="Old", tree_path="/x/")
    device = old.get_model("devices", "Device").objects.create(
        customer=customer, name="Bed 1", serial="S1", device_id="D1")
    meetings = old.get_model("conferences", "Conference").objects
    created = timezone.now() - timedelta(hours=1)
    running = meetings.create(customer=customer, created_at=created, provisioning="OK",
                              provisioned_at=created, vdx_booking_id="b-1")
    pending = meetings.create(customer=customer, created_at=created)
    old.get_model("conferences", "ConferenceDevice").objects.create(
        conference=running, device=device, settings={})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from conferences.models import Conference, ConferenceDevice

    longest = timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)
    running = Conference.objects.get(pk=running.pk)
    assert (running.start_time, running.end_time) == (created, created + longest)
    assert (running.booked_start, running.booked_end) == (created, created + longest)
    assert running.start_queued_at == created  # START_MEETING went out at provisioning
    pending = Conference.objects.get(pk=pending.pk)
    assert (pending.booked_start, pending.start_queued_at) == (None, None)
    participant = ConferenceDevice.objects.get()
    assert (participant.start_time, participant.end_time) == (created, created + longest)
