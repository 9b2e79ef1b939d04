"""A Content-Security-Policy on every answer, and templates that a strict one does not break."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "/login/",
        "/portal/",
        "/portal/track/",
        "/api/v1/openapi.json",
        "/open311/v2/discovery.json",
        "/admin/login/",
    ],
)
def test_every_answer_carries_a_strict_policy(client, anji, url):
    # given / when
    resp = client.get(url)
    # then
    policy = resp["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_handler_or_style():
    # given
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"javascript:",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    # then
    assert offenders == []
