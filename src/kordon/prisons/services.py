"""Writing facilities, framework versions, audits and their answers, recommendations, incidents
and joint operations: each checked, atomic and audited with the change."""

import datetime
import decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, IMPORT, UPDATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import plain_markings, require_unit
from kordon.core.models import Unit
from kordon.core.tabular import Problem
from kordon.exchange.models import Alert
from kordon.prisons import expressions, scoring, xlsform
from kordon.prisons.models import (
    OPEN_AUDIT,
    Answer,
    Audit,
    AuditStatus,
    Compliance,
    Contraband,
    ContrabandKind,
    EvidenceFile,
    Facility,
    Framework,
    FrameworkItem,
    Incident,
    IncidentPerson,
    ItemKind,
    JointOperation,
    Recommendation,
    RecommendationStatus,
)
from kordon.seizures.models import Seizure, Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

DEFAULT_FRAMEWORK = Path(__file__).parent / "data" / "default_framework.md"
SUBMIT, REVIEW, RESPOND = "submit", "review", "respond"
EVIDENCE_LIMIT = 5 * 1024 * 1024


# ---- facilities ------------------------------------------------------------------------------


@dataclass
class FacilityData:
    code: str
    name: str
    kind: str
    security_level: str
    capacity: int
    population: int
    population_on: datetime.date
    region: str = ""
    latitude: float | None = None
    longitude: float | None = None


def facility_save(*, actor: Any, unit: Unit, data: FacilityData, facility_id: int | None = None) -> Facility:
    """Create a facility owned by `unit`, or change one the actor may change."""
    with transaction.atomic():
        if facility_id is None:
            require_unit(actor, unit.pk, policy.ADD)
            if Facility.objects.filter(owner_agency_id=unit.agency_id, code=data.code).exists():
                raise ValidationError({"code": _("A facility with this code already exists.")})
            facility = Facility(owner_unit=unit, owner_agency_id=unit.agency_id)
            before = None
        else:
            facility = Facility.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=facility_id)
            before = snapshot(facility)
        for name, value in data.__dict__.items():
            setattr(facility, name, value)
        facility.full_clean(exclude=["owner_unit", "owner_agency"])
        facility.save()
        audit_log(
            actor=actor,
            action=CREATE if before is None else UPDATE,
            instance=facility,
            before=before,
            after=snapshot(facility),
        )
    return facility


# ---- frameworks ------------------------------------------------------------------------------


@dataclass
class FrameworkImport:
    framework: Framework | None = None
    problems: list[Problem] = field(default_factory=list)


def framework_import(*, actor: Any, unit: Unit, content: bytes, file_name: str) -> FrameworkImport:
    """Read an XLSForm and store it as the next version of its form for the unit's agency. A
    file with any problem stores nothing and reports them all. Audits already started keep
    their version."""
    require_unit(actor, unit.pk, policy.ADD)
    parsed = xlsform.read_framework(content, file_name)
    if parsed.problems:
        return FrameworkImport(problems=parsed.problems)
    with transaction.atomic():
        latest = Framework.objects.filter(
            owner_agency_id=unit.agency_id, form_id=parsed.form_id
        ).select_for_update()
        version = (latest.aggregate(top=Max("version"))["top"] or 0) + 1
        framework = Framework.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            form_id=parsed.form_id,
            title=parsed.title,
            version=version,
            form_version=parsed.form_version,
            sections=parsed.sections,
            source=content,
            source_name=file_name[:200],
            uploaded_by=actor,
        )
        FrameworkItem.objects.bulk_create(
            FrameworkItem(
                framework=framework,
                position=position,
                name=item.name,
                kind=item.kind,
                component=item.component,
                area=item.area,
                labels=item.labels,
                hints=item.hints,
                criticality=item.criticality,
                evidence=item.evidence,
                rules=item.rules,
                required=item.required,
                relevant=item.relevant,
                constraint=item.constraint,
                constraint_messages=item.constraint_messages,
            )
            for position, item in enumerate(parsed.items, start=1)
        )
        audit_log(
            actor=actor,
            action=IMPORT,
            instance=framework,
            after={"file": file_name, "version": version, "items": len(parsed.items)},
        )
    return FrameworkImport(framework=framework)


def framework_import_default(*, actor: Any, unit: Unit) -> FrameworkImport:
    """The framework that ships with Kordon (data/default_framework.md)."""
    return framework_import(
        actor=actor, unit=unit, content=DEFAULT_FRAMEWORK.read_bytes(), file_name=DEFAULT_FRAMEWORK.name
    )


def current_framework(agency_id: int) -> Framework | None:
    return Framework.objects.filter(owner_agency_id=agency_id).order_by("-created_at", "-version").first()


# ---- audits ----------------------------------------------------------------------------------


def audit_plan(
    *,
    actor: Any,
    unit: Unit,
    facility: Facility,
    planned_on: datetime.date,
    framework: Framework | None = None,
) -> Audit:
    """Plan an audit of `facility` by `unit` against the agency's newest framework version."""
    require_unit(actor, unit.pk, policy.ADD)
    if not Facility.objects.restrict(actor).filter(pk=facility.pk).exists():
        raise PermissionDenied(_("You may not audit this facility."))
    framework = framework or current_framework(unit.agency_id)
    if framework is None:
        raise ValidationError(_("Your service has no security framework yet: upload one first."))
    with transaction.atomic():
        audit = Audit.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            facility=facility,
            framework=framework,
            planned_on=planned_on,
            lead_auditor=actor,
            **plain_markings(tlp=Tlp.AMBER, handling_code=HandlingCode.H0, distribution=Distribution.AGENCY),
        )
        audit_log(actor=actor, action=CREATE, instance=audit, after=snapshot(audit))
    return audit


@dataclass
class AnswerData:
    item: str
    value: str
    finding: str = ""


@dataclass
class EvidenceData:
    item: str
    key: str
    name: str
    content_type: str
    content: bytes


@dataclass
class AnswersSaved:
    saved: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # item name -> what is wrong
    evidence_kept: list[str] = field(default_factory=list)  # the tablet's keys of the files now on the server
    dropped: list[str] = field(default_factory=list)  # answers no longer asked


def _checked_value(item: FrameworkItem, value: str) -> str | None:
    """The value in its stored form, or None when it does not fit the item."""
    value = value.strip()
    if not value:
        return value
    try:
        if item.kind == ItemKind.COMPLIANCE:
            return value if value in Compliance.values else None
        if item.kind == ItemKind.INTEGER:
            return str(int(value)) if len(value) <= 18 else None
        if item.kind == ItemKind.DECIMAL:
            number = decimal.Decimal(value.replace(",", "."))
            # Plain digits ("10", not "1E+1"): the expressions read them as numbers.
            return format(number.normalize(), "f") if number.is_finite() and len(value) <= 30 else None
        if item.kind == ItemKind.DATE:
            return datetime.date.fromisoformat(value).isoformat()
    except (ValueError, decimal.InvalidOperation):
        return None
    return value[:200]


def _message(item: FrameworkItem, language: str) -> str:
    return (
        item.constraint_messages.get(language)
        or item.constraint_messages.get("en")
        or _("This value is not valid for the question.")
    )


def answers_save(
    *,
    actor: Any,
    audit_id: int,
    answers: list[AnswerData],
    evidence: list[EvidenceData] | None = None,
    language: str = "en",
) -> AnswersSaved:
    """Store answers sent by the checklist (often a batch a tablet kept while offline). Each
    answer is checked on its own: a wrong one is reported and the others are kept. A value
    of a question that is not asked (its `relevant` is false) is dropped, as XLSForm does."""
    result = AnswersSaved()
    with transaction.atomic():
        audit = Audit.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=audit_id)
        if audit.status not in OPEN_AUDIT:
            raise ValidationError(_("This audit has been submitted: its answers can no longer change."))
        items = {item.name: item for item in audit.framework.items.all()}
        stored = {answer.item.name: answer for answer in audit.answers.select_related("item")}
        values = {name: answer.value for name, answer in stored.items()}
        incoming: dict[str, AnswerData] = {}
        for answer in answers:
            item = items.get(answer.item)
            checked = _checked_value(item, answer.value) if item is not None else None
            if item is None:
                result.problems[answer.item] = _("This question is not in the audit's framework.")
            elif checked is None:
                result.problems[answer.item] = _("This answer does not fit the question.")
            else:
                incoming[item.name] = AnswerData(item.name, checked, answer.finding.strip())
                values[item.name] = checked
        now = timezone.now()
        before = {name: stored[name].value for name in incoming if name in stored}
        for name, answer in incoming.items():
            item = items[name]
            if (
                item.constraint
                and answer.value
                and not expressions.parse(item.constraint).holds(values, answer.value)
            ):
                result.problems[name] = _message(item, language)
                values[name] = stored[name].value if name in stored else ""
                continue
            if item.relevant and not expressions.parse(item.relevant).holds(values):
                Answer.objects.filter(audit=audit, item=item).delete()
                continue
            Answer.objects.update_or_create(
                audit=audit,
                item=item,
                defaults={
                    "value": answer.value,
                    "finding": answer.finding,
                    "answered_by": actor,
                    "answered_at": now,
                },
            )
            result.saved.append(name)
        result.dropped = _drop_unasked(audit, items)
        files = _store_evidence(actor, audit, items, evidence or [], result)
        if audit.status == AuditStatus.PLANNED and (result.saved or files):
            audit.status = AuditStatus.IN_PROGRESS
            audit.started_on = timezone.localdate()
            audit.save(update_fields=["status", "started_on", "updated_at"])
        if result.saved or files or result.dropped:
            audit_log(
                actor=actor,
                action=UPDATE,
                instance=audit,
                before={"answers": before},
                after={
                    "answers": {name: values[name] for name in result.saved},
                    "evidence": files,
                    "dropped": result.dropped,
                },
            )
    return result


def _drop_unasked(audit: Audit, items: dict[str, FrameworkItem]) -> list[str]:
    """Delete the stored answers whose question the other answers no longer ask (a measurement
    of a standard now "not applicable"), as XLSForm clears them; their names."""
    stored = dict(audit.answers.values_list("item__name", "value"))
    unasked = [
        name
        for name in stored
        if items[name].relevant and not expressions.parse(items[name].relevant).holds(stored)
    ]
    if unasked:
        audit.answers.filter(item__name__in=unasked).delete()
    return unasked


def _store_evidence(
    actor: Any,
    audit: Audit,
    items: dict[str, FrameworkItem],
    evidence: list[EvidenceData],
    result: AnswersSaved,
) -> list[str]:
    known = set(audit.evidence.values_list("client_key", flat=True))
    stored = []
    for file in evidence:
        if not file.key or len(file.key) > 64:
            result.problems[file.item] = _("The tablet sent a photo Kordon cannot file; take it again.")
            continue
        if file.key in known:
            result.evidence_kept.append(file.key)
            continue  # sent before the connection dropped: already here
        if len(file.content) > EVIDENCE_LIMIT:
            result.problems[file.item] = _("A photo or document may be at most 5 MB.")
            continue
        known.add(file.key)
        result.evidence_kept.append(file.key)
        EvidenceFile.objects.create(
            audit=audit,
            item=items.get(file.item),
            client_key=file.key,
            name=file.name[:200] or "photo",
            content_type=file.content_type[:100],
            content=file.content,
            size=len(file.content),
            added_by=actor,
        )
        stored.append(file.name)
    return stored


def _standards(audit: Audit) -> list[scoring.Standard]:
    return [
        scoring.Standard(item.name, item.component, item.criticality)
        for item in audit.framework.items.all()
        if item.kind == ItemKind.COMPLIANCE
    ]


def missing_answers(audit: Audit) -> list[FrameworkItem]:
    """Required questions still unanswered among those the answers so far make relevant."""
    values = dict(audit.answers.values_list("item__name", "value"))
    return [
        item
        for item in audit.framework.items.all()
        if item.required
        and not values.get(item.name)
        and (not item.relevant or expressions.parse(item.relevant).holds(values))
    ]


def audit_submit(*, actor: Any, audit_id: int) -> Audit:
    """Close the checklist and score it. Every required question must be answered."""
    with transaction.atomic():
        audit = Audit.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=audit_id)
        if audit.status not in OPEN_AUDIT:
            raise ValidationError(_("This audit has already been submitted."))
        missing = missing_answers(audit)
        if missing:
            raise ValidationError(
                _("Answer every required question before submitting; still open: %(items)s.")
                % {
                    "items": ", ".join(item.code for item in missing[:10])
                    + ("…" if len(missing) > 10 else "")
                }
            )
        answers = dict(audit.answers.values_list("item__name", "value"))
        audit.scores = scoring.score(_standards(audit), answers)
        audit.status = AuditStatus.SUBMITTED
        audit.submitted_at = timezone.now()
        audit.started_on = audit.started_on or timezone.localdate()
        audit.save()
        audit_log(actor=actor, action=SUBMIT, instance=audit, after={"scores": audit.scores})
    return audit


def audit_review(*, actor: Any, audit_id: int, summary: str) -> Audit:
    """A supervisor at headquarters accepts the submitted audit and its summary."""
    with transaction.atomic():
        audit = Audit.objects.restrict(actor, policy.VALIDATE).select_for_update().get(pk=audit_id)
        if audit.status != AuditStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted audit can be reviewed."))
        audit.status = AuditStatus.REVIEWED
        audit.reviewed_at = timezone.now()
        audit.reviewed_by = actor
        audit.summary = summary.strip()
        audit.save()
        audit_log(actor=actor, action=REVIEW, instance=audit, after={"summary": audit.summary})
    return audit


def audit_gaps(audit: Audit) -> list[tuple[scoring.Gap, FrameworkItem]]:
    items = {item.name: item for item in audit.framework.items.all()}
    answers = dict(audit.answers.values_list("item__name", "value"))
    return [(gap, items[gap.name]) for gap in scoring.gaps(_standards(audit), answers)]


# ---- recommendations -------------------------------------------------------------------------


@dataclass
class RecommendationData:
    text: str
    priority: str
    owner: str
    due_on: datetime.date
    item: str = ""


def recommendation_add(*, actor: Any, audit_id: int, data: RecommendationData) -> Recommendation:
    """The auditor's recommendation on a submitted audit, usually about one of its gaps."""
    with transaction.atomic():
        audit = Audit.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=audit_id)
        if audit.is_open:
            raise ValidationError(_("Submit the audit first: recommendations follow from its gaps."))
        item = audit.framework.items.filter(name=data.item).first() if data.item else None
        if data.item and item is None:
            raise ValidationError({"item": _("This standard is not in the audit's framework.")})
        if not data.text.strip() or not data.owner.strip():
            raise ValidationError(_("Write the recommendation and who is responsible for it."))
        recommendation = Recommendation.objects.create(
            audit=audit,
            item=item,
            text=data.text.strip(),
            priority=data.priority,
            owner=data.owner.strip(),
            due_on=data.due_on,
            created_by=actor,
        )
        recommendation.full_clean()
        audit_log(
            actor=actor,
            action=CREATE,
            instance=recommendation,
            owner_unit_id=audit.owner_unit_id,
            after=snapshot(recommendation),
        )
    return recommendation


RESPONSES = (RecommendationStatus.ACCEPTED, RecommendationStatus.REJECTED, RecommendationStatus.DONE)


def may_respond(actor: Any, recommendation: Recommendation) -> bool:
    """The facility answers (members of its owner unit), and so may the audit's own unit."""
    return any(
        policy.may_act_in_unit(actor, unit_id, policy.CHANGE)
        for unit_id in (recommendation.audit.facility.owner_unit_id, recommendation.audit.owner_unit_id)
    )


def recommendation_respond(
    *, actor: Any, recommendation_id: int, status: str, response: str
) -> Recommendation:
    """The facility's answer: accepted, rejected (with the reason) or done."""
    with transaction.atomic():
        audits = Audit.objects.restrict(actor)
        recommendation = (
            Recommendation.objects.select_for_update()
            .select_related("audit__facility")
            .get(pk=recommendation_id, audit__in=audits)
        )
        if not may_respond(actor, recommendation):
            raise PermissionDenied(_("Only the facility or the auditors can answer this recommendation."))
        if status not in RESPONSES:
            raise ValidationError({"status": _("Answer accepted, rejected or done.")})
        if status == RecommendationStatus.REJECTED and not response.strip():
            raise ValidationError({"response": _("Say why the recommendation is rejected.")})
        before = snapshot(recommendation)
        recommendation.status = status
        recommendation.response = response.strip()
        recommendation.responded_by = actor
        recommendation.responded_at = timezone.now()
        recommendation.save()
        audit_log(
            actor=actor,
            action=RESPOND,
            instance=recommendation,
            owner_unit_id=recommendation.audit.owner_unit_id,
            before=before,
            after=snapshot(recommendation),
        )
    return recommendation


# ---- incidents -------------------------------------------------------------------------------


@dataclass
class PersonData:
    role: str
    name: str
    birth_date: datetime.date | None = None
    identifier: str = ""


@dataclass
class ContrabandData:
    kind: str
    quantity: decimal.Decimal
    unit: str
    substance_id: int | None = None
    route: str = "unknown"
    found_where: str = ""
    seizure_id: int | None = None  # link a seizure already in the registry
    record_seizure: bool = False  # or record one for these drugs


@dataclass
class IncidentData:
    facility_id: int
    reference: str
    kind: str
    occurred_at: datetime.datetime
    description: str
    ended_at: datetime.datetime | None = None
    location: str = ""
    severity: int = 2
    detected_through: str = "routine"
    alert_id: int | None = None
    injuries: str = ""
    actions_taken: str = ""
    notified: list[str] = field(default_factory=list)
    persons: list[PersonData] = field(default_factory=list)
    contraband: list[ContrabandData] = field(default_factory=list)
    tlp: int = Tlp.AMBER
    handling_code: str = HandlingCode.H0
    distribution: int = Distribution.AGENCY


INCIDENT_DISTRIBUTIONS = (Distribution.UNIT, Distribution.AGENCY, Distribution.PARTNERS)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time without a zone is the node's local time."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def incident_create(*, actor: Any, unit: Unit, data: IncidentData) -> Incident:
    """Register an incident. Drugs among its contraband are linked to a seizure in the registry
    (an existing one, or one recorded here), so they count in the seizure statistics."""
    require_unit(actor, unit.pk, policy.ADD)
    facility = Facility.objects.restrict(actor).filter(pk=data.facility_id).first()
    if facility is None:
        raise ValidationError({"facility": _("Choose a facility of your service.")})
    alert = Alert.objects.restrict(actor).filter(pk=data.alert_id).first() if data.alert_id else None
    if data.alert_id and alert is None:
        raise ValidationError({"alert": _("This alert does not exist or you may not see it.")})
    if Incident.objects.filter(owner_agency_id=unit.agency_id, reference=data.reference).exists():
        raise ValidationError({"reference": _("An incident with this reference is already registered.")})
    if data.distribution not in INCIDENT_DISTRIBUTIONS:
        # "All members" and sharing groups would bypass the rule that only drug-related
        # incidents ever leave the prison service.
        raise ValidationError(
            {
                "distribution": _(
                    "An incident goes to your unit, your service, or partners under an agreement."
                )
            }
        )
    substances = {item.substance_id for item in data.contraband if item.substance_id is not None}
    if len(Substance.objects.filter(pk__in=substances)) != len(substances):
        raise ValidationError({"contraband": _("Choose the substance from the list.")})
    data.occurred_at = _aware(data.occurred_at)
    data.ended_at = _aware(data.ended_at) if data.ended_at else None
    markings = plain_markings(tlp=data.tlp, handling_code=data.handling_code, distribution=data.distribution)
    with transaction.atomic():
        incident = Incident(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            facility=facility,
            reference=data.reference,
            kind=data.kind,
            occurred_at=data.occurred_at,
            ended_at=data.ended_at,
            location=data.location,
            severity=data.severity,
            detected_through=data.detected_through,
            alert=alert,
            description=data.description,
            injuries=data.injuries,
            actions_taken=data.actions_taken,
            notified=sorted(set(data.notified)),
            drug_related=any(item.kind == ContrabandKind.DRUGS for item in data.contraband),
            persons_involved=len(data.persons),
            recorded_by=actor,
            **markings,
        )
        incident.full_clean(exclude=["owner_unit", "owner_agency", "facility", "alert", "recorded_by"])
        incident.save()
        IncidentPerson.objects.bulk_create(
            IncidentPerson(incident=incident, **person.__dict__) for person in data.persons
        )
        for number, item in enumerate(data.contraband, start=1):
            _contraband(actor, unit, incident, facility, item, number, markings)
        audit_log(actor=actor, action=CREATE, instance=incident, after=snapshot(incident))
    return incident


def _contraband(
    actor: Any,
    unit: Unit,
    incident: Incident,
    facility: Facility,
    item: ContrabandData,
    number: int,
    markings: dict[str, Any],
) -> Contraband:
    seizure = None
    if item.seizure_id is not None:
        seizure = Seizure.objects.restrict(actor).filter(pk=item.seizure_id).first()
        if seizure is None:
            raise ValidationError(
                {
                    "contraband": _("Seizure %(id)s does not exist or you may not see it.")
                    % {"id": item.seizure_id}
                }
            )
    elif item.record_seizure and item.kind == ContrabandKind.DRUGS:
        if item.substance_id is None:
            raise ValidationError({"contraband": _("Name the substance to record the drugs as a seizure.")})
        seizure = seizure_create(
            actor=actor,
            owner_unit_id=unit.pk,
            data=SeizureData(
                reference=f"{incident.reference}-{number}",
                occurred_on=timezone.localtime(incident.occurred_at).date(),
                country_id=unit.agency.country_id,
                items=[ItemData(substance_id=item.substance_id, quantity=item.quantity, unit=item.unit)],
                place_description=f"{facility.name}: {item.found_where}".strip(": "),
                detection_method="intelligence" if incident.detected_through != "routine" else "other",
                narrative=incident.description,
                **{name: markings[name] for name in ("tlp", "handling_code", "distribution")},
            ),
        )
    return Contraband.objects.create(
        incident=incident,
        kind=item.kind,
        substance_id=item.substance_id,
        quantity=item.quantity,
        unit=item.unit,
        route=item.route,
        found_where=item.found_where,
        seizure=seizure,
    )


# ---- joint operations ------------------------------------------------------------------------


@dataclass
class OperationData:
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    agency_ids: list[int]
    description: str = ""
    unit_ids: list[int] = field(default_factory=list)
    facility_ids: list[int] = field(default_factory=list)
    officers: int = 0
    dogs: int = 0
    vehicles: int = 0
    other_resources: str = ""
    crimes_detected: int = 0
    drug_crimes_detected: int = 0
    drugs_seized_kg: decimal.Decimal = decimal.Decimal(0)
    seizure_ids: list[int] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)
    tlp: int = Tlp.AMBER
    distribution: int = Distribution.PARTNERS


def operation_create(*, actor: Any, unit: Unit, data: OperationData) -> JointOperation:
    """Record a joint operation; the records it links must be ones the actor may see."""
    require_unit(actor, unit.pk, policy.ADD)
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("The operation cannot end before it starts.")})
    linked = {
        "facilities": (Facility, data.facility_ids),
        "seizures": (Seizure, data.seizure_ids),
        "incidents": (Incident, data.incident_ids),
        "alerts": (Alert, data.alert_ids),
    }
    found = {
        name: list(model.objects.restrict(actor).filter(pk__in=ids)) for name, (model, ids) in linked.items()
    }
    for name, (_model, ids) in linked.items():
        if len(found[name]) != len(set(ids)):
            raise ValidationError(
                {name: _("Some of the linked records do not exist or you may not see them.")}
            )
    markings = plain_markings(tlp=data.tlp, handling_code=HandlingCode.H0, distribution=data.distribution)
    with transaction.atomic():
        operation = JointOperation.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            name=data.name,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            description=data.description,
            officers=data.officers,
            dogs=data.dogs,
            vehicles=data.vehicles,
            other_resources=data.other_resources,
            crimes_detected=data.crimes_detected,
            drug_crimes_detected=data.drug_crimes_detected,
            drugs_seized_kg=data.drugs_seized_kg,
            **markings,
        )
        units = list(Unit.objects.filter(pk__in={unit.pk, *data.unit_ids}))
        operation.agencies.set(sorted({unit.agency_id, *data.agency_ids, *(u.agency_id for u in units)}))
        operation.units.set(units)
        for name, records in found.items():
            getattr(operation, name).set(records)
        audit_log(
            actor=actor,
            action=CREATE,
            instance=operation,
            after=snapshot(operation)
            | {name: sorted(r.pk for r in records) for name, records in found.items()},
        )
    return operation
