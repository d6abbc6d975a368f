"""Writing cases, their items, notes, tasks and team, and exhibits with their chain of custody:
checked, atomic and audited. Who may work on a case: the members of its owner unit who may
change records, and the members of its team (an observer only reads)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, UPDATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import marking_problems, node_grading_scheme
from kordon.cases import custody
from kordon.cases.kinds import CASE_RECORDS
from kordon.cases.models import (
    Case,
    CaseItem,
    CaseMember,
    CaseNote,
    CaseOutcome,
    CaseStatus,
    CaseTask,
    CaseType,
    CustodyEvent,
    CustodyKind,
    Exhibit,
    ExhibitDocument,
    LabResult,
    TaskStatus,
    TeamRole,
)
from kordon.core.models import Unit
from kordon.entities.records import by_reference
from kordon.seizures.models import Seizure, SeizureItem, Substance, UnitOfMeasure

CUSTODY = "custody"
DOCUMENT_LIMIT = 20 * 1024 * 1024


@dataclass
class CaseData:
    reference: str
    title: str
    case_type: str
    summary: str = ""
    opened_on: datetime.date | None = None
    tlp: int = Tlp.AMBER
    handling_code: str = HandlingCode.H2
    handling_note: str = ""
    distribution: int = Distribution.AGENCY
    sharing_group_id: int | None = None
    source_reliability: str = ""
    information_credibility: str = ""


MARKINGS = ("tlp", "handling_code", "handling_note", "distribution", "sharing_group_id",
            "source_reliability", "information_credibility")  # fmt: skip


def _problems(data: CaseData) -> dict[str, str]:
    problems: dict[str, str] = {}
    data.reference, data.title = data.reference.strip(), " ".join(data.title.split())
    if not data.reference or not data.title:
        problems["reference"] = _("A case needs its number and a title.")
    if data.case_type not in CaseType.values:
        problems["case_type"] = _("Choose the type of case.")
    if data.opened_on is not None and data.opened_on > timezone.localdate():
        problems["opened_on"] = _("A case cannot be opened in the future.")
    problems.update(
        marking_problems(
            grading_scheme=node_grading_scheme(), **{name: getattr(data, name) for name in MARKINGS}
        )
    )
    return problems


def case_open(*, actor: Any, unit_id: int, data: CaseData) -> Case:
    """Open a case owned by `unit_id`; the person opening it leads its team."""
    if not policy.may_act_in_unit(actor, unit_id, policy.ADD):
        raise PermissionDenied(_("You cannot open cases for this unit."))
    unit = Unit.objects.get(pk=unit_id)
    problems = _problems(data)
    if Case.objects.filter(owner_agency_id=unit.agency_id, reference=data.reference).exists():
        problems["reference"] = _("Your agency already has a case with this number.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        case = Case.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            reference=data.reference,
            title=data.title,
            case_type=data.case_type,
            summary=data.summary,
            opened_on=data.opened_on or timezone.localdate(),
            created_by=actor,
            grading_scheme=node_grading_scheme(),
            **{name: getattr(data, name) for name in MARKINGS},
        )
        CaseMember.objects.create(case=case, user=actor, role=TeamRole.LEAD)
        audit_log(actor=actor, action=CREATE, instance=case, after=snapshot(case))
    return case


def workable(actor: Any, case_id: int, *, lock: bool = False) -> Case:
    """The case, if `actor` may work on it: Case.DoesNotExist if they may not see it,
    PermissionDenied if they may only read it."""
    visible = Case.objects.restrict(actor, policy.VIEW)
    if lock:
        visible = visible.select_for_update()
    case = visible.filter(pk=case_id).first()
    if case is None:
        raise Case.DoesNotExist
    if Case.objects.restrict(actor, policy.CHANGE).filter(pk=case_id).exists():
        return case
    if case.team.filter(user_id=actor.pk).exclude(role=TeamRole.OBSERVER).exists():
        return case
    raise PermissionDenied(
        _("You may read this case but not work on it. Ask its lead to add you to the team.")
    )


@transaction.atomic
def case_set_status(*, actor: Any, case_id: int, status: str, outcome: str = "") -> Case:
    """Suspend, reopen or close a case; closing needs its outcome."""
    case = workable(actor, case_id, lock=True)
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Choose the status from the list.")})
    if status == CaseStatus.CLOSED and outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": _("Say how the case ended.")})
    before = {"status": case.status, "outcome": case.outcome}
    case.status = status
    case.outcome = outcome if status == CaseStatus.CLOSED else ""
    case.closed_on = timezone.localdate() if status == CaseStatus.CLOSED else None
    case.save()
    audit_log(
        actor=actor,
        action=UPDATE,
        instance=case,
        before=before,
        after={"status": status, "outcome": case.outcome},
    )
    return case


@transaction.atomic
def case_markings(*, actor: Any, case_id: int, **markings: Any) -> Case:
    """Change who the case is for. Only its owner unit releases it more widely."""
    case = workable(actor, case_id, lock=True)
    problems = marking_problems(grading_scheme=node_grading_scheme(), **markings)
    if problems:
        raise ValidationError(problems)
    lowered = policy.marking_lowered(
        case,
        tlp=markings["tlp"],
        handling_code=markings["handling_code"],
        distribution=markings["distribution"],
        sharing_group_id=markings["sharing_group_id"],
    )
    if lowered and not policy.may_lower_marking(actor, case):
        raise PermissionDenied(_("Only the owner unit can release this case more widely."))
    before = snapshot(case)
    for name, value in markings.items():
        setattr(case, name, value)
    case.save()
    audit_log(actor=actor, action=UPDATE, instance=case, before=before, after=snapshot(case))
    return case


@transaction.atomic
def member_add(*, actor: Any, case_id: int, username: str, role: str) -> CaseMember:
    """Put a person on the team. They must be able to see the case."""
    case = workable(actor, case_id, lock=True)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Choose the role from the list.")})
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None or not Case.objects.restrict(user, policy.VIEW).filter(pk=case.pk).exists():
        raise ValidationError({"username": _("No such user, or this case is not theirs to see.")})
    member, _created = CaseMember.objects.update_or_create(case=case, user=user, defaults={"role": role})
    audit_log(actor=actor, action=UPDATE, instance=case, after={"team": [user.get_username(), role]})
    return member


@transaction.atomic
def item_add(
    *, actor: Any, case_id: int, record_type: str, reference: str, note: str = "", shared: bool = False
) -> CaseItem:
    """Gather a record the actor may see into the case, by its reference or number."""
    case = workable(actor, case_id, lock=True)
    if record_type not in CASE_RECORDS:
        raise ValidationError({"record_type": _("Choose the kind of record from the list.")})
    record = by_reference(actor, record_type, reference, CASE_RECORDS)
    if record is None:
        raise ValidationError(
            {"reference": _("No record with this reference that you can see. Check it, or use its number.")}
        )
    if CaseItem.objects.filter(case=case, record_type=record_type, record_id=record.pk).exists():
        raise ValidationError({"reference": _("This record is already in the case.")})
    item = CaseItem.objects.create(
        case=case,
        record_type=record_type,
        record_id=record.pk,
        note=note.strip()[:300],
        shared=shared,
        added_by=actor,
    )
    audit_log(actor=actor, action=UPDATE, instance=case, after={"item": [record_type, record.pk, shared]})
    return item


@transaction.atomic
def item_share(*, actor: Any, item_id: int, shared: bool) -> CaseItem:
    """Share an item with the partners who see the case, or stop sharing it."""
    item = CaseItem.objects.select_related("case").get(pk=item_id)
    case = workable(actor, item.case_id, lock=True)
    if shared and not policy.may_lower_marking(actor, case):
        raise PermissionDenied(_("Only the owner unit shares parts of a case."))
    item.shared = shared
    item.save(update_fields=["shared"])
    audit_log(
        actor=actor,
        action=UPDATE,
        instance=case,
        after={"shared": [item.record_type, item.record_id, shared]},
    )
    return item


@transaction.atomic
def note_add(*, actor: Any, case_id: int, text: str, shared: bool = False) -> CaseNote:
    case = workable(actor, case_id, lock=True)
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    if shared and not policy.may_lower_marking(actor, case):
        raise PermissionDenied(_("Only the owner unit shares parts of a case."))
    note = CaseNote.objects.create(case=case, text=text.strip()[:10000], shared=shared, author=actor)
    audit_log(actor=actor, action=UPDATE, instance=case, after={"note": note.pk, "shared": shared})
    return note


@transaction.atomic
def task_add(
    *, actor: Any, case_id: int, title: str, assignee: str, due_on: datetime.date | None = None
) -> CaseTask:
    """Give a team member a task, with a deadline."""
    case = workable(actor, case_id, lock=True)
    member = case.team.select_related("user").filter(user__username=assignee.strip()).first()
    if member is None:
        raise ValidationError({"assignee": _("Tasks go to members of the case team.")})
    if not title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    if due_on is not None and due_on < case.opened_on:
        raise ValidationError({"due_on": _("The deadline is before the case was opened.")})
    task = CaseTask.objects.create(
        case=case, title=title.strip()[:300], assignee=member.user, due_on=due_on, created_by=actor
    )
    audit_log(
        actor=actor,
        action=UPDATE,
        instance=case,
        after={"task": task.pk, "assignee": assignee, "due_on": due_on},
    )
    return task


@transaction.atomic
def task_close(*, actor: Any, task_id: int, status: str = TaskStatus.DONE) -> CaseTask:
    task = CaseTask.objects.select_for_update().get(pk=task_id)
    case = workable(actor, task.case_id)
    if status not in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValidationError({"status": _("A task is done or cancelled.")})
    task.status, task.done_on = status, timezone.localdate()
    task.save(update_fields=["status", "done_on"])
    audit_log(actor=actor, action=UPDATE, instance=case, after={"task": task.pk, "status": status})
    return task


# ---- exhibits and custody ----------------------------------------------------------------------


@dataclass
class CustodyData:
    kind: str
    at: datetime.datetime
    holder: str = ""  # a username; or holder_name for someone outside Kordon
    holder_name: str = ""
    from_user: str = ""
    location: str = ""
    condition: str = ""
    seal_number: str = ""
    weight: Decimal | None = None
    weight_reason: str = ""
    witnesses: list[str] = field(default_factory=list)
    note: str = ""


def _user(username: str, field_name: str) -> Any:
    if not username.strip():
        return None
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({field_name: _("No user %(name)s.") % {"name": username}})
    return user


def _append(actor: Any, exhibit: Exhibit, data: CustodyData) -> CustodyEvent:
    """Add an event at the end of the exhibit's chain (the exhibit is locked by the caller)."""
    last = exhibit.events.order_by("-sequence").first()
    if last is not None and last.kind in custody.FINAL:
        raise ValidationError({"kind": _("The exhibit was destroyed or released: its chain is closed.")})
    if data.kind not in CustodyKind.values:
        raise ValidationError({"kind": _("Choose the event from the list.")})
    if timezone.is_naive(data.at):
        data.at = timezone.make_aware(data.at)
    if data.at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"at": _("An event cannot be recorded in the future.")})
    if last is not None and data.at < last.at:
        raise ValidationError({"at": _("An event cannot come before the one recorded last.")})
    witnesses = [name.strip() for name in data.witnesses if name.strip()]
    if data.kind == CustodyKind.DESTROYED and len(witnesses) < 2:
        raise ValidationError({"witnesses": _("Destruction is recorded with at least two witnesses.")})
    holder = _user(data.holder, "holder")
    if data.kind == CustodyKind.HANDED_OVER and holder is None:
        raise ValidationError({"holder": _("Name the person the exhibit is handed to.")})
    if data.weight is not None and data.weight < 0:
        raise ValidationError({"weight": _("A weight cannot be negative.")})
    event = CustodyEvent(
        exhibit=exhibit,
        sequence=(last.sequence + 1) if last else 1,
        kind=data.kind,
        at=data.at,
        holder=holder,
        holder_name="" if holder else data.holder_name.strip()[:200],
        from_user=_user(data.from_user, "from_user") if data.kind == CustodyKind.HANDED_OVER else None,
        location=data.location.strip()[:200],
        condition=data.condition.strip()[:200],
        seal_number=data.seal_number.strip()[:60],
        weight=data.weight,
        weight_reason=data.weight_reason.strip()[:300],
        witnesses=witnesses,
        note=data.note.strip()[:500],
        recorded_by=actor,
        prev_hash=last.hash if last else custody.GENESIS,
    )
    event.hash = custody.event_hash(event, event.prev_hash)
    event.save()
    audit_log(
        actor=actor,
        action=CUSTODY,
        instance=exhibit,
        after={
            "sequence": event.sequence,
            "kind": event.kind,
            "holder": event.holder_label,
            "hash": event.hash,
        },
    )
    return event


@dataclass
class ExhibitData:
    description: str = ""
    seizure_item_id: int | None = None
    commodity_id: int | None = None
    quantity: Decimal | None = None
    unit: str = ""
    seal_number: str = ""
    seized_at: datetime.datetime | None = None
    location: str = ""
    shared: bool = False


@transaction.atomic
def exhibit_add(*, actor: Any, case_id: int, data: ExhibitData) -> Exhibit:
    """Make an exhibit of a seizure item the actor may see (its commodity, quantity and unit
    come from the item), or of something described here; its chain begins with the seizure."""
    case = workable(actor, case_id, lock=True)
    if data.seizure_item_id is not None:
        item = (
            SeizureItem.objects.select_related("seizure", "substance")
            .filter(pk=data.seizure_item_id, seizure__in=_visible_seizures(actor))
            .first()
        )
        if item is None:
            raise ValidationError({"seizure_item": _("No seizure item that you can see.")})
        data.commodity_id, data.quantity, data.unit = item.substance_id, item.quantity, item.unit
        data.description = data.description.strip() or f"{item.substance} · {item.seizure.reference}"
        data.seized_at = data.seized_at or timezone.make_aware(
            datetime.datetime.combine(item.seizure.occurred_on, item.seizure.occurred_at or datetime.time(12))
        )
    if not data.description.strip():
        raise ValidationError({"description": _("Describe the exhibit.")})
    if data.quantity is None or data.quantity <= 0 or data.unit not in UnitOfMeasure.values:
        raise ValidationError({"quantity": _("Give the quantity and its unit of measure.")})
    if data.commodity_id is not None and not Substance.objects.filter(pk=data.commodity_id).exists():
        raise ValidationError({"commodity": _("Choose the commodity from the catalogue.")})
    number = (case.exhibits.aggregate(most=Max("number"))["most"] or 0) + 1
    exhibit = Exhibit.objects.create(
        case=case,
        number=number,
        seizure_item_id=data.seizure_item_id,
        description=data.description.strip()[:300],
        commodity_id=data.commodity_id,
        quantity=data.quantity,
        unit=data.unit,
        seal_number=data.seal_number.strip()[:60],
        shared=data.shared,
        created_by=actor,
    )
    audit_log(actor=actor, action=CREATE, instance=exhibit, after=snapshot(exhibit))
    weight = data.quantity if data.unit == UnitOfMeasure.KG else None
    _append(
        actor,
        exhibit,
        CustodyData(
            kind=CustodyKind.SEIZED,
            at=data.seized_at or timezone.now(),
            holder=actor.get_username(),
            location=data.location,
            seal_number=data.seal_number,
            weight=weight,
        ),
    )
    return exhibit


def _visible_seizures(actor: Any) -> Any:
    return Seizure.objects.restrict(actor, policy.VIEW).values("pk")


def _workable_exhibit(actor: Any, exhibit_id: int) -> Exhibit:
    exhibit = Exhibit.objects.select_related("case").filter(pk=exhibit_id).first()
    if exhibit is None:
        raise Exhibit.DoesNotExist
    try:
        workable(actor, exhibit.case_id, lock=True)
    except Case.DoesNotExist:
        raise Exhibit.DoesNotExist from None
    return Exhibit.objects.select_for_update().get(pk=exhibit_id)


@transaction.atomic
def custody_record(*, actor: Any, exhibit_id: int, data: CustodyData) -> CustodyEvent:
    """Add the next event to an exhibit's chain of custody."""
    return _append(actor, _workable_exhibit(actor, exhibit_id), data)


@transaction.atomic
def lab_result_record(
    *,
    actor: Any,
    exhibit_id: int,
    laboratory: str,
    lab_reference: str,
    analysed_on: datetime.date,
    confirmed_id: int,
    net_weight: Decimal,
    purity_percent: Decimal | None = None,
    method: str = "",
) -> LabResult:
    """Record the laboratory's findings. The net weight it reports explains a later weight."""
    exhibit = _workable_exhibit(actor, exhibit_id)
    problems: dict[str, str] = {}
    if not laboratory.strip() or not lab_reference.strip():
        problems["laboratory"] = _("Name the laboratory and give its reference.")
    if not Substance.objects.filter(pk=confirmed_id).exists():
        problems["confirmed"] = _("Choose the confirmed substance from the catalogue.")
    if net_weight <= 0:
        problems["net_weight"] = _("The net weight must be more than zero.")
    if purity_percent is not None and not 0 <= purity_percent <= 100:
        problems["purity_percent"] = _("Purity is a percentage from 0 to 100.")
    if analysed_on > timezone.localdate():
        problems["analysed_on"] = _("An analysis cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    result = LabResult.objects.create(
        exhibit=exhibit,
        laboratory=laboratory.strip()[:200],
        lab_reference=lab_reference.strip()[:60],
        analysed_on=analysed_on,
        confirmed_id=confirmed_id,
        net_weight=net_weight,
        purity_percent=purity_percent,
        method=method.strip()[:200],
        recorded_by=actor,
    )
    audit_log(actor=actor, action=CREATE, instance=result, after=snapshot(result))
    return result


@transaction.atomic
def exhibit_document_add(
    *, actor: Any, exhibit_id: int, kind: str, name: str, content_type: str, content: bytes
) -> ExhibitDocument:
    """Attach a document (the court decision, the destruction act) to an exhibit."""
    exhibit = _workable_exhibit(actor, exhibit_id)
    if kind not in ExhibitDocument.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    if not content or len(content) > DOCUMENT_LIMIT:
        raise ValidationError({"file": _("A document may be at most 20 MB, and not empty.")})
    document = ExhibitDocument.objects.create(
        exhibit=exhibit,
        kind=kind,
        # Only the file's own name: a path in an uploaded name must not become a path anywhere.
        name=PurePosixPath(name.replace("\\", "/")).name[:200] or "document",
        content_type=content_type[:100] or "application/octet-stream",
        content=content,
        size=len(content),
        added_by=actor,
    )
    audit_log(
        actor=actor,
        action=CREATE,
        instance=document,
        after={"exhibit": exhibit.pk, "kind": kind, "name": document.name, "size": document.size},
    )
    return document
