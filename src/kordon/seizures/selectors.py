"""Reads from the seizure registry. Every selector starts from the restricted queryset."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import ExtractYear

from kordon.access import policy
from kordon.access.audit import VIEW, audit_log
from kordon.core.paging import keyed_page
from kordon.seizures.models import Seizure, SeizureImport, SeizureItem, Substance


@dataclass(frozen=True)
class SeizureFilters:
    """The filters of the seizure list, shared by the page, the API and the exports."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    country: str | None = None
    substance_group: str | None = None
    substance: int | None = None
    family: str | None = None  # a commodity family (drugs, firearms, wildlife...)
    place: int | None = None
    unit: int | None = None
    status: str | None = None
    transport_mode: str | None = None
    q: str | None = None
    # Also the analytics' dimensions, so that every figure leads to the seizures behind it.
    agency: int | None = None
    detection_method: str | None = None
    concealment: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    followed_alert: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            name: (value.isoformat() if isinstance(value, datetime.date) else value)
            for name, value in self.__dict__.items()
            if value not in (None, "")
        }

    @property
    def by_commodity(self) -> bool:
        """Whether the filters ask for a substance, a drug group or a commodity family."""
        return bool(self.substance or self.substance_group or self.family)


def seizure_list(*, user: Any, filters: SeizureFilters, action: str = policy.VIEW) -> QuerySet[Seizure]:
    """The seizures `user` may see, narrowed by `filters`, newest first."""
    return filtered(Seizure.objects.restrict(user, action), filters).order_by("-occurred_on", "-id")


def seizures_to_count(*, user: Any, filters: SeizureFilters) -> QuerySet[Seizure]:
    """The seizures `user` may count in aggregates, narrowed by `filters`: what they may see plus
    what statistics-only agreements release as totals. For aggregates only, never for rows."""
    return filtered(Seizure.objects.for_statistics(user), filters)


def followed_alert(seizure: str = "pk") -> Exists:
    """Whether a seizure followed a shared alert (was linked to one); `seizure` names the
    seizure's id in the outer query ("seizure_id" from its items)."""
    links = Seizure._meta.get_field("alert_links").related_model
    return Exists(links.objects.filter(seizure=OuterRef(seizure)))  # type: ignore[union-attr]


def substances_of(filters: SeizureFilters) -> list[int]:
    """The substances the filters' drug and drug group allow. The catalogue is small: resolved
    first, the check per seizure or item is one index lookup."""
    substances = Substance.objects.all()
    if filters.substance:
        substances = substances.filter(pk=filters.substance)
    if filters.substance_group:
        substances = substances.filter(group=filters.substance_group)
    if filters.family:
        substances = substances.filter(family=filters.family)
    return list(substances.values_list("pk", flat=True))


def filtered(seizures: QuerySet[Seizure], filters: SeizureFilters) -> QuerySet[Seizure]:
    """`seizures` narrowed by the list's filters."""
    exact = {
        "occurred_on__gte": filters.date_from,
        "occurred_on__lte": filters.date_to,
        "country_id": filters.country,
        "place_id": filters.place,
        "owner_unit_id": filters.unit,
        "owner_agency_id": filters.agency,
        "status": filters.status,
        "transport_mode": filters.transport_mode,
        "detection_method": filters.detection_method,
        "concealment": filters.concealment,
        "origin_country_id": filters.origin_country,
        "destination_country_id": filters.destination_country,
    }
    seizures = seizures.filter(
        **{lookup: value for lookup, value in exact.items() if value not in (None, "")}
    )
    if filters.by_commodity:
        # EXISTS rather than a join, so a seizure with two matching items is listed once.
        items = SeizureItem.objects.filter(seizure=OuterRef("pk"), substance_id__in=substances_of(filters))
        seizures = seizures.filter(Exists(items))
    if filters.followed_alert is not None:
        seizures = seizures.filter(followed_alert() if filters.followed_alert else ~followed_alert())
    if filters.q:
        seizures = seizures.filter(search_text__contains=filters.q.strip().lower())
    return seizures


def seizure_page(*, user: Any, filters: SeizureFilters, number: Any, per_page: int) -> Page:
    """One page of the seizure list, read per policy key (see core.paging.KeyedPaginator)."""
    keys = policy.record_keys(user, policy.VIEW, Seizure)
    return keyed_page(seizure_list(user=user, filters=filters), keys, number, per_page)


def seizure_references(
    *, user: Any, prefix: str, action: str = policy.VIEW, limit: int = 10
) -> list[dict[str, Any]]:
    """Autocomplete: up to `limit` seizures the user may `action` whose reference starts with `prefix`."""
    prefix = prefix.strip()
    if len(prefix) < 2:
        return []
    return list(
        Seizure.objects.restrict(user, action)
        .filter(reference__istartswith=prefix)
        .order_by("reference")
        .values("id", "reference", "occurred_on")[:limit]
    )


def seizure_page_rows(seizures: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """What a list row shows, loaded in a fixed number of queries."""
    return seizures.select_related("country", "place", "owner_unit").prefetch_related("items__substance")


def seizure_detail(*, user: Any, seizure_id: int) -> Seizure:
    """One seizure for reading in full. The read is audited; a seizure the user may not see is
    reported exactly like one that does not exist."""
    seizure = (
        Seizure.objects.restrict(user, policy.VIEW)
        .select_related(
            "country",
            "place",
            "owner_unit",
            "owner_agency",
            "reporting_unit",
            "origin_country",
            "destination_country",
            "created_by",
        )
        .prefetch_related("items__substance")
        .get(pk=seizure_id)
    )
    with transaction.atomic():
        audit_log(actor=user, action=VIEW, instance=seizure)
    return seizure


def seizure_may(user: Any, seizure: Seizure, action: str) -> bool:
    """Whether `user` may `action` this seizure (to show or hide buttons). A seizure received
    from another node is only ever read here."""
    if seizure.origin_node and action != policy.VIEW and action != policy.EXPORT:
        return False
    return Seizure.objects.restrict(user, action).filter(pk=seizure.pk).exists()


def import_list(*, user: Any) -> QuerySet[SeizureImport]:
    """Imports into the units where the user may add records (node administrators: all)."""
    units = policy.units_for_action(user, policy.ADD)
    imports = SeizureImport.objects.select_related("owner_unit", "created_by")
    if isinstance(units, policy.Everything):
        return imports
    return imports.filter(owner_unit_id__in=units)


def import_get(*, user: Any, import_id: int) -> SeizureImport:
    return import_list(user=user).get(pk=import_id)


def seizure_statistics(
    *, user: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Cases and kilograms per country and year over the seizures the user may count: what they
    may see, plus what statistics-only agreements release as totals. Rows never leave here."""
    seizures = Seizure.objects.for_statistics(user)
    if date_from:
        seizures = seizures.filter(occurred_on__gte=date_from)
    if date_to:
        seizures = seizures.filter(occurred_on__lte=date_to)
    cases = {
        (row["country_id"], row["year"]): row["cases"]
        for row in seizures.annotate(year=ExtractYear("occurred_on"))
        .values("country_id", "year")
        .annotate(cases=Count("id"))
    }
    kilograms = {
        (row["seizure__country_id"], row["year"]): row["kg"]
        for row in SeizureItem.objects.filter(seizure__in=seizures.values("pk"))
        .annotate(year=ExtractYear("seizure__occurred_on"))
        .values("seizure__country_id", "year")
        .annotate(kg=Sum("quantity_kg"))
    }
    return [
        {"country": country, "year": year, "cases": count, "kilograms": kilograms.get((country, year)) or 0}
        for (country, year), count in sorted(cases.items())
    ]
