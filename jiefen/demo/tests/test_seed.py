"""`jiefen seed`: N more cases, numbers continuing the sequence without gaps, valid PII."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from jiefen.cases.models import Case, CaseSequence, Party
from jiefen.core import pii
from jiefen.regions.models import Region

NOW = "2026-06-15 10:00:00+08:00"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--no-serve", "--cases", "20", stdout=io.StringIO(), verbosity=0)


def _numbers_by_year() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for year, seq in Case.objects.order_by("seq").values_list("year", "seq"):
        out.setdefault(year, []).append(seq)
    return out


def test_seed_adds_exactly_n_cases_with_gap_free_numbers(demo):
    # given
    before = Case.objects.count()
    last_before = dict(CaseSequence.objects.values_list("year", "last_value"))
    # when
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed", "--cases", "37", "--batch", "10", "--seed", "5", stdout=io.StringIO(), verbosity=0
        )
    # then
    assert Case.objects.count() == before + 37
    sequences = dict(CaseSequence.objects.values_list("year", "last_value"))
    for year, seqs in _numbers_by_year().items():
        assert seqs == list(range(1, sequences[year] + 1)), year
    assert all(sequences[year] >= last for year, last in last_before.items())
    assert all(c.number == f"330523-{c.year}-{c.seq:06d}" for c in Case.objects.all())


def test_seeded_personal_data_is_valid_encrypted_and_hashed(demo):
    # given
    call_command("seed", "--cases", "10", stdout=io.StringIO(), verbosity=0)
    # when
    people = list(Party.objects.exclude(id_number_enc="")[:30])
    # then
    assert people
    for p in people:
        idn = pii.decrypt(p.id_number_enc)
        phone = pii.decrypt(p.phone_enc)
        assert pii.id_number_error(idn) is None
        assert idn.startswith("330523")
        assert pii.keyed_hash(idn) == p.id_number_hash
        assert pii.mask_id_number(idn) == p.id_number_masked
        assert pii.phone_error(phone) is None
        assert pii.keyed_hash(phone) == p.phone_hash


@pytest.mark.django_db(transaction=True)
def test_seed_with_the_writer_thread_continues_the_sequence(settings, tmp_path):
    # given committed data, so that the writer thread's own connection sees the county
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", "--cases", "5", stdout=io.StringIO(), verbosity=0)
    county = Region.objects.get(code="330523000000")
    # when
    call_command("seed", "--cases", "25", "--batch", "7", stdout=io.StringIO(), verbosity=0)
    # then
    assert Case.objects.filter(county=county).count() == 30
    sequences = dict(CaseSequence.objects.values_list("year", "last_value"))
    for year, seqs in _numbers_by_year().items():
        assert seqs == list(range(1, sequences[year] + 1)), year
