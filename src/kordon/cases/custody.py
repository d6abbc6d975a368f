"""The rules of an exhibit's chain of custody, and the hash that makes it append-only.

An exhibit is always in someone's hands. Each event says who holds it afterwards; a hand-over
names who gave it. The chain is broken (and flagged, never silently accepted) when:

- it does not begin with the seizure;
- the exhibit changes hands without a recorded hand-over (an event by someone who was not
  holding it), or a hand-over is not followed by its receipt by the same person;
- it is handed over to someone outside the case team;
- its weight changes without a reason (the laboratory's sample is a reason);
- anything happens after it was destroyed or released;
- the stored hashes do not match the events (an event was changed in the database).
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from kordon.cases.models import CustodyEvent, CustodyKind

GENESIS: Final = "0" * 64
FINAL: Final = frozenset({CustodyKind.DESTROYED, CustodyKind.RELEASED})
# Events that move the exhibit to another holder by their nature: the laboratory, the court, and
# back. A hand-over within the team is HANDED_OVER followed by RECEIVED.
TRANSFERS: Final = frozenset({CustodyKind.SENT_TO_LAB, CustodyKind.IN_COURT, CustodyKind.RETURNED})
# Weights agree within this share (scales differ by a few grams in a kilogram).
WEIGHT_TOLERANCE: Final = Decimal("0.005")


@dataclass(frozen=True)
class Flag:
    """A break in the chain, at an event (its sequence number; 0 for the chain as a whole)."""

    sequence: int
    code: str
    message: str


def event_hash(event: CustodyEvent, prev_hash: str) -> str:
    """The hash of an event's content and the hash before it."""
    content = {
        "exhibit": event.exhibit_id,
        "sequence": event.sequence,
        "kind": event.kind,
        # In UTC: the database gives the time back in UTC, whatever zone it was recorded in.
        "at": event.at.astimezone(datetime.UTC).isoformat(),
        "holder": event.holder_id,
        "holder_name": event.holder_name,
        "from": event.from_user_id,
        "location": event.location,
        "condition": event.condition,
        "seal": event.seal_number,
        "weight": None if event.weight is None else str(Decimal(event.weight).normalize()),
        "weight_reason": event.weight_reason,
        "witnesses": event.witnesses,
        "note": event.note,
        "recorded_by": event.recorded_by_id,
    }
    payload = prev_hash + json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _holder(event: CustodyEvent) -> tuple[Any, str] | None:
    """Who holds the exhibit after `event`, if the event says."""
    if event.holder_id is None and not event.holder_name:
        return None
    return (event.holder_id, event.holder_name)


def _weight_changed(before: Decimal, after: Decimal) -> bool:
    return abs(after - before) > WEIGHT_TOLERANCE * max(abs(before), Decimal("0.001"))


def check(
    events: Sequence[CustodyEvent], team: set[int], *, lab_weights: Sequence[Decimal] = ()
) -> list[Flag]:
    """Every break in a chain of custody (events in order); empty when the chain holds.
    `team`: the user ids of the case team. `lab_weights`: net weights the laboratory reported,
    each an explained weight."""
    flags: list[Flag] = []
    if not events:
        return [Flag(0, "empty", str(_("No custody event is recorded.")))]
    if events[0].kind != CustodyKind.SEIZED:
        flags.append(
            Flag(events[0].sequence, "no_seizure", str(_("The chain does not begin with the seizure.")))
        )
    previous_hash = GENESIS
    holder: tuple[Any, str] | None = None  # who holds the exhibit now
    handing: CustodyEvent | None = None
    weight: Decimal | None = None
    explained = {Decimal(value) for value in lab_weights}
    finished: CustodyEvent | None = None
    for event in events:
        values = {"sequence": event.sequence, "kind": event.get_kind_display()}
        if event.prev_hash != previous_hash or event.hash != event_hash(event, previous_hash):
            flags.append(
                Flag(
                    event.sequence,
                    "altered",
                    str(_("Event %(sequence)s was changed after it was recorded.") % values),
                )
            )
        previous_hash = event.hash
        if finished is not None:
            flags.append(
                Flag(
                    event.sequence,
                    "after_end",
                    str(_("Event %(sequence)s comes after the exhibit was destroyed or released.") % values),
                )
            )
        if handing is not None and event.kind != CustodyKind.RECEIVED:
            flags.append(
                Flag(
                    handing.sequence,
                    "not_received",
                    str(
                        _("The hand-over in event %(sequence)s has no receipt.")
                        % {"sequence": handing.sequence}
                    ),
                )
            )
            handing = None
        if event.kind == CustodyKind.RECEIVED:
            if handing is None:
                flags.append(
                    Flag(
                        event.sequence,
                        "receipt_without_handover",
                        str(_("Event %(sequence)s: received without a recorded hand-over.") % values),
                    )
                )
            elif _holder(event) != _holder(handing):
                flags.append(
                    Flag(
                        event.sequence,
                        "wrong_recipient",
                        str(
                            _(
                                "Event %(sequence)s: received by someone other than the person it was handed to."
                            )
                            % values
                        ),
                    )
                )
            handing = None
        elif event.kind == CustodyKind.HANDED_OVER:
            if holder is not None and (event.from_user_id, "") != holder:
                flags.append(
                    Flag(
                        event.sequence,
                        "gap",
                        str(
                            _("Event %(sequence)s: handed over by someone who did not hold the exhibit.")
                            % values
                        ),
                    )
                )
            if event.holder_id is None or event.holder_id not in team:
                flags.append(
                    Flag(
                        event.sequence,
                        "outside_team",
                        str(_("Event %(sequence)s: handed over to someone outside the case team.") % values),
                    )
                )
            handing = event
        elif event.kind not in TRANSFERS and holder is not None and _holder(event) not in (None, holder):
            flags.append(
                Flag(
                    event.sequence,
                    "gap",
                    str(
                        _("Event %(sequence)s: the exhibit changed hands without a recorded hand-over.")
                        % values
                    ),
                )
            )
        if _holder(event) is not None:
            holder = _holder(event)
        if event.weight is not None:
            new = Decimal(event.weight)
            if (
                weight is not None
                and _weight_changed(weight, new)
                and not event.weight_reason
                and new not in explained
            ):
                flags.append(
                    Flag(
                        event.sequence,
                        "weight",
                        str(
                            _(
                                "Event %(sequence)s: the weight changed from %(before)s to %(after)s without a reason."
                            )
                            % {**values, "before": weight.normalize(), "after": new.normalize()}
                        ),
                    )
                )
            weight = new
        if event.kind in FINAL:
            finished = event
    if handing is not None:
        flags.append(
            Flag(
                handing.sequence,
                "not_received",
                str(
                    _("The hand-over in event %(sequence)s has no receipt.") % {"sequence": handing.sequence}
                ),
            )
        )
    return flags
