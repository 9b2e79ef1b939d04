"""Categories in alerts are named by their labels, in the reader's language, never by code."""

from django.utils import translation

from jiefen.alerts.models import Alert, SubjectKind
from jiefen.alerts.rules import subject_text


def test_a_hotspot_names_its_category_in_the_readers_language():
    # given a hotspot alert stored by a sweep (in whatever language it ran)
    alert = Alert(
        subject_kind=SubjectKind.REGION,
        subject_key="330523101000:neighbour",
        subject_label="孝丰镇 · neighbour",
    )
    # when / then
    with translation.override("zh-hans"):
        zh = subject_text(alert)
    with translation.override("en"):
        en = subject_text(alert)
    assert zh.startswith("孝丰镇 · ") and "neighbour" not in zh
    assert zh.split(" · ")[1] and en.split(" · ")[1] != zh.split(" · ")[1]


def test_other_subjects_keep_their_label():
    alert = Alert(subject_kind=SubjectKind.REGION, subject_key="330523101000", subject_label="孝丰镇")
    assert subject_text(alert) == "孝丰镇"
