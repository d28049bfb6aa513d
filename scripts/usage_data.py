"""Bulk usage data for `benchmark_usage.py`: customers under one reseller, each with tablets
and employees and `per_day` meetings a day for `days` days, every meeting with its tablet and
its commands. Meetings, tablets in them and commands are written by a few INSERT … SELECT
over generate_series (PostgreSQL), so a year for 100 customers takes a minute or two, not
hours of service calls."""

from __future__ import annotations

from datetime import date

from django.db import connection

TABLETS, EMPLOYEES = 20, 10

# One row per meeting, numbered `seq`, with the day and slot it is made for. Of every 50
# slots: 45 held (5 to 59 minutes; four commands each: START_MEETING, SET_VOLUME,
# CAMERA_ON (1 in 10 FAILED) and HANGUP), 3 never started, 1 provisioning failure, 1 held
# (on the last day: still running).
_MEETINGS = """
CREATE TEMP TABLE bench_meeting AS
SELECT seq, lpad(to_hex(seq), 24, '0') AS id, customer_id, employee_id, k, created, started,
       CASE WHEN k %% 50 = 49 AND d = %(days)s - 1 THEN NULL
            ELSE COALESCE(started + (5 + seq %% 55) * interval '1 minute',
                          created + interval '30 minutes') END AS closed,
       CASE WHEN k %% 50 = 48 THEN 'FAILED' ELSE 'OK' END AS provisioning
FROM (
    SELECT ((c.n * %(days)s + d) * %(per_day)s + k) AS seq, c.id AS customer_id,
           u.id AS employee_id, d, k,
           %(first)s::timestamptz + d * interval '1 day' + interval '6 hours'
               + k * (interval '15 hours' / %(per_day)s) AS created,
           CASE WHEN k %% 50 < 45 OR k %% 50 = 49
                THEN %(first)s::timestamptz + d * interval '1 day' + interval '6 hours 1 minute'
                     + k * (interval '15 hours' / %(per_day)s) END AS started
    FROM bench_customer c
    CROSS JOIN generate_series(0, %(days)s - 1) d
    CROSS JOIN generate_series(0, %(per_day)s - 1) k
    JOIN bench_user u ON u.customer_id = c.id AND u.n = k %% %(employees)s
) m
"""

_CONFERENCES = """
INSERT INTO conferences_conference (
    id, customer_id, employee_id, uri, pin, desktop_link, clinical_link, mobile_link,
    vdx_booking_id, guest_link, state, provisioning, provisioning_error, provisioning_attempts,
    booking_round, version, created_at, provisioned_at, started_at, closed_at, start_time,
    end_time, start_queued_at, language, calendar_sequence)
SELECT id, customer_id, employee_id, '', '', '', '', '', '', '',
       CASE WHEN closed IS NOT NULL THEN 'CLOSED' WHEN started IS NOT NULL THEN 'STARTED'
            ELSE 'CREATED' END,
       provisioning, '', 1, 0, 1, created, created, started, closed, created,
       created + interval '4 hours', created, 'da', 0
FROM bench_meeting
"""

# Meetings for now, each of a different slot: their tablets' times do not overlap.
_PARTICIPANTS = """
INSERT INTO conferences_conferencedevice (id, conference_id, device_id, settings, active,
                                          added_at, start_time, end_time)
SELECT lpad(to_hex(m.seq), 24, '0'), m.id, d.id, '{}', m.closed IS NULL, m.created,
       m.created, m.created + interval '4 hours'
FROM bench_meeting m JOIN bench_device d ON d.customer_id = m.customer_id
                                         AND d.n = m.seq %% %(tablets)s
"""

_COMMANDS = """
INSERT INTO conferences_command (
    id, conference_device_id, type, value, volume, quality, status, error, created_at,
    fetched_at, delivery_count, executed_at, finished_at)
SELECT lpad(to_hex(m.seq * 4 + i), 24, '0'), lpad(to_hex(m.seq), 24, '0'),
       (ARRAY['START_MEETING', 'SET_VOLUME', 'CAMERA_ON', 'HANGUP'])[i + 1],
       CASE WHEN i = 2 THEN false END, CASE WHEN i = 1 THEN 50 END, NULL,
       CASE WHEN i = 2 AND m.seq %% 10 = 0 THEN 'FAILED' ELSE 'EXECUTED' END, '',
       m.started + i * interval '1 minute', m.started + i * interval '1 minute', 1,
       m.started + i * interval '1 minute', m.started + i * interval '1 minute'
FROM bench_meeting m CROSS JOIN generate_series(0, 3) i
WHERE m.started IS NOT NULL
"""


def build_usage_world(customers: int, days: int, per_day: int, first: date) -> str:
    """Fills the (test) database; returns the reseller user's e-mail."""
    from accounts.access import AccessLevel
    from accounts.models import Customer, Feature, User
    from accounts.services import customer_create, user_create
    from devices.models import Device

    reseller = customer_create(name="Benchmark Reseller", is_reseller=True)
    hospitals = [customer_create(name=f"Hospital {n:03d}", features=[Feature.FLEXCARE],
                                 parent_reseller=reseller) for n in range(customers)]
    Device.objects.bulk_create(
        Device(customer=c, name=f"Bed {n}", serial=f"B{c.pk}{n:03d}", device_id=f"{c.pk}{n:03d}")
        for c in hospitals for n in range(TABLETS))
    User.objects.bulk_create(
        User(email=f"e{n}@{c.pk}.test", customer=c, access_level=AccessLevel.MANAGER,
             password="!")  # noqa: S106 (an unusable password)
        for c in hospitals for n in range(EMPLOYEES))
    user = user_create(email="reseller@benchmark.test", password=None,
                       access_level=AccessLevel.RESELLER, customer=reseller)
    params: dict[str, int | str] = {
        "days": days, "per_day": per_day, "first": first.isoformat(), "tablets": TABLETS,
        "employees": EMPLOYEES}
    with connection.cursor() as cursor:
        for table, model in (("bench_customer", Customer), ("bench_device", Device),
                             ("bench_user", User)):
            group = "" if model is Customer else "PARTITION BY customer_id"
            where = "WHERE NOT is_reseller" if model is Customer else (
                "WHERE customer_id IS NOT NULL AND access_level = 'MANAGER'"
                if model is User else "")
            cursor.execute(
                f"CREATE TEMP TABLE {table} AS SELECT id, "  # noqa: S608 (constants only)
                f"{'' if model is Customer else 'customer_id, '}"
                f"row_number() OVER ({group} ORDER BY id) - 1 AS n "
                f"FROM {model._meta.db_table} {where}")
        cursor.execute(_MEETINGS, params)
        # The rows are consistent by construction: checking millions of foreign keys one by
        # one would take most of the time (the private server's role is a superuser).
        cursor.execute("SET session_replication_role = replica")
        for statement in (_CONFERENCES, _PARTICIPANTS, _COMMANDS):
            cursor.execute(statement, params)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    return user.email
