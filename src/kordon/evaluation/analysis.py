"""The before/after analysis of a questionnaire: every scale and composite of its scoring rules,
respondents matched by code between two waves, with the paired statistics, a chart and the PDF
report."""

import base64
import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib.figure import Figure  # drawn without a display, as analytics does

from kordon.core.pdf import html_to_pdf
from kordon.evaluation import scoring
from kordon.evaluation.models import Questionnaire, Wave
from kordon.evaluation.statistics import PairedResult, paired

# Names of the SDQ's scales for people; other rules show their own names.
SCALE_LABELS = {
    "emotional": gettext_lazy("emotional symptoms"),
    "conduct": gettext_lazy("conduct problems"),
    "hyperactivity": gettext_lazy("hyperactivity and inattention"),
    "peer": gettext_lazy("peer problems"),
    "prosocial": gettext_lazy("prosocial behaviour"),
    "total_difficulties": gettext_lazy("total difficulties"),
    "externalising": gettext_lazy("externalising"),
    "internalising": gettext_lazy("internalising"),
}

# The SDQ's band names (data/sdq.json) for people.
BAND_LABELS = {
    "normal": gettext_lazy("normal"),
    "borderline": gettext_lazy("borderline"),
    "abnormal": gettext_lazy("abnormal"),
    "close to average": gettext_lazy("close to average"),
    "slightly raised": gettext_lazy("slightly raised"),
    "high": gettext_lazy("high"),
    "very high": gettext_lazy("very high"),
    "slightly lowered": gettext_lazy("slightly lowered"),
    "low": gettext_lazy("low"),
    "very low": gettext_lazy("very low"),
}


@dataclass
class Outcome:
    name: str
    improvement: str  # "decrease" or "increase": which direction is better
    result: PairedResult | None  # None: fewer than two complete pairs
    improved: bool | None = None  # the change went the better way, and the interval leaves out 0
    # The last band of the rules is the one of most concern ("abnormal", "very high"): how many
    # of the matched respondents were in it before and after.
    concern_band: str = ""
    in_band_before: int = 0
    in_band_after: int = 0

    @property
    def concern_label(self) -> str:
        return str(BAND_LABELS.get(self.concern_band, self.concern_band))

    @property
    def label(self) -> str:
        return str(SCALE_LABELS.get(self.name, self.name.replace("_", " ")))


def analyse(questionnaire: Questionnaire, first: str = Wave.PRE, second: str = Wave.POST) -> list[Outcome]:
    """Paired analysis of each scale and composite between two waves."""
    if not questionnaire.scoring:
        return []
    rules = scoring.rules_from_dict(questionnaire.scoring)
    by_respondent: dict[str, dict[str, dict[str, Any]]] = {}
    for respondent, wave, scores in questionnaire.responses.filter(wave__in=[first, second]).values_list(
        "respondent", "wave", "scores"
    ):
        by_respondent.setdefault(respondent, {})[wave] = scores
    pairs = [
        (waves[first], waves[second])
        for waves in by_respondent.values()
        if first in waves and second in waves
    ]
    outcomes = []
    for name in [scale.name for scale in rules.scales] + [composite.name for composite in rules.composites]:
        improvement = "increase" if name in rules.higher_is_better else "decrease"
        before = [pre.get(name) for pre, _post in pairs]
        after = [post.get(name) for _pre, post in pairs]
        try:
            result = paired(before, after, improvement=improvement)  # type: ignore[arg-type]
        except ValueError:
            outcomes.append(Outcome(name, improvement, None))
            continue
        better = result.change_ci_high < 0 if improvement == "decrease" else result.change_ci_low > 0
        outcome = Outcome(name, improvement, result, better)
        bands = rules.bands.get(name, ())
        if bands:
            outcome.concern_band = bands[-1].label
            complete = [(b, a) for b, a in zip(before, after, strict=True) if b is not None and a is not None]
            outcome.in_band_before = sum(
                scoring.band(rules, name, b) == outcome.concern_band for b, _a in complete
            )
            outcome.in_band_after = sum(
                scoring.band(rules, name, a) == outcome.concern_band for _b, a in complete
            )
        outcomes.append(outcome)
    return outcomes


def chart_png(outcomes: list[Outcome]) -> str:
    """Mean scores before and after, by scale, as a PNG data URI (the page and the PDF show the same)."""
    shown = [(outcome.label, outcome.result) for outcome in outcomes if outcome.result is not None]
    figure = Figure(figsize=(7, 3.2), dpi=110)
    axes = figure.subplots()
    positions = range(len(shown))
    axes.bar(
        [p - 0.2 for p in positions],
        [r.pre_mean for _n, r in shown],
        width=0.4,
        label=str(Wave.PRE.label),
        color="#9fb3c8",
    )
    axes.bar(
        [p + 0.2 for p in positions],
        [r.post_mean for _n, r in shown],
        width=0.4,
        label=str(Wave.POST.label),
        color="#17324d",
    )
    axes.set_xticks(
        list(positions),
        [name for name, _r in shown],
        rotation=20,
        ha="right",
        fontsize=8,
    )
    axes.set_ylabel(_("mean score"))
    axes.legend(fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def report_pdf(questionnaire: Questionnaire, outcomes: list[Outcome], language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "evaluation/report.html",
            {
                "questionnaire": questionnaire,
                "outcomes": outcomes,
                "chart": chart_png(outcomes) if any(o.result for o in outcomes) else "",
                "made_at": timezone.localtime(),
                "respondents": questionnaire.responses.values("respondent").distinct().count(),
            },
        )
    return html_to_pdf(html)


def certificate_pdf(participant: Any, language: str) -> bytes:
    """A participant's certificate of attendance."""
    with translation.override(language):
        html = render_to_string(
            "evaluation/certificate.html", {"participant": participant, "event": participant.event}
        )
    return html_to_pdf(html)
