"""The demo's cooperation requests (the Uzbek General Prosecutor's Office, 2012-2014) and
referral cases (an Almaty crisis centre, a polyclinic and a legal aid centre).

Invented and deterministic: the requests follow the conventions' states and typical answering
times; the cases are synthetic, with pseudonyms and no real person behind them.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kordon.cooperation import services
from kordon.cooperation.models import CooperationRequest, ReferralCase
from kordon.core.models import Agency, Unit

PROSECUTOR, CASE_WORKER, DOCTOR, LAWYER = "uz.prosecutor", "kz.caseworker", "kz.doctor", "kz.lawyer"

# counterpart, direction, offences, measures, legal basis, sent/received, outcome, answered after days
REQUESTS = (
    (
        "LV",
        "outgoing",
        "Laundering of proceeds of drug trafficking",
        ["bank_records", "freezing"],
        "untoc_18",
        "2013-02-11",
        "executed",
        140,
    ),
    (
        "KZ",
        "incoming",
        "Drug trafficking (heroin, 42 kg)",
        ["evidence", "information"],
        "treaty",
        "2013-03-05",
        "executed",
        61,
    ),
    (
        "RU",
        "outgoing",
        "Drug trafficking, organised group",
        ["evidence", "service"],
        "treaty",
        "2012-10-17",
        "partially_executed",
        200,
    ),
    (
        "AE",
        "outgoing",
        "Laundering, real estate bought with drug money",
        ["tracing", "freezing", "bank_records"],
        "uncac_46",
        "2013-05-20",
        "in_execution",
        0,
    ),
    (
        "TR",
        "outgoing",
        "Precursor trafficking (acetic anhydride)",
        ["information", "bank_records"],
        "vienna_1988_7",
        "2013-07-02",
        "refused",
        95,
    ),
    (
        "KG",
        "incoming",
        "Drug trafficking across Dostuk",
        ["evidence", "examination"],
        "treaty",
        "2013-08-14",
        "executed",
        33,
    ),
    (
        "DE",
        "outgoing",
        "Laundering through shell companies",
        ["bank_records", "tracing"],
        "untoc_18",
        "2013-09-09",
        "sent",
        0,
    ),
    (
        "CH",
        "outgoing",
        "Corruption proceeds of a customs official",
        ["freezing", "confiscation"],
        "uncac_46",
        "2012-06-01",
        "executed",
        310,
    ),
    ("KZ", "outgoing", "Drug trafficking (hashish)", ["evidence"], "treaty", "2013-11-04", "sent", 0),
    (
        "TJ",
        "incoming",
        "Drug trafficking, couriers",
        ["appearance", "evidence"],
        "treaty",
        "2013-10-01",
        "in_execution",
        0,
    ),
    (
        "GB",
        "outgoing",
        "Laundering through UK companies",
        ["bank_records"],
        "reciprocity",
        "2014-01-15",
        "sent",
        0,
    ),
    (
        "RU",
        "incoming",
        "Trafficking in persons",
        ["evidence", "videoconference"],
        "treaty",
        "2013-12-10",
        "received",
        0,
    ),
)
ASSETS = {
    "UZ-GP-2013-001": [("Bank accounts, Riga", "frozen", Decimal("1250000"), "EUR", "2013-06-30")],
    "UZ-GP-2013-004": [("Apartment, Dubai Marina", "identified", Decimal("2300000"), "AED", "2013-09-01")],
    "UZ-GP-2012-008": [
        ("Bank account, Geneva", "confiscated", Decimal("4800000"), "USD", "2013-04-12"),
        ("Bank account, Geneva (returned part)", "returned", Decimal("3100000"), "USD", "2014-02-20"),
    ],
}


def build_cooperation() -> str:
    if CooperationRequest.objects.exists() or ReferralCase.objects.exists():
        return "cooperation requests and referral cases already there"
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[PROSECUTOR, CASE_WORKER, DOCTOR, LAWYER])
    }
    units = {
        u.code: u
        for u in Unit.objects.select_related("agency").filter(
            code__in=["uz-gp-mla", "kz-shelter-almaty", "kz-health-almaty", "kz-legalaid-almaty"]
        )
    }
    _requests(users[PROSECUTOR], units["uz-gp-mla"])
    cases = _referrals(users, units)
    return f"{len(REQUESTS)} cooperation requests, {cases} referral cases"


def _requests(prosecutor, unit) -> None:  # type: ignore[no-untyped-def]
    for number, (country, direction, offences, measures, basis, opened, outcome, days) in enumerate(
        REQUESTS, start=1
    ):
        opened_on = datetime.date.fromisoformat(opened)
        outgoing = direction == "outgoing"
        reference = f"UZ-GP-{opened_on.year}-{number:03d}"
        request = services.request_create(
            actor=prosecutor,
            unit=unit,
            data=services.RequestData(
                reference=reference,
                direction=direction,
                requesting_country_id="UZ" if outgoing else country,
                requested_country_id=country if outgoing else "UZ",
                requesting_authority="Генеральная прокуратура Республики Узбекистан"
                if outgoing
                else f"Prosecutor General's Office ({country})",
                requested_authority="" if not outgoing else f"Central authority ({country})",
                central_authority="Генеральная прокуратура Республики Узбекистан",
                legal_basis=basis,
                treaty="Minsk Convention on legal assistance, 1993" if basis == "treaty" else "",
                offences=offences,
                measures=measures,
                summary="Сводка фактов приведена в запросе (демонстрационные данные).",
                deadline=opened_on + datetime.timedelta(days=120),
                received_on=None if outgoing else opened_on,
            ),
        )
        if outgoing:
            request = services.request_transition(
                actor=prosecutor, request_id=request.pk, status="sent", on=opened_on
            )
        if outcome in ("in_execution", "executed", "partially_executed"):
            services.request_transition(
                actor=prosecutor,
                request_id=request.pk,
                status="in_execution",
                on=opened_on + datetime.timedelta(days=14),
            )
        if outcome in ("executed", "partially_executed", "refused"):
            services.request_transition(
                actor=prosecutor,
                request_id=request.pk,
                status=outcome,
                on=opened_on + datetime.timedelta(days=days),
                refusal_ground="Запрошенные сведения составляют банковскую тайну без решения суда (ст. 18(21) КТОП)."
                if outcome == "refused"
                else "",
            )
        for description, stage, amount, currency, on in ASSETS.get(reference, []):
            services.asset_record(
                actor=prosecutor,
                request_id=request.pk,
                description=description,
                stage=stage,
                amount=amount,
                currency=currency,
                on=datetime.date.fromisoformat(on),
            )


CASES = (
    ("trafficking", "ForcedLabour", "26-40", "male", "UZ"),
    ("trafficking", "SexualExploitation", "18-25", "female", "KG"),
    ("trafficking", "ForcedLabour", "18-25", "male", "TJ"),
    ("trafficking", "Servitude", "41+", "female", "UZ"),
    ("smuggling", "None", "26-40", "male", "AF"),
    ("trafficking", "ForcedLabour", "26-40", "male", "UZ"),
    ("trafficking", "SexualExploitation", "12-17", "female", "KZ"),
    ("trafficking", "ForcedLabour", "41+", "male", "KG"),
)


def _referrals(users, units) -> int:  # type: ignore[no-untyped-def]
    worker, shelter = users[CASE_WORKER], units["kz-shelter-almaty"]
    health, legal = units["kz-health-almaty"], units["kz-legalaid-almaty"]
    organisations = list(
        Agency.objects.filter(code__in=["KZ-HEALTH", "KZ-LEGALAID"]).values_list("pk", flat=True)
    )
    rng = random.Random(8)  # noqa: S311 - the demo is the same on every machine
    for number, (case_type, exploitation, age, sex, nationality) in enumerate(CASES, start=1):
        case = services.case_open(
            actor=worker,
            unit=shelter,
            data=services.CaseData(
                case_type,
                exploitation,
                age,
                sex,
                nationality,
                needs="Нуждается в медицинской помощи и юридической консультации.",
            ),
            identity=services.IdentityData(
                full_name=f"(синтетические данные) Лицо {number}", documents="паспорт утерян"
            ),
        )
        # The cases are recent: the consents are in force and the referrals still under way.
        given = timezone.localdate() - datetime.timedelta(days=12 * (len(CASES) - number) + 3)
        ReferralCase.objects.filter(pk=case.pk).update(opened_on=given)
        consent = services.consent_record(
            actor=worker,
            case_id=case.pk,
            data=services.ConsentData(
                given_by="person",
                method="written",
                organisation_ids=organisations,
                categories=["attributes", "needs"],
                purpose="Медицинская помощь и правовая помощь",
                given_on=given,
                valid_until=given + datetime.timedelta(days=365),
            ),
        )
        medical = services.referral_send(
            actor=worker,
            case_id=case.pk,
            data=services.ReferralData(
                consent_id=consent.pk, to_unit_id=health.pk, service="Health", reason="Обследование и лечение"
            ),
        )
        services.referral_respond(actor=users[DOCTOR], referral_id=medical.pk, accept=True)
        services.service_record(
            actor=users[DOCTOR],
            referral_id=medical.pk,
            on=given + datetime.timedelta(days=2),
            description="Первичный осмотр",
        )
        if number % 3:
            services.referral_complete(actor=users[DOCTOR], referral_id=medical.pk, successful=True)
        law = services.referral_send(
            actor=worker,
            case_id=case.pk,
            data=services.ReferralData(
                consent_id=consent.pk,
                to_unit_id=legal.pk,
                service="Legal",
                reason="Консультация о статусе пострадавшего",
            ),
        )
        if rng.random() < 0.7:
            services.referral_respond(actor=users[LAWYER], referral_id=law.pk, accept=True)
        elif number % 2:
            services.referral_respond(
                actor=users[LAWYER],
                referral_id=law.pk,
                accept=False,
                reason="Нет свободного юриста на этой неделе",
            )
    return len(CASES)
