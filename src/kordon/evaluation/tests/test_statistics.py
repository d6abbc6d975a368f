"""Paired pre/post analysis checked against scipy's own paired t test and against hand arithmetic."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from kordon.evaluation.statistics import paired

# Scores on a 0-40 scale in steps of 0.01, so that distinct differences are never vanishingly close.
score_value = st.integers(0, 4000).map(lambda k: k / 100)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(3, 60))
    pre = draw(st.lists(score_value, min_size=n, max_size=n))
    post = draw(st.lists(score_value, min_size=n, max_size=n))
    assume(len({b - a for a, b in zip(pre, post, strict=True)}) >= 2)
    return pre, post


@settings(deadline=None)  # the first scipy call of a run can take longer than the default 200 ms
@given(pairs(), st.sampled_from(["decrease", "increase"]))
def test_t_and_p_match_scipy(data: tuple[list[float], list[float]], improvement: str) -> None:
    pre, post = data
    result = paired(pre, post, improvement=improvement)  # type: ignore[arg-type]
    # ttest_rel(a, b) tests a - b, so post first keeps the sign of mean_change = mean(post - pre).
    expected = stats.ttest_rel(post, pre)
    assert result.t == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_two_tailed == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.df == expected.df == len(pre) - 1
    one_sided = stats.ttest_rel(post, pre, alternative="less" if improvement == "decrease" else "greater")
    assert result.p_one_tailed == pytest.approx(one_sided.pvalue, rel=1e-9, abs=1e-300)


@settings(deadline=None)  # the first scipy call of a run can take longer than the default 200 ms
@given(pairs())
def test_interval_contains_the_change_and_has_the_t_width(data: tuple[list[float], list[float]]) -> None:
    pre, post = data
    result = paired(pre, post, improvement="decrease")
    diffs = np.subtract(post, pre)
    n = len(diffs)
    assert result.change_ci_low < result.mean_change < result.change_ci_high
    width = 2 * stats.t.ppf(0.975, n - 1) * np.std(diffs, ddof=1) / math.sqrt(n)
    assert result.change_ci_high - result.change_ci_low == pytest.approx(width, rel=1e-9)
    low, high = stats.ttest_rel(post, pre).confidence_interval(0.95)
    assert (result.change_ci_low, result.change_ci_high) == pytest.approx((low, high), rel=1e-9, abs=1e-12)


@settings(deadline=None)  # the first scipy call of a run can take longer than the default 200 ms
@given(pairs())
def test_dz_is_mean_over_sd_of_differences(data: tuple[list[float], list[float]]) -> None:
    pre, post = data
    result = paired(pre, post, improvement="increase")
    diffs = np.subtract(post, pre)
    assert result.mean_change == pytest.approx(diffs.mean(), rel=1e-12, abs=1e-12)
    assert result.cohen_dz == pytest.approx(diffs.mean() / diffs.std(ddof=1), rel=1e-9, abs=1e-12)
    assert result.hedges_gz == pytest.approx(
        result.cohen_dz * (1 - 3 / (4 * result.df - 1)), rel=1e-12, abs=1e-15
    )


def test_hand_computed_example() -> None:
    pre = [10, 12, 14, 9, 15]
    post = [8, 11, 10, 9, 12]
    # differences post - pre: -2, -1, -4, 0, -3; sum -10, mean -2
    # squared deviations from -2: 0, 1, 4, 4, 1 = 10; variance 10/4 = 2.5; SD(d) = √2.5 = 1.5811388
    # SE = √(2.5/5) = √0.5 = 0.7071068; t = -2 / 0.7071068 = -2√2 = -2.8284271, df = 4
    # 95 % CI: t(0.975, 4) = 2.7764451; -2 ± 2.7764451 × 0.7071068 = -2 ± 1.9632432 = [-3.9632432, -0.0367568]
    # pre mean 12, deviations -2, 0, 2, -3, 3 → 26/4 = 6.5, SD √6.5 = 2.5495098
    # post mean 10, deviations -2, 1, 0, -1, 2 → 10/4 = 2.5, SD √2.5 = 1.5811388
    # d_z = -2 / 1.5811388 = -1.2649111
    # d_av = -2 / ((2.5495098 + 1.5811388) / 2) = -2 / 2.0653243 = -0.9683709
    # J = 1 - 3 / (4·4 - 1) = 1 - 3/15 = 0.8; g_z = -1.2649111 × 0.8 = -1.0119289
    # RCI with r_xx = 0.8: SE = 2.5495098 × √0.2 = 1.1401754, S_diff = √2 × 1.1401754 = 1.6124515,
    # threshold 1.96 × 1.6124515 = 3.1604050: only the -4 counts (an improvement, since lower is better).
    result = paired(pre, post, improvement="decrease", reliability=0.8)
    assert result.n == 5
    assert (result.pre_mean, result.post_mean, result.mean_change) == (12, 10, -2)
    assert result.pre_sd == pytest.approx(2.5495098, abs=1e-7)
    assert result.post_sd == pytest.approx(1.5811388, abs=1e-7)
    assert result.t == pytest.approx(-2.8284271, abs=1e-7)
    assert result.df == 4
    assert result.change_ci_low == pytest.approx(-3.9632432, abs=1e-7)
    assert result.change_ci_high == pytest.approx(-0.0367568, abs=1e-7)
    assert result.cohen_dz == pytest.approx(-1.2649111, abs=1e-7)
    assert result.cohen_dav == pytest.approx(-0.9683709, abs=1e-7)
    assert result.hedges_gz == pytest.approx(-1.0119289, abs=1e-7)
    assert result.rci_threshold == pytest.approx(3.1604050, abs=1e-7)
    assert (result.improved_reliably, result.deteriorated_reliably) == (1, 0)
    # p two-tailed for |t| = 2.828 on 4 df is 0.0474; one-tailed (decrease hoped for) half of it
    assert result.p_two_tailed == pytest.approx(0.0474207, abs=1e-7)
    assert result.p_one_tailed == pytest.approx(0.0474207 / 2, abs=1e-7)
    # Wilcoxon: the zero difference is dropped; ranks of 1, 2, 3, 4 are all negative, W = 0;
    # exact two-sided p = 2 × (1 / 2^4) = 0.125
    assert result.wilcoxon_p == pytest.approx(0.125)


def test_one_tailed_p_follows_the_direction_of_improvement() -> None:
    pre = [10, 12, 14, 9, 15]
    post = [8, 11, 10, 9, 12]
    down = paired(pre, post, improvement="decrease")
    up = paired(pre, post, improvement="increase")
    # the same data seen as a worsening on a higher-is-better scale: the other tail
    assert up.p_one_tailed == pytest.approx(1 - down.p_one_tailed)
    assert up.mean_change == down.mean_change == -2


def test_missing_pairs_are_dropped() -> None:
    pre = [10, None, 14, 9, math.nan, 15, 12]
    post = [8, 11, None, 9, 12, 12, 11]
    result = paired(pre, post, improvement="decrease")
    complete = paired([10, 9, 15, 12], [8, 9, 12, 11], improvement="decrease")
    assert result.n == 4
    assert result == complete
    # differences -2, 0, -3, -1: mean -1.5
    assert result.mean_change == -1.5


def test_reliable_change_counts() -> None:
    # pre 8, 10, 12, 10, 10: mean 10, squared deviations 4, 0, 4, 0, 0 → variance 8/4 = 2, SD √2.
    # r_xx = 0.75: SE = √2 × √0.25 = √2/2; S_diff = √2 × √2/2 = 1; reliable when |post - pre| > 1.96.
    pre = [8, 10, 12, 10, 10]
    post = [5, 12, 10, 8.1, 10]
    # differences -3 (reliable), +2 (reliable), -2 (reliable), -1.9 (not), 0 (not)
    lower_is_better = paired(pre, post, improvement="decrease", reliability=0.75)
    assert lower_is_better.rci_threshold == pytest.approx(1.96)
    assert (lower_is_better.improved_reliably, lower_is_better.deteriorated_reliably) == (2, 1)
    higher_is_better = paired(pre, post, improvement="increase", reliability=0.75)
    assert (higher_is_better.improved_reliably, higher_is_better.deteriorated_reliably) == (1, 2)
    # a less reliable instrument raises the bar: r_xx = 0 → S_diff = √2·√2 = 2, threshold 3.92
    assert paired(pre, post, improvement="decrease", reliability=0).improved_reliably == 0


def test_without_reliability_there_are_no_rci_counts() -> None:
    result = paired([1, 2, 3], [2, 2, 5], improvement="increase")
    assert (result.improved_reliably, result.deteriorated_reliably, result.rci_threshold) == (
        None,
        None,
        None,
    )


def test_wilcoxon_is_none_when_nothing_changed() -> None:
    result = paired([3, 4, 5], [3, 4, 5], improvement="decrease")
    assert result.wilcoxon_p is None
    assert result.mean_change == 0
    assert math.isnan(result.t) and math.isnan(result.p_two_tailed) and math.isnan(result.cohen_dz)


def test_identical_nonzero_changes_give_infinite_t() -> None:
    result = paired([3, 4, 5], [2, 3, 4], improvement="decrease")
    assert result.t == -math.inf
    assert result.p_two_tailed == 0
    assert (result.change_ci_low, result.change_ci_high) == (-1, -1)


@pytest.mark.parametrize(
    ("pre", "post"),
    [([5], [4]), ([5, None, 3], [4, 2, None]), ([], [])],
)
def test_fewer_than_two_pairs_raise(pre: list[float | None], post: list[float | None]) -> None:
    with pytest.raises(ValueError, match="needs at least 2 people with both scores"):
        paired(pre, post, improvement="decrease")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"improvement": "better"}, "improvement must be 'decrease' or 'increase'"),
        ({"improvement": "decrease", "reliability": 1.0}, "reliability must be at least 0 and below 1"),
        ({"improvement": "decrease", "confidence": 95}, "confidence level must be between 0 and 1"),
    ],
)
def test_bad_arguments_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        paired([1, 2, 3], [2, 3, 5], **kwargs)


def test_unequal_lengths_raise() -> None:
    with pytest.raises(ValueError, match="3 pre scores but 2 post scores"):
        paired([1, 2, 3], [2, 3], improvement="decrease")
