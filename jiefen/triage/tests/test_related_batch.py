"""The batch lookup (triage.related.find_related_many) gives every intake exactly what its own
lookup gives, also where the batch's shared parts and their limits could differ from it, and
its vectorised pieces equal their one-at-a-time definitions."""

import numpy as np
import pytest

from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput
from jiefen.core import clock, pii
from jiefen.triage import related
from jiefen.triage.related import RelatedQuery, find_related, find_related_many, text_bigrams
from jiefen.triage.tests.helpers import register
from jiefen.triage.tests.test_related_lookup import SIMILAR, TEXTS

ID1 = "330523198001011233"
ID2 = "330523199002023344"


def _alone(q: RelatedQuery, now):
    return find_related(**vars(q), now=now, limit=related.LIMIT)


def _assert_batch_equals_alone(queries: list[RelatedQuery]) -> list:
    now = clock.now()
    many = find_related_many(queries, now=now)
    for q, got in zip(queries, many, strict=True):
        assert got == _alone(q, now), q
    return many


def _query(anji, *, ids=(), phones=(), names=(), text="", town=True, county=None):
    return RelatedQuery(
        [pii.keyed_hash(i) for i in ids],
        [pii.keyed_hash(p) for p in phones],
        list(names),
        text,
        (county or anji).county.pk,
        ((county or anji).town.pk if town else None),
    )


# ---------------------------------------------------------------- against the database


@pytest.mark.django_db
def test_a_batch_is_one_statement(anji, dispatcher, django_assert_num_queries):
    register(anji, dispatcher, text=SIMILAR, applicant="甲", phone="13812345678", respondent="某某公司")
    queries = [
        _query(anji, phones=["13812345678"], names=["某某公司"], text=SIMILAR),
        _query(anji, text=SIMILAR, town=False),
        _query(anji, text="好"),
    ]
    # when
    with django_assert_num_queries(1):
        many = find_related_many(queries, now=clock.now())
    # then
    assert many[0].items[0]["reasons"] == ["same_phone", "same_respondent", "similar_text"]
    assert [len(r.items) for r in many] == [1, 1, 0]
    # and: nothing to look for, no statement
    with django_assert_num_queries(0):
        assert find_related_many([_query(anji, text="好")], now=clock.now())[0].items == []
        assert find_related_many([], now=clock.now()) == []


@pytest.mark.django_db
def test_a_phone_with_many_cases_does_not_crowd_out_another_phone(anji, dispatcher, monkeypatch):
    # given: an older case of one phone, then more cases of another than the batch part reads
    rare = register(anji, dispatcher, phone="13900000001", text="第一件事情")
    for i in range(5):
        register(anji, dispatcher, phone="13800000001", text=f"第{i}件别的事情")
    monkeypatch.setattr(related, "PER_KIND_LIMIT", 2)
    queries = [_query(anji, phones=["13800000001"]), _query(anji, phones=["13900000001"])]
    # when
    many = _assert_batch_equals_alone(queries)
    # then
    assert [r["number"] for r in many[1].items] == [rare.case.number]
    assert (many[0].person_cases, many[1].person_cases) == (2, 1)


@pytest.mark.django_db
def test_a_respondent_with_many_cases_does_not_crowd_out_another(anji, dispatcher, monkeypatch):
    rare = register(anji, dispatcher, respondent="乙建材公司", applicant="甲", text="货款纠纷一")
    for i in range(5):
        register(anji, dispatcher, respondent="甲物业公司", applicant=f"业主{i}", text=f"物业费纠纷{i}")
    monkeypatch.setattr(related, "PER_KIND_LIMIT", 2)
    queries = [_query(anji, names=["甲物业公司"]), _query(anji, names=["乙建材公司"])]
    # when
    many = _assert_batch_equals_alone(queries)
    # then
    assert [r["number"] for r in many[1].items] == [rare.case.number]


@pytest.mark.django_db
def test_a_case_against_two_of_the_names_counts_twice_towards_the_limit(anji, dispatcher, monkeypatch):
    # given: an older case against one name, a newer one against both
    older = register(anji, dispatcher, respondent="甲公司", applicant="甲", text="纠纷一")
    both = register(
        anji,
        dispatcher,
        parties=[
            PartyInput(role="applicant", name="乙"),
            PartyInput(role="respondent", name="甲公司"),
            PartyInput(role="respondent", name="丙公司"),
        ],
    )
    monkeypatch.setattr(related, "PER_KIND_LIMIT", 2)
    queries = [_query(anji, names=["甲公司", "丙公司"]), _query(anji, names=["甲公司"])]
    # when
    many = _assert_batch_equals_alone(queries)
    # then: its own lookup reads two rows, both of the newer case
    assert [r["number"] for r in many[0].items] == [both.case.number]
    assert [r["number"] for r in many[1].items] == [both.case.number, older.case.number]


@pytest.mark.django_db
def test_respondents_and_places_of_two_counties_in_one_batch(anji, dispatcher, staff_factory):
    from conftest import make_county

    yuyao = make_county("330281", "余姚市")
    clerk = staff_factory(yuyao.org("county_centre"), ["clerk"])
    there = register(yuyao, clerk, respondent="某某物业公司", applicant="甲", text=SIMILAR)
    here = register(anji, dispatcher, respondent="某某物业公司", applicant="乙", text=SIMILAR)
    queries = [
        _query(anji, names=["某某物业公司"], text=SIMILAR),
        _query(yuyao, names=["某某物业公司"], text=SIMILAR, county=yuyao),
        _query(anji, names=["某某物业公司"], text=SIMILAR, town=False),
        _query(yuyao, text=SIMILAR, town=False, county=yuyao),
    ]
    # when
    many = _assert_batch_equals_alone(queries)
    # then
    assert [[r["number"] for r in m.items] for m in many] == [
        [here.case.number],
        [there.case.number],
        [here.case.number],
        [there.case.number],
    ]


@pytest.mark.django_db
def test_more_similar_texts_than_the_limit_ties_and_a_case_related_otherwise(anji, dispatcher, monkeypatch):
    # given: identical texts (ties: the newer case first), then the person's own case, newest,
    # with a text less similar than all of them
    same = [register(anji, dispatcher, text=SIMILAR, applicant=f"甲{i}") for i in range(5)]
    mine = register(anji, dispatcher, text=SIMILAR[:20] + "，另外还有别的事情要说", id_number=ID1)
    monkeypatch.setattr(related, "LIMIT", 3)
    queries = [
        _query(anji, ids=[ID1], text=SIMILAR),
        _query(anji, text=SIMILAR),
        _query(anji, ids=[ID2], phones=["13700000000"], text=SIMILAR),
    ]
    # when
    many = _assert_batch_equals_alone(queries)
    # then
    first = many[0].items
    assert [r["number"] for r in first] == [mine.case.number, same[4].case.number, same[3].case.number]
    assert first[0]["reasons"] == ["same_id_number", "similar_text"]
    assert first[0]["score"] == 1.0
    assert [r["number"] for r in many[1].items] == [r.case.number for r in same[::-1][:3]]
    assert many[2].items == many[1].items


@pytest.mark.django_db
def test_a_mixed_batch_equals_the_lookups_one_by_one(anji, dispatcher):
    texts = [SIMILAR, SIMILAR.replace("多次沟通无果", "希望尽快处理"), "楼上漏水，把我家天花板泡坏了", "漏水"]
    for i, text in enumerate(texts):
        register(
            anji,
            dispatcher,
            text=text,
            applicant=f"申请人{i}",
            phone=f"1380000000{i % 2}",
            respondent="某某公司" if i % 2 else "",
            region=anji.other_village if i == 2 else None,
        )
    Case.objects.filter(pk=Case.objects.order_by("pk").first().pk).update(status="closed")
    queries = [
        _query(anji, phones=[f"1380000000{i % 2}"], names=["某某公司"][: i % 2], text=text, town=i != 3)
        for i, text in enumerate(texts * 3)
    ]
    _assert_batch_equals_alone(queries)


# ---------------------------------------------------------------- the vectorised pieces


def test_descriptions_are_tokenised_in_one_pass_as_one_by_one():
    texts = [*TEXTS, "ＡＢＣ　ｄｅｆ", "Σ" * 3, ""]
    # when
    bigrams, owners = related._text_bigrams_many(texts)
    # then
    for i, text in enumerate(texts):
        assert bigrams[owners == i].tolist() == text_bigrams(text).tolist()


def test_one_matrix_of_similarities_equals_a_row_per_text():
    candidates = [t for t in TEXTS if t] * 2
    queries = [*TEXTS, "", "楼上漏水"]
    bigrams, owners = related._text_bigrams_many(queries)
    lengths = np.bincount(owners, minlength=len(queries))
    # when
    matrix = related._jaccard_many(bigrams, owners, lengths, candidates)
    # then
    for i, text in enumerate(queries):
        assert matrix[i].tolist() == related.similarities(text, candidates).tolist()


def test_rounding_many_scores_at_once_equals_python_round():
    ratios = np.array([p / q for q in range(1, 700) for p in range(q + 1)])
    halves = (np.arange(1000) + 0.5) / 1000
    values = np.concatenate([ratios, halves, np.nextafter(halves, 0), np.nextafter(halves, 1)])
    # when / then
    assert related._round3(values).tolist() == [round(v, 3) for v in values.tolist()]
