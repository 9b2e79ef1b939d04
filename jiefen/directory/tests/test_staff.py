"""Staff creation (roles, password), API tokens and login lockout."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from jiefen.core import clock
from jiefen.core.errors import ValidationFailed
from jiefen.directory.models import ApiToken, Organization, Staff
from jiefen.directory.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    login_failed,
    login_locked,
    login_succeeded,
    staff_create,
)


def test_staff_create(centre: Organization):
    # given / when
    staff = staff_create(
        username="li",
        password="correct horse 1",
        organization=centre,
        roles=["dispatcher", "leader"],
        display_name="李调度",
    )
    # then
    staff.refresh_from_db()
    assert (staff.organization, staff.roles, str(staff)) == (centre, ["dispatcher", "leader"], "李调度")
    assert staff.check_password("correct horse 1")
    assert staff.has_role("dispatcher")


def test_staff_create_rejects_unknown_roles(centre: Organization):
    # given / when / then
    with pytest.raises(ValidationFailed) as exc:
        staff_create(username="li", password="correct horse 1", organization=centre, roles=["clerk", "boss"])
    assert list(exc.value.fields) == ["roles"]
    assert "boss" in exc.value.fields["roles"][0]
    assert not Staff.objects.filter(username="li").exists()


def test_staff_create_rejects_taken_username_and_short_password(clerk: Staff):
    # given an existing clerk
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        staff_create(username="ZHANG", password="short", organization=None, roles=[])
    assert set(exc.value.fields) == {"username", "password"}


def test_token_authenticates_its_staff(clerk: Staff):
    # given
    raw = api_token_create(staff=clerk, name="script")
    # when
    who = api_token_authenticate(raw)
    # then
    token = ApiToken.objects.get()
    assert who == clerk
    assert raw.startswith("jf_")
    assert (token.prefix, token.name) == (raw[:8], "script")
    assert raw not in (token.key_hash, token.prefix)
    assert token.last_used_at is not None


def test_unknown_revoked_and_inactive_tokens_fail(clerk: Staff):
    # given a revoked token and a token of an inactive user
    revoked = api_token_create(staff=clerk)
    api_token_revoke(token=ApiToken.objects.get())
    other = staff_create(username="wang", password="correct horse 1", organization=None, roles=[])
    inactive = api_token_create(staff=other)
    Staff.objects.filter(pk=other.pk).update(is_active=False)
    # when / then
    assert api_token_authenticate(revoked) is None
    assert api_token_authenticate(inactive) is None
    assert api_token_authenticate("jf_nonsense") is None
    assert api_token_authenticate("") is None


def test_the_authenticated_staff_member_is_the_row_as_the_orm_reads_it(clerk: Staff):
    # given a staff member with roles (JSON), a login time, an organisation
    raw = api_token_create(staff=clerk)
    Staff.objects.filter(pk=clerk.pk).update(last_login=clock.now(), roles=["clerk", "mediator"])
    # when
    who = api_token_authenticate(raw)
    # then every field has the value and type the ORM gives, and the organisation comes with
    # its region without another query
    fresh = Staff.objects.get(pk=clerk.pk)
    for f in Staff._meta.concrete_fields:
        assert getattr(who, f.attname) == getattr(fresh, f.attname), f.name
        assert type(getattr(who, f.attname)) is type(getattr(fresh, f.attname)), f.name
    assert who.roles == ["clerk", "mediator"] and not who._state.adding
    region_code = fresh.organization.region.code
    with CaptureQueriesContext(connection) as ctx:
        assert who.organization.region.code == region_code
    assert not ctx.captured_queries
    # and a role taken away applies to the very next request
    Staff.objects.filter(pk=clerk.pk).update(roles=["clerk"])
    assert api_token_authenticate(raw).roles == ["clerk"]


def test_last_used_is_written_at_most_once_a_minute(clerk: Staff):
    # given a token used once
    raw = api_token_create(staff=clerk)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        api_token_authenticate(raw)
        first = ApiToken.objects.get().last_used_at
        # when used again 30 s later, then 61 s later
        traveller.shift(timedelta(seconds=30))
        api_token_authenticate(raw)
        within_minute = ApiToken.objects.get().last_used_at
        traveller.shift(timedelta(seconds=31))
        api_token_authenticate(raw)
        after_minute = ApiToken.objects.get().last_used_at
    # then
    assert within_minute == first
    assert after_minute == first + timedelta(seconds=61)


def test_token_command_prints_a_working_token(clerk: Staff):
    # given
    out = io.StringIO()
    # when
    call_command("token", "create", "--username", "zhang", "--name", "ci", stdout=out)
    # then
    assert api_token_authenticate(out.getvalue().strip()) == clerk


@pytest.mark.django_db
def test_token_command_unknown_user():
    # given / when / then
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "--username", "nobody", stdout=io.StringIO())


@override_settings(JIEFEN_LOGIN_MAX_FAILURES=3, JIEFEN_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures(clerk: Staff):
    # given two failures
    login_failed(staff=clerk)
    login_failed(staff=clerk)
    assert not login_locked(clerk)
    # when the third fails
    locked = login_failed(staff=clerk)
    # then the account is locked for 15 minutes, and free again afterwards
    clerk.refresh_from_db()
    assert locked
    assert login_locked(clerk)
    assert clerk.locked_until - clock.now() > timedelta(minutes=14)
    with time_machine.travel(clock.now() + timedelta(minutes=16)):
        assert not login_locked(clerk)


@override_settings(JIEFEN_LOGIN_MAX_FAILURES=3)
def test_success_resets_failures(clerk: Staff):
    # given two failures
    login_failed(staff=clerk)
    login_failed(staff=clerk)
    # when
    login_succeeded(staff=clerk)
    login_failed(staff=clerk)
    # then
    clerk.refresh_from_db()
    assert (clerk.failed_logins, clerk.locked_until, login_locked(clerk)) == (1, None, False)
