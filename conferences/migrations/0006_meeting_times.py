"""Meetings get a start and end time (docs/domain.md#booked-ahead). Existing meetings were all
for now: they started when created and could last the maximum duration, so that is what they
are given; START_MEETING was queued for those already provisioned."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def times_of_meetings_for_now(apps, schema_editor):
    Conference = apps.get_model("conferences", "Conference")
    ConferenceDevice = apps.get_model("conferences", "ConferenceDevice")
    longest = timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)
    Conference.objects.update(start_time=F("created_at"), end_time=F("created_at") + longest)
    Conference.objects.exclude(vdx_booking_id="").update(
        booked_start=F("start_time"), booked_end=F("end_time"))
    Conference.objects.filter(provisioned_at__isnull=False).update(
        start_queued_at=F("provisioned_at"))
    meeting = Conference.objects.filter(pk=OuterRef("conference_id"))
    ConferenceDevice.objects.update(start_time=Subquery(meeting.values("start_time")[:1]),
                                    end_time=Subquery(meeting.values("end_time")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('conferences', '0005_booking_round'),
    ]

    operations = [
        migrations.AddField(
            model_name='conference',
            name='start_time',
            field=models.DateTimeField(null=True, verbose_name='starts'),
        ),
        migrations.AddField(
            model_name='conference',
            name='end_time',
            field=models.DateTimeField(null=True, verbose_name='ends'),
        ),
        migrations.AddField(
            model_name='conference',
            name='booked_start',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='conference',
            name='booked_end',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='conference',
            name='start_queued_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='START_MEETING queued'),
        ),
        migrations.AddField(
            model_name='conference',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('da', 'Dansk')], default='en', max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='conference',
            name='calendar_sequence',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='conference',
            name='guest_link',
            field=models.CharField(blank=True, max_length=1000, verbose_name='guest link'),
        ),
        migrations.AddField(
            model_name='conferencedevice',
            name='start_time',
            field=models.DateTimeField(editable=False, null=True, verbose_name='starts'),
        ),
        migrations.AddField(
            model_name='conferencedevice',
            name='end_time',
            field=models.DateTimeField(editable=False, null=True, verbose_name='ends'),
        ),
        migrations.RunPython(times_of_meetings_for_now, migrations.RunPython.noop),
    ]
