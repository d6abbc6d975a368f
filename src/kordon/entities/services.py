"""Writing persons, vehicles, companies and their links: checked, atomic and audited. Markings
follow the rule of every record: anyone who may edit a record may raise them, only its owner
unit may release it more widely."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import marking_problems, node_grading_scheme
from kordon.core.countries import country_codes, normalise
from kordon.core.models import Unit
from kordon.entities import linking, records
from kordon.entities.importing import GENDERS, birth_date
from kordon.entities.matching import Person, document_key
from kordon.entities.models import (
    DocumentType,
    Entity,
    EntityKind,
    EntityLink,
    LinkingRun,
    LinkRole,
    MatchDecision,
    Verdict,
)
from kordon.entities.names import latin, parse, skeleton
from kordon.entities.screening_index import Entry

logger = logging.getLogger(__name__)

# Kind-specific details a form or the API may fill, by kind.
DETAILS: dict[str, tuple[str, ...]] = {
    EntityKind.PERSON: (),
    EntityKind.COMPANY: ("registration_number", "legal_form"),
    EntityKind.VEHICLE: ("vin", "make", "model", "colour"),
    EntityKind.VESSEL: ("imo_number", "flag", "container_type"),
    EntityKind.PHONE: ("operator",),
    EntityKind.DOCUMENT: ("document_type", "valid_until"),
}
MOST_VALUES = 20  # names, documents, phones or addresses of one record


@dataclass
class EntityData:
    """What a person enters for an entity, already split into values (not yet checked)."""

    kind: str
    name: str
    alt_names: list[str] = field(default_factory=list)
    birth_date: str = ""
    country: str = ""
    gender: str = ""
    documents: list[dict[str, str]] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    tlp: int = Tlp.AMBER
    handling_code: str = HandlingCode.H0
    handling_note: str = ""
    distribution: int = Distribution.AGENCY
    sharing_group_id: int | None = None
    source_reliability: str = ""
    information_credibility: str = ""


MARKING_FIELDS = (
    "tlp",
    "handling_code",
    "handling_note",
    "distribution",
    "sharing_group_id",
    "source_reliability",
    "information_credibility",
)


def search_text(names: list[str]) -> str:
    """The words the entity list matches: each name's words in Latin letters and their folded
    forms, so that a search in one script or scheme finds the others."""
    words: set[str] = set()
    for name in names:
        words.update(latin(name).split())
        words.update(skeleton(word) for word in parse(name).names)
    return " ".join(sorted(words))


def phone_key(number: str) -> str:
    """A phone number's digits: "+996 (555) 12-34-56" and "996555123456" are one number."""
    return "".join(character for character in number if character.isdigit())


def _clean(data: EntityData) -> dict[str, str]:
    """Tidy `data` in place and return its problems by field."""
    problems: dict[str, str] = {}
    if data.kind not in EntityKind.values:
        problems["kind"] = _("Choose what is recorded: a person, a company, a vehicle...")
        return problems
    data.name = " ".join(data.name.split())
    if not data.name:
        problems["name"] = _("Give the name, or the number of a vehicle, phone or document.")
    elif len(data.name) > 300:
        problems["name"] = _("The name is longer than 300 characters.")
    data.alt_names = list(dict.fromkeys(" ".join(name.split()) for name in data.alt_names if name.strip()))
    data.phones = list(dict.fromkeys(" ".join(phone.split()) for phone in data.phones if phone.strip()))
    data.addresses = [" ".join(address.split()) for address in data.addresses if address.strip()]
    for name in ("alt_names", "phones", "addresses", "documents"):
        if len(getattr(data, name)) > MOST_VALUES:
            problems[name] = _("At most %(count)s values.") % {"count": MOST_VALUES}
    if any(not phone_key(phone) for phone in data.phones):
        problems["phones"] = _("A phone number needs digits.")
    if data.birth_date.strip():
        try:
            data.birth_date = birth_date(data.birth_date)
        except ValueError:
            problems["birth_date"] = _("Write the birth date as 1975-03-12, 12.03.1975, 1975-03 or 1975.")
    else:
        data.birth_date = ""
    countries = country_codes()
    if data.country.strip():
        code = countries.get(normalise(data.country), "")
        if code:
            data.country = code
        else:
            problems["country"] = _("Write the country as a code or name, such as KG, KGZ or Кыргызстан.")
    data.gender = GENDERS.get(data.gender.strip().lower(), "") if data.gender.strip() else ""
    documents = []
    for document in data.documents:
        number = " ".join(str(document.get("number", "")).split())
        if not number:
            continue
        kind = document.get("type") or DocumentType.PASSPORT
        country = str(document.get("country", "")).strip()
        code = countries.get(normalise(country), "") if country else ""
        if kind not in DocumentType.values or (country and not code) or len(number) > 50:
            problems["documents"] = _(
                "Each document needs a type from the list, a number of at most 50 characters and "
                "a known country (or none)."
            )
        documents.append({"type": kind, "number": number, "country": code})
    data.documents = documents
    allowed = DETAILS[EntityKind(data.kind)]
    data.details = {
        key: " ".join(str(value).split()) for key, value in data.details.items() if str(value).strip()
    }
    unknown = sorted(set(data.details) - set(allowed))
    if unknown:
        problems["details"] = _("Not a detail of this kind of record: %(names)s.") % {
            "names": ", ".join(unknown)
        }
    if data.kind != EntityKind.PERSON and (data.birth_date or data.gender):
        problems["birth_date"] = _("Only persons have a birth date and a gender.")
    problems.update(
        marking_problems(
            tlp=data.tlp,
            handling_code=data.handling_code,
            handling_note=data.handling_note,
            distribution=data.distribution,
            sharing_group_id=data.sharing_group_id,
            grading_scheme=node_grading_scheme(),
            source_reliability=data.source_reliability,
            information_credibility=data.information_credibility,
        )
    )
    return problems


def _apply(entity: Entity, data: EntityData) -> None:
    for name in (
        "kind",
        "name",
        "alt_names",
        "birth_date",
        "country",
        "gender",
        "documents",
        "phones",
        "addresses",
        "details",
        "notes",
        *MARKING_FIELDS,
    ):
        setattr(entity, name, getattr(data, name))
    entity.grading_scheme = node_grading_scheme()
    entity.search_text = (
        search_text([data.name, *data.alt_names])
        + " "
        + " ".join(
            [document_key(number["number"]).lower() for number in data.documents]
            + [phone_key(phone) for phone in data.phones]
        )
    )


def entity_create(*, actor: Any, unit_id: int, data: EntityData) -> Entity:
    """Record a person, company, vehicle, vessel, phone or document owned by `unit_id`."""
    if not policy.may_act_in_unit(actor, unit_id, policy.ADD):
        raise PermissionDenied(_("You cannot record for this unit."))
    problems = _clean(data)
    if problems:
        raise ValidationError(problems)
    unit = Unit.objects.get(pk=unit_id)
    with transaction.atomic():
        entity = Entity(owner_unit=unit, owner_agency_id=unit.agency_id, created_by=actor)
        _apply(entity, data)
        entity.save()
        audit_log(actor=actor, action=CREATE, instance=entity, after=snapshot(entity))
    return entity


def _locked(actor: Any, entity_id: int, action: str) -> Entity:
    """The entity, locked, if `actor` may `action` it; one they may only see is refused, one
    they may not see is missing."""
    entity = Entity.objects.restrict(actor, action).select_for_update().filter(pk=entity_id).first()
    if entity is not None:
        return entity
    if Entity.objects.restrict(actor, policy.VIEW).filter(pk=entity_id).exists():
        raise PermissionDenied(_("You can see this record but not change it."))
    raise Entity.DoesNotExist


@transaction.atomic
def entity_update(*, actor: Any, entity_id: int, data: EntityData) -> Entity:
    """Change an entity. Its kind stays what it was recorded as."""
    entity = _locked(actor, entity_id, policy.CHANGE)
    data.kind = entity.kind
    problems = _clean(data)
    if problems:
        raise ValidationError(problems)
    lowered = policy.marking_lowered(
        entity,
        tlp=data.tlp,
        handling_code=data.handling_code,
        distribution=data.distribution,
        sharing_group_id=data.sharing_group_id,
    )
    if lowered and not policy.may_lower_marking(actor, entity):
        raise PermissionDenied(_("Only the owner unit can release this record more widely."))
    before = snapshot(entity)
    _apply(entity, data)
    entity.save()
    audit_log(actor=actor, action=UPDATE, instance=entity, before=before, after=snapshot(entity))
    return entity


def entity_data_from(entity: Entity) -> EntityData:
    """The editable values of an entity, to start an edit from."""
    values = {name: getattr(entity, name) for name in EntityData.__dataclass_fields__}
    return EntityData(**values)


def _acting_unit(actor: Any, action: str) -> int:
    units = policy.scope_for(actor)
    unit_ids = units.units_for(action) if units else []
    if not unit_ids:
        raise PermissionDenied(_("Your role does not let you link records."))
    return unit_ids[0]


def _link_snapshot(link: EntityLink) -> dict[str, Any]:
    return {
        "entity": link.entity_id,
        "role": link.role,
        "other": link.other_id,
        "record_type": link.record_type,
        "record_id": link.record_id,
        "note": link.note,
    }


def _check_role(role: str) -> None:
    if role not in LinkRole.values:
        raise ValidationError({"role": _("Choose the role from the list.")})


def entity_link_entity(*, actor: Any, entity_id: int, other_id: int, role: str, note: str = "") -> EntityLink:
    """Link two entities the actor may see (the driver of a truck, the user of a phone)."""
    _check_role(role)
    visible = Entity.objects.restrict(actor, policy.VIEW)
    entity = visible.filter(pk=entity_id).first()
    other = visible.filter(pk=other_id).first()
    if entity is None:
        raise Entity.DoesNotExist
    if other is None or other.pk == entity.pk:
        raise ValidationError({"other": _("Choose another person or object that you can see.")})
    if EntityLink.objects.filter(entity=entity, other=other, role=role).exists():
        raise ValidationError({"other": _("These two are already linked in this role.")})
    with transaction.atomic():
        link = EntityLink.objects.create(
            entity=entity,
            other=other,
            role=role,
            note=note.strip()[:300],
            owner_unit_id=_acting_unit(actor, policy.ADD),
            created_by=actor,
        )
        audit_log(actor=actor, action=CREATE, instance=link, after=_link_snapshot(link))
    return link


def entity_link_record(
    *, actor: Any, entity_id: int, record_type: str, reference: str, role: str, note: str = ""
) -> EntityLink:
    """Link an entity to a record of another module the actor may see, named by its reference
    or id (the courier of seizure KG-DOS-2013-0042)."""
    _check_role(role)
    entity = Entity.objects.restrict(actor, policy.VIEW).filter(pk=entity_id).first()
    if entity is None:
        raise Entity.DoesNotExist
    if record_type not in records.LINKABLE:
        raise ValidationError({"record_type": _("Choose the kind of record from the list.")})
    record = records.by_reference(actor, record_type, reference)
    if record is None:
        raise ValidationError(
            {"reference": _("No record with this reference that you can see. Check it, or use its number.")}
        )
    if EntityLink.objects.filter(
        entity=entity, record_type=record_type, record_id=record.pk, role=role
    ).exists():
        raise ValidationError({"reference": _("This record is already linked in this role.")})
    with transaction.atomic():
        link = EntityLink.objects.create(
            entity=entity,
            record_type=record_type,
            record_id=record.pk,
            role=role,
            note=note.strip()[:300],
            owner_unit_id=_acting_unit(actor, policy.ADD),
            created_by=actor,
        )
        audit_log(actor=actor, action=CREATE, instance=link, after=_link_snapshot(link))
    return link


@transaction.atomic
def entity_link_remove(*, actor: Any, link_id: int) -> None:
    """Remove a link; only a member of the unit that recorded it may (with a role that deletes
    or changes records)."""
    link = EntityLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None or not Entity.objects.restrict(actor, policy.VIEW).filter(pk=link.entity_id).exists():
        raise EntityLink.DoesNotExist
    if not policy.may_act_in_unit(actor, link.owner_unit_id, policy.CHANGE):
        raise PermissionDenied(_("Only the unit that recorded a link can remove it."))
    audit_log(actor=actor, action=DELETE, instance=link, before=_link_snapshot(link))
    link.delete()


# ---- cross-record linking ----------------------------------------------------------------------

LINKING_REQUEST, MATCH_DECIDE = "linking_request", "match_decide"
# A run a worker took longer ago than this is taken to be dead and run again.
STALE_AFTER = datetime.timedelta(hours=2)
MAX_ATTEMPTS = 3


def linking_threshold() -> float:
    return int(settings.KORDON_LINKING_THRESHOLD) / 100


def linking_request(*, actor: Any) -> LinkingRun:
    """Ask the background worker to compare all the person records `actor` may see."""
    unit_id = _acting_unit(actor, policy.ADD)
    with transaction.atomic():
        waiting = LinkingRun.objects.filter(
            requested_by=actor, status__in=[LinkingRun.Status.QUEUED, LinkingRun.Status.RUNNING]
        ).first()
        if waiting is not None:
            return waiting
        run = LinkingRun.objects.create(
            owner_unit_id=unit_id, requested_by=actor, threshold=linking_threshold()
        )
        audit_log(actor=actor, action=LINKING_REQUEST, instance=run, after={"threshold": run.threshold})
    return run


def _claim() -> LinkingRun | None:
    """The oldest waiting run (or one a dead worker left), locked so two workers never share it."""
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        run = (
            LinkingRun.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=LinkingRun.Status.QUEUED) | Q(status=LinkingRun.Status.RUNNING, started_at__lt=stale)
            )
            .order_by("requested_at", "id")
            .first()
        )
        if run is None:
            return None
        run.status, run.started_at, run.progress = LinkingRun.Status.RUNNING, timezone.now(), 0
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts", "progress"])
    return run


def person_entries(user: Any) -> tuple[list[Entry], dict[int, tuple[str, ...]]]:
    """The person records `user` may see, as a screening index files them, and the phone
    numbers of those that have any."""
    rows = (
        Entity.objects.restrict(user, policy.VIEW)
        .filter(kind=EntityKind.PERSON)
        .order_by("pk")
        .values_list("pk", "name", "alt_names", "birth_date", "country", "documents", "gender", "phones")
    )
    entries, phones = [], {}
    for pk, name, alt_names, born, country, documents, gender, numbers in rows.iterator(chunk_size=5000):
        names = tuple(dict.fromkeys([name, *alt_names]))
        document = documents[0]["number"] if documents else ""
        entries.append(Entry(pk, str(pk), names, born, country, document, gender))
        if numbers:
            phones[pk] = tuple(phone_key(number) for number in numbers)
    return entries, phones


def object_records(user: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """The vehicle and company records `user` may see, as object_matching compares them."""
    rows = (
        Entity.objects.restrict(user, policy.VIEW)
        .filter(kind__in=[EntityKind.VEHICLE, EntityKind.COMPANY])
        .order_by("pk")
        .values_list("pk", "kind", "name", "country", "details")
    )
    return [
        (pk, kind, {"plate": name, "name": name, "country": country, **details})
        for pk, kind, name, country, details in rows.iterator(chunk_size=5000)
    ]


def _run(run: LinkingRun) -> None:
    user = run.requested_by
    entries, phones = person_entries(user)
    objects = object_records(user)
    run.records = len(entries) + len(objects)

    def progress(done: int) -> None:
        LinkingRun.objects.filter(pk=run.pk).update(progress=int(99 * done / max(len(entries), 1)))

    pairs = linking.link(entries, run.threshold, phones, progress)
    pairs += linking.link_objects(objects, run.threshold)
    seen = {entry.entry_id for entry in entries} | {identifier for identifier, _kind, _values in objects}
    # Every decision among these records: the queue is as long as people have made it, far
    # shorter than the records themselves.
    decisions = {
        (first, second): (pk, verdict)
        for pk, first, second, verdict in MatchDecision.objects.values_list(
            "pk", "first_id", "second_id", "verdict"
        ).iterator(chunk_size=10000)
        if first in seen and second in seen
    }
    # All of it or nothing: a worker killed here leaves the run to be done again, never half a queue.
    with transaction.atomic():
        new = [
            MatchDecision(first_id=pair.first, second_id=pair.second, score=pair.score, run=run)
            for pair in pairs
            if (pair.first, pair.second) not in decisions
        ]
        MatchDecision.objects.bulk_create(new, batch_size=1000)
        waiting = [
            MatchDecision(pk=decisions[pair.first, pair.second][0], score=pair.score, run=run)
            for pair in pairs
            if decisions.get((pair.first, pair.second), (0, ""))[1] == Verdict.PENDING
        ]
        MatchDecision.objects.bulk_update(waiting, ["score", "run"], batch_size=1000)
        apart = {pair for pair, (_pk, verdict) in decisions.items() if verdict == Verdict.NOT_SAME}
        joined = [(pair.first, pair.second) for pair in pairs if (pair.first, pair.second) not in apart]
        joined += [pair for pair, (_pk, verdict) in decisions.items() if verdict == Verdict.SAME]
        groups = linking.clusters(sorted(seen), joined)
        sizes = Counter(groups.values())
        run.suggested = len(pairs)
        run.queued = len(new)
        run.clusters = sum(1 for size in sizes.values() if size > 1)
        run.status, run.progress, run.finished_at = LinkingRun.Status.DONE, 100, timezone.now()
        run.save()
        audit_log(
            actor=user,
            action=UPDATE,
            instance=run,
            after={"records": run.records, "suggested": run.suggested, "queued": run.queued},
        )


def run_linking_runs(limit: int | None = None) -> int:
    """Do the waiting linking runs, one after another; how many were handled."""
    handled = 0
    while limit is None or handled < limit:
        run = _claim()
        if run is None:
            break
        handled += 1
        try:
            _run(run)
        except Exception as error:  # a bug or a lost database: keep the worker alive, try again later
            logger.exception("linking run %s failed (attempt %s)", run.pk, run.attempts)
            retry = run.attempts < MAX_ATTEMPTS
            run.status = LinkingRun.Status.QUEUED if retry else LinkingRun.Status.FAILED
            run.error = f"{type(error).__name__}: {error}"
            LinkingRun.objects.filter(pk=run.pk).update(status=run.status, error=run.error)
            if retry:
                break
    return handled


@transaction.atomic
def match_decide(*, actor: Any, decision_id: int, verdict: str, note: str = "") -> MatchDecision:
    """Say whether two records are one person. Whoever may see both records and record in
    their unit may decide; a later decision replaces an earlier one, and both are audited."""
    if verdict not in (Verdict.SAME, Verdict.NOT_SAME, Verdict.UNSURE):
        raise ValidationError({"verdict": _("Say the same, not the same, or unsure.")})
    _acting_unit(actor, policy.ADD)
    decision = MatchDecision.objects.select_for_update().filter(pk=decision_id).first()
    visible = Entity.objects.restrict(actor, policy.VIEW)
    if decision is None or visible.filter(pk__in=[decision.first_id, decision.second_id]).count() != 2:
        raise MatchDecision.DoesNotExist
    before = {"verdict": decision.verdict, "note": decision.note}
    decision.verdict, decision.note = verdict, note.strip()[:300]
    decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.save()
    audit_log(
        actor=actor,
        action=MATCH_DECIDE,
        instance=decision,
        before=before,
        after={
            "verdict": verdict,
            "note": decision.note,
            "first": decision.first_id,
            "second": decision.second_id,
        },
    )
    return decision


def as_person(entity: Entity, name: str) -> Person:
    """One of an entity's names with what else it says of the person, as the scorer takes it."""
    document = entity.documents[0]["number"] if entity.documents else ""
    phones = tuple(phone_key(number) for number in entity.phones)
    return Person(name, entity.birth_date, entity.country, document, entity.gender, phones)
