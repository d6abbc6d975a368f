"""Victim referrals: a receiving organisation sees a case only while a referral is open under a
consent in force, and only the data the consent covers; revoking consent ends it at once;
names never leave the case's own unit; statistics hide small counts; closed cases are deleted
after the retention period."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.test import Client, override_settings

from kordon.access.demo import build_sharing
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.cooperation import selectors, services
from kordon.cooperation.models import CaseIdentity, Consent, Referral, ReferralCase
from kordon.cooperation.suppression import suppressed_table
from kordon.core.models import Agency
from kordon.entities.tests.test_watchlists import bearer

SHELTER, HEALTH, LEGAL = "kz-shelter-almaty", "kz-health-almaty", "kz-legalaid-almaty"


def open_case(world: Any, full_name: str = "Айжан Т.") -> ReferralCase:
    return services.case_open(
        actor=world.user("kz.caseworker"),
        unit=world.unit(SHELTER),
        data=services.CaseData(
            "trafficking", "ForcedLabour", "26-40", "female", "UZ", needs="Needs a doctor"
        ),
        identity=services.IdentityData(full_name=full_name, contact="+7 700 000 00 00"),
    )


def consent(
    world: Any, case: ReferralCase, categories: list[str], *codes: str, until: datetime.date | None = None
) -> Consent:
    return services.consent_record(
        actor=world.user("kz.caseworker"),
        case_id=case.pk,
        data=services.ConsentData(
            given_by="person",
            method="written",
            organisation_ids=list(Agency.objects.filter(code__in=codes).values_list("pk", flat=True)),
            categories=categories,
            purpose="Medical care",
            given_on=datetime.date(2013, 3, 1),
            valid_until=until or datetime.date(2099, 1, 1),
        ),
    )


def refer(world: Any, case: ReferralCase, given: Consent, unit: str, service: str = "Health") -> Referral:
    return services.referral_send(
        actor=world.user("kz.caseworker"),
        case_id=case.pk,
        data=services.ReferralData(consent_id=given.pk, to_unit_id=world.unit(unit).pk, service=service),
    )


def test_the_receiving_organisation_sees_only_what_the_consent_covers(world: Any) -> None:
    build_sharing()
    worker, doctor, lawyer = world.user("kz.caseworker"), world.user("kz.doctor"), world.user("kz.lawyer")
    case = open_case(world)
    # Nobody but the shelter sees the case before it is referred.
    for other in (doctor, lawyer, world.user("kz.analyst"), world.user("uz.prosecutor")):
        with pytest.raises(ObjectDoesNotExist):
            selectors.case_for(other, case.pk)
    handler = selectors.case_for(worker, case.pk)
    assert handler.handler and handler.identity is not None and handler.identity.full_name == "Айжан Т."
    # The node administrator runs the node, but is not a handler: no name.
    admin = selectors.case_for(world.user("admin"), case.pk)
    assert admin.identity is None and not admin.handler

    medical = consent(world, case, ["attributes"], "KZ-HEALTH")
    with pytest.raises(ValidationError, match="not agreed"):  # the consent does not name the lawyers
        refer(world, case, medical, LEGAL, "Legal")
    referral = refer(world, case, medical, HEALTH)
    seen = selectors.case_for(doctor, case.pk)
    assert (
        seen.categories == {"attributes"}
        and seen.identity is None
        and [r.pk for r in seen.referrals] == [referral.pk]
    )
    page = world.client("kz.doctor").get(f"/cooperation/referrals/cases/{case.pk}/").content.decode()
    assert "Айжан" not in page and "+7 700" not in page and "Needs a doctor" not in page
    assert "Forced labour" in page or "forced labour" in page
    api = Client(headers=bearer("kz.doctor")).get(f"/api/v1/referral-cases/{case.pk}").json()
    assert (
        api["shown"] == ["attributes"]
        and api["full_name"] is None
        and api["needs"] is None
        and api["sex"] == "female"
    )
    line = AuditEntry.objects.filter(
        action="view", object_id=str(case.pk), actor__username="kz.doctor"
    ).latest("seq")
    assert line.after == {"shown": ["attributes"]}
    # The lawyers are named in the agreement but not in any consent: still nothing.
    with pytest.raises(ObjectDoesNotExist):
        selectors.case_for(lawyer, case.pk)

    # A wider consent shows the name; the identity is never in the lists or the statistics.
    wider = consent(world, case, ["attributes", "identity"], "KZ-LEGALAID")
    refer(world, case, wider, LEGAL, "Legal")
    assert selectors.case_for(lawyer, case.pk).identity.full_name == "Айжан Т."
    assert "Айжан" not in world.client("kz.lawyer").get("/cooperation/referrals/").content.decode()

    # Declining ends the lawyers' access; accepting keeps the doctor's.
    services.referral_respond(actor=doctor, referral_id=referral.pk, accept=True)
    law = Referral.objects.get(to_unit__code=LEGAL)
    with pytest.raises(ValidationError):
        services.referral_respond(actor=lawyer, referral_id=law.pk, accept=False)  # without a reason
    services.referral_respond(actor=lawyer, referral_id=law.pk, accept=False, reason="No lawyer free")
    with pytest.raises(ObjectDoesNotExist):
        selectors.case_for(lawyer, case.pk)
    services.service_record(
        actor=doctor, referral_id=referral.pk, on=datetime.date(2013, 3, 4), description="Examination"
    )
    with pytest.raises(ObjectDoesNotExist):  # only the receiving unit records services
        services.service_record(
            actor=worker, referral_id=referral.pk, on=datetime.date(2013, 3, 4), description="x"
        )


def test_revoking_consent_stops_sharing_at_once(world: Any) -> None:
    build_sharing()
    case = open_case(world)
    given = consent(world, case, ["attributes", "needs"], "KZ-HEALTH")
    referral = refer(world, case, given, HEALTH)
    services.referral_respond(actor=world.user("kz.doctor"), referral_id=referral.pk, accept=True)
    doctor_client = world.client("kz.doctor")
    assert doctor_client.get(f"/cooperation/referrals/cases/{case.pk}/").status_code == 200
    revoked = world.client("kz.caseworker").post(
        f"/cooperation/referrals/cases/{case.pk}/revoke-consent", {"consent": given.pk}
    )
    assert revoked.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "revoked"
    assert doctor_client.get(f"/cooperation/referrals/cases/{case.pk}/").status_code == 404
    assert Client(headers=bearer("kz.doctor")).get(f"/api/v1/referral-cases/{case.pk}").status_code == 404
    assert selectors.incoming_referrals(world.user("kz.doctor")).count() == 0
    with pytest.raises(ValidationError, match="no consent in force"):
        refer(world, case, given, HEALTH)
    # An expired consent closes the door the same way, without anybody doing anything.
    expired = consent(world, case, ["attributes"], "KZ-HEALTH", until=datetime.date(2013, 3, 2))
    with pytest.raises(ValidationError, match="no consent in force"):
        refer(world, case, expired, HEALTH)


def test_referrals_across_organisations_need_an_agreement(world: Any) -> None:
    build_sharing()
    case = open_case(world)
    given = consent(world, case, ["attributes"], "KZ-HEALTH")
    SharingAgreement.objects.filter(title__startswith="Almaty referral").update(
        status=AgreementStatus.SUSPENDED
    )
    with pytest.raises(ValidationError, match="No agreement"):
        refer(world, case, given, HEALTH)
    SharingAgreement.objects.filter(title__startswith="Almaty referral").update(status=AgreementStatus.ACTIVE)
    referral = refer(world, case, given, HEALTH)
    SharingAgreement.objects.filter(title__startswith="Almaty referral").update(
        status=AgreementStatus.SUSPENDED
    )
    with pytest.raises(ObjectDoesNotExist):  # a suspended agreement stops the flow too
        selectors.case_for(world.user("kz.doctor"), case.pk)
    assert referral.status == "pending"


def test_small_counts_are_hidden_and_no_total_gives_one_away() -> None:
    table = suppressed_table({("a", "x"): 3, ("a", "y"): 7, ("b", "x"): 10})
    assert table.cells == {("a", "x"): None, ("a", "y"): 7, ("b", "x"): 10}
    # Row a and column x hold the hidden 3: their totals would give it away (10 - 7, 13 - 10).
    assert table.row_totals == {"a": None, "b": 10}
    assert table.column_totals == {"x": None, "y": 7}
    assert table.total is None
    # Every total still shown adds up shown counts only.
    for _row, values, total in table.lines():
        assert total is None or None not in values
    small = suppressed_table({("a", "x"): 2, ("a", "y"): 1})
    assert small.total is None and small.row_totals["a"] is None
    big = suppressed_table({("a", "x"): 20, ("a", "y"): 0, ("b", "x"): 5})
    assert big.cells == {("a", "x"): 20, ("a", "y"): 0, ("b", "x"): 5} and big.total == 25


def test_statistics_show_no_person_and_hide_small_counts(world: Any) -> None:
    build_sharing()
    for number in range(7):
        open_case(world, full_name=f"Victim Number {number}")
    api = (
        Client(headers=bearer("kz.caseworker"))
        .get("/api/v1/referral-statistics?table=exploitation_by_sex")
        .json()
    )
    assert api["rows"] == ["ForcedLabour"] and api["cells"] == [[7]] and api["total"] == 7
    services.case_open(
        actor=world.user("kz.caseworker"),
        unit=world.unit(SHELTER),
        data=services.CaseData("trafficking", "ForcedBegging", sex="male"),
    )
    page = world.client("kz.caseworker").get("/cooperation/referrals/statistics/").content.decode()
    assert "&lt;5" in page and "Victim Number" not in page


@override_settings(KORDON_REFERRAL_RETENTION_DAYS=30)
def test_a_closed_case_is_deleted_after_the_retention_period(world: Any) -> None:
    build_sharing()
    case = open_case(world)
    given = consent(world, case, ["attributes"], "KZ-HEALTH")
    refer(world, case, given, HEALTH)
    with pytest.raises(ObjectDoesNotExist):  # a node administrator does not act for the person
        services.case_close(actor=world.user("admin"), case_id=case.pk, reason="x")
    closed = services.case_close(actor=world.user("kz.caseworker"), case_id=case.pk, reason="Returned home")
    with pytest.raises(ValidationError):  # closing again would push the deletion back
        services.case_close(actor=world.user("kz.caseworker"), case_id=case.pk, reason="Again")
    assert closed.delete_after == closed.closed_on + datetime.timedelta(days=30)
    assert Referral.objects.get(case=case).status == "revoked"
    assert services.cases_purge(closed.closed_on + datetime.timedelta(days=30)) == 0
    assert services.cases_purge(closed.closed_on + datetime.timedelta(days=31)) == 1
    assert not ReferralCase.objects.filter(pk=case.pk).exists() and not CaseIdentity.objects.exists()
    line = AuditEntry.objects.get(action="delete", object_id=str(case.pk))
    assert line.after["reason"] == "retention period over" and "Айжан" not in json.dumps(
        line.after, ensure_ascii=False
    )
