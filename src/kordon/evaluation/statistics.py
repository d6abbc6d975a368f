"""Paired pre/post analysis of questionnaire scores, as family-skills evaluations report it.

For one outcome (say SDQ total difficulties from parents) each family has a score before and after
the programme. The report gives, per outcome and informant: the number of complete pairs, pre and
post means and SDs, the mean change with its 95 % confidence interval, the paired t test (two-tailed,
and one-tailed in the direction of improvement, as the FAST Central Asia evaluation used), standardised
effect sizes (Cohen's d_z and d_av, Hedges' g_z) so results compare across instruments and with
meta-analyses, the numbers who changed reliably (Jacobson & Truax 1991), and a Wilcoxon signed-rank
p-value as a check that does not assume normal differences.

Sign convention: every change is ``post - pre``. On difficulty scales (SDQ total, emotional, ...)
improvement is a *decrease*, so a helpful programme shows a negative mean change and negative effect
sizes; on prosocial and other "higher is better" scales improvement is an *increase*. The caller says
which with ``improvement``; it only decides the one-tailed p-value and which reliable changes count
as improvements, never the sign of the reported numbers.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

# Two-sided 95 % normal criterion for the Reliable Change Index (Jacobson & Truax 1991).
RCI_CRITERION = 1.96


@dataclass(frozen=True)
class PairedResult:
    """The numbers a pre/post report table needs for one outcome.

    Undefined quantities are NaN rather than errors: with identical differences (SD of differences 0)
    t and d_z are ±inf (or NaN when the change is 0), because a report still wants the means.
    ``improved_reliably``/``deteriorated_reliably``/``rci_threshold`` are None without a reliability.
    """

    n: int
    pre_mean: float
    pre_sd: float
    post_mean: float
    post_sd: float
    mean_change: float
    change_ci_low: float
    change_ci_high: float
    t: float
    df: int
    p_two_tailed: float
    p_one_tailed: float
    cohen_dz: float
    cohen_dav: float
    hedges_gz: float
    improved_reliably: int | None
    deteriorated_reliably: int | None
    rci_threshold: float | None
    wilcoxon_p: float | None


def _is_missing(value: float | None) -> bool:
    # Exports from SPSS or pandas mark blanks as NaN rather than None; both mean "not measured".
    return value is None or (isinstance(value, float) and math.isnan(value))


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator with x/0 = ±inf and 0/0 = NaN, instead of an exception."""
    if denominator == 0:
        return math.nan if numerator == 0 else math.copysign(math.inf, numerator)
    return numerator / denominator


def paired(
    pre: Sequence[float | None],
    post: Sequence[float | None],
    *,
    improvement: Literal["decrease", "increase"],
    reliability: float | None = None,
    confidence: float = 0.95,
) -> PairedResult:
    """Analyse paired scores; ``pre[i]`` and ``post[i]`` belong to the same person.

    Pairs with either score missing (None or NaN) are dropped, so ``n`` counts complete pairs only.
    ``reliability`` is the instrument's reliability r_xx (e.g. Cronbach's alpha or test-retest) for the
    Reliable Change Index; ``confidence`` sets the interval of the mean change.
    """
    if len(pre) != len(post):
        raise ValueError(f"There are {len(pre)} pre scores but {len(post)} post scores; they must pair up.")
    if improvement not in ("decrease", "increase"):
        raise ValueError(f"improvement must be 'decrease' or 'increase', not {improvement!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"The confidence level must be between 0 and 1 (e.g. 0.95), not {confidence}.")
    if reliability is not None and not 0 <= reliability < 1:
        raise ValueError(f"The reliability must be at least 0 and below 1, not {reliability}.")

    pairs = [(a, b) for a, b in zip(pre, post, strict=True) if not _is_missing(a) and not _is_missing(b)]
    n = len(pairs)
    if n < 2:
        raise ValueError(f"A paired comparison needs at least 2 people with both scores; there are {n}.")
    before = np.array([a for a, _ in pairs], dtype=float)
    after = np.array([b for _, b in pairs], dtype=float)
    diffs = after - before
    df = n - 1

    pre_sd = float(np.std(before, ddof=1))
    post_sd = float(np.std(after, ddof=1))
    mean_change = float(np.mean(diffs))
    sd_change = float(np.std(diffs, ddof=1))
    se_change = sd_change / math.sqrt(n)

    # Paired t test: t = mean(d) / (SD(d) / √n) on n − 1 degrees of freedom.
    t = _ratio(mean_change, se_change)
    if math.isnan(t):
        p_two = p_one = math.nan
    else:
        p_two = float(2 * stats.t.sf(abs(t), df))
        # One-tailed in the direction of improvement: P(T ≤ t) when a decrease is hoped for.
        p_one = float(stats.t.cdf(t, df) if improvement == "decrease" else stats.t.sf(t, df))
    half_width = float(stats.t.ppf((1 + confidence) / 2, df)) * se_change

    # Effect sizes (Lakens 2013): d_z standardises by the SD of the differences, d_av by the average
    # of the pre and post SDs (closer to an independent-groups d, as meta-analyses report).
    cohen_dz = _ratio(mean_change, sd_change)
    cohen_dav = _ratio(mean_change, (pre_sd + post_sd) / 2)
    # Hedges' small-sample correction, the usual approximation J = 1 − 3 / (4·df − 1).
    hedges_gz = cohen_dz * (1 - 3 / (4 * df - 1))

    improved: int | None = None
    deteriorated: int | None = None
    threshold: float | None = None
    if reliability is not None:
        # Jacobson & Truax (1991): SE = SD_pre·√(1 − r_xx), S_diff = √2·SE, reliable when
        # |RCI| = |post − pre| / S_diff > 1.96, i.e. when |post − pre| > 1.96·S_diff.
        # SD_pre is the SD of the pre scores of the complete pairs.
        s_diff = math.sqrt(2) * pre_sd * math.sqrt(1 - reliability)
        threshold = RCI_CRITERION * s_diff
        decreased = int(np.sum(diffs < -threshold))
        increased = int(np.sum(diffs > threshold))
        improved, deteriorated = (
            (decreased, increased) if improvement == "decrease" else (increased, decreased)
        )

    return PairedResult(
        n=n,
        pre_mean=float(np.mean(before)),
        pre_sd=pre_sd,
        post_mean=float(np.mean(after)),
        post_sd=post_sd,
        mean_change=mean_change,
        change_ci_low=mean_change - half_width,
        change_ci_high=mean_change + half_width,
        t=t,
        df=df,
        p_two_tailed=p_two,
        p_one_tailed=p_one,
        cohen_dz=cohen_dz,
        cohen_dav=cohen_dav,
        hedges_gz=hedges_gz,
        improved_reliably=improved,
        deteriorated_reliably=deteriorated,
        rci_threshold=threshold,
        wilcoxon_p=_wilcoxon(diffs),
    )


def _wilcoxon(diffs: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value; None when it is undefined (no non-zero difference)."""
    if len(diffs) < 2 or not np.any(diffs != 0):
        return None
    return float(stats.wilcoxon(diffs).pvalue)
