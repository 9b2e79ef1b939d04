"""Personal data (PIPL): encryption at rest, keyed hashes for lookup, masking for display.

An ID number or phone is stored three ways: Fernet ciphertext (the only way back to the full
value, used by a logged reveal), an HMAC-SHA256 keyed hash (to find the same person without
plaintext), and a masked string for screens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    from jiefen.core.keycheck import ensure_database_keys

    ensure_database_keys()  # once per process: never write under keys the database does not use
    return _fernet(settings.JIEFEN_PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.JIEFEN_PII_KEY).decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(settings.JIEFEN_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_error(value: str):
    """Return why a resident ID number (GB 11643-1999) is invalid, or None when it is valid."""
    if not _ID_RE.match(value):
        return _("An ID number has 18 characters: 17 digits and a check digit (0-9 or X).")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return _("The check digit of this ID number is wrong; please check the number.")
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    import datetime

    try:
        datetime.date(year, month, day)
    except ValueError:
        return _("The date of birth in this ID number does not exist.")
    if year < 1900:
        return _("The date of birth in this ID number does not exist.")
    return None


def normalize_phone(value: str) -> str:
    v = re.sub(r"[\s()]", "", value.strip())
    if v.startswith("+86"):
        v = v[3:]
    return v


def phone_error(value: str):
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return None
    return _("Enter a mobile number (11 digits starting with 1) or a landline with area code.")


def mask_id_number(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return digits[:-4].rstrip()[:4] + "*" * max(len(digits) - 8, 0) + digits[-4:]


def id_number_birth_date(value: str):
    """The date of birth a valid GB 11643 ID number carries (digits 7–14), or None."""
    import datetime

    if not value or id_number_error(value):
        return None
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_sex(value: str) -> str:
    """ "M" or "F" from a valid GB 11643 ID number (the 17th digit: odd for men), else ""."""
    if not value or id_number_error(value):
        return ""
    return "M" if int(value[16]) % 2 else "F"


def mask_address(value: str) -> str:
    """The first part of an address (province, county, town: up to 6 characters, at most
    half of it) and stars for the rest: enough to recognise, not to find a door."""
    value = (value or "").strip()
    if not value:
        return ""
    keep = min(6, len(value) // 2)
    return value[:keep] + "****"
