"""One-time codes: wrong tries are counted durably (the count used to be rolled back with the
refusal), limited per code and per phone; rate limits live in a cache every worker shares."""

import pytest
from django.test import RequestFactory

from jiefen.core.errors import ValidationFailed
from jiefen.portal import services
from jiefen.portal.models import TrackingCode

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def _case(anji, n=0, phone=PHONE):
    from jiefen.cases.services import PartyInput, case_register

    return case_register(
        channel="online",
        region=anji.village,
        description=f"第{n}件事情",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明", phone=phone)],
    )


def _track(sub):
    return services.tracking_code_send(number=sub.case.number, query_code=sub.query_code)


def _wrong(case_id):
    with pytest.raises(ValidationFailed) as exc:
        services.tracking_code_verify(case_id=case_id, code="abcdef")
    return exc.value.code


def test_a_wrong_code_is_counted_and_five_void_the_code(anji, frozen_now):
    # given
    sub = _case(anji)
    case = _track(sub)
    # when
    first = _wrong(case.pk)
    after_one = TrackingCode.objects.get().attempts
    codes = [_wrong(case.pk) for _ in range(5)]
    # then
    assert first == "code_wrong" and after_one == 1
    assert codes == ["code_wrong"] * 4 + ["code_expired"]
    assert TrackingCode.objects.get().attempts == services.CODE_ATTEMPTS


def test_wrong_tries_are_limited_per_phone_across_codes_and_cases(anji, frozen_now):
    # given: three cases of one phone, a fresh code for each
    subs = [_case(anji, n) for n in range(3)]
    # when: four wrong tries on each of the first two codes, then two on the third
    results = []
    for sub in subs:
        case = _track(sub)
        results += [_wrong(case.pk) for _ in range(4)]
    # then: the tenth wrong try is the last one allowed for this phone
    assert results[:10] == ["code_wrong"] * 10
    assert results[10:] == ["rate_limited"] * 2


def test_codes_sent_to_one_phone_are_limited(anji, frozen_now):
    # given
    subs = [_case(anji, n) for n in range(4)]
    # when
    outcomes = []
    for sub in subs:
        for _ in range(2):
            try:
                _track(sub)
                outcomes.append("sent")
            except ValidationFailed as exc:
                outcomes.append(exc.code)
    # then
    assert outcomes == ["sent"] * services.CODES_PER_PHONE + ["rate_limited"] * (8 - services.CODES_PER_PHONE)


def test_rate_limits_live_in_a_cache_all_workers_share():
    # given: the embedded default's settings (no REDIS_URL) and its cache table
    import importlib

    from django.core.cache.backends.db import DatabaseCache

    local = importlib.import_module("jiefen.settings.local")
    conf = local.CACHES["default"]
    one_worker = DatabaseCache(conf["LOCATION"], conf)
    other_worker = DatabaseCache(conf["LOCATION"], conf)
    # when
    one_worker.add("rl:probe", 1, timeout=60)
    one_worker.incr("rl:probe")
    # then: a table of the database, so every worker process reads the same counters
    assert conf["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert other_worker.get("rl:probe") == 2


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        ((), "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (("10.0.0.0/8",), "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        (("10.0.0.0/8",), "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (("10.0.0.0/8",), "192.0.2.7", "203.0.113.9", "192.0.2.7"),  # not from the proxy
        (("10.0.0.0/8",), "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_the_client_address_believes_only_trusted_proxies(settings, proxies, remote, forwarded, expected):
    # given
    from jiefen.core.ratelimit import client_ip

    settings.JIEFEN_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    # when / then
    assert client_ip(request) == expected
