"""Choosing which consignments to inspect with a limited capacity.

Profiles that send a consignment to a lane are obeyed first. The rest of the capacity goes to the
highest combined risk, except a reserved share (10 % by default) picked at random from the
consignments not chosen by risk: random picks keep the model learning about what it does not
suspect and give the unbiased hit rate that every other hit rate is compared with (ASYCUDA's
"minimum random rate"; the published simulations show 90 % model + 10 % random never doing worse
than the model alone). The next band of risk goes to the yellow lane (documents); the rest is
released.
"""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kordon.targeting.models import Lane, Source

DEFAULT_RANDOM_SHARE = 0.10


@dataclass(frozen=True)
class Candidate:
    key: int
    model_risk: float | None
    rule_weight: int  # the fired profiles' combined weight, 0–100
    forced_lane: str = ""  # a lane a fired profile demands

    @property
    def risk(self) -> float:
        """The chance that the model or the profiles are right, as if independent."""
        return 1 - (1 - (self.model_risk or 0.0)) * (1 - self.rule_weight / 100)

    @property
    def risk_source(self) -> str:
        return Source.RULE if self.rule_weight / 100 >= (self.model_risk or 0.0) else Source.MODEL


@dataclass(frozen=True)
class Choice:
    key: int
    risk: float
    lane: str
    source: str  # Source, or "" for the yellow and green lanes


def capacity_of(text: str, total: int) -> int:
    """A capacity written as a number of inspections ("40") or a share of today's consignments ("5%")."""
    written = text.strip().replace(",", ".")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", written)
    try:
        if match:
            share = float(match.group(1))
            if not 0 <= share <= 100:
                raise ValueError(written)
            return round(total * share / 100)
        number = int(written)
        if number < 0:
            raise ValueError(written)
        return number
    except ValueError:
        raise ValueError(_("Write the capacity as a number of inspections (40) or a share (5%%).")) from None


def select(
    candidates: Sequence[Candidate],
    capacity: int,
    *,
    random_share: float = DEFAULT_RANDOM_SHARE,
    documents: int | None = None,
    rng: random.Random | None = None,
) -> list[Choice]:
    """A lane for every candidate. `documents` is the yellow lane's size (the capacity by default)."""
    rng = rng or random.SystemRandom()  # traders must not be able to predict the random picks
    documents = capacity if documents is None else documents
    chosen: dict[int, Choice] = {}
    for candidate in candidates:
        if candidate.forced_lane == Lane.RED:
            chosen[candidate.key] = Choice(candidate.key, candidate.risk, Lane.RED, Source.RULE)
    left = max(0, capacity - len(chosen))
    by_risk = sorted((c for c in candidates if c.key not in chosen), key=lambda c: (-c.risk, c.key))
    randoms = min(round(left * random_share), len(by_risk))
    for candidate in by_risk[: left - randoms]:
        chosen[candidate.key] = Choice(candidate.key, candidate.risk, Lane.RED, candidate.risk_source)
    rest = by_risk[left - randoms :]
    for candidate in rng.sample(rest, randoms):
        chosen[candidate.key] = Choice(candidate.key, candidate.risk, Lane.RED, Source.RANDOM)
    rest = [c for c in rest if c.key not in chosen]
    forced_yellow = [c for c in rest if c.forced_lane == Lane.YELLOW]
    others = [c for c in rest if c.forced_lane != Lane.YELLOW]
    for candidate in forced_yellow + others[:documents]:
        chosen[candidate.key] = Choice(candidate.key, candidate.risk, Lane.YELLOW, "")
    return [chosen.get(c.key) or Choice(c.key, c.risk, Lane.GREEN, "") for c in candidates]
