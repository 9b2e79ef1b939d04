"""The related-case lookup itself (triage.related.find_related): one statement, its limits and
filters, and the vectorised bigram Jaccard checked against a plain set implementation."""

import unicodedata
from datetime import timedelta

import pytest

from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput
from jiefen.triage import related
from jiefen.triage.related import find_related, similarities
from jiefen.triage.tests.helpers import register

ID1 = "330523198001011233"
SIMILAR = "孝丰镇横溪坞村村民反映隔壁养猪场臭味很大，污水直接排到河里，多次沟通无果"

TEXTS = [
    SIMILAR,
    SIMILAR.replace("多次沟通无果", "希望尽快处理"),
    "楼上漏水，把我家天花板泡坏了。楼上漏水！",
    "Landlord keeps the DEPOSIT; the landlord says no.",
    "ΟΔΟΣ ΑΣ ΑΣ: Σ σ ς",  # final sigma
    "İstanbul İSTANBUL ﬁne",  # lower-casing that lengthens; a ligature NFKC expands
    "啊" * 500,  # one bigram, longer than TEXT_CHARS
    "甲乙\x00丙丁甲乙",  # NUL inside a text
    "😀😀 abc 😀😀",  # outside the BMP
    "，。！",  # punctuation only
    "a",
    "",
    None,
]


def _reference(text: str | None, candidates: list[str | None]) -> list[float]:
    stop = set(related._PUNCT) | {"\x00"}

    def grams(t: str) -> set[tuple[str, str]]:
        return {(a, b) for a, b in zip(t, t[1:], strict=False) if a not in stop and b not in stop}

    mine = grams(unicodedata.normalize("NFKC", text or "")[: related.TEXT_CHARS].lower())
    out = []
    for c in candidates:
        theirs = grams((c or "")[: related.TEXT_CHARS].lower())
        union = len(mine | theirs)
        out.append(len(mine & theirs) / union if mine and union else 0.0)
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_similarities_equal_plain_set_jaccard(text):
    assert similarities(text, TEXTS).tolist() == _reference(text, TEXTS)


def test_many_candidates_are_scored_in_chunks_with_the_same_result(monkeypatch):
    expected = similarities(SIMILAR, TEXTS * 3).tolist()
    # when
    monkeypatch.setattr(related, "_CHUNK", 4)
    # then
    assert similarities(SIMILAR, TEXTS * 3).tolist() == expected


# ---------------------------------------------------------------- against the database


def _lookup(reg, **kw):
    """find_related as intake calls it, for the parties and text of `reg`'s case."""
    case = reg.case
    parties = list(case.parties.all())
    args = {
        "id_hashes": [p.id_number_hash for p in parties if p.id_number_hash],
        "phone_hashes": [p.phone_hash for p in parties if p.phone_hash],
        "respondent_names": [p.name for p in parties if p.role == "respondent"],
        "description": case.description,
        "county_id": case.county_id,
        "town_id": case.town_id,
        "now": case.received_at,
        "exclude_case_id": case.pk,
    }
    return find_related(**(args | kw))


def _numbers(result) -> list[str]:
    return [r["number"] for r in result.items]


@pytest.mark.django_db
def test_one_statement_per_lookup_and_none_without_anything_to_look_for(
    anji, dispatcher, django_assert_num_queries
):
    register(anji, dispatcher, phone="13812345678", respondent="安吉某某建筑有限公司", text=SIMILAR)
    me = register(anji, dispatcher, phone="13812345678", respondent="安吉某某建筑有限公司", text=SIMILAR)
    # then: person, respondent and similar text in one round trip
    with django_assert_num_queries(1):
        found = _lookup(me)
    assert found.items[0]["reasons"] == ["same_phone", "same_respondent", "similar_text"]
    # and: nothing to look for, no query
    with django_assert_num_queries(0):
        assert _lookup(me, phone_hashes=[], respondent_names=["王"], description="漏水").items == []


@pytest.mark.django_db
def test_only_the_first_characters_of_a_description_are_compared(anji, dispatcher):
    head = register(anji, dispatcher, text=SIMILAR + "啊" * 400, applicant="甲")
    tail = register(anji, dispatcher, text="啊" * 400 + SIMILAR, applicant="乙")
    me = register(anji, dispatcher, text=SIMILAR, applicant="丙")
    # when
    found = {r["number"]: r for r in _lookup(me).items}
    # then
    expected = round(_reference(SIMILAR, [head.case.description])[0], 3)
    assert found[head.case.number]["score"] == expected >= related.SIMILARITY_MIN
    assert tail.case.number not in found


@pytest.mark.django_db
def test_merged_cases_are_never_related(anji, dispatcher):
    other = register(
        anji, dispatcher, phone="13812345678", id_number=ID1, respondent="安吉某某公司", text=SIMILAR
    )
    me = register(
        anji, dispatcher, phone="13812345678", id_number=ID1, respondent="安吉某某公司", text=SIMILAR
    )
    assert _numbers(_lookup(me)) == [other.case.number]
    # when
    Case.objects.filter(pk=other.case.pk).update(status="merged")
    # then
    found = _lookup(me)
    assert (found.items, found.person_cases, found.respondent_open_cases) == ([], 0, 0)


@pytest.mark.django_db
def test_same_respondent_counts_only_in_the_county_and_open_cases_apart(anji, dispatcher, staff_factory):
    from conftest import make_county

    elsewhere = make_county("330281", "余姚市")
    register(elsewhere, staff_factory(elsewhere.org("county_centre"), ["clerk"]), respondent="某某物业公司")
    closed = register(anji, dispatcher, respondent="某某物业公司", applicant="甲", text="物业费纠纷一")
    open_ = register(anji, dispatcher, respondent="某某物业公司", applicant="乙", text="停车位纠纷二")
    Case.objects.filter(pk=closed.case.pk).update(status="closed")
    me = register(anji, dispatcher, respondent="某某物业公司", applicant="丙", text="电梯维修纠纷三")
    # when
    found = _lookup(me)
    # then
    assert _numbers(found) == [open_.case.number, closed.case.number]
    assert found.respondent_open_cases == 1


@pytest.mark.django_db
def test_without_a_town_similar_text_is_looked_for_in_the_county(anji, dispatcher):
    far = register(anji, dispatcher, text=SIMILAR, applicant="甲", region=anji.other_village)
    me = register(anji, dispatcher, text=SIMILAR, applicant="乙")
    assert far.case.number not in _numbers(_lookup(me))
    # when
    found = _lookup(me, town_id=None)
    # then
    assert far.case.number in _numbers(found)


@pytest.mark.django_db
def test_similar_text_only_within_the_window(anji, dispatcher):
    other = register(anji, dispatcher, text=SIMILAR, applicant="甲")
    me = register(anji, dispatcher, text=SIMILAR, applicant="乙")
    later = other.case.received_at + timedelta(days=related.WINDOW_DAYS)
    # then
    assert other.case.number in _numbers(_lookup(me, now=later - timedelta(minutes=1)))
    assert other.case.number not in _numbers(_lookup(me, now=later + timedelta(minutes=1)))


@pytest.mark.django_db
def test_newest_candidates_first_and_ties_broken_by_the_newer_case(anji, dispatcher, monkeypatch):
    older = register(anji, dispatcher, text=SIMILAR, applicant="甲")
    newer = register(anji, dispatcher, text=SIMILAR, applicant="乙")
    me = register(anji, dispatcher, text="完全不同的事情：借款未还", applicant="丙")
    monkeypatch.setattr(related, "CANDIDATES", 1)
    # when: older received later → it is the one candidate
    Case.objects.filter(pk=older.case.pk).update(received_at=newer.case.received_at + timedelta(seconds=1))
    # then
    assert _numbers(_lookup(me, description=SIMILAR)) == [older.case.number]
    # when: received at the same moment → the later registered one
    Case.objects.filter(pk=older.case.pk).update(received_at=newer.case.received_at)
    # then
    assert _numbers(_lookup(me, description=SIMILAR)) == [newer.case.number]


@pytest.mark.django_db
def test_same_person_counts_the_newest_rows_up_to_the_limit(anji, dispatcher, monkeypatch):
    regs = [register(anji, dispatcher, phone="13812345678", text=f"第{i}件事情") for i in range(3)]
    me = register(anji, dispatcher, phone="13812345678", text="又一件事情")
    monkeypatch.setattr(related, "PER_KIND_LIMIT", 2)
    # when
    found = _lookup(me, description="")
    # then
    assert found.person_cases == 2
    assert _numbers(found) == [regs[2].case.number, regs[1].case.number]


@pytest.mark.django_db
def test_reasons_are_listed_strongest_kind_first_whatever_the_row_order(anji, dispatcher):
    other = register(
        anji,
        dispatcher,
        parties=[
            PartyInput(role="applicant", name="王", phone="13812345678"),
            PartyInput(role="applicant", name="李", id_number=ID1),
        ],
    )
    # when: the phone's row comes first in the case
    found = _lookup(other, exclude_case_id=None)
    # then
    row = found.items[0]
    assert row["number"] == other.case.number
    assert row["reasons"][:2] == ["same_id_number", "same_phone"]
    assert row["reason"] == "same_id_number"


@pytest.mark.django_db
def test_a_batch_lookup_finds_what_each_lookup_finds(anji, dispatcher):
    # given: stored cases sharing a phone, an ID number, a respondent, a text, in two towns
    from jiefen.core import clock, pii
    from jiefen.triage.related import RelatedQuery, find_related_many

    register(anji, dispatcher, text=SIMILAR, applicant="甲", phone="13812345678")
    register(anji, dispatcher, text="楼上漏水把天花板泡坏了", applicant="乙", id_number=ID1)
    register(anji, dispatcher, text="物业费纠纷", applicant="丙", respondent="某某物业公司")
    register(anji, dispatcher, text=SIMILAR, applicant="丁", region=anji.other_village)
    queries = [
        RelatedQuery([], [pii.keyed_hash("13812345678")], [], SIMILAR, anji.county.pk, anji.town.pk),
        RelatedQuery([pii.keyed_hash(ID1)], [], ["某某物业公司"], "电梯坏了", anji.county.pk, anji.town.pk),
        RelatedQuery([], [], [], SIMILAR, anji.county.pk, anji.town2.pk),
        RelatedQuery([], [], [], SIMILAR, anji.county.pk, None),
        RelatedQuery([], [], ["某某"], "好", anji.county.pk, anji.town.pk),
    ]
    now = clock.now()
    # when
    many = find_related_many(queries, now=now)
    # then
    for q, got in zip(queries, many, strict=True):
        one = find_related(**vars(q), now=now)
        assert got == one
    assert [len(r.items) for r in many][:3] != [0, 0, 0]
