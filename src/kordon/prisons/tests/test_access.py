"""Who sees what of the prison service: its auditors see its facilities and audits; the
drug-control service sees drug-related incidents and the joint operations, only while the
agreement is in force, and never the facility register, the audits or other incidents."""

from typing import Any

from django.test import Client

from kordon.access.demo import build_sharing
from kordon.access.markings import Distribution
from kordon.access.models import AgreementStatus, SharingAgreement
from kordon.entities.tests.test_watchlists import bearer
from kordon.prisons import selectors
from kordon.prisons.demo import build_prisons
from kordon.prisons.models import Audit, Facility, Incident, JointOperation

MOU = "MOU KG Penitentiary Service – KG DCS: drug-related prison incidents"


def test_the_prison_service_sees_its_own_and_the_drug_control_service_only_drug_incidents(world: Any) -> None:
    build_sharing()
    build_prisons()
    auditor, officer, analyst = (
        world.user("kg.prison.auditor"),
        world.user("kg.blo.dostuk"),
        world.user("kg.analyst"),
    )
    uzbek, tajik = world.user("uz.blo.dustlik"), world.user("tj.analyst")
    assert selectors.facilities(auditor).count() == 7 == Facility.objects.count()
    assert selectors.audits(auditor).count() == Audit.objects.count() == 8
    # Colony 47's own officer sees the service's facilities (agency distribution), as do the auditors.
    assert selectors.facilities(world.user("kg.ik47")).count() == 7
    for outsider in (officer, analyst, uzbek, tajik):
        assert selectors.facilities(outsider).count() == 0
        assert selectors.audits(outsider).count() == 0
        assert selectors.recommendations(outsider).count() == 0

    shared = Incident.objects.filter(drug_related=True, distribution=Distribution.PARTNERS)
    assert shared.count() > 10 and Incident.objects.filter(drug_related=False).count() > 10
    for partner in (officer, analyst):
        seen = selectors.incidents(partner)
        assert set(seen.values_list("pk", flat=True)) == set(shared.values_list("pk", flat=True))
        assert selectors.operations(partner).count() == JointOperation.objects.count() == 2
    for stranger in (uzbek, tajik):
        assert selectors.incidents(stranger).count() == 0 and selectors.operations(stranger).count() == 0

    # A non-drug incident marked for partners still stays inside the prison service.
    escape = Incident.objects.filter(kind="escape").first()
    assert escape is not None
    Incident.objects.filter(pk=escape.pk).update(distribution=Distribution.PARTNERS)
    assert not selectors.incidents(officer).filter(pk=escape.pk).exists()

    dcs = Client(headers=bearer("kg.blo.dostuk"))
    drug = shared.first()
    assert drug is not None
    assert dcs.get(f"/api/v1/incidents/{drug.pk}").status_code == 200
    assert dcs.get(f"/api/v1/incidents/{escape.pk}").status_code == 404
    assert dcs.get("/api/v1/facilities").json() == []
    assert len(dcs.get("/api/v1/incidents").json()) == shared.count()
    page = world.client("kg.blo.dostuk")
    detail = page.get(f"/prisons/incidents/{drug.pk}/").content.decode()
    assert drug.reference in detail and f"/prisons/facilities/{drug.facility_id}/" not in detail
    assert page.get(f"/prisons/facilities/{drug.facility_id}/").status_code == 404
    register = page.get("/prisons/incidents/").content.decode()
    assert escape.reference not in register and drug.reference in register

    # Suspended: the flow stops at once, not even a count is left.
    SharingAgreement.objects.filter(title=MOU).update(status=AgreementStatus.SUSPENDED)
    assert selectors.incidents(world.user("kg.blo.dostuk")).count() == 0
    assert selectors.operations(world.user("kg.blo.dostuk")).count() == 0
    assert dcs.get(f"/api/v1/incidents/{drug.pk}").status_code == 404
    figures = selectors.period_figures(
        world.user("kg.analyst"),
        drug.occurred_at.date().replace(month=1, day=1),
        drug.occurred_at.date().replace(month=12, day=31),
    )
    assert figures.incidents == 0 and figures.drug_finds == 0
