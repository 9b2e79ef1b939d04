from django.db import migrations


class Migration(migrations.Migration):
    """The clear address column goes once 0011 has encrypted every address."""

    dependencies = [("cases", "0011_party_address_encrypted")]

    operations = [migrations.RemoveField(model_name="party", name="address")]
