"""Alerts and requests between two real nodes: the Kyrgyz BLO's alert reaches the Uzbek BLO on its
own node, the Uzbek officer acknowledges it and records the seizure that followed, and the Kyrgyz
side sees both; the Uzbek request is answered on the Kyrgyz node and the answer comes back. Each
side's changes converge in one round, suspension withdraws the alert, and a node that replies to
a record not addressed to it is refused."""

import json
from collections.abc import Callable

from kordon.federation.tests.nodes import Node, post_change_set

# One exchange action as a user of the node: [username, action, reference or "", values].
ACT = """
import datetime, decimal, json, sys
from django.utils import timezone
from kordon.access.context import action_context
from kordon.core.models import Unit, User
from kordon.exchange import services
from kordon.exchange.models import Alert, InformationRequest
from kordon.exchange.services import AlertData, Markings, RequestData
from kordon.seizures.models import Seizure, Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create
username, action, reference, values = json.loads(sys.argv[-1])
user = User.objects.get(username=username)
unit = user.memberships.first().unit
later = timezone.localdate() + datetime.timedelta(days=30)
markings = Markings(tlp=2, distribution=2)
alert = Alert.objects.filter(reference=reference).first()
rfi = InformationRequest.objects.filter(reference=reference).first()
with action_context(client_address="test"):
    try:
        if action == "alert":
            sent = services.alert_send(actor=user, sender_unit_id=unit.pk,
                recipient_unit_ids=list(Unit.objects.filter(code__in=values["to"]).values_list("pk", flat=True)),
                data=AlertData(subject_kind="vehicle", title=values["title"], valid_until=later,
                               vehicle_plate="01KG123ABC", container_number="MSKU1234565", markings=markings))
            print(sent.reference)
        elif action == "acknowledge":
            services.alert_acknowledge(actor=user, alert_id=alert.pk)
        elif action == "link":
            seizure = seizure_create(actor=user, owner_unit_id=unit.pk, data=SeizureData(
                reference=values["seizure"], occurred_on=timezone.localdate(), country_id="UZ",
                items=[ItemData(Substance.objects.get(code="heroin").pk, decimal.Decimal("12.5"), "kg")],
                tlp=2, distribution=2))
            services.alert_link_seizure(actor=user, alert_id=alert.pk, seizure_id=seizure.pk)
        elif action == "request":
            sent = services.request_send(actor=user, sender_unit_id=unit.pk,
                to_unit_id=Unit.objects.get(code=values["to"]).pk,
                data=RequestData(subject="Truck 01KG123ABC", questions=values["questions"], deadline=later,
                                 markings=markings))
            print(sent.reference)
        elif action == "answer":
            services.request_answer(actor=user, request_id=rfi.pk, text=values["text"])
        elif action == "close":
            services.request_close(actor=user, request_id=rfi.pk)
    except Exception as error:
        print("REFUSED", error)
"""

# What a user sees of alerts and requests: reference -> [state, node it came from, linked seizures
# or answers].
INBOX = """
import json, sys
from kordon.core.models import User
from kordon.exchange.models import Alert, InformationRequest
user = User.objects.get(username=sys.argv[-1])
seen = {}
for alert in Alert.objects.restrict(user):
    seen[alert.reference] = [alert.state, alert.origin_node, sorted(alert.seizure_links.values_list("seizure__reference", flat=True))]
for rfi in InformationRequest.objects.restrict(user):
    seen[rfi.reference] = [rfi.state, rfi.origin_node, [a.text for a in rfi.answers.order_by("at")]]
print(json.dumps(seen))
"""


def act(node: Node, username: str, action: str, reference: str = "", **values: object) -> str:
    """Do `action` as `username` on the node; its last line of output (a reference, or REFUSED …)."""
    lines = node.script(ACT, json.dumps([username, action, reference, values])).strip().splitlines()
    return lines[-1] if lines else ""


def inbox(node: Node, username: str) -> dict[str, list[object]]:
    return dict(json.loads(node.script(INBOX, username).strip().splitlines()[-1]))


def synced(node: Node) -> int:
    """Send the node's peers what they are owed; how many changes went."""
    out = node.kordon("federation", "sync").stdout
    return sum(
        int(line.split(": ")[1].split(" changes")[0])
        for line in out.splitlines()
        if " changes sent in " in line
    )


def test_alerts_and_requests_travel_and_their_state_changes_come_back(nodes: Callable[[str], Node]) -> None:
    kg, uz = nodes("kg-dcs"), nodes("uz-customs")
    kg.pair(uz, "UZ-CUSTOMS")
    uz.pair(kg, "KG-DCS")

    look_out = act(
        kg, "kg.blo.dostuk", "alert", to=["uz-customs-blo-dustlik"], title="Truck 01KG123ABC, heroin"
    )
    at_home = act(kg, "kg.blo.dostuk", "alert", to=["kg-dcs-analysis"], title="For Bishkek only")
    assert look_out.startswith("KG-DCS-AL-") and at_home.startswith("KG-DCS-AL-")
    assert synced(kg) == 1, "only the alert addressed to the Uzbek node goes there"
    assert inbox(uz, "uz.blo.dustlik") == {look_out: ["sent", "kg-dcs", []]}
    assert inbox(uz, "tj.analyst") == {}, "no agreement, nothing seen"

    # The Uzbek officer acknowledges: the Kyrgyz side sees it, and both sides then agree.
    act(uz, "uz.blo.dustlik", "acknowledge", look_out)
    assert synced(uz) == 1, "the reply"
    assert inbox(kg, "kg.blo.dostuk")[look_out][0] == "acknowledged"
    assert synced(kg) == 1, "the owner's record goes back once"
    assert synced(uz) == 0 and synced(kg) == 0, "nothing bounces back and forth"
    assert inbox(uz, "uz.blo.dustlik")[look_out][0] == "acknowledged"

    # The interception that followed, shared with the partner: both sides see where it came from.
    act(uz, "uz.blo.dustlik", "link", look_out, seizure="UZ-DUSTLIK-7")
    assert synced(uz) == 2, "the seizure, then the reply that names it"
    assert inbox(kg, "kg.blo.dostuk")[look_out] == ["acted_on", "", ["UZ-DUSTLIK-7"]]
    synced(kg)
    assert inbox(uz, "uz.blo.dustlik")[look_out] == ["acted_on", "kg-dcs", ["UZ-DUSTLIK-7"]]

    # A request the other way round, answered on the Kyrgyz node; the copy there is read-only.
    question = act(uz, "uz.blo.dustlik", "request", to="kg-dcs-blo-dostuk", questions="Who owns the truck?")
    assert synced(uz) == 1
    assert inbox(kg, "kg.blo.dostuk")[question] == ["sent", "uz-customs", []]
    assert "изменить его может только этот узел" in act(kg, "kg.blo.dostuk", "close", question)  # in Russian
    act(kg, "kg.blo.dostuk", "answer", question, text="Registered to Osh Trans LLC.")
    assert synced(kg) == 1
    assert inbox(uz, "uz.blo.dustlik")[question] == ["answered", "", ["Registered to Osh Trans LLC."]]
    synced(uz)
    assert inbox(kg, "kg.blo.dostuk")[question] == [
        "answered",
        "uz-customs",
        ["Registered to Osh Trans LLC."],
    ]
    assert synced(kg) == 0 and synced(uz) == 0

    # A reply about an alert that was not addressed to the Uzbek node is refused, and changes nothing.
    forged = uz.script(
        f"""
import json
from kordon.federation import identity
from kordon.federation.models import Peer
kg = Peer.objects.get(name="kg-dcs")
print(json.dumps(identity.sign({{"protocol": 1, "from": "uz-customs", "to": "kg-dcs",
    "sequence": kg.sent_sequence + 1, "created_at": "2026-11-29T12:00:00+00:00",
    "changes": [{{"kind": "alert-reply", "op": "upsert", "origin": "kg-dcs",
        "origin_id": int("{at_home}".rsplit("-", 1)[1]), "version": "x",
        "record": {{"state": "no_result", "acknowledged_at": "", "closed_at": "", "outcome_note": "",
                    "seizures": []}}}}]}})))
""",
        "",
    )
    status, answer = post_change_set(kg.url, json.loads(forged.strip().splitlines()[-1]))
    assert status == 422 and "not addressed to a unit it hosts" in answer["reason"]
    assert inbox(kg, "kg.analyst")[at_home][0] == "sent"

    # The MOU is suspended on the Kyrgyz node: its alert leaves the Uzbek node.
    kg.agreement("suspended")
    synced(kg)
    assert look_out not in inbox(uz, "uz.blo.dustlik")
