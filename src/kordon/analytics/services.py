"""Writes of the analytics: an analyst's saved pivot tables (audited like every write)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kordon.access.audit import CREATE, DELETE, audit_log, snapshot
from kordon.analytics.models import SavedPivot


@transaction.atomic
def pivot_save(*, actor: Any, name: str, query: str) -> SavedPivot:
    """Save (or replace) the actor's pivot table called `name`."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the table a name.")})
    saved, _created = SavedPivot.objects.update_or_create(
        owner=actor, name=name, defaults={"query": query[:2000]}
    )
    audit_log(actor=actor, action=CREATE, instance=saved, after=snapshot(saved))
    return saved


@transaction.atomic
def pivot_delete(*, actor: Any, pivot_id: int) -> None:
    saved = SavedPivot.objects.select_for_update().filter(pk=pivot_id).first()
    if saved is None or saved.owner_id != actor.pk:
        raise PermissionDenied(_("Only the analyst who saved a table can delete it."))
    audit_log(actor=actor, action=DELETE, instance=saved, before=snapshot(saved))
    saved.delete()
