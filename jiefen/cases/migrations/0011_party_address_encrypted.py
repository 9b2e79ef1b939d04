from django.conf import settings
from django.db import migrations


def _mask(value: str) -> str:
    keep = min(6, len(value) // 2)
    return value[:keep] + "****"


def encrypt_addresses(apps, schema_editor):
    """Move each clear address into ciphertext and its masked form; sex and date of birth from
    the ID number where there is one."""
    from cryptography.fernet import Fernet

    Party = apps.get_model("cases", "Party")
    fernet = Fernet(settings.JIEFEN_PII_KEY.encode())
    for party in Party.objects.exclude(address="").iterator(chunk_size=500):
        value = party.address.strip()
        party.address_enc = fernet.encrypt(value.encode()).decode() if value else ""
        party.address_masked = _mask(value) if value else ""
        party.save(update_fields=["address_enc", "address_masked"])
    import datetime

    for party in Party.objects.exclude(id_number_enc="").filter(birth_date__isnull=True).iterator(chunk_size=500):
        idn = fernet.decrypt(party.id_number_enc.encode()).decode()
        try:
            party.birth_date = datetime.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
            party.sex = "M" if int(idn[16]) % 2 else "F"
        except (ValueError, IndexError):
            continue
        party.save(update_fields=["birth_date", "sex"])


def decrypt_addresses(apps, schema_editor):
    from cryptography.fernet import Fernet

    Party = apps.get_model("cases", "Party")
    fernet = Fernet(settings.JIEFEN_PII_KEY.encode())
    for party in Party.objects.exclude(address_enc="").iterator(chunk_size=500):
        party.address = fernet.decrypt(party.address_enc.encode()).decode()[:200]
        party.save(update_fields=["address"])


class Migration(migrations.Migration):
    """Addresses are no longer kept in clear (PIPL): encrypted here, the clear column dropped by
    0012 (in its own transaction: PostgreSQL does not alter a table with pending row checks)."""

    dependencies = [("cases", "0010_party_identity")]

    operations = [migrations.RunPython(encrypt_addresses, decrypt_addresses)]
