"""One lockout for every way in: the staff login and /admin/login/ count the same failures, and
a locked account, an unknown user and a wrong password get the same answer."""

import pytest
from django.urls import reverse

from jiefen.directory.models import Staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
PASSWORD = "pw-123456789"


@pytest.fixture
def admin_user(anji, staff_factory):
    return staff_factory(
        anji.org("county_centre"), ["admin"], username="boss", is_staff=True, is_superuser=True
    )


def _admin_login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def _web_login(client, username, password):
    return client.post(
        reverse("web:login"), {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def _errors(resp) -> str:
    form = resp.context["form"]
    return " ".join(str(e) for e in form.non_field_errors())


def test_admin_login_counts_failures_and_honours_the_lockout(client, admin_user, settings):
    # given: wrong passwords at /admin/login/, one more than the limit
    for _ in range(settings.JIEFEN_LOGIN_MAX_FAILURES + 1):
        _admin_login(client, "boss", "wrong-password")
    # when: the right password
    resp = _admin_login(client, "boss", PASSWORD)
    # then
    assert resp.status_code == 200 and "_auth_user_id" not in client.session
    assert Staff.objects.get(pk=admin_user.pk).locked_until is not None


def test_failures_at_one_door_lock_the_other(client, admin_user, settings):
    # given
    for _ in range(settings.JIEFEN_LOGIN_MAX_FAILURES):
        _web_login(client, "boss", "wrong-password")
    # when
    resp = _admin_login(client, "boss", PASSWORD)
    # then
    assert resp.status_code == 200 and "_auth_user_id" not in client.session


def test_locked_unknown_and_wrong_get_the_same_answer(client, admin_user, settings):
    # given
    wrong = _web_login(client, "boss", "wrong-password")
    unknown = _web_login(client, "nobody", "wrong-password")
    for _ in range(settings.JIEFEN_LOGIN_MAX_FAILURES):
        _web_login(client, "boss", "wrong-password")
    locked = _web_login(client, "boss", PASSWORD)
    admin_unknown = _admin_login(client, "nobody", "x")
    admin_locked = _admin_login(client, "boss", PASSWORD)
    # then
    assert wrong.status_code == unknown.status_code == locked.status_code == 200
    assert _errors(wrong) == _errors(unknown) == _errors(locked) != ""
    assert _errors(admin_unknown) == _errors(admin_locked) == _errors(wrong)


def test_one_address_trying_many_usernames_is_stopped(client, admin_user, settings):
    # given
    settings.JIEFEN_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        _web_login(client, f"guess{n}", "x")
    # when
    resp = _web_login(client, "boss", PASSWORD)
    # then
    assert resp.status_code == 200 and "_auth_user_id" not in client.session
