"""The one place where the process environment is read.

Every setting that can come from outside is listed here with its default, so that an
operator can see the whole surface in one file (docs/operations.md repeats it).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Env:
    data_dir: Path
    database_url: str
    secret_key: str
    pii_key: str
    hash_key: str
    debug: bool
    allowed_hosts: list[str]
    redis_url: str
    celery_eager: bool
    time_zone: str
    # Notifications (jiefen.notifications): SMS gateway backend "console", "file" or "http".
    sms_backend: str = "console"
    sms_file: str = ""
    sms_http_url: str = ""
    sms_http_key: str = ""
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks).
    trusted_proxies: tuple[str, ...] = ()
    # The citizen portal's public address (QR codes, SMS links) and the centre's contact lines
    # printed on receipts and appended to every SMS to a citizen.
    portal_url: str = "http://127.0.0.1:8000/portal/"
    centre_address: str = ""
    centre_phone: str = ""
    # A TrueType-outline CJK font (.ttf/.ttc) to embed in generated PDFs; blank: look for one.
    pdf_font: str = ""


def _generated_secrets(data_dir: Path, name: str = "secrets.json") -> dict[str, str]:
    """Development secrets: generated once into the data folder, never committed."""
    path = data_dir / name
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    values = {
        "secret_key": secrets.token_urlsafe(50),
        "pii_key": Fernet.generate_key().decode(),
        "hash_key": secrets.token_urlsafe(32),
    }
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values))
    os.chmod(tmp, 0o600)
    try:
        # link() fails if another process won the race; then we read theirs.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return json.loads(path.read_text())


SECRET_VARIABLES = ("JIEFEN_SECRET_KEY", "JIEFEN_PII_KEY", "JIEFEN_HASH_KEY")


class MissingSecrets(RuntimeError):
    """Production settings without their secrets: nothing is generated, the process stops."""


def _secrets_from_file(path: Path) -> dict[str, str]:
    values = json.loads(path.read_text())
    missing = [k for k in ("secret_key", "pii_key", "hash_key") if not values.get(k)]
    if missing:
        raise MissingSecrets(f"{path} lacks {', '.join(missing)}")
    return values


def _production() -> bool:
    return os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")


def read_env() -> Env:
    data_dir = Path(os.environ.get("JIEFEN_DATA_DIR", "./var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'jiefen.sqlite3'}"
    generated: dict[str, str] = {}
    if not all(os.environ.get(k) for k in SECRET_VARIABLES):
        # The secrets come from the environment, else from JIEFEN_SECRETS_FILE (which may live
        # outside the data folder), else — never in production — generated into the data folder.
        secrets_file = os.environ.get("JIEFEN_SECRETS_FILE", "")
        if secrets_file and Path(secrets_file).exists():
            generated = _secrets_from_file(Path(secrets_file))
        elif _production():
            raise MissingSecrets(
                "jiefen.settings.production needs JIEFEN_SECRET_KEY, JIEFEN_PII_KEY and JIEFEN_HASH_KEY "
                "in the environment, or JIEFEN_SECRETS_FILE naming a file that holds them; it never "
                "generates keys (a new key would leave the existing personal data unreadable)."
            )
        elif secrets_file:
            generated = _generated_secrets(Path(secrets_file).parent, Path(secrets_file).name)
        else:
            generated = _generated_secrets(data_dir)
    return Env(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=os.environ.get("JIEFEN_SECRET_KEY") or generated["secret_key"],
        pii_key=os.environ.get("JIEFEN_PII_KEY") or generated["pii_key"],
        hash_key=os.environ.get("JIEFEN_HASH_KEY") or generated["hash_key"],
        debug=os.environ.get("JIEFEN_DEBUG", "0") == "1",
        allowed_hosts=[
            h for h in os.environ.get("JIEFEN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
        ],
        redis_url=os.environ.get("REDIS_URL", ""),
        celery_eager=os.environ.get("JIEFEN_CELERY_EAGER", "1") == "1",
        time_zone=os.environ.get("JIEFEN_TIME_ZONE", "Asia/Shanghai"),
        sms_backend=os.environ.get("JIEFEN_SMS_BACKEND", "console"),
        sms_file=os.environ.get("JIEFEN_SMS_FILE", ""),
        sms_http_url=os.environ.get("JIEFEN_SMS_HTTP_URL", ""),
        sms_http_key=os.environ.get("JIEFEN_SMS_HTTP_KEY", ""),
        portal_url=os.environ.get("JIEFEN_PORTAL_URL", "http://127.0.0.1:8000/portal/"),
        centre_address=os.environ.get("JIEFEN_CENTRE_ADDRESS", ""),
        centre_phone=os.environ.get("JIEFEN_CENTRE_PHONE", ""),
        pdf_font=os.environ.get("JIEFEN_PDF_FONT", ""),
        trusted_proxies=tuple(
            p.strip() for p in os.environ.get("JIEFEN_TRUSTED_PROXIES", "").split(",") if p.strip()
        ),
    )
