"""Writes to the directory: organisations, staff, API tokens and login lockout.

Organisations of a county are seeded from its imported regions with real names (安吉县公安局,
递铺街道司法所, 鲁家村人民调解委员会 …). Tokens are shown once and stored as SHA-256 only.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiefen.core import clock, rawsql
from jiefen.core.errors import ValidationFailed
from jiefen.core.refcache import reference
from jiefen.directory.models import ApiToken, Organization, OrganizationKind, Role, Staff
from jiefen.regions.models import Region, RegionLevel

K = OrganizationKind

# (name after the county's name, kind): the standard county-level organisations.
COUNTY_ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("社会矛盾纠纷调处化解中心", K.COUNTY_CENTRE),
    ("公安局", K.POLICE),
    ("人民法院", K.COURT),
    ("人民检察院", K.PROCURATORATE),
    ("信访局", K.PETITION_BUREAU),
    ("司法局", K.JUSTICE_BUREAU),
    ("劳动人事争议仲裁院", K.LABOUR_ARBITRATION),
    ("法律援助中心", K.LEGAL_AID),
    ("心理服务中心", K.PSYCH_SERVICE),
    ("市场监督管理局", K.MARKET_REGULATION),
    ("人力资源和社会保障局", K.HUMAN_RESOURCES),
    ("自然资源和规划局", K.NATURAL_RESOURCES),
    ("住房和城乡建设局", K.HOUSING),
    ("医疗纠纷人民调解委员会", K.MEDICAL_COMMITTEE),
    ("交通事故人民调解委员会", K.TRAFFIC_COMMITTEE),
    ("物业纠纷人民调解委员会", K.INDUSTRY_COMMITTEE),
    ("劳动争议人民调解委员会", K.INDUSTRY_COMMITTEE),
)

# (name after the town's name, kind): every town (镇街) has these.
TOWN_ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("社会矛盾纠纷调处化解中心", K.TOWN_CENTRE),
    ("人民调解委员会", K.TOWN_COMMITTEE),
    ("司法所", K.JUSTICE_OFFICE),
    ("派出所", K.POLICE_STATION),
)

# Suffixes of the NBS village name that are the residents' committee, not the place:
# 苕秀社区居委会 → 苕秀社区, 鲁家村委会 → 鲁家村 (村 stays: the committee is 鲁家村人民调解委员会).
_VILLAGE_SUFFIXES = (("居民委员会", ""), ("村民委员会", "村"), ("居委会", ""), ("村委会", "村"))

TOKEN_PREFIX = "jf_"
_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def village_short_name(name: str) -> str:
    """The village's name without the 居委会/村委会 suffix (鲁家村委会 → 鲁家村)."""
    for suffix, keep in _VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def tribunal_towns(towns: Iterable[Region]) -> list[Region]:
    """Towns that get a people's tribunal (人民法庭) in the seeded demo directory.

    Real counties have a handful of tribunals; as demo data we put one at every 镇 and at the
    first 街道 by code (the county seat, whose tribunal also serves the other 街道 and the 乡).
    """
    ordered = sorted(towns, key=lambda t: t.code)
    first_subdistrict = next((t for t in ordered if t.name.endswith("街道")), None)
    return [t for t in ordered if t.name.endswith("镇") or t is first_subdistrict]


def organizations_seed_for_county(*, county: Region) -> int:
    """Create the standard organisations of a county, its towns and villages; returns how many were new.

    Idempotent: an organisation whose name already exists at its region is left as it is
    (renamed or deactivated ones are not recreated under the same name).
    """
    if county.level != RegionLevel.COUNTY:
        raise ValidationFailed(
            _("Organisations are seeded for a county."), fields={"county": [_("Choose a county.")]}
        )
    with transaction.atomic():
        towns = list(Region.objects.filter(county=county, level=RegionLevel.TOWN).order_by("code"))
        villages = list(Region.objects.filter(county=county, level=RegionLevel.VILLAGE).order_by("code"))
        wanted: list[Organization] = [
            Organization(name=f"{county.name}{suffix}", kind=kind, region=county)
            for suffix, kind in COUNTY_ORGANIZATIONS
        ]
        tribunals = {t.pk for t in tribunal_towns(towns)}
        for town in towns:
            wanted += [
                Organization(name=f"{town.name}{suffix}", kind=kind, region=town)
                for suffix, kind in TOWN_ORGANIZATIONS
            ]
            if town.pk in tribunals:
                wanted.append(Organization(name=f"{town.name}人民法庭", kind=K.PEOPLES_TRIBUNAL, region=town))
        wanted += [
            Organization(
                name=f"{village_short_name(v.name)}人民调解委员会", kind=K.VILLAGE_COMMITTEE, region=v
            )
            for v in villages
        ]
        existing = set(
            Organization.objects.filter(Q(region__county=county) | Q(region=county)).values_list(
                "region_id", "name"
            )
        )
        new = [org for org in wanted if (org.region_id, org.name) not in existing]
        Organization.objects.bulk_create(new, batch_size=1000)
    return len(new)


def staff_create(
    *,
    username: str,
    password: str,
    organization: Organization | None,
    roles: Iterable[str],
    display_name: str = "",
) -> Staff:
    """Create a staff member with roles from `Role`; the password is checked and hashed (Argon2)."""
    username = (username or "").strip()
    roles = list(dict.fromkeys(roles))
    errors: dict[str, list[str]] = {}
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        errors["roles"] = [
            _("Unknown role(s): %(roles)s. Known: %(known)s.")
            % {"roles": ", ".join(map(str, unknown)), "known": ", ".join(Role.values)}
        ]
    if not username:
        errors["username"] = [_("A username is required.")]
    elif len(username) > Staff._meta.get_field("username").max_length:
        errors["username"] = [_("The username is too long.")]
    if len(display_name) > Staff._meta.get_field("display_name").max_length:
        errors["display_name"] = [_("The display name is too long.")]
    try:
        validate_password(password, Staff(username=username))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    with transaction.atomic():
        if "username" not in errors and Staff.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This username is taken.")]
        if errors:
            raise ValidationFailed(_("The staff member is not valid."), fields=errors)
        return Staff.objects.create_user(
            username=username,
            password=password,
            organization=organization,
            roles=roles,
            display_name=display_name.strip(),
        )


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(*, staff: Staff, name: str = "") -> str:
    """Issue an API token for a staff member; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            staff=staff, name=name.strip()[:100], key_hash=_token_hash(raw), prefix=raw[:8]
        )
    return raw


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token: it stops authenticating at once and stays listed for the record."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        token.revoked = True


def api_token_authenticate(raw: str) -> Staff | None:
    """The active staff member a raw bearer token belongs to, or None (unknown, revoked, inactive).

    Every request reads the token and its staff member afresh (a revocation or a changed role
    applies to the next request, in every process), with one plain statement: compiling the
    ORM's two-table query and building its objects cost more than the database's work. The
    organisation and its region are reference data (per-process cache, `organization_cached`).
    `last_used_at` is written at most once a minute per token, so busy clients do not turn
    every API read into a write.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    sql, fields = _token_staff_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [_token_hash(raw), False, True])
        row = cursor.fetchone()
    if row is None:
        return None
    (values,) = rawsql.converted([row], fields)
    token_id, last_used_at = values[0], values[1]
    staff = Staff.from_db(connection.alias, [f.attname for f in fields[2:]], values[2:])
    if staff.organization_id is not None:
        Staff.organization.field.set_cached_value(staff, organization_cached(staff.organization_id))
    now = clock.now()
    if last_used_at is None or now - last_used_at >= _TOKEN_TOUCH_INTERVAL:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return staff


@functools.cache
def _token_staff_query() -> tuple[str, tuple]:
    """The statement of `api_token_authenticate` and the fields of its columns: the token's id
    and last use, then every column of its staff member."""
    q = connection.ops.quote_name
    token = ApiToken._meta
    fields = (token.get_field("id"), token.get_field("last_used_at"), *Staff._meta.concrete_fields)
    columns = ", ".join(f"{'t' if f.model is ApiToken else 's'}.{q(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns} FROM {q(token.db_table)} t "
        f"JOIN {q(Staff._meta.db_table)} s ON s.{q('id')} = t.{q('staff_id')} "
        f"WHERE t.{q('key_hash')} = %s AND t.{q('revoked')} = %s AND s.{q('is_active')} = %s"
    )
    return sql, fields


@reference("directory.Organization", "regions.Region")
def organization_cached(organization_id: int) -> Organization | None:
    """An organisation with its region (reference data, cached per process)."""
    return Organization.objects.select_related("region").filter(pk=organization_id).first()


def login_locked(staff: Staff) -> bool:
    """Whether the account is locked out after repeated failures (until `locked_until`)."""
    return staff.locked_until is not None and staff.locked_until > clock.now()


def login_failed(*, staff: Staff) -> bool:
    """Count a failed login; after JIEFEN_LOGIN_MAX_FAILURES the account locks for a while.

    Returns whether the account is now locked. The counter restarts after a lockout.
    """
    with transaction.atomic():
        row = Staff.objects.select_for_update().only("failed_logins", "locked_until").get(pk=staff.pk)
        failures, locked_until = row.failed_logins + 1, row.locked_until
        if failures >= settings.JIEFEN_LOGIN_MAX_FAILURES:
            locked_until = clock.now() + timedelta(minutes=settings.JIEFEN_LOGIN_LOCKOUT_MINUTES)
            failures = 0
        Staff.objects.filter(pk=staff.pk).update(failed_logins=failures, locked_until=locked_until)
        staff.failed_logins, staff.locked_until = failures, locked_until
    return login_locked(staff)


def _address_key(address: str) -> str:
    window = int(clock.now().timestamp() // (settings.JIEFEN_LOGIN_LOCKOUT_MINUTES * 60))
    return f"login-fail:{address}:{window}"


def login_address_blocked(address: str) -> bool:
    """Whether this client address has failed too often (any usernames) in the current window."""
    if not address:
        return False
    from django.core.cache import cache

    return (cache.get(_address_key(address)) or 0) >= settings.JIEFEN_LOGIN_MAX_FAILURES_PER_ADDRESS


def login_address_failed(address: str) -> None:
    """Count a failed login of a client address (the shared cache: every worker sees it)."""
    if not address:
        return
    from django.core.cache import cache

    key = _address_key(address)
    timeout = settings.JIEFEN_LOGIN_LOCKOUT_MINUTES * 60 + 5
    if not cache.add(key, 1, timeout=timeout):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=timeout)


def login_succeeded(*, staff: Staff) -> None:
    """Reset the failure counter and any lockout after a successful login."""
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
        staff.failed_logins, staff.locked_until = 0, None
