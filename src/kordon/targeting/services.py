"""Writing consignments, inspections, profiles and models, each with its audit line in the same
transaction; and the day's selection. Reads go through the access policy."""

import datetime
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, IMPORT, UPDATE, audit_log
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import node_grading_scheme, plain_markings
from kordon.core import bulk
from kordon.core.models import Unit
from kordon.core.tabular import Problem, file_sha256
from kordon.targeting import features, profiles, riskmodel, selection
from kordon.targeting.declarations import CONSIGNMENT_FIELDS, Declaration, read_declarations
from kordon.targeting.models import (
    HITS,
    Consignment,
    Inspection,
    Lane,
    Outcome,
    RiskModel,
    RiskProfile,
    Source,
    TrainingRequest,
)

TRAIN, SELECT, INSPECT, TEST = "train", "select", "inspect", "test"
BATCH = 2000
INSERT_BATCH = 5000


def _require(actor: Any, unit: Unit, action: str) -> None:
    if not policy.may_act_in_unit(actor, unit.pk, action):
        raise PermissionDenied(_("You may not do this for the unit %(unit)s.") % {"unit": unit})


@dataclass
class ConsignmentImport:
    rows: int = 0
    imported: int = 0
    inspections: int = 0
    problems: list[Problem] = field(default_factory=list)
    failure: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "inspections": self.inspections,
            "rejected": len({problem.row for problem in self.problems}),
            "failure": self.failure,
            "errors": [problem.as_dict() for problem in self.problems],
        }


def import_consignments(
    *,
    actor: Any,
    unit: Unit,
    path: Path,
    file_name: str = "",
    tlp: int = Tlp.AMBER,
    handling_code: str = HandlingCode.H0,
    distribution: int = Distribution.AGENCY,
) -> ConsignmentImport:
    """Import a file of declarations (our columns, KCS's or Russian ones). Every bad row is
    reported; the good ones are written in one transaction with the audit line."""
    _require(actor, unit, policy.ADD)
    parsed = read_declarations(path)
    result = ConsignmentImport(rows=parsed.rows, problems=parsed.problems, failure=parsed.failure)
    if not result.failure:
        store_declarations(
            actor=actor,
            unit=unit,
            declarations=parsed.declarations,
            source=file_name or path.name,
            result=result,
            markings=plain_markings(tlp=tlp, handling_code=handling_code, distribution=distribution),
            sha256=file_sha256(path),
        )
    return result


def store_declarations(
    *,
    actor: Any,
    unit: Unit,
    declarations: Sequence[Declaration],
    source: str,
    result: ConsignmentImport | None = None,
    markings: dict[str, Any] | None = None,
    sha256: str = "",
) -> ConsignmentImport:
    """Write checked declarations as the unit's consignments; those with an outcome (a file's
    outcome column, or KCS's Fraud labels) bring their inspection. A declaration already in
    Kordon is reported and left as it was."""
    _require(actor, unit, policy.ADD)
    result = result or ConsignmentImport(rows=len(declarations))
    markings = markings or plain_markings(
        tlp=Tlp.AMBER, handling_code=HandlingCode.H0, distribution=Distribution.AGENCY
    )
    known = set(
        Consignment.objects.filter(
            owner_agency_id=unit.agency_id,
            declaration_id__in=[d.fields["declaration_id"] for d in declarations],
        ).values_list("declaration_id", flat=True)
    )
    fresh = []
    for declaration in declarations:
        if declaration.fields["declaration_id"] in known:
            result.problems.append(
                Problem(
                    declaration.row,
                    "declaration_id",
                    _("This declaration is already in Kordon; it was left as it was."),
                )
            )
        else:
            fresh.append(declaration)
    if not fresh:
        result.failure = _("No row could be imported; nothing was changed.")
        return result
    with transaction.atomic():
        _insert(actor, unit, markings, fresh)
        result.imported = len(fresh)
        result.inspections = sum(1 for d in fresh if d.outcome)
        audit_log(
            actor=actor,
            action=IMPORT,
            object_type="targeting.consignment",
            object_repr=source,
            owner_unit_id=unit.pk,
            after=result.as_dict() | {"errors": len(result.problems), "sha256": sha256},
        )
    return result


# Written with core.bulk (COPY on PostgreSQL): Django's bulk_create managed 2,000 rows/s, and a
# port's history runs to hundreds of thousands of declarations.
INSERTED_MARKINGS = ("tlp", "handling_code", "distribution", "grading_scheme")
CONSIGNMENT_COLUMNS = (
    "id", "owner_unit_id", "owner_agency_id", *INSERTED_MARKINGS, "handling_note", "source_reliability",
    "information_credibility", "created_at", "updated_at", "rule_weight", "lane", "selected_by", "reasons",
    *CONSIGNMENT_FIELDS,
)  # fmt: skip
INSPECTION_COLUMNS = (
    "consignment_id", "outcome", "inspected_on", "lane", "selected_by", "notes", "recorded_by_id", "recorded_at",
)  # fmt: skip


def _insert(actor: Any, unit: Unit, markings: dict[str, Any], declarations: Sequence[Declaration]) -> None:
    """Write the declarations as consignments, with an inspection for those that have an outcome
    (inside the caller's transaction)."""
    now = timezone.now()
    markings_row = [markings[name] for name in INSERTED_MARKINGS]
    shared = [unit.agency_id, *markings_row, "", "", "", now, now, 0, "", "", "[]"]
    consignment_row = bulk.row_preparer(Consignment, CONSIGNMENT_COLUMNS)
    inspection_row = bulk.row_preparer(Inspection, INSPECTION_COLUMNS)
    for start in range(0, len(declarations), INSERT_BATCH):
        chunk = declarations[start : start + INSERT_BATCH]
        ids = bulk.reserve_ids(Consignment, len(chunk))
        bulk.insert_prepared(
            Consignment,
            CONSIGNMENT_COLUMNS,
            [
                consignment_row([key, unit.pk, *shared, *(d.fields[name] for name in CONSIGNMENT_FIELDS)])
                for key, d in zip(ids, chunk, strict=True)
            ],
        )
        bulk.insert_prepared(
            Inspection,
            INSPECTION_COLUMNS,
            [
                inspection_row([key, d.outcome, d.declared_on, "", "", "", actor.pk, now])
                for key, d in zip(ids, chunk, strict=True)
                if d.outcome
            ],
        )


def declaration_of(consignment: Consignment) -> Declaration:
    fields = {name: getattr(consignment, name) for name in CONSIGNMENT_FIELDS}
    inspection = getattr(consignment, "inspection", None)
    return Declaration(fields, inspection.outcome if inspection else "")


# ---- models --------------------------------------------------------------------------------


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)  # NaN (no AUC without both kinds) is unknown
    return value


def save_model(
    *, actor: Any, unit: Unit, name: str, declarations: Sequence[Declaration], seed: int = 0
) -> RiskModel:
    """Train a model on declarations with known outcomes and keep it as the next version of `name`."""
    _require(actor, unit, policy.ADD)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the model a name.")})
    trained, figures = riskmodel.train(declarations, seed)
    labelled = [d for d in declarations if d.outcome]
    with transaction.atomic():
        last = RiskModel.objects.filter(owner_agency_id=unit.agency_id, name=name).aggregate(
            v=Max("version")
        )["v"]
        model = RiskModel.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            name=name,
            version=(last or 0) + 1,
            trained_from=min(d.declared_on for d in labelled),
            trained_until=max(d.declared_on for d in labelled),
            rows=len(labelled),
            positives=sum(1 for d in labelled if d.outcome in HITS),
            metrics={key: _rounded(value) for key, value in figures.items()},
            artefact=trained.dumps(),
            trained_by=actor,
            distribution=Distribution.AGENCY,
            grading_scheme=node_grading_scheme(),
        )
        audit_log(
            actor=actor, action=TRAIN, instance=model, after={"rows": model.rows, "metrics": model.metrics}
        )
    return model


def train_from_records(*, actor: Any, unit: Unit, name: str, seed: int = 0) -> RiskModel:
    """Train on the unit's inspected consignments: each port has its own trade, and a model of
    Aktau's sea containers says little about Khorgos's rail freight."""
    inspected = (
        Consignment.objects.restrict(actor)
        .filter(owner_unit=unit, inspection__isnull=False)
        .select_related("inspection")
    )
    return save_model(
        actor=actor, unit=unit, name=name, declarations=[declaration_of(c) for c in inspected], seed=seed
    )


@functools.lru_cache(maxsize=8)
def _trained(model_id: int) -> riskmodel.TrainedModel:
    return riskmodel.TrainedModel.loads(RiskModel.objects.get(pk=model_id).artefact)


def trained(model: RiskModel) -> riskmodel.TrainedModel:
    """The model ready to score, kept in memory (loading a booster takes a second). A version
    never changes, so its id is enough to know it."""
    return _trained(model.pk)


def newest_model(user: Any, name: str = "", unit: Unit | None = None) -> RiskModel | None:
    """The newest version of the model `name` (or of any model) that `user` may use; with `unit`,
    that unit's own model comes first, since each port's model learns its own trade."""
    models = RiskModel.objects.restrict(user).defer("artefact")
    if name:
        models = models.filter(name=name)
    own = models.filter(owner_unit=unit).order_by("-id").first() if unit is not None else None
    return own or models.order_by("-id").first()


# ---- profiles ------------------------------------------------------------------------------


def profile_of(row: RiskProfile) -> profiles.Profile:
    conditions, problems = profiles.parse_conditions(row.conditions)
    if problems:
        raise ValidationError({"conditions": problems})
    return profiles.Profile(
        row.pk, row.name, tuple(conditions), row.weight, row.lane, row.valid_from, row.valid_until
    )


def save_profile(*, actor: Any, unit: Unit, values: dict[str, Any]) -> RiskProfile:
    """Create a profile, switched off until it is tested against history."""
    _require(actor, unit, policy.ADD)
    _conditions, problems = profiles.parse_conditions(values.get("conditions"))
    if problems:
        raise ValidationError({"conditions": problems})
    if not 0 <= int(values.get("weight", 50)) <= 100:
        raise ValidationError({"weight": _("The weight is a number from 0 to 100.")})
    if values.get("valid_until") and values["valid_until"] < values["valid_from"]:
        raise ValidationError({"valid_until": _("A profile cannot end before it starts.")})
    markings = plain_markings(
        tlp=values.pop("tlp", Tlp.AMBER),
        handling_code=values.pop("handling_code", HandlingCode.H0),
        distribution=values.pop("distribution", Distribution.AGENCY),
    )
    with transaction.atomic():
        profile = RiskProfile(
            owner_unit=unit, owner_agency_id=unit.agency_id, created_by=actor, **markings, **values
        )
        profile.full_clean(exclude=["owner_unit", "owner_agency", "created_by"])
        if RiskProfile.objects.filter(owner_agency_id=unit.agency_id, name=profile.name).exists():
            raise ValidationError({"name": _("Your agency already has a profile of this name.")})
        profile.save()
        audit_log(actor=actor, action=CREATE, instance=profile, after=values)
    return profile


def _history_facts(
    actor: Any, agency_id: int, importers: set[str], before: datetime.date
) -> dict[str, tuple[datetime.date, int]]:
    """Each importer's first declaration and number of declarations before `before`, in the
    agency's records that `actor` may see."""
    rows = (
        Consignment.objects.restrict(actor)
        .filter(owner_agency_id=agency_id, importer__in=importers, declared_on__lt=before)
        .values("importer")
        .annotate(first=Min("declared_on"), count=Count("id"))
    )
    return {row["importer"]: (row["first"], row["count"]) for row in rows}


def test_profile(*, actor: Any, profile: RiskProfile, since: datetime.date | None = None) -> dict[str, Any]:
    """Replay the profile over its agency's history that `actor` may see: how many consignments it
    would have selected, how many of those were inspected and what was found, against the hit rate
    of all inspections. Kept on the profile, so only who may change it may test it; a profile must
    be tested before it is switched on."""
    if not RiskProfile.objects.restrict(actor, policy.CHANGE).filter(pk=profile.pk).exists():
        raise PermissionDenied(_("You may not change this profile."))
    rule = profile_of(profile)
    history = profiles.ImporterHistory()
    selected = inspected = hits = 0
    all_inspected = all_hits = total = 0
    records = Consignment.objects.restrict(actor).filter(owner_agency_id=profile.owner_agency_id)
    records = records.order_by("declared_on", "id").select_related("inspection")
    if since:
        records = records.filter(declared_on__gte=since)
    for consignment in records.iterator(chunk_size=5000):
        declaration = declaration_of(consignment)
        judged = profiles.judged_fields(declaration.fields, history)
        history.see(declaration.fields["importer"], declaration.declared_on)
        total += 1
        outcome = declaration.outcome
        all_inspected += bool(outcome)
        all_hits += outcome in HITS
        # History is replayed whatever the profile's validity: the question is what it would have done.
        if all(condition.holds(judged) for condition in rule.conditions):
            selected += 1
            inspected += bool(outcome)
            hits += outcome in HITS
    base = all_hits / all_inspected if all_inspected else None
    rate = hits / inspected if inspected else None
    result = {
        "consignments": total,
        "selected": selected,
        "selected_share": round(selected / total, 4) if total else None,
        "inspected": inspected,
        "hits": hits,
        "hit_rate": None if rate is None else round(rate, 4),
        "base_hit_rate": None if base is None else round(base, 4),
        "lift": round(rate / base, 2) if rate is not None and base else None,
    }
    with transaction.atomic():
        profile.tested_at, profile.test_result = timezone.now(), result
        profile.save(update_fields=["tested_at", "test_result", "updated_at"])
        audit_log(actor=actor, action=TEST, instance=profile, after=result)
    return result


def switch_profile(*, actor: Any, profile: RiskProfile, active: bool) -> None:
    if not RiskProfile.objects.restrict(actor, policy.CHANGE).filter(pk=profile.pk).exists():
        raise PermissionDenied(_("You may not change this profile."))
    if active and profile.tested_at is None:
        raise ValidationError(_("Test the profile against history before switching it on."))
    with transaction.atomic():
        before = profile.active
        profile.active = active
        profile.save(update_fields=["active", "updated_at"])
        audit_log(
            actor=actor, action=UPDATE, instance=profile, before={"active": before}, after={"active": active}
        )


# ---- the day's selection -------------------------------------------------------------------


@dataclass
class Worklist:
    day: datetime.date
    capacity: int
    consignments: int = 0
    lanes: dict[str, int] = field(default_factory=dict)


def select_day(
    *,
    actor: Any,
    unit: Unit,
    day: datetime.date,
    capacity: str,
    random_share: float = selection.DEFAULT_RANDOM_SHARE,
    model: RiskModel | None = None,
    rng: random.Random | None = None,
) -> Worklist:
    """Assess the unit's consignments of `day` that are not inspected yet (model, switched-on
    profiles the actor may use, including partners' shared ones) and assign their lanes."""
    _require(actor, unit, policy.CHANGE)
    if not 0 <= random_share <= 1:
        raise ValidationError({"random_share": _("The random share is between 0 and 100 %.")})
    pending = list(
        Consignment.objects.restrict(actor, policy.CHANGE)
        .filter(owner_unit=unit, declared_on=day, inspection__isnull=True)
        .order_by("id")
    )
    worklist = Worklist(day, selection.capacity_of(capacity, len(pending)), len(pending))
    if not pending:
        return worklist
    declarations = [declaration_of(c) for c in pending]
    risks: list[float | None] = [None] * len(pending)
    reasons: list[list[dict[str, Any]]] = [[] for _ in pending]
    if model is not None:
        scorer = trained(model)
        columns = features.columns_of(declarations)
        risks = [float(p) for p in scorer.probabilities(columns)]
        for index, explained in enumerate(scorer.reasons(columns)):
            reasons[index] = [{"kind": "model", **reason} for reason in explained]
    rules = [
        profile_of(row)
        for row in RiskProfile.objects.restrict(actor)
        .filter(active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)
    ]
    history = profiles.ImporterHistory(
        _history_facts(actor, unit.agency_id, {d.fields["importer"] for d in declarations}, day)
    )
    fired_by_row = []
    candidates = []
    for index, declaration in enumerate(declarations):
        fired = profiles.fired(rules, profiles.judged_fields(declaration.fields, history))
        fired_by_row.append(fired)
        reasons[index] = [{"kind": "profile", "name": p.name, "weight": p.weight} for p in fired] + reasons[
            index
        ]
        lanes = {p.lane for p in fired}
        forced = Lane.RED if Lane.RED in lanes else (Lane.YELLOW if Lane.YELLOW in lanes else "")
        candidates.append(
            selection.Candidate(
                index, risks[index], profiles.combined_weight(p.weight for p in fired), forced
            )
        )
    choices = selection.select(candidates, worklist.capacity, random_share=random_share, rng=rng)
    now = timezone.now()
    with transaction.atomic():
        for consignment, choice, candidate, why in zip(pending, choices, candidates, reasons, strict=True):
            consignment.risk = round(choice.risk, 4)
            consignment.model_risk = None if candidate.model_risk is None else round(candidate.model_risk, 4)
            consignment.rule_weight = candidate.rule_weight
            consignment.lane, consignment.selected_by = choice.lane, choice.source
            consignment.reasons = why + ([{"kind": "random"}] if choice.source == Source.RANDOM else [])
            consignment.assessed_at, consignment.risk_model = now, model
            worklist.lanes[choice.lane] = worklist.lanes.get(choice.lane, 0) + 1
        # Which profiles fired, for their hit rates: written in bulk, a port has thousands a day.
        fired_on = Consignment.fired_profiles.through
        fired_on.objects.filter(consignment_id__in=[c.pk for c in pending]).delete()
        fired_on.objects.bulk_create(
            [
                fired_on(consignment_id=consignment.pk, riskprofile_id=profile.key)
                for consignment, fired in zip(pending, fired_by_row, strict=True)
                for profile in fired
            ]
        )
        Consignment.objects.bulk_update(
            pending,
            [
                "risk",
                "model_risk",
                "rule_weight",
                "lane",
                "selected_by",
                "reasons",
                "assessed_at",
                "risk_model",
            ],
            batch_size=BATCH,
        )
        audit_log(
            actor=actor,
            action=SELECT,
            object_type="targeting.consignment",
            object_repr=f"{unit.code} {day.isoformat()}",
            owner_unit_id=unit.pk,
            after={
                "day": day.isoformat(),
                "consignments": len(pending),
                "capacity": worklist.capacity,
                "random_share": random_share,
                "model": model.pk if model else None,
                "profiles": [rule.key for rule in rules],
                "lanes": worklist.lanes,
            },
        )
    return worklist


def record_inspection(
    *,
    actor: Any,
    consignment: Consignment,
    outcome: str,
    inspected_on: datetime.date,
    seizure_id: int | None = None,
    notes: str = "",
) -> Inspection:
    """Record (or correct) what an inspection found; it keeps the lane and source of the selection."""
    if not Consignment.objects.restrict(actor, policy.CHANGE).filter(pk=consignment.pk).exists():
        raise PermissionDenied(_("You may not record inspections of this consignment."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose nothing, irregularity, critical or seizure.")})
    if seizure_id is not None:
        from kordon.seizures.models import Seizure

        if not Seizure.objects.restrict(actor).filter(pk=seizure_id).exists():
            raise ValidationError(
                {"seizure": _("There is no seizure %(id)s that you may see.") % {"id": seizure_id}}
            )
    with transaction.atomic():
        inspection = Inspection.objects.filter(consignment=consignment).first()
        before = (
            None if inspection is None else {"outcome": inspection.outcome, "seizure": inspection.seizure_id}
        )
        if inspection is None:
            inspection = Inspection(
                consignment=consignment,
                lane=consignment.lane,
                selected_by=consignment.selected_by or Source.OFFICER,
            )
        inspection.outcome, inspection.inspected_on = outcome, inspected_on
        inspection.seizure_id, inspection.notes, inspection.recorded_by = seizure_id, notes, actor
        inspection.save()
        audit_log(
            actor=actor,
            action=INSPECT,
            instance=consignment,
            before=before,
            after={"outcome": outcome, "seizure": seizure_id, "inspected_on": inspected_on.isoformat()},
        )
    return inspection


# ---- hit rates -----------------------------------------------------------------------------


@dataclass
class HitRate:
    label: str
    inspected: int
    hits: int
    lift: float | None = None

    @property
    def rate(self) -> float | None:
        return self.hits / self.inspected if self.inspected else None


@dataclass
class HitRates:
    by_source: list[HitRate]
    by_profile: list[HitRate]
    by_lane: list[HitRate]


def _rates(inspections: Any, key: str, labels: dict[str, Any]) -> list[HitRate]:
    rows = inspections.values(key).annotate(n=Count("id"), hits=Count("id", filter=Q(outcome__in=HITS)))
    return [
        HitRate(str(labels.get(row[key], _("before Kordon"))), row["n"], row["hits"])
        for row in sorted(rows, key=lambda row: row[key])
    ]


def hit_rates(user: Any, since: datetime.date, until: datetime.date) -> HitRates:
    """Hit rates of the inspections `user` may see in the period: by selection source, by profile
    and by lane. Lift is a rate divided by the random picks' rate, the unbiased estimate of how
    often any consignment is irregular."""
    inspections = Inspection.objects.filter(
        consignment__in=Consignment.objects.restrict(user), inspected_on__range=(since, until)
    )
    labels: dict[str, Any] = dict(Source.choices)
    sources = _rates(inspections, "selected_by", labels)
    lanes = _rates(inspections, "lane", dict(Lane.choices))
    randoms = next((rate for rate in sources if rate.label == str(labels[Source.RANDOM])), None)
    base = randoms.rate if randoms else None
    by_profile = [
        HitRate(row["name"], row["n"], row["hits"])
        for row in RiskProfile.objects.restrict(user)
        .filter(fired_on__inspection__in=inspections)
        .values("name")
        .annotate(
            n=Count("fired_on"), hits=Count("fired_on", filter=Q(fired_on__inspection__outcome__in=HITS))
        )
        .order_by("name")
    ]
    for rate in sources + by_profile + lanes:
        rate.lift = round(rate.rate / base, 2) if base and rate.rate is not None else None
    return HitRates(sources, by_profile, lanes)


@dataclass
class MonthRates:
    month: datetime.date
    by_source: dict[str, HitRate]


def monthly_hit_rates(user: Any, since: datetime.date, until: datetime.date) -> list[MonthRates]:
    """Hit rates by month and selection source, newest month first: whether the model keeps its
    edge over the random picks as time goes on."""
    inspections = Inspection.objects.filter(
        consignment__in=Consignment.objects.restrict(user), inspected_on__range=(since, until)
    )
    months: dict[datetime.date, MonthRates] = {}
    rows = (
        inspections.annotate(month=TruncMonth("inspected_on"))
        .values("month", "selected_by")
        .annotate(n=Count("id"), hits=Count("id", filter=Q(outcome__in=HITS)))
    )
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        entry = months.setdefault(month, MonthRates(month, {}))
        entry.by_source[row["selected_by"]] = HitRate(row["selected_by"], row["n"], row["hits"])
    for entry in months.values():
        randoms = entry.by_source.get(Source.RANDOM)
        base = randoms.rate if randoms else None
        for rate in entry.by_source.values():
            rate.lift = round(rate.rate / base, 2) if base and rate.rate is not None else None
    return [months[month] for month in sorted(months, reverse=True)]


# ---- retraining in the background ----------------------------------------------------------

# A request still "training" after this long belongs to a worker that died; it is run again.
STALE_AFTER = datetime.timedelta(minutes=30)
MAX_ATTEMPTS = 3


def request_training(*, actor: Any, unit: Unit, name: str) -> TrainingRequest:
    """Queue the training of the next version of model `name` on the unit's inspections. A request
    already waiting for the same model is returned instead of a second one."""
    _require(actor, unit, policy.ADD)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the model a name.")})
    with transaction.atomic():
        waiting = TrainingRequest.objects.filter(
            owner_unit=unit, name=name, status=TrainingRequest.Status.QUEUED
        ).first()
        if waiting:
            return waiting
        request = TrainingRequest.objects.create(owner_unit=unit, name=name, requested_by=actor)
        audit_log(
            actor=actor,
            action=CREATE,
            instance=request,
            owner_unit_id=unit.pk,
            after={"model": name},
        )
    return request


def _claim() -> TrainingRequest | None:
    """Take the oldest waiting request (or one a dead worker left), so that two workers never train
    the same one: PostgreSQL skips rows another worker has locked; SQLite has one writer anyway."""
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        request = (
            TrainingRequest.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=TrainingRequest.Status.QUEUED)
                | Q(status=TrainingRequest.Status.RUNNING, started_at__lt=stale)
            )
            .order_by("requested_at", "id")
            .first()
        )
        if request is None:
            return None
        request.status, request.started_at = TrainingRequest.Status.RUNNING, timezone.now()
        request.attempts += 1
        request.save(update_fields=["status", "started_at", "attempts"])
    return request


def run_training_requests(limit: int | None = None) -> int:
    """Train the waiting models, one after another; how many requests were handled."""
    handled = 0
    while limit is None or handled < limit:
        request = _claim()
        if request is None:
            break
        handled += 1
        unit = Unit.objects.select_related("agency").get(pk=request.owner_unit_id)
        try:
            # The new version and the request's end are one transaction: a worker killed in between
            # leaves the request to be run again, never a model without its request marked done.
            with transaction.atomic():
                model = train_from_records(actor=request.requested_by, unit=unit, name=request.name)
                request.status, request.risk_model = TrainingRequest.Status.DONE, model
                request.finished_at = timezone.now()
                request.save(update_fields=["status", "risk_model", "finished_at"])
        except (riskmodel.TrainingError, ValidationError, PermissionDenied) as error:
            request.status = TrainingRequest.Status.FAILED
            request.error = " ".join(getattr(error, "messages", [str(error)]))
            request.finished_at = timezone.now()
            request.save(update_fields=["status", "error", "finished_at"])
        except Exception as error:  # a bug or a lost database: keep the worker alive, try again later
            retry = request.attempts < MAX_ATTEMPTS
            request.status = TrainingRequest.Status.QUEUED if retry else TrainingRequest.Status.FAILED
            request.error = f"{type(error).__name__}: {error}"
            request.save(update_fields=["status", "error"])
            if retry:
                break
    return handled
