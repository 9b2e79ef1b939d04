"""Screens that fit: every staff page at the sizes staff use (a 1366×768 laptop, the 1920×1080
big screen, a 390×844 phone), in Chinese and in English, measured in a real browser.

Set JIEFEN_SHOTS=/some/dir to keep a screenshot of each page and size, to look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import browser_log_in
from jiefen.web.tests.test_chinese_everywhere import STAFF_PAGES, world  # noqa: F401 - fixture

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"laptop": (1366, 768), "screen": (1920, 1080), "phone": (390, 844)}
LANGUAGES = ("zh", "en")

# Horizontal overflow of the page itself; wide tables scroll inside their own box.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = [];
  if (document.documentElement.scrollWidth > width + 1) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
        let inside = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) { inside = true; break; }
        }
        if (!inside) over.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
          ' right=' + Math.round(r.right));
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, over: over.slice(0, 5)};
}"""


def _log_in(page, base_url: str, lang: str) -> None:
    """Log in as the administrator of the walk and choose the language with the header's switch."""
    browser_log_in(page, base_url, "boss")
    if lang == "en":
        page.click("form.lang button[value=en]")
        page.wait_for_selector("html[lang=en]")


# Pages the Chinese walk opens with their own data (scorecards, the watchlist's list) and the
# administration's front page, measured too.
MORE_PAGES = ["/scorecards/?month=2026-12", "/scorecards/2026-12/o{org}/", "/watchlist/", "/admin/"]


def _shoot(page, name: str) -> None:
    folder = os.environ.get("JIEFEN_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_no_staff_page_overflows_sideways(new_browser_page, live_server, world, size, lang):  # noqa: F811
    width, height = SIZES[size]
    page = new_browser_page(viewport={"width": width, "height": height})
    _log_in(page, live_server.url, lang)
    problems = {}
    for path in [*STAFF_PAGES, *MORE_PAGES]:
        url = path.format(
            number=world["case"].number,
            agreed=world["agreed"].number,
            proc=world["proc"].pk,
            org=world["case"].lead_organization_id,
        )
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        measured = page.evaluate(OVERFLOW)
        _shoot(
            page,
            f"{size}-{lang}-{path.strip('/').replace('/', '_').replace('{number}', 'case').replace('{agreed}', 'agreed').replace('{proc}', 'proc')}",
        )
        if measured["scrollWidth"] > measured["width"] + 1:
            problems[path] = measured
    assert problems == {}, "\n".join(f"{p}: {m}" for p, m in problems.items())


def _register(anji, category: str, description: str):
    from jiefen.cases.services import PartyInput, case_register

    return case_register(
        channel="walk_in",
        region=anji.village.code,
        description=description,
        category=category,
        parties=[PartyInput(role="applicant", name="张三"), PartyInput(role="respondent", name="某公司")],
    ).case


def test_the_triage_queue_fits_its_card_at_1366(new_browser_page, live_server, world, anji):  # noqa: F811
    from jiefen.triage.models import CaseTriage

    # given cases waiting in the queue, with long descriptions and every action of a row
    for i in range(3):
        case = _register(
            anji,
            "labour",
            f"某建筑工地拖欠农民工工资，共计二十三人，涉及金额约四十万元，第{i}次反映，情绪激动",
        )
        CaseTriage.objects.filter(case=case).update(needs_review=True)
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    browser_log_in(page, live_server.url, "boss")
    # when
    page.goto(f"{live_server.url}/triage/queue/")
    _shoot(page, "queue-1366")
    # then every control of every row is inside the card and the window
    boxes = page.evaluate(
        """() => {
          const table = document.querySelector('main table');
          const card = table.closest('.card') || table.parentElement;
          const c = card.getBoundingClientRect();
          return {
            card: [c.left, c.right], width: document.documentElement.clientWidth,
            scroll: document.documentElement.scrollWidth, cardScroll: [card.scrollWidth, card.clientWidth],
            controls: [...table.querySelectorAll('tbody button, tbody select, tbody input:not([type=hidden]), tbody a')]
              .map(el => { const r = el.getBoundingClientRect(); return [el.tagName, el.textContent.trim(), r.left, r.right]; }),
          };
        }"""
    )
    assert boxes["controls"], "the queue shows its rows"
    assert boxes["scroll"] <= boxes["width"]
    assert boxes["cardScroll"][0] <= boxes["cardScroll"][1] + 1
    left, right = boxes["card"]
    hidden = [c for c in boxes["controls"] if c[2] < left - 1 or c[3] > right + 1 or c[3] > boxes["width"]]
    assert hidden == []


def test_the_big_screen_is_exactly_1920_by_1080_with_readable_labels(
    new_browser_page,
    live_server,
    world,  # noqa: F811
):
    page = new_browser_page(viewport={"width": 1920, "height": 1080})
    browser_log_in(page, live_server.url, "boss")
    page.goto(f"{live_server.url}/dashboard/screen/")
    page.wait_for_selector("#chart-category canvas")
    _shoot(page, "screen-1920")
    measured = page.evaluate(
        """() => ({
          w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,
          fonts: [...document.querySelectorAll('.skpi span, .spanel h2, .screen-alerts li')]
            .map(el => parseFloat(getComputedStyle(el).fontSize)),
          charts: [...document.querySelectorAll('.spanel .chart')].map(el => el.getBoundingClientRect().height),
          panels: [...document.querySelectorAll('.spanel, .skpi')].map(el => el.getBoundingClientRect().bottom),
        })"""
    )
    assert (measured["w"], measured["h"]) == (1920, 1080)
    assert max(measured["panels"]) <= 1080
    assert min(measured["fonts"]) >= 16  # readable from across the room
    assert min(measured["charts"]) >= 250


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_header_works_on_a_phone(new_browser_page, live_server, world, lang):  # noqa: F811
    page = new_browser_page(viewport={"width": 390, "height": 844})
    _log_in(page, live_server.url, lang)
    _shoot(page, f"header-390-{lang}")
    links = page.evaluate(
        """() => [...document.querySelectorAll('.mainnav a')].map(a => {
          const r = a.getBoundingClientRect();
          return {text: a.textContent.trim(), left: r.left, right: r.right, height: r.height,
                  line: parseFloat(getComputedStyle(a).lineHeight) || parseFloat(getComputedStyle(a).fontSize) * 1.6};
        })"""
    )
    assert len(links) >= 8
    for link in links:
        assert 0 <= link["left"] and link["right"] <= 390, link  # on the screen
        assert link["height"] < 2 * link["line"], link  # on one line, not a column of characters
    # and the menu is usable: its last entry opens its page
    page.click(".mainnav a[href='/alerts/']")
    page.wait_for_url(f"{live_server.url}/alerts/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_category_chart_counts_every_category(new_browser_page, live_server, world, anji):  # noqa: F811
    from jiefen.cases.choices import Category

    # given a case in every category (more categories than the chart has bars)
    for code in Category.values:
        _register(anji, code, "双方因琐事发生纠纷，协商未果")
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    browser_log_in(page, live_server.url, "boss")
    # when
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-category canvas")
    shown = page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById('chart-category')).getOption();
          const ov = JSON.parse(document.getElementById('overview-data').textContent);
          return {names: option.xAxis[0].data, values: option.series[0].data.map(d => d.value),
                  categories: ov.by_category.length, received: ov.by_category.reduce((s, r) => s + r.received, 0)};
        }"""
    )
    # then nothing is dropped: the bars add up to every case, the rest under an explicit "other"
    assert shown["categories"] > 12
    assert sum(shown["values"]) == shown["received"]
    assert len(shown["names"]) == 12 and shown["names"][-1] == "其他类别"
