"""The classifier as a pure Python module: quality on the held-out set, robustness, explanations."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from jiefen.triage import classifier as clf
from jiefen.triage.classifier import CATEGORIES, EmptyText, classify, classify_batch

# Measured 0.959 macro-F1 / 0.959 accuracy on the 221 held-out texts (model format 4, see
# docs/triage.md); the floors sit a little below so a change that costs a point or two is noticed.
HELDOUT_MACRO_F1_FLOOR = 0.94
HELDOUT_ACCURACY_FLOOR = 0.94


@pytest.fixture(scope="module")
def heldout():
    return clf.read_jsonl(clf.HELDOUT_PATH)


@pytest.fixture(scope="module")
def heldout_results(heldout):
    return classify_batch([r["text"] for r in heldout])


def test_heldout_macro_f1_reaches_the_floor(heldout, heldout_results):
    from sklearn.metrics import accuracy_score, f1_score

    gold = [r["label"] for r in heldout]
    pred = [r.category for r in heldout_results]
    assert accuracy_score(gold, pred) >= HELDOUT_ACCURACY_FLOOR
    assert f1_score(gold, pred, labels=list(CATEGORIES), average="macro") >= HELDOUT_MACRO_F1_FLOOR


def test_heldout_is_large_varied_and_separate_from_training(heldout):
    assert len(heldout) >= 200
    assert {r["label"] for r in heldout} == set(CATEGORIES)
    assert all(sum(r["label"] == c for r in heldout) >= 10 for c in CATEGORIES)
    train = clf.read_jsonl(clf.TRAIN_PATH)
    assert not {r["text"] for r in heldout} & {r["text"] for r in train}
    # No held-out clause of 18+ characters appears in the training corpus (shorter shared clauses
    # are the formulaic phrases of the trade, such as 经医疗纠纷人民调解委员会调解).
    train_blob = "\n".join(r["text"] for r in train)
    for r in heldout:
        for clause in re.split(r"[，。？！；：、,.?!;:【】]", r["text"]):
            if len(clause) >= 18:
                assert clause not in train_blob, (r["id"], clause)


def test_probabilities_are_a_distribution_and_top_is_sorted(heldout_results):
    for r in heldout_results:
        assert r.category in CATEGORIES
        assert r.top[0] == (r.category, r.confidence)
        assert len(r.top) == 3
        ps = [p for _, p in r.top]
        assert ps == sorted(ps, reverse=True)
        assert 0.0 <= ps[-1] and ps[0] <= 1.0 + 1e-12 and sum(ps) <= 1.0 + 1e-9


def test_full_probability_vector_sums_to_one():
    model = clf.get_model()
    X = model.features([clf.normalise("楼上漏水"), clf.normalise("x")])
    P = model.proba_matrix(X)
    assert P.shape == (2, len(CATEGORIES))
    assert np.allclose(P.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("楼上卫生间漏水，把我家天花板泡坏了，楼上不肯修", "neighbour"),
        ("工地包工头拖欠我们十几个农民工的工资", "labour"),
        ("我想跟老公离婚，孩子的抚养权想要", "family"),
        ("父亲去世后留下的房子，兄弟姐妹怎么分遗产", "inheritance"),
        ("化工厂晚上偷排废气，味道刺鼻", "environment"),
        ("小区物业乱收停车费，电梯坏了也不修", "property_mgmt"),
        ("村里集体收益分红不给外嫁女", "village_affairs"),
        ("拆迁补偿款太低，评估价不合理", "expropriation"),
        ("骑电动车被小轿车撞了，保险公司不赔", "traffic"),
        ("在医院做手术后出现感染，怀疑医疗事故", "medical"),
        ("健身房办了卡就跑路了，钱退不回来", "consumer"),
        ("孩子在学校被同学欺负，老师不管", "education"),
        ("喝醉的人在烧烤摊打人，派出所让调解", "public_order"),
        ("朋友借了五万块钱打了借条一直不还", "debt_contract"),
        ("合伙开的店，合伙人不给看账不分红", "business"),
        ("宅基地边界和邻居的宅基地证对不上", "property_land"),
        ("请问身份证丢了去哪里补办", "other"),
    ],
)
def test_plain_examples(text, expected):
    assert classify(text).category == expected


def test_traditional_input_is_classified_like_its_simplified_form(heldout):
    import opencc

    s2t = opencc.OpenCC("s2t")
    simplified = [r["text"] for r in heldout]
    traditional = [s2t.convert(t) for t in simplified]
    assert sum(a != b for a, b in zip(simplified, traditional, strict=True)) > 200  # really converted
    a = classify_batch(simplified)
    b = classify_batch(traditional)
    same = sum(x.category == y.category for x, y in zip(a, b, strict=True))
    assert same / len(a) >= 0.98
    # A few written directly in Traditional (Taiwan/Hong Kong usage), not converted.
    assert classify("樓上鄰居每天半夜跳繩，噪音擾民").category == "neighbour"
    assert classify("老闆拖欠工資三個月，工人討薪").category == "labour"
    assert classify("父親過世後遺產分割，兄弟爭房產").category == "inheritance"
    assert classify("離婚後前夫不給撫養費").category == classify("离婚后前夫不给抚养费").category == "family"


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t \u3000", "<p> </p>", "<script>alert(1)</script>", "&nbsp;"]
)
def test_empty_text_is_undetermined_and_never_raises(text):
    r = classify(text)
    assert r.undetermined and r.needs_review and r.category == "other" and r.keywords == []
    assert r.as_dict()["needs_review"] is True
    with pytest.raises(EmptyText):  # normalise still says why
        clf.normalise(text)
    assert issubclass(EmptyText, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        "漏",
        "a",
        "?",
        "😀",
        "😡😡😡 楼上漏水 💧💧",
        "<div onclick='x'><b>物业</b>&amp;业主 纠纷</div>",
        "'; DROP TABLE cases; --",
        "SELECT * FROM users WHERE name = '张三' OR 1=1; 欠薪",
        "Mixed 中文 English русский 日本語のテキスト 한국어 欠薪",
        "\x00\x07控制字符\ud800\ufeff",
        "１２３４５ＡＢＣ，全角字符",
        "楼上漏水" * 25_000,  # 100,000 characters
        "x" * 100_000,
    ],
)
def test_odd_inputs_get_an_answer(text):
    r = classify(text)
    assert r.category in CATEGORIES
    assert 0.0 < r.confidence <= 1.0
    assert len(r.top) == 3
    assert isinstance(r.keywords, list)
    d = r.as_dict()
    assert set(d) == {"category", "confidence", "top", "keywords", "needs_review"}


def test_one_character_gives_a_low_confidence_answer():
    r = classify("a")
    assert r.needs_review and r.confidence < clf.CONFIDENCE_THRESHOLD


def test_batch_marks_empty_texts_with_none():
    out = classify_batch(["楼上漏水", "  ", "欠薪"])
    assert out[1] is None
    assert out[0].category == "neighbour" and out[2].category == "labour"
    assert classify_batch([]) == []


def test_keywords_explain_the_decision():
    r = classify("市民来电反映：工地包工头拖欠农民工工资三个月，诉求：协调追讨工资。")
    assert r.category == "labour"
    assert 1 <= len(r.keywords) <= clf.N_KEYWORDS
    norm = clf.normalise("市民来电反映：工地包工头拖欠农民工工资三个月，诉求：协调追讨工资。")
    assert all(k in norm for k in r.keywords)
    assert {"工资", "包工头", "农民工", "拖欠"} & set(r.keywords)
    # No keyword is contained in another.
    assert not any(a != b and a in b for a in r.keywords for b in r.keywords)


def test_needs_review_follows_the_threshold():
    r = clf.Result(category="other", confidence=clf.CONFIDENCE_THRESHOLD - 1e-6, top=[("other", 0.49)])
    assert r.needs_review
    r = clf.Result(category="other", confidence=clf.CONFIDENCE_THRESHOLD, top=[("other", 0.5)])
    assert not r.needs_review


def test_normalise():
    assert clf.normalise("  <p>離婚&nbsp;糾紛</p>\n\n ") == "离婚 纠纷"
    assert len(clf.normalise("字" * 100_000)) == clf.MAX_FEATURE_CHARS


def test_model_is_loaded_once_and_shared_between_threads():
    assert clf.get_model() is clf.get_model()
    texts = ["楼上漏水", "欠薪", "离婚", "拆迁补偿"] * 10
    expected = [r.category for r in classify_batch(texts)]
    errors: list[BaseException] = []
    out: dict[int, list[str]] = {}

    def work(i):
        try:
            out[i] = [classify(t).category for t in texts]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(v == expected for v in out.values())


def test_shipped_model_is_small_and_describes_itself():
    assert clf.MODEL_PATH.stat().st_size < 10 * 1024 * 1024
    meta = clf.get_model().meta
    assert meta["format"] == clf.MODEL_FORMAT
    assert meta["n_texts"] >= 2000


@pytest.mark.parametrize(
    "text",
    ["😀", "😡😡😡👍", "!!!???", "Hello, is anyone there?", "12345 67890", "\u200b\u200b", "🙏" * 40_000],
)
def test_texts_without_chinese_are_undetermined(text):
    r = classify(text)
    assert r.undetermined and r.needs_review
    (b,) = classify_batch([text])
    assert b is None or b.needs_review  # None: nothing left after normalising (documented)


def test_long_mixed_script_text_gets_a_determined_answer():
    text = ("Case note: 申请人在工地干活时从脚手架上摔下，腰椎骨折住院，要求老板支付工伤赔偿。 🙏 " * 1500)[
        :100_000
    ]
    r = classify(text)
    assert r.category == "labour" and not r.undetermined


def test_classify_never_raises_on_any_string():
    import random

    rnd = random.Random(13)
    pool = [chr(c) for c in (*range(0, 0x3000, 7), *range(0x4E00, 0x4F00), *range(0x1F600, 0x1F650))]
    for _ in range(200):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randrange(0, 400)))
        r = classify(text)
        assert r.category in CATEGORIES and 0.0 < r.confidence <= 1.0


# The second held-out set (corpus/heldout_guide.jsonl), written by hand from the labelling guide
# in docs/triage.md and never trained on: measured macro-F1 0.967, accuracy 0.967 (123 texts).
GUIDE_MACRO_F1_FLOOR = 0.94


@pytest.fixture(scope="module")
def guide():
    return clf.read_jsonl(clf.CORPUS_DIR / "heldout_guide.jsonl")


def test_guide_heldout_macro_f1_reaches_the_floor(guide):
    from sklearn.metrics import f1_score

    gold = [r["label"] for r in guide]
    pred = [r.category for r in classify_batch([r["text"] for r in guide])]
    assert f1_score(gold, pred, labels=list(CATEGORIES), average="macro") >= GUIDE_MACRO_F1_FLOOR


def test_guide_heldout_is_mostly_write_ups_and_shares_nothing_with_training(guide):
    assert {r["label"] for r in guide} == set(CATEGORIES)
    assert all(sum(r["label"] == c for r in guide) >= 6 for c in CATEGORIES)
    cases = [r for r in guide if r["style"] == "case"]
    assert len(cases) / len(guide) >= 0.6
    assert sum(len(r["text"]) >= 290 for r in cases) >= len(CATEGORIES)  # one long file per category
    train_blob = "\n".join(r["text"] for r in clf.read_jsonl(clf.TRAIN_PATH))
    for r in guide:
        for clause in re.split(r"[，。？！；：、,.?!;:【】]", r["text"]):
            if len(clause) >= 18:
                assert clause not in train_blob, (r["id"], clause)


@pytest.mark.parametrize(
    "text, expected",
    [
        # an injury is filed under the relationship in which it happened (docs/triage.md)
        ("申请人在工地干活时从脚手架摔下，腰椎骨折在县医院住院四十天，要求公司按工伤赔偿", "labour"),
        ("申请人骑电动车被轿车撞倒，住院两个月，交警认定对方全责，要求赔偿医疗费和误工费", "traffic"),
        ("两家因滴水檐争吵后互相推打，申请人头部缝了六针，要求邻居赔偿医药费并改造屋檐", "neighbour"),
        ("学生课间追逐时被同学推倒，门牙折断，家长要求学校和对方家长赔偿", "education"),
        ("申请人在医院做阑尾手术后感染，认为医生操作不当，要求医院赔偿", "medical"),
        ("在美容店办的护理卡还剩三十次，店铺转让后不认卡，要求退还余额", "consumer"),
    ],
)
def test_the_relationship_decides_not_the_injury(text, expected):
    assert classify(text).category == expected


# The long write-up sets, written from the labelling guide alone in styles the corpus does not use
# (agreements, mediators' logs, news briefs, return visits; applications and session records),
# never trained on. heldout_long: macro-F1 0.923 before the relationship sentences and negation
# scope, 0.941 after; heldout_long2 (written after those changes, measured once): 0.969.
LONG_FLOORS = {"heldout_long.jsonl": 0.92, "heldout_long2.jsonl": 0.94}


@pytest.mark.parametrize("name", sorted(LONG_FLOORS))
def test_long_write_ups_reach_their_floor_and_share_nothing_with_training(name):
    from sklearn.metrics import f1_score

    rows = clf.read_jsonl(clf.CORPUS_DIR / name)
    assert {r["label"] for r in rows} == set(CATEGORIES)
    assert all(sum(r["label"] == c for r in rows) >= 2 for c in CATEGORIES)
    assert sorted(len(r["text"]) for r in rows)[len(rows) // 2] >= 200  # long, like real files
    gold = [r["label"] for r in rows]
    pred = [r.category for r in classify_batch([r["text"] for r in rows])]
    assert f1_score(gold, pred, labels=list(CATEGORIES), average="macro") >= LONG_FLOORS[name]
    train_blob = "\n".join(r["text"] for r in clf.read_jsonl(clf.TRAIN_PATH))
    for r in rows:
        for clause in re.split(r"[，。？！；：、,.?!;:【】]", r["text"]):
            if len(clause) >= 18:
                assert clause not in train_blob, (r["id"], clause)


def test_negation_scope_makes_words_of_their_own():
    words = clf.get_model().word.analyzer("交警确认两车没有发生碰撞，双方互殴")
    assert clf.NEGATED + "碰撞" in words and "碰撞" not in words
    assert "互殴" in words  # the comma ends the scope
