"""The demo's prison service: the default framework, seven facilities, one audit of each in 2013
(and a 2012 baseline for colony No. 47), incidents from 2009 and the two "Perebros" operations
of 2013 with the totals the service reported (1,768 officers, 33 dogs, 127 vehicles, 35
drug-related crimes, 374 kg seized).

Facility names follow the service's numbering; capacities, populations, answers and incidents
are invented, deterministic (seeded) and plausible, not real records.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kordon.access.markings import Distribution
from kordon.core.models import Agency, Unit
from kordon.prisons import services
from kordon.prisons.models import (
    Audit,
    Compliance,
    ContrabandKind,
    Detection,
    Facility,
    FacilityKind,
    Incident,
    IncidentType,
    ItemKind,
    PersonRole,
    Priority,
    RecommendationStatus,
    Route,
    SecurityLevel,
)
from kordon.seizures.models import Substance

HQ, COLONY_47 = "kg-prison-hq", "kg-prison-ik47"
AUDITOR, HEAD, COLONY_OFFICER = "kg.prison.auditor", "kg.prison.head", "kg.ik47"

# code, name, kind, security level, capacity, population, region, owner unit, audit date, strength
# (the chance that a standard is fully met: the weaker facilities show more gaps).
FACILITIES = (
    (
        "SIZO-1",
        "СИЗО-1 (следственный изолятор), Бишкек",
        FacilityKind.PRE_TRIAL,
        SecurityLevel.HIGH,
        1000,
        1180,
        "Бишкек",
        HQ,
        "2013-02-19",
        0.55,
    ),
    (
        "IK-1",
        "Исправительная колония № 1",
        FacilityKind.FIRST_OFFENDERS,
        SecurityLevel.MEDIUM,
        1200,
        1034,
        "Чуйская область, с. Молдовановка",
        HQ,
        "2013-03-26",
        0.7,
    ),
    (
        "IK-2",
        "Исправительная колония № 2 (женская)",
        FacilityKind.WOMEN,
        SecurityLevel.MEDIUM,
        400,
        305,
        "Чуйская область, с. Степное",
        HQ,
        "2013-04-23",
        0.82,
    ),
    (
        "IK-14",
        "Воспитательная колония № 14",
        FacilityKind.JUVENILE,
        SecurityLevel.MINIMUM,
        150,
        64,
        "Чуйская область, с. Военно-Антоновка",
        HQ,
        "2013-05-21",
        0.8,
    ),
    (
        "IK-19",
        "Исправительная колония № 19 (пожизненное лишение свободы)",
        FacilityKind.LIFE,
        SecurityLevel.MAXIMUM,
        300,
        284,
        "Бишкек",
        HQ,
        "2013-07-16",
        0.74,
    ),
    (
        "IK-27",
        "Исправительная колония № 27",
        FacilityKind.REPEAT_OFFENDERS,
        SecurityLevel.HIGH,
        900,
        958,
        "Чуйская область, с. Жаны-Жер",
        HQ,
        "2013-09-10",
        0.5,
    ),
    (
        "IK-47",
        "Исправительная колония № 47",
        FacilityKind.REPEAT_OFFENDERS,
        SecurityLevel.HIGH,
        1100,
        1240,
        "Бишкек",
        COLONY_47,
        "2013-10-22",
        0.62,
    ),
)
BASELINE_47 = ("2012-11-13", 0.45)

FINDINGS = {
    Compliance.NO: "Не выполняется: нарушения выявлены при осмотре и по документам.",
    Compliance.PARTIAL: "Выполняется частично: есть пробелы, описанные в акте проверки.",
}

# Operation "Perebros" (drugs thrown over prison walls), 2013.
OPERATIONS = (
    ("Перебросс-2013, I этап", "2013-06-18", "2013-06-21", 1012, 19, 71, 27, 20, Decimal("215")),
    ("Перебросс-2013, II этап", "2013-10-07", "2013-10-09", 756, 14, 56, 19, 15, Decimal("159")),
)

# (type, weight) of the incidents drawn for each year.
INCIDENT_TYPES = (
    (IncidentType.CONTRABAND_FOUND, 10),
    (IncidentType.CONTRABAND_INTRODUCED, 6),
    (IncidentType.DISTURBANCE, 2),
    (IncidentType.HUNGER_STRIKE, 2),
    (IncidentType.ASSAULT_PRISONER, 3),
    (IncidentType.ASSAULT_STAFF, 1),
    (IncidentType.SELF_HARM, 2),
    (IncidentType.ESCAPE_ATTEMPT, 1),
    (IncidentType.SECURITY_BREACH, 1),
)
DESCRIPTIONS = {
    IncidentType.CONTRABAND_FOUND: "При плановом обыске жилой секции обнаружено и изъято запрещённое вещество.",
    IncidentType.CONTRABAND_INTRODUCED: "Пресечена попытка передачи запрещённых предметов на территорию учреждения.",
    IncidentType.DISTURBANCE: "Групповое неповиновение осуждённых в жилой зоне; порядок восстановлен силами дежурной смены.",
    IncidentType.HUNGER_STRIKE: "Осуждённые отказались от приёма пищи в знак протеста против условий содержания.",
    IncidentType.ASSAULT_PRISONER: "Драка между осуждёнными в столовой, один пострадавший доставлен в медчасть.",
    IncidentType.ASSAULT_STAFF: "Нападение осуждённого на младшего инспектора при проведении проверки.",
    IncidentType.SELF_HARM: "Членовредительство осуждённого в камере; оказана медицинская помощь.",
    IncidentType.ESCAPE_ATTEMPT: "Попытка побега через ограждение периметра пресечена постовым.",
    IncidentType.SECURITY_BREACH: "Утеря ключа от калитки локального участка; замки заменены.",
    IncidentType.ESCAPE: "Побег осуждённого через повреждённый участок ограждения периметра.",
}
ESCAPES = (("IK-27", "2009-08-14"), ("SIZO-1", "2010-03-02"), ("IK-47", "2011-11-20"), ("IK-1", "2012-06-07"))


def build_prisons() -> str:
    if Facility.objects.filter(owner_agency__code="KG-PRISON").exists():
        return "Kyrgyz prison facilities already there"
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=[AUDITOR, HEAD, COLONY_OFFICER])
    }
    units = {
        unit.code: unit for unit in Unit.objects.select_related("agency").filter(code__in=[HQ, COLONY_47])
    }
    auditor, head = users[AUDITOR], users[HEAD]
    rng = random.Random(47)  # noqa: S311 - the demo is the same on every machine
    framework = services.framework_import_default(actor=auditor, unit=units[HQ]).framework
    assert framework is not None, "the default framework must import"
    facilities = {}
    for code, name, kind, level, capacity, population, region, owner, _day, _strength in FACILITIES:
        facilities[code] = services.facility_save(
            actor=auditor if owner == HQ else users[COLONY_OFFICER],
            unit=units[owner],
            data=services.FacilityData(
                code, name, kind, level, capacity, population, datetime.date(2013, 12, 31), region
            ),
        )
    baseline_day, baseline_strength = BASELINE_47
    _audit(
        auditor,
        head,
        units[HQ],
        facilities["IK-47"],
        datetime.date.fromisoformat(baseline_day),
        baseline_strength,
        rng,
    )
    for code, *_rest, day, strength in FACILITIES:
        _audit(auditor, head, units[HQ], facilities[code], datetime.date.fromisoformat(day), strength, rng)
    incidents = _incidents(auditor, units[HQ], facilities, rng)
    _operations(auditor, units[HQ], facilities, incidents)
    return f"{len(facilities)} prison facilities, {Audit.objects.filter(framework=framework).count()} audits, {len(incidents)} incidents"


def _audit(auditor, head, unit, facility, day, strength, rng) -> None:  # type: ignore[no-untyped-def]
    """An audit answered as an auditor would: each standard met with the facility's strength."""
    audit = services.audit_plan(actor=auditor, unit=unit, facility=facility, planned_on=day)
    answers = []
    for item in audit.framework.items.all():
        if item.kind != ItemKind.COMPLIANCE:
            continue
        draw = rng.random()
        if draw < 0.04:
            value = Compliance.NA
        elif draw < 0.04 + strength:
            value = Compliance.YES
        elif draw < 0.04 + strength + (1 - strength) * 0.6:
            value = Compliance.PARTIAL
        else:
            value = Compliance.NO
        answers.append(services.AnswerData(item.name, value, FINDINGS.get(value, "")))
    answers += [
        services.AnswerData("p_cel_02_m2", f"{rng.uniform(1.8, 4.5):.1f}"),
        services.AnswerData("p_cctv_01_total", "48"),
        services.AnswerData("p_cctv_01_working", str(rng.randint(20, 48))),
        services.AnswerData("r_cnt_01_per_day", str(rng.randint(2, 4))),
        services.AnswerData("d_trn_01_trained_pct", str(rng.randint(20, 85))),
    ]
    services.answers_save(actor=auditor, audit_id=audit.pk, answers=answers, language="ru")
    services.audit_submit(actor=auditor, audit_id=audit.pk)
    services.audit_review(
        actor=head,
        audit_id=audit.pk,
        summary=f"Проверка {facility.name}: итоговая оценка {Audit.objects.get(pk=audit.pk).scores['overall']}.",
    )
    for number, (gap, item) in enumerate(services.audit_gaps(audit)[:4]):
        recommendation = services.recommendation_add(
            actor=auditor,
            audit_id=audit.pk,
            data=services.RecommendationData(
                text=f"Устранить недостатки по стандарту {item.code}: {item.labels.get('ru', '')[:150]}",
                priority=Priority.IMMEDIATE if gap.criticality == "critical" else Priority.DAYS_90,
                owner=f"Заместитель начальника по режиму, {facility.name}",
                due_on=day + datetime.timedelta(days=30 if gap.criticality == "critical" else 90),
                item=item.name,
            ),
        )
        # The older facilities answered; the latest audits still wait for some answers.
        if day.year == 2012 or number < 2:
            status = RecommendationStatus.DONE if number % 2 == 0 else RecommendationStatus.ACCEPTED
            services.recommendation_respond(
                actor=auditor,
                recommendation_id=recommendation.pk,
                status=status,
                response="Принято к исполнению.",
            )
    # The demo's history is in the past: date the workflow accordingly.
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    Audit.objects.filter(pk=audit.pk).update(
        started_on=day,
        submitted_at=start + datetime.timedelta(days=3),
        reviewed_at=start + datetime.timedelta(days=12),
    )


def _incidents(auditor, unit, facilities, rng) -> list[Incident]:  # type: ignore[no-untyped-def]
    substances = {
        s.name: s.pk
        for s in Substance.objects.filter(
            name__in=["Heroin", "Cannabis resin (hashish)", "Cannabis herb (marijuana)"]
        )
    }
    drugs = list(substances.values())
    types = [kind for kind, _weight in INCIDENT_TYPES]
    weights = [weight for _kind, weight in INCIDENT_TYPES]
    codes = list(facilities)
    incidents = []
    planned = [(code, datetime.date.fromisoformat(day), IncidentType.ESCAPE) for code, day in ESCAPES]
    for year in range(2009, 2014):
        for _ in range(16 if year < 2012 else 22):
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            planned.append((rng.choice(codes), day, rng.choices(types, weights)[0]))
    for operation in OPERATIONS:  # what the joint operations found inside the facilities
        start = datetime.date.fromisoformat(operation[1])
        for offset in range(3):
            planned.append(
                (
                    codes[(offset * 3) % len(codes)],
                    start + datetime.timedelta(days=offset),
                    IncidentType.CONTRABAND_FOUND,
                )
            )
    for number, (code, day, kind) in enumerate(sorted(planned, key=lambda entry: entry[1]), start=1):
        joint = any(
            datetime.date.fromisoformat(op[1]) <= day <= datetime.date.fromisoformat(op[2])
            for op in OPERATIONS
        )
        contraband = []
        detected = Detection.ROUTINE
        if kind in (IncidentType.CONTRABAND_FOUND, IncidentType.CONTRABAND_INTRODUCED) and drugs:
            grams = Decimal(rng.choice([5, 12, 20, 35, 50, 120, 250, 480]))
            route = rng.choice([Route.THROW_OVER, Route.THROW_OVER, Route.VISITOR, Route.PARCEL, Route.STAFF])
            # Intelligence from the drug-control service grew once the agreement was signed (2012).
            through_partner = joint or (
                day.year >= 2012 and rng.random() < (0.45 if day.year == 2013 else 0.2)
            )
            detected = (
                Detection.JOINT_OPERATION
                if joint
                else (Detection.INTERAGENCY if through_partner else Detection.ROUTINE)
            )
            contraband.append(
                services.ContrabandData(
                    kind=ContrabandKind.DRUGS,
                    quantity=grams * (10 if joint else 1),
                    unit="g",
                    substance_id=rng.choice(drugs),
                    route=route,
                    found_where=rng.choice(
                        ["жилая секция", "промзона", "комната длительных свиданий", "у ограждения периметра"]
                    ),
                    record_seizure=grams >= 120 or joint,
                )
            )
            if rng.random() < 0.3:
                contraband.append(
                    services.ContrabandData(
                        kind=ContrabandKind.PHONES,
                        quantity=Decimal(rng.randint(1, 6)),
                        unit="pieces",
                        route=route,
                    )
                )
        occurred = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(rng.randint(6, 22), rng.choice([0, 15, 30, 45])))
        )
        incidents.append(
            services.incident_create(
                actor=auditor,
                unit=unit,
                data=services.IncidentData(
                    facility_id=facilities[code].pk,
                    reference=f"ИНЦ-{day.year}-{number:03d}",
                    kind=kind,
                    occurred_at=occurred,
                    description=DESCRIPTIONS[kind],
                    location=rng.choice(
                        ["жилая зона", "промзона", "периметр", "штрафной изолятор", "комната свиданий"]
                    ),
                    severity=4 if kind == IncidentType.ESCAPE else rng.randint(1, 3),
                    detected_through=detected,
                    notified=["director", "headquarters"]
                    + (["prosecutor", "police"] if kind == IncidentType.ESCAPE else [])
                    + (["drug_control"] if contraband else []),
                    persons=[
                        services.PersonData(
                            PersonRole.PRISONER,
                            rng.choice(PRISONERS),
                            identifier=f"{rng.randint(1000, 9999)}",
                        )
                    ],
                    contraband=contraband,
                    # Drug finds go to the drug-control service under the agreement; the rest stays in.
                    distribution=Distribution.PARTNERS if contraband else Distribution.AGENCY,
                ),
            )
        )
    return incidents


PRISONERS = (
    "Абдыраев Б.",
    "Мамытов Н.",
    "Исаков Т.",
    "Сулайманов А.",
    "Токтогулов Э.",
    "Керимбеков Ж.",
    "Осмонов К.",
)


def _operations(auditor, unit, facilities, incidents) -> None:  # type: ignore[no-untyped-def]
    agencies = list(Agency.objects.filter(code__in=["KG-PRISON", "KG-DCS"]).values_list("pk", flat=True))
    for name, start, end, officers, dogs, vehicles, crimes, drug_crimes, kilograms in OPERATIONS:
        starts_on, ends_on = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        found = [i for i in incidents if starts_on <= timezone.localtime(i.occurred_at).date() <= ends_on]
        services.operation_create(
            actor=auditor,
            unit=unit,
            data=services.OperationData(
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                agency_ids=agencies,
                description="Совместная операция СБНОН МВД и ГСИН против переброса наркотиков в учреждения.",
                facility_ids=[facility.pk for facility in facilities.values()],
                officers=officers,
                dogs=dogs,
                vehicles=vehicles,
                crimes_detected=crimes,
                drug_crimes_detected=drug_crimes,
                drugs_seized_kg=kilograms,
                incident_ids=[i.pk for i in found],
                seizure_ids=[c.seizure_id for i in found for c in i.contraband.all() if c.seizure_id],
            ),
        )
