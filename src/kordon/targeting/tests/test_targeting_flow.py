"""The port control unit's day end to end on the database: history imported, a model trained,
a profile tested and switched on, the day's lanes assigned within capacity, inspections recorded
and the hit rates per source; through the services, the API and the command line, each audited
and each read through the access policy."""

import csv
import datetime
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kordon.access import policy
from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.core.models import Agency, Membership, Role
from kordon.entities.tests.test_watchlists import bearer
from kordon.targeting import services
from kordon.targeting.demo import PROFILE, generated
from kordon.targeting.models import Consignment, Inspection, Lane, Outcome, RiskModel, RiskProfile, Source

UNIT = "kz-customs-pcu-aktau"


def _history(world: Any, days: int = 120) -> tuple[Any, Any, datetime.date]:
    officer, unit = world.user("kz.pcu.aktau"), world.unit(UNIT)
    rng = random.Random(4)
    declarations = list(generated(seed=9, days=days, per_day=20))
    last = declarations[-1].declared_on
    for declaration in declarations:
        if declaration.declared_on == last or rng.random() > 0.4:
            declaration.outcome = ""
    services.store_declarations(actor=officer, unit=unit, declarations=declarations, source="test")
    return officer, unit, last


def test_a_day_at_the_port(world: Any) -> None:
    officer, unit, today = _history(world)
    # Khorgos, a port of the same agency, has its own history; Aktau's model does not learn from it.
    khorgos = list(generated(seed=30, days=10, per_day=30))
    for number, declaration in enumerate(khorgos):
        declaration.fields["declaration_id"] = f"KHORGOS-{number}"
    services.store_declarations(
        actor=world.user("admin"), unit=world.unit("kz-customs-khorgos"), declarations=khorgos, source="test"
    )
    model = services.train_from_records(actor=officer, unit=unit, name="Aktau")
    aktau = Inspection.objects.filter(consignment__owner_unit=unit).count()
    assert model.version == 1 and model.rows == aktau == Inspection.objects.count() - len(khorgos)
    assert AuditEntry.objects.filter(action="train", object_id=str(model.pk)).exists()
    profile = services.save_profile(
        actor=officer,
        unit=unit,
        values={
            "name": PROFILE,
            "conditions": [
                {"field": "hs_code", "op": "starts_with", "value": ["2915"]},
                {"field": "origin_country", "op": "is", "value": ["IR"]},
            ],
            "weight": 70,
            "lane": "",
            "valid_from": datetime.date(2013, 1, 1),
        },
    )
    try:
        services.switch_profile(actor=officer, profile=profile, active=True)
    except Exception as error:
        assert "Test" in str(error)
    else:
        raise AssertionError("switched on untested")
    tested = services.test_profile(actor=officer, profile=profile)
    assert tested["selected"] == Consignment.objects.filter(hs_code="291524", origin_country="IR").count()
    assert tested["lift"] > 1  # the generator plants risk on that route
    services.switch_profile(actor=officer, profile=RiskProfile.objects.get(pk=profile.pk), active=True)

    worklist = services.select_day(
        actor=officer,
        unit=unit,
        day=today,
        capacity="10",
        random_share=0.2,
        model=model,
        rng=random.Random(1),
    )
    day = Consignment.objects.filter(declared_on=today)
    assert worklist.consignments == day.count() == 20
    assert day.filter(lane=Lane.RED).count() == 10
    assert day.filter(lane=Lane.RED, selected_by=Source.RANDOM).count() == 2
    assert day.filter(lane=Lane.YELLOW).count() == 10
    fired = day.filter(fired_profiles=profile)
    assert all(c.rule_weight == 70 and c.reasons[0]["kind"] == "profile" for c in fired)
    top = day.filter(lane=Lane.RED).exclude(selected_by=Source.RANDOM).order_by("risk").first()
    assert top.risk >= day.filter(lane=Lane.YELLOW).order_by("-risk").first().risk
    assert AuditEntry.objects.filter(action="select").count() == 1

    random_pick = day.filter(selected_by=Source.RANDOM).first()
    services.record_inspection(
        actor=officer, consignment=random_pick, outcome=Outcome.NOTHING, inspected_on=today
    )
    by_risk = day.filter(lane=Lane.RED).exclude(selected_by=Source.RANDOM).first()
    services.record_inspection(
        actor=officer, consignment=by_risk, outcome=Outcome.SEIZURE, inspected_on=today
    )
    assert Inspection.objects.get(consignment=by_risk).selected_by == by_risk.selected_by
    measured = services.hit_rates(officer, today, today)
    rates = {rate.label: (rate.inspected, rate.hits) for rate in measured.by_source}
    assert {rate.label: rate.inspected for rate in measured.by_lane} == {str(Lane.RED.label): 2}
    assert rates["random pick"] == (1, 0)
    assert sum(hits for _n, hits in rates.values()) == 1
    assert AuditEntry.objects.filter(action="inspect").count() == 2
    (month,) = services.monthly_hit_rates(officer, today, today)
    assert month.month == today.replace(day=1)
    assert (month.by_source[Source.RANDOM].inspected, month.by_source[Source.RANDOM].hits) == (1, 0)
    assert sum(rate.hits for rate in month.by_source.values()) == 1


def test_partners_and_strangers_see_nothing_of_the_port(world: Any) -> None:
    _history(world, days=15)
    assert Consignment.objects.restrict(world.user("kz.pcu.aktau")).count() == 300
    for stranger in ("kg.blo.dostuk", "uz.blo.dustlik", "tj.analyst"):
        assert Consignment.objects.restrict(world.user(stranger)).count() == 0
        answer = Client().get("/api/v1/consignments", headers=bearer(stranger))
        assert answer.status_code == 200 and answer.json()["count"] == 0


def test_the_api_scores_imports_and_records(world: Any) -> None:
    officer, unit, today = _history(world, days=30)
    services.train_from_records(actor=officer, unit=unit, name="Aktau")
    headers = bearer("kz.pcu.aktau")
    client = Client()
    declaration = {
        "declaration_id": "API-1",
        "declared_on": today.isoformat(),
        "office": "AKTAU-PORT",
        "hs_code": "291524",
        "origin_country": "IR",
        "route_ports": "IRBND TMKRW KZAKT",
        "net_mass": 20000,
        "declared_value": 3000,
    }
    answer = client.post(
        "/api/v1/targeting/score",
        {"declarations": [declaration]},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 200, answer.content
    result = answer.json()["results"][0]
    assert result["declaration_id"] == "API-1" and 0 < result["score"] < 1
    bad = client.post(
        "/api/v1/targeting/score",
        {"declarations": [declaration | {"hs_code": "29-15"}]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-3:] == ["declarations", "0", "hs_code"]
    created = client.post(
        "/api/v1/consignments",
        {"owner_unit": UNIT, "declarations": [declaration]},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["imported"] == 1
    consignment = Consignment.objects.get(declaration_id="API-1")
    recorded = client.post(
        "/api/v1/inspections",
        {"consignment_id": consignment.pk, "outcome": "seizure", "inspected_on": today.isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert recorded.status_code == 201 and recorded.json()["selected_by"] == Source.OFFICER
    stranger = client.post(
        "/api/v1/inspections",
        {"consignment_id": consignment.pk, "outcome": "nothing", "inspected_on": today.isoformat()},
        content_type="application/json",
        headers=bearer("uz.blo.dustlik"),
    )
    assert stranger.status_code == 404
    assert Inspection.objects.get(consignment=consignment).outcome == Outcome.SEIZURE


def test_train_and_score_from_files_on_the_command_line(world: Any, tmp_path: Path) -> None:
    declarations = list(generated(seed=12, days=40, per_day=20))
    history = tmp_path / "history.csv"
    with history.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "declaration_id",
                "declared_on",
                "office",
                "hs_code",
                "importer",
                "origin_country",
                "route_ports",
                "net_mass",
                "declared_value",
                "outcome",
            ]
        )
        for d in declarations:
            f = d.fields
            writer.writerow(
                [
                    f["declaration_id"],
                    f["declared_on"],
                    f["office"],
                    f["hs_code"],
                    f["importer"],
                    f["origin_country"],
                    f["route_ports"],
                    f["net_mass"],
                    f["declared_value"],
                    d.outcome,
                ]
            )
    # The officer belongs to one unit, so the model is Aktau's without --unit.
    call_command("targeting", "train", "--data", str(history), "--model", "Files", "--user", "kz.pcu.aktau")
    with pytest.raises(CommandError, match="--unit"):  # the administrator belongs to no unit
        call_command("targeting", "train", "--data", str(history), "--model", "Files", "--user", "admin")
    model = RiskModel.objects.get(name="Files")
    assert model.owner_unit.code == UNIT
    assert model.rows == len(declarations) and model.metrics["auc"] > 0.5
    out = tmp_path / "scores.csv"
    call_command(
        "targeting",
        "score",
        "--model",
        "Files",
        "--data",
        str(history),
        "--out",
        str(out),
        "--user",
        "kz.pcu.aktau",
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["declaration_id"] for row in rows] == [d.fields["declaration_id"] for d in declarations]
    assert all(0 < float(row["score"]) < 1 for row in rows)
    # Measured on the newest fifth, which the evaluated booster did not learn from.
    newest_fifth = sorted(d.declared_on for d in declarations)[int(len(declarations) * 0.8)]
    assert model.metrics["held_out_from"] == newest_fifth.isoformat()
    assert model.metrics["rows"] == len(declarations) - int(len(declarations) * 0.8)
    weekly = tmp_path / "weeks.csv"
    call_command(
        "targeting",
        "simulate",
        "--data",
        str(history),
        "--warmup-weeks",
        "2",
        "--out",
        str(weekly),
        "--user",
        "kz.pcu.aktau",
    )
    weeks = list(csv.DictReader(weekly.open(encoding="utf-8")))
    assert len(weeks) == 4  # 40 days from Wednesday 2 January: six ISO weeks, two of them the start
    assert all(int(week["model_picked"]) == round(int(week["declarations"]) / 10) for week in weeks)


def test_a_partner_port_shares_its_profile_under_an_agreement(world: Any) -> None:
    """Turkmenbashi's targeter shares a profile with Aktau under an agreement covering consignments:
    Aktau's selection applies it; nobody else sees it, and suspending the agreement stops it."""
    officer, unit, today = _history(world, days=15)
    targeter = get_user_model().objects.create_user("tm.pcu.targeter", password="x" * 20)
    Membership.objects.create(user=targeter, unit=world.unit("tm-customs-turkmenbashi"), role=Role.OFFICER)
    shared = services.save_profile(
        actor=targeter,
        unit=world.unit("tm-customs-turkmenbashi"),
        values={
            "name": "Via Turkmenbashi",
            "conditions": [{"field": "route_ports", "op": "contains", "value": ["TMKRW"]}],
            "weight": 90,
            "lane": "",
            "valid_from": datetime.date(2013, 1, 1),
            "distribution": Distribution.PARTNERS,
        },
    )
    services.test_profile(actor=targeter, profile=shared)
    services.switch_profile(actor=targeter, profile=RiskProfile.objects.get(pk=shared.pk), active=True)
    assert not RiskProfile.objects.restrict(officer).exists()  # no agreement yet
    mou = SharingAgreement.objects.create(
        title="KZ-TM ports", record_kinds=[RecordKind.CONSIGNMENTS], tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2020, 1, 1), status=AgreementStatus.ACTIVE,
    )  # fmt: skip
    mou.parties.set(Agency.objects.filter(code__in=["KZ-CUSTOMS", "TM-CUSTOMS"]))
    policy.forget_scope(officer)  # what a new request does: scopes are read once per request
    assert list(RiskProfile.objects.restrict(officer)) == [shared]
    assert not RiskProfile.objects.restrict(world.user("kg.blo.dostuk")).exists()
    # Aktau uses the profile but may not change it, not even its test result.
    with pytest.raises(PermissionDenied):
        services.test_profile(actor=officer, profile=shared)
    refused = Client().post(f"/api/v1/profiles/{shared.pk}/test", headers=bearer("kz.pcu.aktau"))
    assert refused.status_code == 404
    assert RiskProfile.objects.get(pk=shared.pk).test_result == shared.test_result
    # Turkmenbashi sees its profile; it does not see Aktau's consignments (they are the agency's own).
    assert not Consignment.objects.restrict(targeter).exists()
    services.select_day(actor=officer, unit=unit, day=today, capacity="5", model=None, rng=random.Random(2))
    via = Consignment.objects.filter(declared_on=today, route_ports__contains="TMKRW")
    assert via.exists() and all(
        c.rule_weight == 90 and c.reasons[0]["name"] == "Via Turkmenbashi" for c in via
    )
    mou.status = AgreementStatus.SUSPENDED
    mou.save()
    policy.forget_scope(officer)
    assert not RiskProfile.objects.restrict(officer).exists()


def test_the_days_lanes_from_the_command_line(world: Any) -> None:
    officer, unit, today = _history(world, days=40)
    services.train_from_records(actor=officer, unit=unit, name="Aktau")
    out = io.StringIO()
    call_command(
        "targeting",
        "select",
        "--day",
        today.isoformat(),
        "--capacity",
        "25%",
        "--user",
        "kz.pcu.aktau",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == {
        "day": today.isoformat(),
        "consignments": 20,
        "capacity": 5,
        "lanes": {"red": 5, "yellow": 5, "green": 10},
    }
    assert all(c.risk_model is not None for c in Consignment.objects.filter(declared_on=today))
