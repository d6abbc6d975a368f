"""The demo's alerts and requests for information, in every state, sent through the services
as the demo officers would (so they are audited and notified like real ones)."""

import datetime
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.core.models import Unit
from kordon.exchange import services
from kordon.exchange.models import Alert, AlertState, InformationRequest, Priority
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

DOSTUK = "kg-dcs-blo-dostuk"
DUSTLIK = "uz-customs-blo-dustlik"
PANJ = "tj-dca-blo-panj"
SHIRKHAN = "af-cnpa-blo-shirkhan"
USERS = {DOSTUK: "kg.blo.dostuk", DUSTLIK: "uz.blo.dustlik", PANJ: "tj.blo.panj", SHIRKHAN: "af.blo.shirkhan"}

PARTNERS_AMBER = services.Markings(
    tlp=Tlp.AMBER, handling_code=HandlingCode.H2, distribution=Distribution.PARTNERS
)
GREEN = services.Markings(tlp=Tlp.GREEN, handling_code=HandlingCode.H0, distribution=Distribution.PARTNERS)


def _user(unit: str) -> Any:
    return get_user_model().objects.get(username=USERS[unit])


def _alert(
    sender: str,
    to: list[str],
    title: str,
    days: int,
    markings: services.Markings = PARTNERS_AMBER,
    **fields: Any,
) -> Alert:
    units = dict(Unit.objects.values_list("code", "pk"))
    data = services.AlertData(
        title=title,
        valid_until=timezone.localdate() + datetime.timedelta(days=days),
        markings=replace(markings),
        **fields,
    )
    return services.alert_send(
        actor=_user(sender),
        sender_unit_id=units[sender],
        recipient_unit_ids=[units[code] for code in to],
        data=data,
    )


def _request(sender: str, to: str, subject: str, questions: str, days: int) -> InformationRequest:
    units = dict(Unit.objects.values_list("code", "pk"))
    data = services.RequestData(
        subject=subject,
        questions=questions,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        markings=replace(PARTNERS_AMBER),
    )
    return services.request_send(
        actor=_user(sender), sender_unit_id=units[sender], to_unit_id=units[to], data=data
    )


# The demo's addresses are not real: its notifications are kept in memory, not sent or printed.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
@transaction.atomic
def build_exchange() -> list[str]:
    """Alerts and requests between the demo BLOs, once."""
    if Alert.objects.exists():
        return [f"exchange: {Alert.objects.count()} alerts, {InformationRequest.objects.count()} requests"]
    uz, kg, af = _user(DUSTLIK), _user(DOSTUK), _user(SHIRKHAN)

    truck = _alert(
        DOSTUK, [DUSTLIK], "Truck 01KG123ABC, container MSKU1234565: heroin suspected", 14,
        subject_kind="vehicle", vehicle_plate="01KG123ABC", container_number="MSKU1234565",
        route="Osh → Dostuk → Andijan", priority=Priority.URGENT,
        details="Source reports heroin in the floor of the container; the driver crosses at Dostuk this week.",
    )  # fmt: skip
    services.alert_acknowledge(actor=uz, alert_id=truck.pk)
    heroin = Substance.objects.get(code="heroin")
    seizure = seizure_create(
        actor=uz,
        owner_unit_id=Unit.objects.get(code=DUSTLIK).pk,
        data=SeizureData(
            reference="UZ-DUSTLIK-ALERT-1",
            occurred_on=timezone.localdate() - datetime.timedelta(days=1),
            country_id="UZ",
            detection_method="intelligence",
            transport_mode="road",
            vehicle_plate="01KG123ABC",
            container_number="MSKU1234565",
            concealment="container",
            origin_country_id="AF",
            transit_countries=["TJ", "KG"],
            destination_country_id="RU",
            persons_arrested=1,
            arrested_nationalities=["KG"],
            narrative="Heroin found in the container floor after the alert from BLO Dostuk.",
            tlp=Tlp.AMBER,
            distribution=Distribution.PARTNERS,
            items=[ItemData(heroin.pk, Decimal("12.5"), "kg")],
        ),
    )
    services.alert_link_seizure(actor=uz, alert_id=truck.pk, seizure_id=seizure.pk)

    _alert(
        DOSTUK, [DUSTLIK], "Minibus 05KG777XYZ: hashish in the spare wheel", 7,
        subject_kind="vehicle", vehicle_plate="05KG777XYZ", priority=Priority.HIGH,
    )  # fmt: skip
    courier = _alert(
        DUSTLIK, [DOSTUK], "Courier crossing on foot with tramadol", 10,
        subject_kind="person", person_name="Sultanov Alimbai Karimovich",
    )  # fmt: skip
    services.alert_acknowledge(actor=kg, alert_id=courier.pk)
    river = _alert(
        PANJ, [SHIRKHAN], "Boat crossing of the Panj river expected near Shir Khan Bandar", 5,
        subject_kind="route", route="Kunduz → Shir Khan Bandar → Nizhny Panj", markings=GREEN,
    )  # fmt: skip
    services.alert_acknowledge(actor=af, alert_id=river.pk)
    services.alert_close(
        actor=af, alert_id=river.pk, state=AlertState.NO_RESULT, note="Patrols found nothing."
    )
    old = _alert(
        DOSTUK, [DUSTLIK], "Container MSKU1234565 re-exported: watch the return", 1, subject_kind="container"
    )
    # An alert of last month: its validity ended, and the daily job expired it.
    Alert.objects.filter(pk=old.pk).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=40),
        valid_until=timezone.localdate() - datetime.timedelta(days=10),
    )
    services.alerts_expire()

    _request(
        DUSTLIK, DOSTUK, "Owner of truck 01KG123ABC", "Who owns the truck? Earlier crossings this year?", 5
    )
    overdue = _request(DUSTLIK, DOSTUK, "Phone 996555123456", "Subscriber and contacts of this number.", 3)
    # Sent a fortnight ago with a deadline that has passed: it shows on both supervisors' lists.
    InformationRequest.objects.filter(pk=overdue.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=14),
        deadline=timezone.localdate() - datetime.timedelta(days=4),
    )
    answered = _request(DOSTUK, DUSTLIK, "Criminal record of Sultanov A.K.", "Any records in Uzbekistan?", 7)
    services.request_answer(
        actor=uz, request_id=answered.pk, text="Convicted in 2011 in Andijan for smuggling."
    )
    refused = _request(
        DOSTUK, DUSTLIK, "Bank accounts of the consignee", "Accounts of OOO Fergana Trans.", 10
    )
    services.request_refuse(
        actor=uz, request_id=refused.pk, reason="Bank records need a request from the prosecutor."
    )
    closed = _request(
        DUSTLIK, DOSTUK, "Seizure UZ-DUSTLIK-ALERT-1: arrest in Osh", "Was the sender arrested?", 6
    )
    services.request_answer(actor=kg, request_id=closed.pk, text="Yes, arrested in Osh on the same day.")
    services.request_close(actor=uz, request_id=closed.pk)
    acknowledged = _request(
        DOSTUK, DUSTLIK, "Crossings of 05KG777XYZ", "Crossings at Dustlik in the last year.", 8
    )
    services.request_acknowledge(actor=uz, request_id=acknowledged.pk)
    return [f"exchange: {Alert.objects.count()} alerts, {InformationRequest.objects.count()} requests"]
