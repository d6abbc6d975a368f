"""The scoring rules of an audit, as docs/prisons.md states them."""

from hypothesis import given
from hypothesis import strategies as st

from kordon.prisons.scoring import Standard, gaps, rating, score

STANDARDS = [
    Standard("p1", "physical", "critical"),
    Standard("p2", "physical", "major"),
    Standard("p3", "physical", "minor"),
    Standard("r1", "procedural", "major"),
    Standard("d1", "dynamic", "minor"),
]


def test_weights_partial_answers_and_not_applicable() -> None:
    result = score(STANDARDS, {"p1": "yes", "p2": "partial", "p3": "na", "r1": "no", "d1": "yes"})
    # physical: (3×1 + 2×0.5) ÷ (3 + 2) = 80; "not applicable" leaves the sums.
    assert result["components"] == {"physical": 80.0, "procedural": 0.0, "dynamic": 100.0}
    # The overall score is the mean of the sections, not of the standards.
    assert result["overall"] == 60.0
    assert result["applicable"] == 4
    assert result["critical_fail"] is False
    assert result["rating"] == "amber"


def test_a_critical_standard_not_met_makes_the_facility_red_whatever_the_percentage() -> None:
    walls = [Standard(f"w{n}", "physical", "major") for n in range(10)]
    rules = [Standard("r1", "procedural", "major")]
    answers = {f"w{n}": "yes" for n in range(10)} | {"p1": "no", "r1": "yes"}
    result = score([STANDARDS[0], *walls, *rules], answers)
    assert result["components"] == {"physical": 87.0, "procedural": 100.0}  # 20 of 23 weighted points
    assert result["overall"] == 93.5
    assert result["critical_fail"] is True and result["rating"] == "red"
    # The same percentages without the critical failure are green.
    assert rating(result["overall"], critical_fail=False) == "green"


def test_rating_thresholds_and_unanswered_standards() -> None:
    assert rating(85.0, False) == "green"
    assert rating(84.9, False) == "amber"
    assert rating(60.0, False) == "amber"
    assert rating(59.9, False) == "red"
    assert rating(None, False) == ""
    empty = score(STANDARDS, {})
    assert empty["components"] == {} and empty["overall"] is None and empty["applicable"] == 0


def test_gaps_are_listed_most_critical_first() -> None:
    found = gaps(STANDARDS, {"p1": "partial", "p2": "no", "p3": "no", "r1": "yes", "d1": "na"})
    assert [(gap.name, gap.answer) for gap in found] == [("p1", "partial"), ("p2", "no"), ("p3", "no")]


ANSWERS = st.sampled_from(["yes", "partial", "no", "na"])


@given(st.fixed_dictionaries({standard.name: ANSWERS for standard in STANDARDS}))
def test_scores_stay_between_0_and_100_and_meeting_a_standard_never_lowers_them(
    answers: dict[str, str],
) -> None:
    result = score(STANDARDS, answers)
    assert all(0 <= value <= 100 for value in result["components"].values())
    for name, answer in answers.items():
        if answer in ("no", "partial"):
            better = score(STANDARDS, answers | {name: "yes"})
            assert better["overall"] >= result["overall"]
            assert better["components"] != result["components"]
