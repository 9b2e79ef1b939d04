"""Optional TOTP for staff: with a confirmed authenticator, every login page needs its code."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiefen.core import clock
from jiefen.directory.models import Staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
PASSWORD = "pw-123456789"


@pytest.fixture
def boss(anji, staff_factory):
    return staff_factory(
        anji.org("county_centre"), ["admin"], username="boss", is_staff=True, is_superuser=True
    )


def _code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrol(boss, capsys) -> TOTPDevice:
    call_command("otp-add".replace("-", "_"), "boss")
    assert capsys.readouterr().out.startswith("otpauth://totp/")
    device = TOTPDevice.objects.get(user=boss)
    call_command("otp_add", "boss", "--confirm", _code(device))
    return device


def test_with_an_authenticator_both_doors_need_its_code(client, boss, capsys):
    # given
    device = _enrol(boss, capsys)
    # when
    without = client.post(reverse("web:login"), {"username": "boss", "password": PASSWORD})
    wrong = client.post(
        reverse("web:login"), {"username": "boss", "password": PASSWORD, "otp_token": "000000"}
    )
    admin_without = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    # then
    assert without.status_code == wrong.status_code == admin_without.status_code == 200
    assert "_auth_user_id" not in client.session
    assert Staff.objects.get(pk=boss.pk).failed_logins == 3  # each counts towards the lockout
    # when: the right code of a later time step (a code is good once; a wrong one slows the next)
    Staff.objects.filter(pk=boss.pk).update(failed_logins=0)
    with time_machine.travel(clock.now() + timedelta(seconds=90)):
        ok = client.post(
            "/admin/login/?next=/admin/",
            {"username": "boss", "password": PASSWORD, "otp_token": _code(device)},
        )
    # then
    assert 'name="otp_token"' in admin_without.content.decode()
    assert ok.status_code == 302 and client.session["_auth_user_id"] == str(boss.pk)
    assert client.session.get("otp_device_id")


def test_without_an_authenticator_the_password_is_enough(client, boss):
    # given / when
    resp = client.post(reverse("web:login"), {"username": "boss", "password": PASSWORD})
    # then
    assert resp.status_code == 302
