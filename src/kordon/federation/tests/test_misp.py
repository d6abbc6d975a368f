"""MISP core format: what a user may export goes out as events with TLP tags and stable uuids;
MISP events come in as alerts, a bad one refused with its reason and the rest kept."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kordon.access.demo import build_sharing
from kordon.access.markings import Distribution, Tlp
from kordon.access.models import AuditEntry
from kordon.conftest import SeizureMaker, World
from kordon.exchange.models import Alert, AlertSubject


@pytest.fixture
def sharing(world: World) -> None:
    """The demo's agreements, among them the Dostuk-Dustlik MOU (seizures and alerts to AMBER)."""
    build_sharing()


def export(username: str, path: Path) -> list[dict[str, Any]]:
    call_command("misp", "export", "--user", username, "--out", str(path), stdout=StringIO())
    return [wrapped["Event"] for wrapped in json.loads(path.read_text(encoding="utf-8"))["response"]]


def test_an_export_holds_what_the_user_may_see_with_its_tlp_and_a_stable_uuid(
    sharing: None, make_seizure: SeizureMaker, tmp_path: Path
) -> None:
    shared = make_seizure(
        "kg-dcs-blo-dostuk",
        tlp=Tlp.AMBER,
        distribution=Distribution.PARTNERS,
        vehicle_plate="01KG123ABC",
        source_reliability="B",
        information_credibility="2",
    )
    own_agency = make_seizure("kg-dcs-blo-dostuk", tlp=Tlp.GREEN, distribution=Distribution.AGENCY)
    events = export("uz.blo.dustlik", tmp_path / "uz.json")
    by_reference = {
        event["Attribute"][1]["value"]: event for event in events if event["info"].startswith("Seizure")
    }
    assert shared.reference in by_reference and own_agency.reference not in by_reference
    event = by_reference[shared.reference]
    tags = {tag["name"] for tag in event["Tag"]}
    assert {"tlp:amber", 'admiralty-scale:source-reliability="b"', 'kordon:handling-code="H0"'} <= tags
    assert event["distribution"] == "1" and event["Orgc"]["name"] == shared.owner_agency.name
    assert {
        "type": "text",
        "category": "Other",
        "value": "01KG123ABC",
        "comment": "vehicle plate",
        "to_ids": False,
    } in event["Attribute"]
    assert "Heroin 1.5 kg" in event["info"]
    again = {event["uuid"] for event in export("uz.blo.dustlik", tmp_path / "again.json")}
    assert event["uuid"] in again
    assert export("outsider", tmp_path / "outsider.json") == []
    lines = AuditEntry.objects.filter(action="export", object_type="misp.event", actor_name="uz.blo.dustlik")
    assert lines.count() == 2 and all(event["uuid"] in line.after["events"] for line in lines)


MISP_DOCUMENT = {
    "response": [
        {
            "Event": {
                "uuid": "b7a1c7e2-4f0e-4d55-9c1b-8f3b2c6a9d10",
                "info": "Courier expected at Dostuk with heroin",
                "date": "2013-05-17",
                "Orgc": {"name": "Partner customs (MISP)"},
                "Tag": [{"name": "tlp:green"}, {"name": "misp-galaxy:drug=heroin"}],
                "Attribute": [{"type": "full-name", "category": "Person", "value": "SULTANOV ALIMBAI"}],
                "Object": [
                    {
                        "name": "vehicle",
                        "Attribute": [
                            {
                                "type": "text",
                                "object_relation": "license-plate-number",
                                "value": "01 kg 123 abc",
                            }
                        ],
                    }
                ],
            }
        },
        {"Event": {"info": "no uuid, not an event"}},
        {"Event": {"uuid": "0c9f2b1e-8d7a-4e3b-9a2c-1f4e5d6c7b8a", "info": "", "Tag": [{"name": "tlp:red"}]}},
    ]
}


def test_misp_events_become_alerts_and_bad_ones_are_reported(sharing: None, tmp_path: Path) -> None:
    source = tmp_path / "misp.json"
    source.write_text(json.dumps(MISP_DOCUMENT), encoding="utf-8")
    arguments = ["misp", "import", str(source), "--user", "kg.blo.dostuk", "--unit", "kg-dcs-blo-dostuk",
                 "--to", "uz-customs-blo-dustlik"]  # fmt: skip
    out, err = StringIO(), StringIO()
    call_command(*arguments, stdout=out, stderr=err)
    assert "Alerts sent: 1" in out.getvalue() and "Refused: 2" in out.getvalue()
    assert "with a uuid" in err.getvalue() and "title" in err.getvalue().lower()
    alert = Alert.objects.get(details__contains="MISP event b7a1c7e2-4f0e-4d55-9c1b-8f3b2c6a9d10")
    assert alert.subject_kind == AlertSubject.PERSON and alert.person_name == "SULTANOV ALIMBAI"
    assert alert.vehicle_plate == "01KG123ABC" and alert.tlp == Tlp.GREEN
    assert alert.owner_unit.code == "kg-dcs-blo-dostuk"
    assert list(alert.recipients.values_list("unit__code", flat=True)) == ["uz-customs-blo-dustlik"]

    out = StringIO()
    call_command(*arguments, stdout=out, stderr=StringIO())
    assert "Alerts sent: 0" in out.getvalue() and "Already imported: 1" in out.getvalue()
    with pytest.raises(CommandError, match="no-such-unit"):
        call_command("misp", "import", str(source), "--user", "kg.blo.dostuk", "--unit", "no-such-unit",
                     "--to", "uz-customs-blo-dustlik")  # fmt: skip
