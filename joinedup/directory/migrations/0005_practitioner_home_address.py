"""Practitioners may have a home address and postcode (ADR 0045). Nullable, so SQLite adds the columns
in place and keeps the table's access_version trigger (a rebuilt table would lose it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0004_access_version_on_organisation_move'),
    ]

    operations = [
        migrations.AddField(
            model_name='practitioner',
            name='home_address',
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='practitioner',
            name='home_postcode',
            field=models.CharField(blank=True, max_length=10, null=True),
        ),
    ]
