"""The meeting pages: create for one customer's tablets, the live detail page and its buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences.lifecycle import (
    meeting_close,
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
)
from conferences.models import Command, Conference, ConferenceDevice
from conferences.providers import fake_booking
from devices.models import Device
from tests.factories import DeviceFactory, MeetingFactory, queue

pytestmark = pytest.mark.django_db


def as_user(client, tenants, key):
    client.force_login(tenants.user(key))
    return client


def ready_meeting(name: str) -> Conference:
    meeting = Conference.objects.get(customer__name=name)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    return meeting


def test_a_manager_creates_a_meeting_for_free_tablets_of_its_customer(client, tenants):
    customer = tenants.customers["A1"]
    free = DeviceFactory.create(customer=customer, name="Bed free")
    busy = Device.objects.get(customer=customer, name="Bed A1")  # in the world's meeting
    manager = as_user(client, tenants, "MANAGER@A1")
    page = manager.get("/admin/conferences/conference/add/")
    html = page.content.decode()
    assert "Bed free" in html
    assert "already in a meeting" in html  # Bed A1 is offered but marked busy
    assert "Bed B1" not in html
    response = manager.post("/admin/conferences/conference/add/",
                            {"customer": customer.pk, "devices": [free.pk]})
    meeting = Conference.objects.get(participants__device=free)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert meeting.employee == tenants.user("MANAGER@A1")
    refused = manager.post("/admin/conferences/conference/add/",
                           {"customer": customer.pk, "devices": [busy.pk]})
    assert "Device is already in an active meeting" in refused.content.decode()


def test_another_customers_tablet_cannot_be_smuggled_in(client, tenants):
    foreign = Device.objects.get(customer__name="B1")
    response = as_user(client, tenants, "MANAGER@A1").post(
        "/admin/conferences/conference/add/",
        {"customer": tenants.customers["A1"].pk, "devices": [foreign.pk]})
    assert response.status_code == 200
    assert not Conference.objects.filter(participants__device=foreign).count() > 1


def test_the_detail_page_runs_commands_through_the_services(client, tenants):
    meeting = ready_meeting("A1")
    device = meeting.participants.get().device
    manager = as_user(client, tenants, "MANAGER@A1")
    run = f"/admin/conferences/conference/{meeting.pk}/run/"
    detail = manager.get(f"/admin/conferences/conference/{meeting.pk}/change/")
    assert detail.status_code == 200
    assert "Start on tablets" in detail.content.decode()
    manager.post(run, {"action": "volume", "device": device.pk, "volume": "30"})
    camera = manager.post(run, {"action": "camera", "device": device.pk, "value": "off"},
                          follow=True)
    assert [str(m) for m in camera.context["messages"]] == [
        f"Set volume 30 sent to {device.name}.", f"Camera off sent to {device.name}."]
    manager.post(run, {"action": "quality", "device": device.pk, "quality": "LOW"})
    manager.post(run, {"action": "start"})
    queued = list(Command.objects.filter(conference_device__conference=meeting)
                  .order_by("created_at").values_list("type", "volume", "value", "quality"))
    assert queued[-4:] == [("SET_VOLUME", 30, None, None), ("CAMERA_ON", None, False, None),
                           ("SET_QUALITY", None, None, "LOW"), ("START_MEETING", None, None, None)]
    assert set(Command.objects.filter(created_by=tenants.user("MANAGER@A1"))
               .values_list("type", flat=True)) >= {"SET_VOLUME", "START_MEETING"}
    page = manager.post(run, {"action": "volume", "device": device.pk, "volume": "200"},
                        follow=True)
    assert "volume must be between 0 and 100" in page.content.decode().lower()
    manager.post(run, {"action": "end"})
    meeting.refresh_from_db()
    assert meeting.end_requested_at is not None


def test_the_timeline_fragment_shows_live_statuses(client, tenants):
    meeting = ready_meeting("A1")
    fragment = as_user(client, tenants, "VIEWER@A1").get(
        f"/admin/conferences/conference/{meeting.pk}/timeline/")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "status-QUEUED" in html
    assert "<html" not in html  # a fragment, swapped into the page


def test_a_viewer_sees_no_controls_and_cannot_run_anything(client, tenants):
    meeting = ready_meeting("A1")
    viewer = as_user(client, tenants, "VIEWER@A1")
    html = viewer.get(f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    assert "Start on tablets" not in html
    assert 'name="action"' not in html
    before = Command.objects.count()
    response = viewer.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                           {"action": "start"})
    assert response.status_code == 403
    assert Command.objects.count() == before
    assert viewer.get("/admin/conferences/conference/add/").status_code == 403


@pytest.mark.parametrize("suffix", ["change/", "timeline/", "run/"])
def test_another_customers_meeting_is_not_found(client, tenants, suffix):
    other = Conference.objects.get(customer__name="B1")
    manager = as_user(client, tenants, "MANAGER@A1")
    response = (manager.post if suffix == "run/" else manager.get)(
        f"/admin/conferences/conference/{other.pk}/{suffix}", {"action": "end"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.end_requested_at is None


# --- Controls follow the meeting's state -------------------------------------------------------

def page_and_fragment(client, meeting) -> list[str]:
    return [client.get(f"/admin/conferences/conference/{meeting.pk}/{suffix}/").content.decode()
            for suffix in ("change", "timeline")]


def test_a_closed_meeting_offers_no_controls_only_a_note(client, tenants):
    meeting = ready_meeting("A1")
    meeting_close(meeting_id=meeting.pk)
    manager = as_user(client, tenants, "MANAGER@A1")
    for html in page_and_fragment(manager, meeting):
        assert 'name="action"' not in html
        assert "device-controls" not in html
        assert "This meeting is closed" in html
        assert 'id="meeting-state">Closed<' in html


def test_an_ending_meeting_offers_no_start_end_or_tablet_controls(client, tenants):
    meeting = ready_meeting("A1")
    meeting_end(meeting=meeting, ended_by=None)
    manager = as_user(client, tenants, "MANAGER@A1")
    for html in page_and_fragment(manager, meeting):
        assert 'name="action"' not in html
        assert "This meeting is ending" in html
        assert 'data-standing="ending"' in html


def test_start_is_offered_only_once_the_room_is_ready_and_retry_only_when_it_failed(
        client, tenants):
    meeting = Conference.objects.get(customer__name="A1")  # still being booked
    manager = as_user(client, tenants, "MANAGER@A1")
    for html in page_and_fragment(manager, meeting):
        assert 'id="btn-start"' not in html
        assert 'id="btn-retry"' not in html
        assert 'id="btn-end"' in html
        assert "device-controls" in html
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX 503")
    for html in page_and_fragment(manager, meeting):
        assert 'id="btn-retry"' in html
        assert 'id="btn-start"' not in html
    meeting = ready_meeting("B1")
    manager = as_user(client, tenants, "MANAGER@B1")
    for html in page_and_fragment(manager, meeting):
        assert 'id="btn-start"' in html
        assert 'id="btn-retry"' not in html


def test_the_live_fragment_shows_the_room_once_provisioned(client, tenants):
    meeting = Conference.objects.get(customer__name="A1")
    viewer = as_user(client, tenants, "VIEWER@A1")
    url = f"/admin/conferences/conference/{meeting.pk}/timeline/"
    before = viewer.get(url).content.decode()
    assert "prov-PENDING" in before
    assert 'id="meeting-room"' not in before
    meeting = ready_meeting("A1")
    after = viewer.get(url).content.decode()
    assert "prov-OK" in after
    assert f"{meeting.uri} · PIN {meeting.pin}" in after
    assert f'href="{meeting.clinical_link}"'.replace("&", "&amp;") in after
    assert 'id="meeting-state">Created<' in after


def end_messages(client, meeting) -> list[tuple[str, str]]:
    page = client.post(f"/admin/conferences/conference/{meeting.pk}/run/", {"action": "end"},
                       follow=True)
    return [(m.level_tag, str(m)) for m in page.context["messages"]]


def test_end_meeting_says_what_really_happened(client, tenants):
    manager = as_user(client, tenants, "MANAGER@A1")
    never_ready = Conference.objects.get(customer__name="A1")
    assert end_messages(manager, never_ready) == [(
        "success", "The meeting is closed. Its room was never ready, so no tablet had joined.")]
    assert end_messages(manager, never_ready) == [
        ("warning", "The meeting is already closed.")]

    manager = as_user(client, tenants, "MANAGER@B1")
    meeting = ready_meeting("B1")
    assert end_messages(manager, meeting) == [
        ("success", "Ending the meeting: every tablet is asked to hang up.")]
    meeting.refresh_from_db()
    assert meeting.end_requested_at is not None
    assert meeting.state != "CLOSED"
    hangups = Command.objects.filter(conference_device__conference=meeting, type="HANGUP")
    assert hangups.count() == 1
    assert end_messages(manager, meeting) == [(
        "warning", "The meeting is already ending: its tablets have been asked to hang up.")]
    assert hangups.count() == 1  # nothing was asked twice


def test_retry_says_whether_there_was_anything_to_retry(
        client, tenants, django_capture_on_commit_callbacks):
    meeting = Conference.objects.get(customer__name="A1")
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX 503")
    manager = as_user(client, tenants, "MANAGER@A1")

    def retry():
        page = manager.post(f"/admin/conferences/conference/{meeting.pk}/run/",
                            {"action": "retry"}, follow=True)
        return [(m.level_tag, str(m)) for m in page.context["messages"]]

    with django_capture_on_commit_callbacks(execute=True):
        assert retry() == [("success", "Provisioning queued again.")]
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"  # the (eager) task booked the fake room
    assert retry() == [("warning", "Provisioning has not failed: there is nothing to retry.")]


# --- The per-tablet controls tell the truth: executed, pending, failed (issue 11, item 1) --------

def control_row(html: str, device) -> str:
    match = re.search(rf'<tr data-device="{device.pk}".*?</tr>', html, re.S)
    assert match, "the tablet's control row"
    return match.group(0)


def on_off(row: str) -> tuple[str, str]:
    camera, microphone = re.findall(
        r'name="action" value="(?:camera|microphone)".*?</form>(?:<small.*?</small>)?', row, re.S)
    return camera, microphone


def finish(type_: str, status: str, error: str = "") -> None:
    Command.objects.filter(type=type_, status__in=["QUEUED", "FETCHED"]).update(
        status=status, error=error, finished_at=timezone.now(),
        executed_at=timezone.now() if status == "EXECUTED" else None)


def test_a_control_shows_what_the_tablet_executed_and_what_is_on_its_way(client, tenants):
    meeting = ready_meeting("A1")
    participant = meeting.participants.get()
    device = participant.device
    ConferenceDevice.objects.filter(pk=participant.pk).update(settings={
        **participant.settings, "volume": 70, "quality": "HIGH", "cameraOn": True,
        "microphoneOn": True})
    Command.objects.filter(conference_device=participant).update(status="CANCELED")
    manager = as_user(client, tenants, "MANAGER@A1")
    detail = f"/admin/conferences/conference/{meeting.pk}/change/"
    row = control_row(manager.get(detail).content.decode(), device)
    assert 'value="70"' in row
    assert '<option value="HIGH" selected>' in row
    assert 'value="on" class="button small current" aria-pressed="true"' in row
    assert 'class="pending"' not in row

    run = f"/admin/conferences/conference/{meeting.pk}/run/"
    manager.post(run, {"action": "volume", "device": device.pk, "volume": "35"})
    manager.post(run, {"action": "quality", "device": device.pk, "quality": "LOW"})
    manager.post(run, {"action": "camera", "device": device.pk, "value": "off"})
    # Sent, not executed: the controls keep the confirmed values and say what is on its way.
    row = control_row(manager.get(detail).content.decode(), device)
    assert 'value="70"' in row
    assert '<option value="HIGH" selected>' in row
    camera, microphone = on_off(row)
    assert 'value="on" class="button small current" aria-pressed="true"' in camera
    assert "Turning the camera off…" in camera
    assert "Setting the volume to 35…" in row
    assert "Setting the quality to Low…" in row

    # Executed: now the tablet's value.
    finish("SET_VOLUME", "EXECUTED")
    finish("CAMERA_ON", "EXECUTED")
    row = control_row(manager.get(detail).content.decode(), device)
    assert 'value="35"' in row
    camera, microphone = on_off(row)
    assert 'value="off" class="button small current" aria-pressed="true"' in camera
    assert "Turning the camera" not in camera
    assert 'value="on" class="button small current" aria-pressed="true"' in microphone

    # Failed or expired: back on the confirmed value, and the page says which tablet and why.
    finish("SET_QUALITY", "EXPIRED")
    queue(meeting, device, type="CAMERA_ON", value=True)
    finish("CAMERA_ON", "FAILED", error="camera busy")
    queue(meeting, device, volume=90)
    queue(meeting, device, type="MICROPHONE_ON", value=False)
    finish("MICROPHONE_ON", "CANCELED")
    html = manager.get(detail).content.decode()
    row = control_row(html, device)
    assert '<option value="HIGH" selected>' in row
    camera, microphone = on_off(row)
    assert 'value="off" class="button small current" aria-pressed="true"' in camera
    assert 'value="on" class="button small current" aria-pressed="true"' in microphone
    assert "Setting the volume to 90…" in row
    assert 'value="35"' in row
    found = re.search(r'<ul class="control-failures".*?</ul>', html, re.S)
    assert found
    failures = found.group(0)
    assert f"{device.name} did not turn its camera on: camera busy" in failures
    assert f"{device.name} did not set its quality to Low: it did not fetch the command in time" \
        in failures
    assert "microphone" not in failures

    # Sent again: the new attempt is what counts, the old failure goes.
    manager.post(run, {"action": "camera", "device": device.pk, "value": "on"})
    html = manager.get(detail).content.decode()
    assert "did not turn its camera on" not in html
    assert "Turning the camera on…" in control_row(html, device)


def test_each_tablets_controls_carry_its_online_badge_and_what_the_offline_question_needs(
        client, tenants):
    meeting = ready_meeting("A1")
    device = meeting.participants.get().device
    seen = timezone.now() - timedelta(minutes=6)
    Device.objects.filter(pk=device.pk).update(last_seen_at=seen)
    html = as_user(client, tenants, "MANAGER@A1").get(
        f"/admin/conferences/conference/{meeting.pk}/change/").content.decode()
    row = control_row(html, device)
    assert 'data-online="false"' in row
    assert f'data-seen="{int(seen.timestamp())}"' in row
    assert f"{device.name} has not been seen for __N__ minutes." in row
    assert '<span class="badge off"' in row
    assert 'data-tablets="one"' in row
    assert 'data-ask="Send anyway?"' in html
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    row = control_row(as_user(client, tenants, "MANAGER@A1").get(
        f"/admin/conferences/conference/{meeting.pk}/change/").content.decode(), device)
    assert 'data-online="true"' in row
    assert '<span class="badge ok">' in row


def test_the_page_and_fragment_take_as_many_queries_for_many_tablets_as_for_one(
        client, tenants):
    customer = tenants.customers["A1"]
    devices = [DeviceFactory.create(customer=customer) for _ in range(6)]
    small = MeetingFactory.create(customer=customer, devices=devices[:1])
    big = MeetingFactory.create(customer=customer, devices=devices[1:])
    for meeting in (small, big):
        meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    for device in devices[1:]:
        for volume in (10, 20, 30):
            queue(big, device, volume=volume)
        queue(big, device, type="SET_QUALITY", quality="LOW")
        queue(big, device, type="CAMERA_ON", value=False, created_by=tenants.user("MANAGER@A1"))
    manager = as_user(client, tenants, "MANAGER@A1")
    for suffix in ("change", "timeline"):
        counts = []
        for meeting in (small, big):
            with CaptureQueriesContext(connection) as captured:
                assert manager.get(
                    f"/admin/conferences/conference/{meeting.pk}/{suffix}/").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], suffix
        assert counts[1] <= 8, suffix


def test_the_command_list_names_tablets_and_meetings_and_says_values_in_words(client, tenants):
    from conferences.models import Command

    client.force_login(tenants.user("MANAGER@A1"))
    page = client.get("/admin/conferences/command/")
    command = Command.objects.select_related("conference_device__device").get(
        conference_device__conference__customer__name="A1")
    html = page.content.decode()
    assert command.conference_device.device.name in html
    meeting_id = command.conference_device.conference_id
    assert f'href="/admin/conferences/conference/{meeting_id}/change/"' in html
    assert f"{command.conference_device.device_id} in {meeting_id}" not in html


# --- The meeting page says where things stand (issue 11, item 3) --------------------------------

def test_the_meeting_page_says_where_things_stand_and_labels_its_links(client, tenants):
    meeting = ready_meeting("A1")
    manager = as_user(client, tenants, "MANAGER@A1")
    detail = f"/admin/conferences/conference/{meeting.pk}/change/"
    html = manager.get(detail).content.decode()
    assert re.search(r"<title>Bed A1 · \d\d:\d\d \| FlexCare Conference</title>", html)
    assert html.count(">A1<") == 1  # the customer, once
    assert 'id="meeting-standing">Room ready; waiting for Bed A1 to join.<' in html
    meeting.refresh_from_db()
    for label, link in (("Link for the relative (browser)", meeting.desktop_link),
                        ("Clinical link", meeting.clinical_link),
                        ("Mobile link", meeting.mobile_link)):
        assert f">{label}</a>" in html
        assert f'data-copy="{link}"' in html.replace("&amp;", "&")

    Command.objects.filter(type="START_MEETING").update(
        status="EXECUTED", executed_at=timezone.now(), finished_at=timezone.now())
    Conference.objects.filter(pk=meeting.pk).update(state="STARTED", started_at=timezone.now())
    html = manager.get(detail).content.decode()
    assert 'id="meeting-standing">Bed A1 in meeting.<' in html

    meeting_close(meeting_id=meeting.pk)
    html = manager.get(detail).content.decode()
    assert re.search(r'id="meeting-standing">Closed at \d\d:\d\d\.<', html)
    assert 'id="meeting-links"' not in html
    assert "Link for the relative" not in html


def test_a_new_meeting_says_only_that_it_was_created_and_a_busy_tablet_links_to_its_meeting(
        client, tenants):
    customer = tenants.customers["A1"]
    busy_in = Conference.objects.get(customer=customer)
    free = DeviceFactory.create(customer=customer, name="Bed free")
    manager = as_user(client, tenants, "MANAGER@A1")
    page = manager.get("/admin/conferences/conference/add/").content.decode()
    assert (f'<a class="badge warn" href="/admin/conferences/conference/{busy_in.pk}/change/">'
            "already in a meeting</a>") in page
    created = manager.post("/admin/conferences/conference/add/",
                           {"customer": customer.pk, "devices": [free.pk]}, follow=True)
    assert [str(m) for m in created.context["messages"]] == ["Meeting created."]


def test_the_meeting_list_names_meetings_by_their_beds_and_says_their_state_in_words(
        client, tenants):
    customer = tenants.customers["A1"]
    beds = [DeviceFactory.create(customer=customer, name=f"Bed {n}") for n in (7, 8)]
    meeting = MeetingFactory.create(customer=customer, devices=beds)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    failed = Conference.objects.get(customer=customer, participants__device__name="Bed A1")
    meeting_mark_provisioning_failed(meeting_id=failed.pk, error="VDX 503")
    html = as_user(client, tenants, "MANAGER@A1").get(
        "/admin/conferences/conference/").content.decode()
    rows = html.split('id="result_list"')[1]
    assert re.search(r">Bed 7, Bed 8 · \d\d:\d\d</a>", rows), rows
    assert re.search(r">Bed A1 · \d\d:\d\d</a>", rows)
    assert ">Room ready<" in rows
    assert ">Room could not be booked<" in rows
    assert "VDX 503" in rows
    assert "tablets</a>" not in rows.split("</thead>")[0]  # no count of tablets
    meeting_end(meeting=meeting, ended_by=None)
    rows = client.get("/admin/conferences/conference/").content.decode()
    assert ">Ending…<" in rows.split('id="result_list"')[1]
