"""The scoring engine against SDQ examples worked out by hand, and its rule checks."""

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kordon.evaluation.scoring import (
    Band,
    Composite,
    Scale,
    ScoringRules,
    band,
    load_sdq,
    rules_from_dict,
    rules_to_dict,
    score,
)

SDQ_ITEMS = [str(i) for i in range(1, 26)]
DIFFICULTIES = ("emotional", "conduct", "hyperactivity", "peer")

# A full parent answer sheet (0 = not true, 1 = somewhat true, 2 = certainly true).
FULL = {
    "1": 2, "2": 1, "3": 0, "4": 2, "5": 1, "6": 0, "7": 2, "8": 1, "9": 2, "10": 2,
    "11": 2, "12": 0, "13": 1, "14": 1, "15": 2, "16": 0, "17": 1, "18": 1, "19": 0, "20": 2,
    "21": 0, "22": 0, "23": 1, "24": 2, "25": 1,
}  # fmt: skip


@pytest.fixture(scope="module")
def parent() -> ScoringRules:
    return load_sdq("parent")


@pytest.fixture(scope="module")
def teacher() -> ScoringRules:
    return load_sdq("teacher")


def test_full_answer_set_with_reversed_items(parent: ScoringRules) -> None:
    # Reversed items score 2 - x.
    # emotional     3, 8, 13, 16, 24    = 0 + 1 + 1 + 0 + 2                 = 4
    # conduct       5, 7R, 12, 18, 22   = 1 + (2-2) + 0 + 1 + 0             = 2
    # hyperactivity 2, 10, 15, 21R, 25R = 1 + 2 + 2 + (2-0) + (2-1)         = 8
    # peer          6, 11R, 14R, 19, 23 = 0 + (2-2) + (2-1) + 0 + 1         = 2
    # prosocial     1, 4, 9, 17, 20     = 2 + 2 + 2 + 1 + 2                 = 9
    # total difficulties = 4 + 2 + 8 + 2 = 16; externalising = 2 + 8 = 10; internalising = 4 + 2 = 6
    assert score(parent, FULL) == {
        "emotional": 4,
        "conduct": 2,
        "hyperactivity": 8,
        "peer": 2,
        "prosocial": 9,
        "total_difficulties": 16,
        "externalising": 10,
        "internalising": 6,
    }


def test_three_of_five_answered_is_prorated(parent: ScoringRules) -> None:
    answers: dict[str, float | None] = {**FULL, "3": 2, "8": 1, "13": 1, "16": None}
    del answers["24"]
    # emotional: 3 of 5 answered (2, 1, 1) -> mean 4/3 × 5 = 6.67 -> 7
    # total = 7 + 2 + 8 + 2 = 19; internalising = 7 + 2 = 9
    scores = score(parent, answers)
    assert scores["emotional"] == 7
    assert scores["total_difficulties"] == 19
    assert scores["internalising"] == 9


def test_prorating_a_reversed_item_and_rounding_half_up(parent: ScoringRules) -> None:
    # conduct with 5 and 18 missing: 7R = 2 - 0 = 2, 12 = 1, 22 = 2 -> 5/3 × 5 = 8.33 -> 8
    answers = {**FULL, "5": None, "7": 0, "12": 1, "18": None, "22": 2}
    assert score(parent, answers)["conduct"] == 8
    # peer with 23 missing: 6 = 1, 11R = 2 - 2 = 0, 14R = 2 - 2 = 0, 19 = 1 -> 2/4 × 5 = 2.5 -> 3
    # (half up, as SPSS RND in the sdqinfo syntax; Python's round(2.5) would give 2)
    answers = {**FULL, "6": 1, "11": 2, "14": 2, "19": 1, "23": None}
    assert score(parent, answers)["peer"] == 3


def test_two_of_five_answered_is_missing(parent: ScoringRules) -> None:
    # hyperactivity: only 2 and 10 answered -> fewer than 3 -> missing, and so are the composites
    # that add it; emotional and peer still score 4 and 2 (internalising 6) as in the full sheet.
    answers = {**FULL, "15": None, "21": None, "25": None}
    scores = score(parent, answers)
    assert scores["hyperactivity"] is None
    assert scores["total_difficulties"] is None
    assert scores["externalising"] is None
    assert scores["internalising"] == 6
    assert scores["conduct"] == 2


def test_parent_bands(parent: ScoringRules) -> None:
    scores = score(parent, FULL)
    # UK parent 3-band: total 16 in 14-16, emotional 4 = 4, conduct 2 in 0-2, hyperactivity 8 in 7-10,
    # peer 2 in 0-2, prosocial 9 in 8-10 (high is good).
    assert {
        name: band(parent, name, scores[name]) for name in (*DIFFICULTIES, "prosocial", "total_difficulties")
    } == {
        "emotional": "borderline",
        "conduct": "normal",
        "hyperactivity": "abnormal",
        "peer": "normal",
        "prosocial": "normal",
        "total_difficulties": "borderline",
    }
    assert band(parent, "prosocial", 6) == "abnormal"  # 0-6 is the low (worrying) end
    assert band(parent, "externalising", 10) is None  # no published bands
    assert band(parent, "total_difficulties", None) is None


def test_teacher_bands(teacher: ScoringRules) -> None:
    scores = score(teacher, FULL)
    # Teacher 4-band: total 16 in 16-18 (high), emotional 4 (slightly raised), conduct 2 in 0-2,
    # hyperactivity 8 (high), peer 2 in 0-2, prosocial 9 in 6-10.
    assert {
        name: band(teacher, name, scores[name]) for name in (*DIFFICULTIES, "prosocial", "total_difficulties")
    } == {
        "emotional": "slightly raised",
        "conduct": "close to average",
        "hyperactivity": "high",
        "peer": "close to average",
        "prosocial": "close to average",
        "total_difficulties": "high",
    }
    assert band(teacher, "total_difficulties", 19) == "very high"
    assert band(teacher, "hyperactivity", 7) == "slightly raised"
    assert band(teacher, "prosocial", 3) == "very low"


def test_band_of_unknown_name_raises(parent: ScoringRules) -> None:
    with pytest.raises(ValueError, match="'anxiety' is not a scale or composite"):
        band(parent, "anxiety", 3)


@pytest.mark.parametrize("bad", [3, -1, 2.5, math.nan])
def test_out_of_range_answer_raises_naming_the_item(parent: ScoringRules, bad: float) -> None:
    with pytest.raises(ValueError, match=r"item 14 .*outside the range 0-2"):
        score(parent, {**FULL, "14": bad})


def test_non_numeric_answer_raises(parent: ScoringRules) -> None:
    with pytest.raises(ValueError, match="item 3 is '1', not a number"):
        score(parent, {**FULL, "3": "1"})  # type: ignore[dict-item]


def test_items_outside_the_rules_are_ignored(parent: ScoringRules) -> None:
    # e.g. the impact supplement, which these rules do not score
    assert score(parent, {**FULL, "distres": 7}) == score(parent, FULL)


def test_sdq_file_has_no_item_wording_and_cites_sources() -> None:
    from kordon.evaluation.scoring import SDQ_FILE

    tables = json.loads(SDQ_FILE.read_text(encoding="utf-8"))
    assert set(tables) == {"sdq_parent", "sdq_teacher"}
    for rules in tables.values():
        assert "sdqinfo.org" in rules["source"]
        for scale in rules["scales"]:
            assert set(scale) <= {
                "name",
                "items",
                "reversed",
                "minimum_answered",
                "item_min",
                "item_max",
                "prorate",
                "round_to_integer",
            }
            assert all(item.isdigit() for item in scale["items"])
    assert "10.1186/s12888-021-03218-x" in tables["sdq_parent"]["source"]
    assert "PMC4830858" in tables["sdq_teacher"]["source"]


def test_sdq_structure(parent: ScoringRules, teacher: ScoringRules) -> None:
    for rules in (parent, teacher):
        assert sorted((item for s in rules.scales for item in s.items), key=int) == SDQ_ITEMS
        assert sorted((item for s in rules.scales for item in s.reversed), key=int) == [
            "7",
            "11",
            "14",
            "21",
            "25",
        ]
        assert {s.minimum_answered for s in rules.scales} == {3}
        assert rules.higher_is_better == frozenset({"prosocial"})


def test_unknown_informant_raises() -> None:
    with pytest.raises(ValueError, match="no SDQ scoring rules for informant 'self'; known: parent, teacher"):
        load_sdq("self")


def test_round_trip(parent: ScoringRules, teacher: ScoringRules) -> None:
    custom = ScoringRules(
        "custom",
        (
            Scale("a", ("q1", "q2"), item_max=4, item_min=1, reversed=frozenset({"q2"}), prorate=False),
            Scale("b", ("q3",), item_max=1, round_to_integer=False),
        ),
        (Composite("ab", ("a", "b")),),
        bands={"ab": (Band("low", 0, 4.5), Band("high", 5, 9))},
        higher_is_better=frozenset({"b"}),
        source="made up",
    )
    for rules in (parent, teacher, custom):
        data = rules_to_dict(rules)
        assert rules_from_dict(json.loads(json.dumps(data))) == rules


Change = Callable[[dict[str, Any]], object]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["scales"][0].update(reversed=["26"]),
            "Scale 'emotional' reverses item.s. 26, which are not among its items",
        ),
        (
            lambda d: d["composites"][0].update(parts=["emotional", "anxiety"]),
            "Composite 'total_difficulties' adds 'anxiety', which is not a scale",
        ),
        (
            lambda d: d["bands"]["emotional"][1].update(low=3),
            r"Bands 'normal' \(0-3\) and 'borderline' \(3-4\) of 'emotional' overlap",
        ),
        (
            lambda d: d["scales"][1].update(minimum_answered=6),
            "Scale 'conduct' asks for at least 6 answered items but has only 5",
        ),
        (lambda d: d["scales"][0].update(item_max=0), "lowest answer .0. must be below the highest .0."),
        (lambda d: d["scales"][0].update(reverse=["7"]), "unknown key.s. reverse"),
        (lambda d: d["scales"][0].update(item_max="2"), "item_max of scale 'emotional' has the wrong type"),
        (lambda d: d["scales"][0].update(prorate=False), "not prorated, so every item must be answered"),
        (lambda d: d.update(higher_is_better=["kindness"]), "higher_is_better names 'kindness'"),
        (lambda d: d["bands"].update(anxiety=[]), "Bands are given for 'anxiety'"),
        (lambda d: d["scales"].append(d["scales"][0]), "name a scale more than once: 'emotional'"),
        (lambda d: d["bands"]["peer"][0].update(low=5), "starts at 5, above its end 2"),
    ],
)
def test_bad_rules_raise_with_a_message(change: Change, message: str) -> None:
    data = rules_to_dict(load_sdq("parent"))
    rules_from_dict(data)  # valid before the change
    change(data)
    with pytest.raises(ValueError, match=message):
        rules_from_dict(data)


answer_value = st.none() | st.sampled_from([0, 1, 2])


@settings(deadline=None)
@given(st.fixed_dictionaries(dict.fromkeys(SDQ_ITEMS, answer_value)))
def test_any_answer_sheet_scores_within_range(answers: dict[str, int | None]) -> None:
    scores = score(load_sdq("parent"), answers)
    for rules_scale in load_sdq("parent").scales:
        answered = sum(answers[item] is not None for item in rules_scale.items)
        value = scores[rules_scale.name]
        assert (value is None) == (answered < 3)
        assert value is None or 0 <= value <= 10
    parts = [scores[name] for name in DIFFICULTIES]
    if all(p is not None for p in parts):
        assert scores["total_difficulties"] == sum(p for p in parts if p is not None)
        assert scores["total_difficulties"] == scores["externalising"] + scores["internalising"]  # type: ignore[operator]
    else:
        assert scores["total_difficulties"] is None


@settings(deadline=None)
@given(st.fixed_dictionaries({item: st.sampled_from([0, 1, 2]) for item in SDQ_ITEMS}))
def test_complete_sheet_is_a_plain_sum(answers: dict[str, int]) -> None:
    # With all five items answered prorating changes nothing: the score is the sum of the (reversed) items.
    rules = load_sdq("teacher")
    scores = score(rules, answers)
    for s in rules.scales:
        expected = sum(2 - answers[i] if i in s.reversed else answers[i] for i in s.items)
        assert scores[s.name] == expected
