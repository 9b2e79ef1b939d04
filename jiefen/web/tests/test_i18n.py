import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_chinese_is_the_default(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    client.force_login(dispatcher)
    # when
    html = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    # then
    assert '<html lang="zh-Hans">' in html
    assert "办理记录" in html
    assert "邻里纠纷" in html
    assert "受理" in html


def test_english_through_the_language_switch(client, anji, dispatcher, register):
    # given
    case = register(anji.village)
    client.force_login(dispatcher)
    url = reverse("web:case_detail", args=[case.number])
    # when
    switched = client.post(reverse("set_language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    # then
    assert switched.status_code == 302
    assert '<html lang="en">' in html
    assert "Timeline" in html
    assert "neighbours" in html
    assert "办理记录" not in html


def test_login_page_in_both_languages(client):
    # given / when
    chinese = client.get(reverse("web:login")).content.decode()
    english = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert "登录" in chinese
    assert "Log in" in english
