"""Reads of prison security, all starting from what the access policy lets the user see:
facilities side by side, a facility over time, overdue recommendations, incident statistics and
the evaluation of joint operations over two periods."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kordon.prisons.models import (
    ESCAPES,
    PENDING,
    THROUGH_INTERAGENCY,
    Audit,
    AuditStatus,
    Component,
    Contraband,
    ContrabandKind,
    Facility,
    Incident,
    JointOperation,
    Recommendation,
)

SCORED = (AuditStatus.SUBMITTED, AuditStatus.REVIEWED)


def facilities(user: Any) -> QuerySet[Facility]:
    return Facility.objects.restrict(user).select_related("owner_unit")


def audits(user: Any) -> QuerySet[Audit]:
    return Audit.objects.restrict(user).select_related("facility", "framework", "lead_auditor")


def recommendations(user: Any) -> QuerySet[Recommendation]:
    """Recommendations of the audits the user may see (they carry no markings of their own)."""
    return Recommendation.objects.filter(audit__in=Audit.objects.restrict(user)).select_related(
        "audit__facility", "item"
    )


def overdue(user: Any, day: datetime.date) -> QuerySet[Recommendation]:
    return recommendations(user).filter(status__in=PENDING, due_on__lt=day).order_by("due_on", "id")


@dataclass
class FacilityRow:
    facility: Facility
    audit: Audit | None
    open_recommendations: int = 0
    overdue_recommendations: int = 0
    incidents: int = 0

    @property
    def section_scores(self) -> list[float | None]:
        """The latest audit's scores in the order of Component."""
        return section_scores(self.audit.scores if self.audit else {})


def section_scores(scores: dict[str, Any]) -> list[float | None]:
    components = scores.get("components", {})
    return [components.get(component) for component in Component.values]


def comparison(user: Any, day: datetime.date) -> list[FacilityRow]:
    """Each facility with its latest scored audit and its open and overdue recommendations."""
    rows = {facility.pk: FacilityRow(facility, None) for facility in facilities(user)}
    for audit in audits(user).filter(status__in=SCORED, facility__in=list(rows)).order_by("planned_on", "id"):
        rows[audit.facility_id].audit = audit  # the latest wins
    pending = recommendations(user).filter(status__in=PENDING, audit__facility__in=list(rows))
    for facility_id, due_on in pending.values_list("audit__facility_id", "due_on"):
        rows[facility_id].open_recommendations += 1
        rows[facility_id].overdue_recommendations += due_on < day
    # Incidents in the twelve months up to the latest audit (up to today without one), so the
    # figure sits beside the scores it can explain.
    until = {pk: row.audit.planned_on if row.audit else day for pk, row in rows.items()}
    since = min(until.values(), default=day) - datetime.timedelta(days=365)
    dates = (
        Incident.objects.restrict(user)
        .filter(facility__in=list(rows), occurred_at__date__gt=since)
        .values_list("facility_id", "occurred_at")
    )
    for facility_id, occurred_at in dates:
        occurred = timezone.localtime(occurred_at).date()
        if until[facility_id] - datetime.timedelta(days=365) < occurred <= until[facility_id]:
            rows[facility_id].incidents += 1
    return list(rows.values())


@dataclass
class HistoryRow:
    audit: Audit
    change: dict[str, float | None] = field(
        default_factory=dict
    )  # component/overall -> points since the previous

    @property
    def sections(self) -> list[tuple[float | None, float | None]]:
        """(score, change since the previous audit) in the order of Component."""
        return [
            (score, self.change.get(c))
            for score, c in zip(section_scores(self.audit.scores), Component.values, strict=True)
        ]


def history(user: Any, facility: Facility) -> list[HistoryRow]:
    """The facility's scored audits, oldest first, each with its change since the one before;
    the first is the baseline."""
    rows: list[HistoryRow] = []
    previous: dict[str, Any] | None = None
    for audit in audits(user).filter(facility=facility, status__in=SCORED).order_by("planned_on", "id"):
        scores = {**audit.scores.get("components", {}), "overall": audit.scores.get("overall")}
        change = {}
        if previous is not None:
            for key, value in scores.items():
                before = previous.get(key)
                change[key] = round(value - before, 1) if value is not None and before is not None else None
        rows.append(HistoryRow(audit, change))
        previous = scores
    return rows


@dataclass
class IncidentTable:
    types: list[str]
    rows: list[
        tuple[Facility, list[int], int, float | None]
    ]  # facility, counts by type, total, escapes per 10,000
    totals: list[int]


def incident_table(user: Any, incidents: QuerySet[Incident]) -> IncidentTable:
    """Counts by facility and type; escapes per 10,000 prisoners of the current population."""
    counts = Counter(incidents.values_list("facility_id", "kind"))
    types = sorted({kind for _facility, kind in counts})
    # The facilities of the incidents shown: a partner sees an incident's facility, not the register.
    named = {incident.facility_id: incident.facility for incident in incidents.select_related("facility")}
    rows = []
    for facility in sorted(named.values(), key=lambda f: f.code):
        by_type = [counts.get((facility.pk, kind), 0) for kind in types]
        escapes = sum(counts.get((facility.pk, kind), 0) for kind in ESCAPES)
        rate = round(10_000 * escapes / facility.population, 1) if facility.population else None
        rows.append((facility, by_type, sum(by_type), rate))
    totals = [sum(row[1][index] for row in rows) for index in range(len(types))]
    return IncidentTable(types, rows, totals)


@dataclass
class PeriodFigures:
    start: datetime.date
    end: datetime.date
    incidents: int = 0
    drug_finds: int = 0
    drugs_kg: Decimal = Decimal(0)
    drugs_kg_interagency: Decimal = Decimal(0)
    finds_interagency: int = 0
    counted_units: dict[str, Decimal] = field(default_factory=dict)  # tablets, pieces…: never summed into kg
    escapes: int = 0
    operations: int = 0
    officers: int = 0
    dogs: int = 0
    vehicles: int = 0
    crimes_detected: int = 0
    drug_crimes_detected: int = 0
    operations_kg: Decimal = Decimal(0)

    @property
    def interagency_percent(self) -> Decimal | None:
        if not self.drugs_kg:
            return None
        return (100 * self.drugs_kg_interagency / self.drugs_kg).quantize(Decimal("0.1"))


def period_figures(user: Any, start: datetime.date, end: datetime.date) -> PeriodFigures:
    """Drugs found in prisons (from the incident register) and joint operations in a period."""
    figures = PeriodFigures(start, end)
    incidents = Incident.objects.restrict(user).filter(
        occurred_at__date__gte=start, occurred_at__date__lte=end
    )
    figures.incidents = incidents.count()
    figures.escapes = incidents.filter(kind__in=ESCAPES).count()
    drugs = Contraband.objects.filter(incident__in=incidents, kind=ContrabandKind.DRUGS).select_related(
        "incident"
    )
    for find in drugs:
        figures.drug_finds += 1
        through = find.incident.detected_through in THROUGH_INTERAGENCY or find.incident.alert_id is not None
        figures.finds_interagency += through
        kilograms = find.quantity_kg
        if kilograms is None:
            figures.counted_units[find.unit] = (
                figures.counted_units.get(find.unit, Decimal(0)) + find.quantity
            )
            continue
        figures.drugs_kg += kilograms
        if through:
            figures.drugs_kg_interagency += kilograms
    operations = JointOperation.objects.restrict(user).filter(starts_on__lte=end, ends_on__gte=start)
    for operation in operations:
        figures.operations += 1
        figures.officers += operation.officers
        figures.dogs += operation.dogs
        figures.vehicles += operation.vehicles
        figures.crimes_detected += operation.crimes_detected
        figures.drug_crimes_detected += operation.drug_crimes_detected
        figures.operations_kg += operation.drugs_seized_kg
    return figures


def change_percent(before: Decimal | int, after: Decimal | int) -> float | None:
    return round(float(100 * (Decimal(after) - Decimal(before)) / Decimal(before)), 1) if before else None


def operations(user: Any) -> QuerySet[JointOperation]:
    """Joint operations, with only the facilities the user may see (a partner sees the
    operation, not the prison service's facility register)."""
    return JointOperation.objects.restrict(user).prefetch_related(
        "agencies", Prefetch("facilities", queryset=Facility.objects.restrict(user).order_by("code"))
    )


def incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.restrict(user).select_related("facility", "owner_unit")
