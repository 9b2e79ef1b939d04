from django.db import migrations, models


class Migration(migrations.Migration):
    """A party's full identity for documents fit for court: sex and date of birth, the address
    encrypted (ciphertext and a masked form); what a disclosure printed on a document was for."""

    dependencies = [("cases", "0009_case_lead_due")]

    operations = [
        migrations.AddField(
            model_name="party",
            name="sex",
            field=models.CharField(
                blank=True, choices=[("M", "male"), ("F", "female")], max_length=1, verbose_name="sex"
            ),
        ),
        migrations.AddField(
            model_name="party",
            name="birth_date",
            field=models.DateField(blank=True, null=True, verbose_name="date of birth"),
        ),
        migrations.AddField(model_name="party", name="address_enc", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="party",
            name="address_masked",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="piiaccesslog",
            name="purpose",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
    ]
