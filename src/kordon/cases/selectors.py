"""Reads of cases through the one policy. Insiders (the owner agency and the case team) see the
whole case; a partner who sees the case under an agreement sees only what is shared. Every item
is shown only if the reader may see the record itself."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import audit_read
from kordon.cases import custody
from kordon.cases.kinds import CASE_RECORDS
from kordon.cases.models import Case, CaseItem, CaseTask, CustodyEvent, Exhibit, TaskStatus, TeamRole
from kordon.entities.models import EntityLink
from kordon.entities.records import visible


def cases(*, user: Any) -> QuerySet[Case]:
    return (
        Case.objects.restrict(user, policy.VIEW)
        .select_related("owner_unit", "owner_agency")
        .order_by("-opened_on", "-pk")
    )


def is_insider(user: Any, case: Case) -> bool:
    """Whether `user` sees the whole case: a member of its owner agency or of its team."""
    scope = policy.scope_for(user)
    if scope is None:
        return False
    if scope.is_node_admin or case.owner_agency_id in set(scope.unit_agency.values()):
        return True
    return case.team.filter(user_id=user.pk).exists()


@dataclass
class ItemView:
    item: CaseItem
    record: Any
    label: str
    kind_label: str
    url: str
    on: datetime.date | None


@dataclass
class TimelineEntry:
    on: datetime.date
    what: str
    label: str
    url: str = ""


@dataclass
class CaseView:
    case: Case
    insider: bool
    items: list[ItemView]
    notes: list[Any]
    tasks: list[CaseTask]
    exhibits: list[Exhibit]
    team: list[Any]
    timeline: list[TimelineEntry] = field(default_factory=list)
    may_work: bool = False


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else None


def _items(user: Any, case: Case, insider: bool) -> list[ItemView]:
    items = [item for item in case.items.all() if insider or item.shared]
    wanted: dict[str, set[int]] = defaultdict(set)
    for item in items:
        if item.record_type in CASE_RECORDS:
            wanted[item.record_type].add(item.record_id)
    seen = {kind: visible(user, kind, ids, CASE_RECORDS) for kind, ids in wanted.items()}
    views = []
    for item in items:
        record = seen.get(item.record_type, {}).get(item.record_id)
        if record is None:
            continue
        linkable = CASE_RECORDS[item.record_type]
        views.append(
            ItemView(
                item,
                record,
                linkable.reference_of(record),
                str(linkable.label),
                linkable.url(record.pk),
                _day(getattr(record, linkable.date_field)),
            )
        )
    return views


def case_view(*, user: Any, case_id: int) -> CaseView:
    """A case `user` may see (404 otherwise), as far as they may see it; the read is audited."""
    case = get_object_or_404(cases(user=user), pk=case_id)
    audit_read(user, case)
    insider = is_insider(user, case)
    items = _items(user, case, insider)
    notes = [note for note in case.notes.select_related("author") if insider or note.shared]
    tasks = list(case.tasks.select_related("assignee")) if insider else []
    exhibits = [exhibit for exhibit in case.exhibits.select_related("commodity") if insider or exhibit.shared]
    team = list(case.team.select_related("user")) if insider else []
    timeline = [TimelineEntry(view.on, view.kind_label, view.label, view.url) for view in items if view.on]
    timeline += [TimelineEntry(_day(note.at) or case.opened_on, _("note"), note.text[:120]) for note in notes]
    timeline += [
        TimelineEntry(task.due_on, _("task due"), task.title)
        for task in tasks
        if task.due_on and task.status == TaskStatus.OPEN
    ]
    timeline.append(TimelineEntry(case.opened_on, _("case opened"), case.title))
    if case.closed_on:
        timeline.append(TimelineEntry(case.closed_on, _("case closed"), case.get_outcome_display()))
    for event in CustodyEvent.objects.filter(exhibit__in=exhibits).select_related("exhibit__case"):
        timeline.append(TimelineEntry(event.at.date(), event.get_kind_display(), event.exhibit.label))
    timeline.sort(key=lambda entry: entry.on)
    may_work = bool(
        Case.objects.restrict(user, policy.CHANGE).filter(pk=case.pk).exists()
        or case.team.filter(user_id=user.pk).exclude(role=TeamRole.OBSERVER).exists()
    )
    return CaseView(case, insider, items, notes, tasks, exhibits, team, timeline, may_work)


@dataclass
class ExhibitView:
    exhibit: Exhibit
    events: list[CustodyEvent]
    lab_results: list[Any]
    documents: list[Any]
    flags: list[custody.Flag]
    weight: Decimal | None


def exhibit_view(*, user: Any, exhibit_id: int, audit: bool = True) -> ExhibitView:
    """An exhibit of a case `user` may see (an insider, or a partner if it is shared), with its
    chain and the chain's flags."""
    exhibit = get_object_or_404(
        Exhibit.objects.select_related("case", "commodity", "seizure_item"), pk=exhibit_id
    )
    case = get_object_or_404(cases(user=user), pk=exhibit.case_id)
    if not (exhibit.shared or is_insider(user, case)):
        raise Exhibit.DoesNotExist
    if audit:
        audit_read(user, exhibit)
    events = list(exhibit.events.select_related("holder", "from_user", "recorded_by"))
    results = list(exhibit.lab_results.select_related("confirmed"))
    team = set(case.team.values_list("user_id", flat=True))
    flags = custody.check(events, team, lab_weights=[result.net_weight for result in results])
    weights = [event.weight for event in events if event.weight is not None]
    documents = list(exhibit.documents.only("pk", "kind", "name", "size", "added_at"))
    return ExhibitView(exhibit, events, results, documents, flags, weights[-1] if weights else None)


def case_graph(*, user: Any, view: CaseView) -> dict[str, list[dict[str, Any]]]:
    """The case's link chart: the case, what it gathers, and the links between the gathered
    persons and objects and the records, as far as `user` may see them."""
    case = view.case
    nodes = {
        "case": {
            "id": "case",
            "label": case.reference,
            "kind": "case",
            "agency": case.owner_agency.code,
            "url": "",
            "start": True,
        }
    }
    edges: list[dict[str, Any]] = []
    for item in view.items:
        node_id = f"{item.item.record_type}-{item.record.pk}"
        agency = getattr(getattr(item.record, "owner_agency", None), "code", "")
        nodes[node_id] = {
            "id": node_id,
            "label": item.label,
            "kind": item.item.record_type,
            "agency": agency,
            "url": item.url,
        }
        edges.append({"source": "case", "target": node_id, "role": "item", "label": ""})
    entity_ids = [item.record.pk for item in view.items if item.item.record_type == "entity"]
    for link in EntityLink.objects.filter(entity_id__in=entity_ids):
        source = f"entity-{link.entity_id}"
        target = f"entity-{link.other_id}" if link.other_id else f"{link.record_type}-{link.record_id}"
        if source in nodes and target in nodes:
            edges.append(
                {"source": source, "target": target, "role": link.role, "label": link.get_role_display()}
            )
    return {"nodes": list(nodes.values()), "edges": edges}
