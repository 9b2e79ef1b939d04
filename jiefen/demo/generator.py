"""Synthetic cases for the demo and for load tests: one generator, so both read alike.

`CaseGenerator.case(received_at)` builds one case in memory — Case, Party, Assignment,
CaseStep and CaseEvent instances, not saved — by replaying the lifecycle the services would
have written: registered → routed → accept → start → resolve → close, with returns,
escalations, suspensions, transfers to statutory routes, withdrawals and refusals mixed in at
realistic rates. Every action has a plausible timestamp; whatever would happen after `now` is
cut off, so recent cases are naturally still open (and some of them overdue). Numbers are not
given here: the writer (demo.services) assigns them from the county's sequence.

Routing replays the RoutingRule table in memory with the same first-match semantics as
cases.routing.route, and due dates come from the same pure `deadline` on the database's
calendar and time-limit rules, so a generated case looks exactly like a registered one.

Personal data is synthetic but well-formed: names from common surnames and given names, ID
numbers with the 安吉 area code, a birth date matching the age and a valid GB 11643 check
digit, and mobile numbers. Encrypting is the slow part (Fernet, ~25 µs a value), so a pool of
people is encrypted once per run and drawn from; the keyed hash always matches the plaintext,
and people drawn twice are simply repeat applicants, as real ones are.
"""

from __future__ import annotations

import copy
import functools
import random
import re
import zoneinfo
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases import routing
from jiefen.cases.choices import (
    AssignmentRole,
    Category,
    Channel,
    Level,
    PartyKind,
    PartyRole,
    ResolvedLevel,
    Status,
    StatutoryRoute,
)
from jiefen.cases.models import Assignment, Case, CaseEvent, CaseStep, Party, RoutingRule
from jiefen.cases.routing import RegionChain
from jiefen.core import pii
from jiefen.deadlines.calendar import WorkCalendar, deadline
from jiefen.deadlines.models import TimeLimitRule
from jiefen.deadlines.selectors import time_limit_rule, work_calendar
from jiefen.demo import text
from jiefen.directory.models import Organization, OrganizationKind, Staff
from jiefen.directory.services import village_short_name
from jiefen.regions.models import Region, RegionLevel
from jiefen.triage.models import CaseTriage, RiskLevel

K = OrganizationKind

# Shares per 1000 cases, after what county centres in Zhejiang publish: neighbours, family and
# debts lead; medical and education are rare.
CATEGORY_WEIGHTS: dict[str, int] = {
    Category.NEIGHBOUR: 180,
    Category.FAMILY: 140,
    Category.DEBT_CONTRACT: 120,
    Category.LABOUR: 110,
    Category.PROPERTY_LAND: 90,
    Category.TRAFFIC: 70,
    Category.PROPERTY_MGMT: 50,
    Category.INHERITANCE: 40,
    Category.VILLAGE_AFFAIRS: 40,
    Category.PUBLIC_ORDER: 40,
    Category.CONSUMER: 30,
    Category.BUSINESS: 25,
    Category.EXPROPRIATION: 20,
    Category.ENVIRONMENT: 20,
    Category.MEDICAL: 10,
    Category.EDUCATION: 10,
    Category.OTHER: 15,
}
CHANNEL_WEIGHTS: dict[str, int] = {
    Channel.WALK_IN: 300,
    Channel.GRID: 200,
    Channel.HOTLINE_12345: 180,
    Channel.ONLINE: 120,
    Channel.POLICE_REFERRAL: 70,
    Channel.COURT_REFERRAL: 50,
    Channel.PETITION: 30,
    Channel.LETTER: 20,
    Channel.LEADER_RECEPTION: 20,
    Channel.OTHER: 10,
}
# Categories whose respondent is an organisation (a firm, hospital, government body).
ORG_RESPONDENT = {
    Category.LABOUR,
    Category.PROPERTY_MGMT,
    Category.CONSUMER,
    Category.ENVIRONMENT,
    Category.EDUCATION,
    Category.MEDICAL,
    Category.EXPROPRIATION,
    Category.VILLAGE_AFFAIRS,
}
STATUTORY_FOR = {
    Category.LABOUR: StatutoryRoute.ARBITRATION,
    Category.EXPROPRIATION: StatutoryRoute.ADMINISTRATIVE,
}

# Lifecycle rates (per case). Returns and escalations are the 推诿 and 上交 the centre counts;
# transfers are the statutory routes (arbitration, litigation) for what mediation cannot end.
P_NOT_ACCEPT = 0.015
P_WITHDRAW_EARLY = 0.006
P_RETURN = 0.05
P_SLOW_ACCEPT = 0.04
P_ESCALATE = 0.06
P_ESCALATE_AGAIN = 0.2
P_SUSPEND = 0.03
P_WITHDRAW = 0.015
P_TRANSFER = 0.022
P_LONG = 0.06
P_STUCK = 0.012
P_CLOSE = 0.96
# Typical handling days by level (median-ish); the county takes the hard ones.
HANDLING_DAYS = {Level.VILLAGE: 4.0, Level.TOWN: 8.0, Level.COUNTY: 15.0}

_OFFICE_START = time(8, 30)
_OFFICE_HOURS = 9.0


def _weighted(weights: dict[str, int]) -> tuple[list[str], list[int]]:
    keys = list(weights)
    return keys, list(accumulate(weights[k] for k in keys))


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of a resident ID number."""
    total = sum(
        int(d) * w
        for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    return "10X98765432"[total % 11]


@dataclass(frozen=True, slots=True)
class Pii:
    """One synthetic value in every stored form: plain, Fernet token, keyed hash, masked."""

    plain: str
    enc: str
    hash: str
    masked: str


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: Pii
    phone: Pii


class PeoplePool:
    """Synthetic residents, encrypted once per run (see the module docstring for why)."""

    def __init__(self, rng: random.Random, *, size: int, area_code: str, today: date):
        self.rng = rng
        self.area_code = area_code
        self._surnames, self._surname_cum = _weighted(dict(text.SURNAMES))
        seen: set[str] = set()
        self.people: dict[bool, list[Person]] = {True: [], False: []}  # by gender: True = male
        for _i in range(size):
            male = rng.random() < 0.52
            person = self._person(today, male)
            if person.id_number.plain not in seen:
                seen.add(person.id_number.plain)
                self.people[male].append(person)
        self.landlines = [
            self._pii_phone(f"0572-5{rng.randrange(10**6):06d}") for _i in range(max(size // 20, 50))
        ]

    def surname(self) -> str:
        return self._surnames[bisect(self._surname_cum, self.rng.random() * self._surname_cum[-1])]

    def name(self, male: bool | None = None) -> str:
        male = self.rng.random() < 0.5 if male is None else male
        return self.surname() + self.rng.choice(text.GIVEN_MALE if male else text.GIVEN_FEMALE)

    def _person(self, today: date, male: bool) -> Person:
        rng = self.rng
        age = min(max(int(rng.gauss(47, 15)), 18), 88)
        birth = date(today.year - age, 1, 1) + timedelta(days=rng.randrange(365))
        order = rng.randrange(500) * 2 + (1 if male else 0)  # odd order digit: male (GB 11643)
        first17 = f"{self.area_code}{birth:%Y%m%d}{order:03d}"
        idn = first17 + id_check_digit(first17)
        phone = rng.choice(text.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return Person(
            name=self.name(male),
            id_number=Pii(idn, pii.encrypt(idn), pii.keyed_hash(idn), pii.mask_id_number(idn)),
            phone=self._pii_phone(phone),
        )

    @staticmethod
    def _pii_phone(phone: str) -> Pii:
        return Pii(phone, pii.encrypt(phone), pii.keyed_hash(phone), pii.mask_phone(phone))

    def person(self, gender: str = "?") -> Person:
        """A resident: "m" male, "f" female, anything else either."""
        male = self.rng.random() < 0.52 if gender not in ("m", "f") else gender == "m"
        return self.rng.choice(self.people[male] or self.people[not male])

    def landline(self) -> Pii:
        return self.rng.choice(self.landlines)


@dataclass
class World:
    """What the generator needs from the database, read once per run."""

    county: Region
    towns: list[Region]
    villages: list[Region]
    orgs: dict[tuple[int, str], Organization]
    rules: list[RoutingRule]
    centre: Organization
    staff_by_org: dict[int, list[int]]
    dispatcher_id: int | None
    clerk_id: int | None
    accept_rule: TimeLimitRule
    handle_rule: TimeLimitRule
    calendar: WorkCalendar
    featured_town_id: int | None = None
    featured_village_id: int | None = None
    tz: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo(settings.TIME_ZONE))
    _due_cache: dict = field(default_factory=dict)
    _workday_cache: dict = field(default_factory=dict)
    _route_cache: dict = field(default_factory=dict)

    @classmethod
    def load(
        cls, county: Region, *, featured_town: Region | None = None, featured_village: Region | None = None
    ) -> World:
        regions = list(Region.objects.filter(county=county).exclude(pk=county.pk).order_by("code"))
        orgs = {
            (o.region_id, o.kind): o
            for o in Organization.objects.filter(is_active=True, region__in=[county, *regions])
            .select_related("region")
            .order_by("-id")
        }
        # order_by("-id") above: the first organisation of a kind wins when a region has two.
        centre = orgs.get((county.pk, K.COUNTY_CENTRE))
        if centre is None:
            from jiefen.cases.routing import county_centre

            centre = county_centre(county)  # raises the service's own "no county centre" error
        staff_by_org: dict[int, list[int]] = {}
        dispatcher_id = clerk_id = None
        for pk, org_id, roles in (
            Staff.objects.filter(is_active=True, organization_id__in=[o.pk for o in orgs.values()])
            .order_by("pk")
            .values_list("pk", "organization_id", "roles")
        ):
            staff_by_org.setdefault(org_id, []).append(pk)
            roles = roles or []
            if org_id == centre.pk and "dispatcher" in roles and dispatcher_id is None:
                dispatcher_id = pk
            if org_id == centre.pk and "clerk" in roles and clerk_id is None:
                clerk_id = pk
        province = county.code[:2]
        return cls(
            county=county,
            towns=[r for r in regions if r.level == RegionLevel.TOWN],
            villages=[r for r in regions if r.level == RegionLevel.VILLAGE],
            orgs=orgs,
            rules=list(
                RoutingRule.objects.filter(is_active=True).select_related("region").order_by("order", "id")
            ),
            centre=centre,
            staff_by_org=staff_by_org,
            dispatcher_id=dispatcher_id,
            clerk_id=clerk_id,
            accept_rule=time_limit_rule("case.accept", province),
            handle_rule=time_limit_rule("case.handle", province),
            calendar=work_calendar(),
            featured_town_id=featured_town.pk if featured_town else None,
            featured_village_id=featured_village.pk if featured_village else None,
        )

    @functools.cached_property
    def _rules_plain(self) -> list[tuple[RoutingRule, RoutingRule, list[str] | None]]:
        """Each rule, a copy of it without keywords (every other condition), and its keywords."""
        out = []
        for rule in self.rules:
            plain = copy.copy(rule)
            plain.keywords = ""
            out.append((rule, plain, routing.rule_keywords(rule.keywords) or None))
        return out

    @functools.cached_property
    def no_rule_explanation(self) -> str:
        return _("No routing rule owns this case: the county centre's dispatchers take it.")

    def route_candidates(
        self, category: str, channel: str, risk: str, town: Region | None, village: Region | None
    ) -> list[tuple[RoutingRule, Organization, tuple[Organization, ...], list[str] | None, str | None]]:
        """The rules that could take a case of this kind, in order, each with its organisation,
        assisting organisations, and either its keywords (still to be checked against the
        text) or, for the first rule without keywords (which ends the list), its explanation."""
        key = (category, channel, risk, town.pk if town else None, village.pk if village else None)
        hit = self._route_cache.get(key)
        if hit is not None:
            return hit
        chain = RegionChain(county=self.county, town=town, village=village)
        levels = [Level.VILLAGE, Level.TOWN, Level.COUNTY]
        out: list = []
        for rule, plain, words in self._rules_plain:
            if rule.category and rule.category != category:
                continue  # routing._matches' first condition, checked here without its message
            try:
                ok, why = routing._matches(
                    plain, category=category, chain=chain, risk=risk, channel=channel, text=""
                )
            except (re.error, ValueError):
                continue  # the service skips (and reports) a rule it cannot evaluate
            org = self.org_at(chain.at(rule.level), [rule.lead_kind]) if ok else None
            if org is None:
                continue
            start = levels.index(rule.level)
            assist: list[Organization] = []
            for kind in rule.assist_kinds or []:
                for level in levels[start:] + list(reversed(levels[:start])):
                    found = self.org_at(chain.at(level), [kind])
                    if found is not None and found.pk != org.pk and found not in assist:
                        assist.append(found)
                        break
            if words is not None:
                out.append((rule, org, tuple(assist), words, None))
            else:
                out.append((rule, org, tuple(assist), None, _route_explanation(rule, why, org)))
                break
        self._route_cache[key] = out
        return out

    def org_at(self, region: Region | None, kinds: list[str]) -> Organization | None:
        if region is None:
            return None
        for kind in kinds:
            org = self.orgs.get((region.pk, kind))
            if org is not None:
                return org
        return None

    def due(
        self, rule: TimeLimitRule, start: datetime, paused: tuple[tuple[date, date], ...] = ()
    ) -> tuple[datetime, bool]:
        """(due moment, provisional) of a step, by the function cases.services uses (cached:
        many steps share a day). A date in a year whose notice is not loaded is provisional,
        exactly as for a real case."""
        # The local day in settings.TIME_ZONE, what timezone.localtime gives (without its
        # per-call lookup of the active zone, which cost more than the rest of this method).
        day = start.astimezone(self.tz).date()
        key = (rule.pk, day, paused)
        hit = self._due_cache.get(key)
        if hit is None:
            end = deadline(day, rule.days, rule.unit, self.calendar, paused)
            at = datetime.combine(end.day, time(23, 59, 59), tzinfo=self.tz)
            hit = self._due_cache[key] = (at, end.provisional)
        return hit

    def is_workday(self, day: date) -> bool:
        hit = self._workday_cache.get(day)
        if hit is None:
            hit = self._workday_cache[day] = self.calendar.is_workday(day)
        return hit


def _route_explanation(rule: RoutingRule, why: str, org: Organization) -> str:
    return _("Rule %(order)s (%(why)s) → %(org)s") % {"order": rule.order, "why": why, "org": org.name}


class Row(dict):
    """A table row as a dict with attribute access: cheap to build (a model instance costs
    ~25 µs in Model.__init__, which dominated generation) and written either through
    bulk_create (demo.services builds instances without __init__) or PostgreSQL COPY."""

    __slots__ = ()
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


@functools.cache
def _defaults(model: type) -> tuple[dict, tuple[str, ...]]:
    values = {f.attname: None if f.primary_key else f.get_default() for f in model._meta.concrete_fields}
    return values, tuple(k for k, v in values.items() if isinstance(v, list | dict))


def _address(address: str) -> dict:
    """A party's address as stored: ciphertext and the masked form (never in clear)."""
    return {"address_enc": pii.encrypt(address), "address_masked": pii.mask_address(address)}


def _row(model: type, **values) -> Row:
    """A row of `model` keyed by attname: its defaults, then `values`."""
    defaults, mutable = _defaults(model)
    row = Row(defaults)
    for key in mutable:
        row[key] = type(row[key])()
    row.update(values)
    return row


class _Stop(Exception):
    """The next action would happen after `now`: the case stays where it is."""


@dataclass
class GeneratedCase:
    """One case and its rows (by attname, unsaved); `number`/`seq`/`year` are set by the writer."""

    case: Row
    parties: list[Row]
    assignments: list[Row]
    steps: list[Row]
    events: list[Row]
    triage: Row | None = None


class CaseGenerator:
    """Builds realistic cases for one county; deterministic for a given `seed` and `now`."""

    def __init__(
        self, world: World, *, seed: int | None = None, now: datetime | None = None, pool_size: int = 3000
    ):
        self.world = world
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.pool = PeoplePool(
            self.rng,
            size=pool_size,
            area_code=world.county.code[:6],
            today=timezone.localtime(self.now).date(),
        )
        self._categories = _weighted(CATEGORY_WEIGHTS)
        self._channels = _weighted(CHANNEL_WEIGHTS)
        weights = {}
        for v in world.villages:
            w = 3 if "社区" in v.name else 2  # communities in the seats are denser
            if v.town_id == world.featured_town_id:
                w *= 2
            if v.pk == world.featured_village_id:
                w *= 6
            weights[v.pk] = w
        self._village_list = world.villages
        self._village_cum = list(accumulate(weights[v.pk] for v in world.villages))
        self._towns_by_id = {t.pk: t for t in world.towns}
        self._letters = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

    # ------------------------------------------------------------------ times

    def received_times(self, count: int, *, days: int = 548) -> list[datetime]:
        """`count` receipt moments over the last `days`, sorted: fewer on weekends, mostly in
        office hours, slowly rising over the period (the centre becomes better known)."""
        rng, now = self.rng, self.now
        out = []
        for _i in range(count):
            # Density rising linearly from 0.7 to 1.3 across the window (inverse CDF sampling).
            u = rng.random()
            frac = (-0.7 + (0.49 + 1.2 * u) ** 0.5) / 0.6
            day = (now - timedelta(days=days * (1 - frac))).astimezone(self.tz).date()
            if day.weekday() >= 5 and rng.random() < 0.6:
                day -= timedelta(days=day.weekday() - 4)  # most weekend contacts wait for Friday's queue
            if rng.random() < 0.8:
                minutes = 510 + rng.random() * 540  # 08:30–17:30
            else:
                minutes = 420 + rng.random() * 900  # 07:00–22:00 (hotline, online)
            moment = datetime.combine(day, time()).replace(tzinfo=self.tz) + timedelta(minutes=minutes)
            out.append(min(moment, now - timedelta(minutes=1 + rng.random() * 30)))
        out.sort()
        return out

    def _office(self, t: datetime) -> datetime:
        """The same or next moment inside office hours of a working day."""
        local = t.astimezone(self.tz)
        day = local.date()
        start = datetime.combine(day, _OFFICE_START, tzinfo=self.tz)
        if local < start:
            local = start + timedelta(minutes=self.rng.random() * 60)
        elif local > start + timedelta(hours=_OFFICE_HOURS):
            day += timedelta(days=1)
            local = datetime.combine(day, _OFFICE_START, tzinfo=self.tz) + timedelta(
                minutes=self.rng.random() * 90
            )
        while not self.world.is_workday(local.date()):
            local += timedelta(days=1)
        return local

    def _later(self, t: datetime, *, hours: float = 0.0, days: float = 0.0) -> datetime:
        return self._office(t + timedelta(hours=hours, days=days))

    # ------------------------------------------------------------------ content

    def _pick(self, table: tuple[list[str], list[int]]) -> str:
        keys, cum = table
        return keys[bisect(cum, self.rng.random() * cum[-1])]

    def _region(self) -> Region:
        village = self._village_list[bisect(self._village_cum, self.rng.random() * self._village_cum[-1])]
        if self.rng.random() < 0.08:
            return self._towns_by_id.get(village.town_id, village)  # a town-level matter, no village
        return village

    def _firm(self, category: str, town: Region | None, village: Region | None) -> str:
        rng = self.rng
        if category == Category.MEDICAL:
            if rng.random() < 0.6:
                return rng.choice(text.HOSPITALS)
            return (
                f"{town.name if town else '安吉县'}卫生院"
                if rng.random() < 0.5
                else f"安吉{rng.choice(text.FIRM_WORDS)}{rng.choice(text.FIRM_KINDS['medical'])}"
            )
        if category == Category.EXPROPRIATION and town is not None:
            return (
                f"安吉县{town.name}{'办事处' if town.name.endswith('街道') else '人民政府'}"
                if rng.random() < 0.7
                else f"安吉{rng.choice(text.FIRM_WORDS)}{rng.choice(text.FIRM_KINDS['expropriation'])}"
            )
        if category == Category.VILLAGE_AFFAIRS and village is not None:
            short = village_short_name(village.name)
            committee = f"{short}民委员会" if short.endswith("村") else f"{short}居民委员会"
            return f"{short}股份经济合作社" if rng.random() < 0.5 else committee
        if category == Category.EDUCATION and rng.random() < 0.4:
            return f"{town.name if town else '安吉县'}{rng.choice(('中心小学', '初级中学', '幼儿园'))}"
        kinds = text.FIRM_KINDS.get(category) or text.FIRM_KINDS["business"]
        return f"安吉{rng.choice(text.FIRM_WORDS)}{rng.choice(kinds)}"

    def _parties(
        self, category: str, group: int, genders: str, town: Region | None, village: Region | None
    ) -> tuple[list[Row], str, str]:
        rng, pool = self.rng, self.pool
        address_base = (
            f"安吉县{town.name if town else ''}{village_short_name(village.name) if village else ''}"
        )
        parties = []
        for i in range(group):
            person = pool.person(genders[0] if i == 0 else "?")
            parties.append(
                _row(
                    Party,
                    role=PartyRole.APPLICANT,
                    kind=PartyKind.PERSON,
                    name=person.name,
                    id_number_enc=person.id_number.enc,
                    id_number_hash=person.id_number.hash,
                    id_number_masked=person.id_number.masked,
                    phone_enc=person.phone.enc,
                    phone_hash=person.phone.hash,
                    phone_masked=person.phone.masked,
                    **_address(f"{address_base}{rng.randrange(1, 300)}号"),
                    sex=pii.id_number_sex(person.id_number.plain),
                    birth_date=pii.id_number_birth_date(person.id_number.plain),
                )
            )
        # Walk-ins give their ID; a few applicants in a group give only a phone.
        for p in parties[1:]:
            if rng.random() < 0.3:
                p.id_number_enc = p.id_number_hash = p.id_number_masked = ""
        applicant = parties[0].name
        org_respondent = category in ORG_RESPONDENT or (
            category in (Category.DEBT_CONTRACT, Category.BUSINESS, Category.TRAFFIC) and rng.random() < 0.25
        )
        if org_respondent:
            respondent = self._firm(category, town, village)
            landline = pool.landline()
            parties.append(
                _row(
                    Party,
                    role=PartyRole.RESPONDENT,
                    kind=PartyKind.ORGANIZATION,
                    name=respondent,
                    phone_enc=landline.enc,
                    phone_hash=landline.hash,
                    phone_masked=landline.masked,
                )
            )
        else:
            person = pool.person(genders[1])
            respondent = person.name
            known_id = rng.random() < 0.5  # the applicant often knows only the other side's name and phone
            parties.append(
                _row(
                    Party,
                    role=PartyRole.RESPONDENT,
                    kind=PartyKind.PERSON,
                    name=person.name,
                    id_number_enc=person.id_number.enc if known_id else "",
                    id_number_hash=person.id_number.hash if known_id else "",
                    id_number_masked=person.id_number.masked if known_id else "",
                    phone_enc=person.phone.enc,
                    phone_hash=person.phone.hash,
                    phone_masked=person.phone.masked,
                )
            )
        if category == Category.TRAFFIC and rng.random() < 0.5:
            parties.append(
                _row(
                    Party,
                    role=PartyRole.THIRD_PARTY,
                    kind=PartyKind.ORGANIZATION,
                    name=rng.choice(text.INSURERS),
                )
            )
        return parties, applicant, respondent

    def _describe(
        self,
        situation: str,
        requests: tuple[str, ...],
        channel: str,
        a: str,
        b: str,
        n: int,
        town: Region | None,
        village: Region | None,
    ) -> tuple[str, str, bool]:
        rng = self.rng
        slots = {
            "a": a,
            "b": b,
            "n": n,
            "y": rng.randrange(2, 25),
            "m": rng.randrange(2, 14),
            "amt": f"{rng.choice((0.3, 0.5, 0.8, 1, 1.2, 1.5, 2, 2.6, 3, 4.5, 6, 8, 12, 20)) * 10000:,.0f}",
            "when": rng.choice(text.WHEN),
            "t": town.name if town else "本镇",
            "v": village_short_name(village.name) if village else (town.name if town else "本村"),
        }
        opening = rng.choice(text.OPENINGS[channel])
        if "{a}" in opening:
            # The opening already named the applicant: 来电人王某反映，其于… rather than 王某反映，王某于…
            if situation.startswith("{a}反映"):
                situation = situation[len("{a}反映") :]
            elif situation.startswith(("{a}的", "{a}之")):
                situation = "其" + situation[len("{a}的") :]
            elif situation.startswith("{a}") and not situation.startswith("{a}等"):
                situation = "其" + situation[len("{a}") :]
        detail = rng.choice(text.DETAILS)
        risky = rng.random() < 0.02
        if risky:
            detail += rng.choice(text.HIGH_RISK_DETAILS)
        request = rng.choice(requests)
        description = (opening + situation + detail + "。" + "现" + request + "。").format(**slots)
        return description, request.format(**slots), risky

    # ------------------------------------------------------------------ the case

    def case(self, received_at: datetime) -> GeneratedCase:
        """One case received at `received_at`, its lifecycle played up to `now`."""
        rng, world = self.rng, self.world
        category = self._pick(self._categories)
        channel = self._pick(self._channels)
        region = self._region()
        village = region if region.level == RegionLevel.VILLAGE else None
        town = self._towns_by_id.get(region.town_id) if village else region
        situation, requests, genders = rng.choice(text.SITUATIONS[category])
        n = rng.randrange(3, 9)
        # "{a}等5名工人": a group matter, with as many applicants as the text says (up to six
        # recorded; the rest are represented, 信访工作条例 第20条).
        group = min(n, 6) if "{a}等" in situation else 1
        parties, a, b = self._parties(category, group, genders, town, village)
        description, request, risky = self._describe(situation, requests, channel, a, b, n, town, village)
        delay = {Channel.WALK_IN: 0.1, Channel.GRID: 3, Channel.LETTER: 30, Channel.ONLINE: 6}.get(channel, 2)
        registered_at = min(received_at + timedelta(hours=rng.random() * delay), self.now)
        if channel in (Channel.LETTER, Channel.ONLINE):
            registered_at = min(self._office(registered_at), self.now)
        registrar = self._registrar(channel, village)
        case = _row(
            Case,
            county_id=world.county.pk,
            channel=channel,
            description=description,
            request=request,
            category=category,
            status=Status.REGISTERED,
            region_id=region.pk,
            town_id=town.pk if town else None,
            village_id=village.pk if village else None,
            received_at=received_at,
            registered_at=registered_at,
            registered_by_id=registrar,
            version=1,
            query_code_hash=pii.keyed_hash("qc:" + "".join(rng.choice(self._letters) for _i in range(8))),
        )
        sim = _Sim(self, case, town, village)
        if risky:
            sim.risk = RiskLevel.RED
        elif group >= 5:
            sim.risk = RiskLevel.ORANGE  # a group matter (≥5 people, 信访工作条例 第20条)
        sim.register(registered_at, registrar)
        try:
            self._play(sim, category)
        except _Stop:
            pass
        return GeneratedCase(
            case=case,
            parties=parties,
            assignments=sim.assignments,
            steps=sim.steps,
            events=sim.events,
            triage=sim.triage,
        )

    def _registrar(self, channel: str, village: Region | None) -> int | None:
        world = self.world
        if channel == Channel.ONLINE:
            return None  # the citizen registered it
        if channel == Channel.GRID and village is not None:
            org = world.orgs.get((village.pk, K.VILLAGE_COMMITTEE))
            staff = world.staff_by_org.get(org.pk) if org else None
            return staff[0] if staff else None
        return world.clerk_id

    def _play(self, sim: _Sim, category: str) -> None:
        rng = self.rng
        t = sim.t
        if rng.random() < P_NOT_ACCEPT:
            reason, route = rng.choice(text.NOT_ACCEPT_REASONS)
            sim.not_accept(self._later(t, hours=rng.uniform(1, 48)), reason, route)
            return
        if rng.random() < P_WITHDRAW_EARLY:
            sim.withdraw(self._later(t, hours=rng.uniform(1, 72)))
            return
        if sim.level != Level.COUNTY and rng.random() < P_RETURN:
            t = sim.return_(self._later(t, hours=rng.uniform(2, 50)))
            t = sim.route(self._later(t, hours=rng.uniform(0.5, 20)))
        slow = rng.random() < P_SLOW_ACCEPT
        t = sim.accept(self._later(t, days=rng.uniform(3.5, 9) if slow else rng.expovariate(1 / 0.9)))
        t = sim.start(self._later(t, hours=rng.expovariate(1 / 6)))
        if sim.level != Level.COUNTY and rng.random() < P_ESCALATE:
            for _i in range(2):
                t = sim.escalate(self._later(t, days=rng.uniform(2, 18)))
                t = sim.accept(self._later(t, days=rng.expovariate(1 / 0.8)))
                t = sim.start(self._later(t, hours=rng.expovariate(1 / 8)))
                if sim.level == Level.COUNTY or rng.random() > P_ESCALATE_AGAIN:
                    break
        if rng.random() < P_SUSPEND:
            t = sim.suspend(self._later(t, days=rng.uniform(1, 10)))
            t = sim.resume(self._later(t, days=rng.uniform(5, 40)))
        if rng.random() < P_WITHDRAW:
            sim.withdraw(self._later(t, days=rng.uniform(1, 15)))
            return
        if rng.random() < P_TRANSFER:
            route = STATUTORY_FOR.get(category, StatutoryRoute.LITIGATION)
            t = sim.transfer(self._later(t, days=rng.uniform(3, 25)), route)
            if rng.random() < 0.7:
                t = sim.resolve(self._later(t, days=rng.uniform(30, 200)))
            t = sim.close(self._later(t, days=rng.uniform(1, 20)))
            return
        median = HANDLING_DAYS[sim.level]
        if rng.random() < P_STUCK:
            days = rng.uniform(90, 400)
        elif rng.random() < P_LONG:
            days = rng.uniform(31, 100)
        else:
            days = min(rng.lognormvariate(0, 0.8) * median, 29)
        t = sim.resolve(self._later(t, days=days))
        if rng.random() < P_CLOSE:
            sim.close(self._later(t, days=rng.uniform(1, 12)))


class _Sim:
    """Plays one case's lifecycle with the side effects of cases.services._apply, in memory."""

    def __init__(self, gen: CaseGenerator, case: Row, town: Region | None, village: Region | None):
        self.gen = gen
        self.world = gen.world
        self.case = case
        self.town = town
        self.village = village
        self.events: list[Row] = []
        self.assignments: list[Row] = []
        self.steps: list[Row] = []
        self.lead: Organization = gen.world.centre
        self.level = Level.COUNTY
        self.t = case.registered_at
        self.risk = RiskLevel.BLUE
        self.triage: Row | None = None

    # -- helpers

    def _at(self, t: datetime) -> datetime:
        t = max(t, self.t)
        if t > self.gen.now:
            raise _Stop
        self.t = t
        return t

    def _actor(self, org: Organization | None = None) -> int | None:
        # Staff of the acting organisation when the demo has some; otherwise the event names the
        # organisation in its data and no person (never a wrong person).
        staff = self.world.staff_by_org.get((org or self.lead).pk)
        return self.gen.rng.choice(staff) if staff else None

    def _event(
        self, kind: str, actor: int | None, *, to_status: str, reason: str = "", data: dict | None = None
    ):
        case = self.case
        from_status = "" if kind == "registered" else case.status
        self.events.append(
            _row(
                CaseEvent,
                at=self.t,
                actor_id=actor,
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
                data=data or {},
            )
        )
        if kind not in ("registered", "routed"):
            case.version += 1
        case.status = to_status

    def _assign(self, org: Organization, level: str, note: str) -> None:
        for a in self.assignments:
            if a.is_active and a.role == AssignmentRole.LEAD:
                a.is_active, a.ended_at = False, self.t
        self.assignments.append(
            _row(
                Assignment,
                organization_id=org.pk,
                role=AssignmentRole.LEAD,
                level=level,
                is_active=True,
                started_at=self.t,
                note=note,
            )
        )
        self.lead, self.level = org, level
        self.case.lead_organization_id, self.case.level = org.pk, level

    def _end_step(self) -> None:
        for s in self.steps:
            if s.ended_at is None:
                s.ended_at = self.t
        self.case.due_at, self.case.due_provisional = None, False

    def _start_step(self, code: str, rule: TimeLimitRule, start: datetime) -> None:
        self._end_step()
        due, provisional = self.world.due(rule, start)
        self.steps.append(
            _row(
                CaseStep,
                code=code,
                rule_id=rule.pk,
                started_at=start,
                due_at=due,
                due_provisional=provisional,
            )
        )
        self.case.due_at, self.case.due_provisional = due, provisional

    def _current_step(self) -> Row | None:
        open_steps = [s for s in self.steps if s.ended_at is None]
        return open_steps[-1] if open_steps else None

    # -- the actions (same names, data and side effects as the services)

    def register(self, t: datetime, actor: int | None) -> None:
        world, case = self.world, self.case
        self.t = t
        self._event(
            "registered",
            actor,
            to_status=Status.REGISTERED,
            data={"channel": case.channel, "received_at": case.received_at.isoformat()},
        )
        org, level, rule, explanation, assist = self._route()
        self._assign(org, level, "routing")
        for other in assist:
            self.assignments.append(
                _row(
                    Assignment,
                    organization_id=other.pk,
                    role=AssignmentRole.ASSIST,
                    level=other.region.level,
                    is_active=True,
                    started_at=t,
                    note="routing",
                )
            )
        self._start_step("acceptance", world.accept_rule, case.received_at)
        self._event(
            "routed",
            actor,
            to_status=Status.TRIAGED,
            reason=explanation,
            data={
                "organization": org.pk,
                "organization_name": org.name,
                "level": level,
                "rule": rule.pk if rule else None,
                "triage": {
                    "category": case.category,
                    "category_given": True,
                    "risk": self.risk,
                    "assist": [o.name for o in assist],
                },
            },
        )
        # What triage.services.triage_rows builds; search_text needs the number (the writer's).
        self.triage = _row(
            CaseTriage,
            confirmed_category=case.category,
            confirmed_by_id=actor,
            confirmed_at=t,
            risk_level=self.risk,
            risk_at=t,
            routing={
                "rule": rule.pk if rule else None,
                "rule_order": rule.order if rule else None,
                "level": level,
                "lead": {"id": org.pk, "name": org.name, "kind": org.kind},
                "assist": [{"id": o.pk, "name": o.name, "kind": o.kind} for o in assist],
                "explanation": explanation,
                "needs_review": False,
            },
        )

    def _route(self) -> tuple[Organization, str, RoutingRule | None, str, list[Organization]]:
        """cases.routing.route on the in-memory directory: the same rule conditions (its
        `_matches`), the first match whose organisation exists wins, its assisting kinds are
        found nearest in the chain; the county centre when nothing applies.

        Only keywords depend on the text: everything else is decided once per (category,
        channel, risk, town, village) and kept (`World.route_candidates`)."""
        case, world = self.case, self.world
        candidates = world.route_candidates(case.category, case.channel, self.risk, self.town, self.village)
        text = None
        for rule, org, assist, words, explanation in candidates:
            if words is not None:
                if text is None:
                    text = f"{case.description}\n{case.request}"
                try:
                    if not any((re.search(w[3:], text) if w.startswith("re:") else w in text) for w in words):
                        continue
                    ok, why = routing._matches(
                        rule,
                        category=case.category,
                        chain=RegionChain(county=world.county, town=self.town, village=self.village),
                        risk=self.risk,
                        channel=case.channel,
                        text=text,
                    )
                except (re.error, ValueError):
                    continue  # the service skips (and reports) a rule it cannot evaluate
                if not ok:
                    continue
                explanation = _route_explanation(rule, why, org)
            return org, rule.level, rule, explanation, list(assist)
        return world.centre, Level.COUNTY, None, world.no_rule_explanation, []

    def not_accept(self, t: datetime, reason: str, legal_route: str) -> datetime:
        self._at(t)
        self.case.legal_route_told = legal_route
        self.case.closed_at = t
        self._end_step()
        self._event(
            "not_accept",
            self.world.dispatcher_id,
            to_status=Status.NOT_ACCEPTED,
            reason=reason,
            data={"legal_route": legal_route},
        )
        return t

    def withdraw(self, t: datetime) -> datetime:
        self._at(t)
        self._end_step()
        self.case.closed_at = t
        self._event(
            "withdraw",
            self._actor(),
            to_status=Status.WITHDRAWN,
            reason=self.gen.rng.choice(text.WITHDRAW_REASONS),
        )
        return t

    def return_(self, t: datetime) -> datetime:
        self._at(t)
        before = self.lead
        actor = self._actor()
        self._assign(self.world.centre, Level.COUNTY, "returned")
        self.case.return_count += 1
        self._start_step("acceptance", self.world.accept_rule, t)
        self._event(
            "return",
            actor,
            to_status=Status.TRIAGED,
            reason=self.gen.rng.choice(text.RETURN_REASONS),
            data={"returned_by": before.pk, "returned_by_name": before.name, "to": self.world.centre.name},
        )
        return t

    def route(self, t: datetime) -> datetime:
        """The dispatcher re-routes a returned case to the town centre (or keeps it)."""
        self._at(t)
        before = self.lead.name
        target = self.world.org_at(self.town, [K.TOWN_CENTRE, K.TOWN_COMMITTEE]) or self.world.centre
        self._assign(target, target.region.level, "dispatcher")
        self._start_step("acceptance", self.world.accept_rule, t)
        self._event(
            "route",
            self.world.dispatcher_id,
            to_status=Status.TRIAGED,
            data={"from": before, "to": target.name, "level": self.level},
        )
        return t

    def accept(self, t: datetime) -> datetime:
        self._at(t)
        self._start_step("handling", self.world.handle_rule, t)
        self._event("accept", self._actor(), to_status=Status.ACCEPTED, data={"organization": self.lead.name})
        return t

    def start(self, t: datetime) -> datetime:
        self._at(t)
        self._event("start", self._actor(), to_status=Status.IN_PROGRESS)
        return t

    def escalate(self, t: datetime) -> datetime:
        self._at(t)
        target_level = Level.TOWN if self.level == Level.VILLAGE else Level.COUNTY
        chain = {Level.TOWN: self.town, Level.COUNTY: self.world.county}
        kinds = (
            [K.COUNTY_CENTRE]
            if target_level == Level.COUNTY
            else [K.TOWN_CENTRE, K.TOWN_COMMITTEE, K.JUSTICE_OFFICE]
        )
        target = self.world.org_at(chain[target_level], kinds) or self.world.centre
        before, actor = (self.lead.name, self.level), self._actor()
        self._assign(target, target_level, "escalate")
        self.case.escalation_count += 1
        self._start_step("acceptance", self.world.accept_rule, t)
        self._event(
            "escalate",
            actor,
            to_status=Status.TRIAGED,
            reason=self.gen.rng.choice(text.ESCALATE_REASONS),
            data={"from": before[0], "from_level": before[1], "to": target.name, "to_level": target_level},
        )
        return t

    def suspend(self, t: datetime) -> datetime:
        self._at(t)
        step = self._current_step()
        if step is not None:
            step.paused_since = t
        self.case.due_at, self.case.due_provisional = None, False
        self._event(
            "suspend",
            self._actor(),
            to_status=Status.SUSPENDED,
            reason=self.gen.rng.choice(text.SUSPEND_REASONS),
        )
        return t

    def resume(self, t: datetime) -> datetime:
        self._at(t)
        step = self._current_step()
        data = {}
        if step is not None and step.paused_since is not None:
            first = step.paused_since.astimezone(self.gen.tz).date()
            last = t.astimezone(self.gen.tz).date()
            step.paused_intervals = [*step.paused_intervals, [first.isoformat(), last.isoformat()]]
            step.paused_since = None
            paused = tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in step.paused_intervals)
            rule = self.world.handle_rule if step.code == "handling" else self.world.accept_rule
            step.due_at, step.due_provisional = self.world.due(rule, step.started_at, paused)
            self.case.due_at, self.case.due_provisional = step.due_at, step.due_provisional
            data = {"paused": [first.isoformat(), last.isoformat()]}
        self._event("resume", self._actor(), to_status=Status.IN_PROGRESS, data=data)
        return t

    def transfer(self, t: datetime, route: str) -> datetime:
        self._at(t)
        self.case.statutory_route = route
        self._end_step()
        self._event(
            "transfer",
            self._actor(),
            to_status=Status.TRANSFERRED,
            reason=self.gen.rng.choice(text.TRANSFER_REASONS[route]),
            data={"statutory_route": route},
        )
        return t

    def resolve(self, t: datetime) -> datetime:
        self._at(t)
        case = self.case
        case.resolved_level = ResolvedLevel.STATUTORY if case.status == Status.TRANSFERRED else self.level
        case.resolved_at = t
        self._end_step()
        self._event(
            "resolve",
            self._actor(),
            to_status=Status.RESOLVED,
            reason=self.gen.rng.choice(text.RESOLUTIONS),
            data={"resolved_level": case.resolved_level},
        )
        return t

    def close(self, t: datetime) -> datetime:
        self._at(t)
        self.case.closed_at = t
        self._end_step()
        self._event(
            "close", self._actor(), to_status=Status.CLOSED, reason=self.gen.rng.choice(text.CLOSE_NOTES)
        )
        return t
