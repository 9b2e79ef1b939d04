import pytest
from django.urls import reverse

from jiefen.directory.models import Staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def login(client, username, password):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_login_leads_to_the_case_list(client, dispatcher):
    # given
    Staff.objects.filter(pk=dispatcher.pk).update(failed_logins=2)
    # when
    response = login(client, "dispatcher", "pw-123456789")
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_list")
    assert Staff.objects.get(pk=dispatcher.pk).failed_logins == 0


def test_wrong_password_is_counted_and_shown(client, dispatcher):
    # given / when
    response = login(client, "dispatcher", "wrong-password")
    # then
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()
    assert Staff.objects.get(pk=dispatcher.pk).failed_logins == 1


def test_repeated_failures_lock_the_account(client, dispatcher, settings):
    # given
    for _ in range(settings.JIEFEN_LOGIN_MAX_FAILURES):
        login(client, "dispatcher", "wrong-password")
    # when
    response = client.post(
        reverse("web:login"),
        {"username": "dispatcher", "password": "pw-123456789"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, dispatcher):
    # given
    client.force_login(dispatcher)
    # when
    response = client.post(reverse("web:logout"))
    # then
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_header_shows_user_and_organisation(client, dispatcher):
    # given
    dispatcher.display_name = "张调度"
    dispatcher.save()
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:case_list")).content.decode()
    # then
    assert "张调度" in html
    assert dispatcher.organization.name in html
    assert 'action="/i18n/setlang/"' in html
