"""A tablet may hold several meetings, never overlapping ones: the one-open-meeting index gives
way to an exclusion constraint over the meetings' times (PostgreSQL, with btree_gist; SQLite
relies on the service's check). Guests of meetings, for their e-mail invitations."""

import django.contrib.postgres.fields.ranges
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import conferences.models
import flexcare.constraints
import flexcare.ids


class BtreeGist(BtreeGistExtension):
    """Created on PostgreSQL only (as Django's operation does), and left in place when the
    migration is reversed: unlike Django's, that does not break SQLite, and the extension may
    serve other objects by then."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):

    dependencies = [
        ('conferences', '0006_meeting_times'),
    ]

    operations = [
        # Equality on the tablet's id inside a GiST index (PostgreSQL only; a trusted
        # extension, so the database's owner may create it).
        BtreeGist(),
        migrations.AlterField(
            model_name='conference',
            name='start_time',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='starts'),
        ),
        migrations.AlterField(
            model_name='conference',
            name='end_time',
            field=models.DateTimeField(default=conferences.models.default_end_time, verbose_name='ends'),
        ),
        migrations.AlterField(
            model_name='conferencedevice',
            name='start_time',
            field=models.DateTimeField(editable=False, verbose_name='starts'),
        ),
        migrations.AlterField(
            model_name='conferencedevice',
            name='end_time',
            field=models.DateTimeField(editable=False, verbose_name='ends'),
        ),
        migrations.RemoveConstraint(
            model_name='conferencedevice',
            name='one_open_meeting_per_device',
        ),
        migrations.AddConstraint(
            model_name='conference',
            constraint=models.CheckConstraint(condition=models.Q(('end_time__gt', models.F('start_time'))), name='conference_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='conferencedevice',
            constraint=models.CheckConstraint(condition=models.Q(('end_time__gt', models.F('start_time'))), name='conference_device_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='conferencedevice',
            constraint=flexcare.constraints.PostgresExclusionConstraint(condition=models.Q(('active', True)), expressions=[('device', '='), (flexcare.constraints.TsTzRange('start_time', 'end_time', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&')], name='no_overlapping_meetings_per_device'),
        ),
        migrations.CreateModel(
            name='Guest',
            fields=[
                ('id', flexcare.ids.ObjectIdField(default=flexcare.ids.new_object_id, editable=False, primary_key=True, serialize=False)),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('status', models.CharField(choices=[('PENDING', 'Pending'), ('SENT', 'Sent'), ('FAILED', 'Failed')], default='PENDING', max_length=10, verbose_name='status')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='reason')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('sent_sequence', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('due_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='added')),
                ('conference', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='guests', to='conferences.conference', verbose_name='meeting')),
            ],
            options={
                'verbose_name': 'guest',
                'verbose_name_plural': 'guests',
                'ordering': ['created_at', 'id'],
                'constraints': [
                    models.UniqueConstraint(models.F('conference'), django.db.models.functions.text.Lower('email'), name='guest_once_per_meeting'),
                    models.CheckConstraint(condition=models.Q(('status__in', ['PENDING', 'SENT', 'FAILED'])), name='guest_status_valid'),
                ],
            },
        ),
    ]
