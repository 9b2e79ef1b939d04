"""Migrations cases.0011–0012: clear addresses become ciphertext and a masked form, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiefen.cases.models import Party
from jiefen.cases.services import PartyInput, case_register
from jiefen.core import pii

ADDRESS = "浙江省湖州市安吉县孝丰镇横溪坞村3组18号"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_addresses_and_can_be_reversed(anji):
    # given: a party registered with an address, then the schema taken back before 0011
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻里纠纷",
        parties=[
            PartyInput(role="applicant", name="王小明", address=ADDRESS, id_number="330523198001010011")
        ],
    ).case
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0010_party_identity")])
    with connection.cursor() as cur:
        cur.execute("SELECT address FROM cases_party WHERE case_id = %s", [case.pk])
        assert cur.fetchone()[0] == ADDRESS  # the reverse step put the clear address back
        cur.execute(
            "UPDATE cases_party SET address_enc = '', address_masked = '', birth_date = NULL, sex = '' "
            "WHERE case_id = %s",
            [case.pk],
        )
    # when
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then
    party = Party.objects.get(case=case)
    assert pii.decrypt(party.address_enc) == ADDRESS and party.address_masked == "浙江省湖州市****"
    assert (party.sex, party.birth_date.isoformat()) == ("M", "1980-01-01")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM cases_party WHERE case_id = %s", [case.pk])
        columns = [c[0] for c in cur.description]
    assert "address" not in columns
