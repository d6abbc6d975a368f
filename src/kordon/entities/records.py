"""The records of other modules an entity can be linked to, named by a short kind.

The entities module does not import the others (they may import it); it looks their models up
by label, and every read of them goes through their own restricted manager, so a link never
shows a record its reader may not see."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kordon.access import policy


@dataclass(frozen=True)
class Linkable:
    kind: str
    model_label: str
    label: Promise
    url_name: str  # takes the record's id
    date_field: str  # when it happened, for the entity's timeline
    reference_field: str = "reference"  # what people call it by

    @property
    def model(self) -> Any:
        return apps.get_model(self.model_label)

    def url(self, record_id: int) -> str:
        return reverse(self.url_name, args=[record_id])

    def reference_of(self, record: Any) -> str:
        return str(getattr(record, self.reference_field))


LINKABLE: dict[str, Linkable] = {
    item.kind: item
    for item in (
        Linkable("seizure", "seizures.Seizure", _("seizure"), "seizures:detail", "occurred_on"),
        Linkable("alert", "exchange.Alert", _("alert"), "exchange:alert", "sent_at"),
        Linkable("rfi", "exchange.InformationRequest", _("request for information"), "exchange:request", "sent_at"),
        Linkable("cooperation", "cooperation.CooperationRequest", _("cooperation request"), "cooperation:request", "opened_on"),
        Linkable("incident", "prisons.Incident", _("prison incident"), "prisons:incident", "occurred_at"),
    )
}  # fmt: skip


def visible(
    user: Any, kind: str, ids: Iterable[int], registry: dict[str, Linkable] = LINKABLE
) -> dict[int, Any]:
    """The records of `kind` among `ids` that `user` may see, by id."""
    linkable = registry[kind]
    wanted = set(ids)
    if not wanted:
        return {}
    records = linkable.model.objects.restrict(user, policy.VIEW).filter(pk__in=wanted)
    return {record.pk: record for record in records}


def by_reference(
    user: Any, kind: str, reference: str, registry: dict[str, Linkable] = LINKABLE
) -> Any | None:
    """The record of `kind` with this reference (or id) that `user` may see, if exactly one."""
    linkable = registry[kind]
    records = linkable.model.objects.restrict(user, policy.VIEW)
    reference = reference.strip()
    if reference.isdigit():
        record = records.filter(pk=int(reference)).first()
        if record is not None:
            return record
    found = list(records.filter(**{linkable.reference_field: reference})[:2])
    return found[0] if len(found) == 1 else None
