"""Store every employee's e-mail address in its normal form (accounts.emails), which logins
now look up exactly.

Two addresses with one normal form (say `anna@x.dk` and `ａｎｎａ@x.dk`) would be one login
from now on. Which account the person keeps is not for a migration to guess, so it stops and
names them; rename or delete one of each pair in the admin, then migrate again.
"""

from collections import defaultdict

from django.db import migrations

from accounts.emails import email_normal_form


def normalise_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.values_list("pk", "email"))
    by_form = defaultdict(list)
    for _pk, email in rows:
        by_form[email_normal_form(email)].append(email)
    clashes = [sorted(emails) for emails in by_form.values() if len(emails) > 1]
    if clashes:
        listed = "; ".join(" and ".join(emails) for emails in sorted(clashes))
        raise RuntimeError(
            "These users' e-mail addresses are one address once normalised, so they could "
            f"no longer log in apart: {listed}. Rename or delete one of each, then migrate "
            "again.")
    for pk, email in rows:
        if email_normal_form(email) != email:
            User.objects.filter(pk=pk).update(email=email_normal_form(email))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_auditentry_actor_email"),
    ]

    operations = [
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
