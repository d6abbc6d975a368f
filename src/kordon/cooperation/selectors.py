"""Reads of cooperation requests and referral cases, through the access policy; for a referral
case also the field-level rule: what a receiving organisation may see of it."""

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kordon.access import policy
from kordon.access.audit import audit_read
from kordon.access.markings import RecordKind
from kordon.access.models import AgreementStatus, SharingAgreement
from kordon.cooperation.models import (
    CLOSED,
    UNSATISFIED,
    Asset,
    CaseIdentity,
    CooperationRequest,
    DataCategory,
    Referral,
    ReferralCase,
    RequestStatus,
)
from kordon.cooperation.suppression import SuppressedTable, suppressed_table
from kordon.core.models import Agency


def requests(user: Any) -> QuerySet[CooperationRequest]:
    return CooperationRequest.objects.restrict(user).select_related(
        "requesting_country", "requested_country", "owner_unit"
    )


@dataclass
class CountryRow:
    country: str
    open: int = 0
    overdue: int = 0
    unsatisfied: int = 0
    refused: int = 0
    executed: int = 0


@dataclass
class Dashboard:
    by_status: dict[str, int]
    by_country: list[CountryRow]
    overdue: list[CooperationRequest]
    median_days: float | None
    answered: int
    assets: dict[str, dict[str, Decimal]]  # stage -> currency -> amount
    total: int = 0
    unsatisfied: int = 0
    open: int = 0


def dashboard(user: Any, day: datetime.date, direction: str = "") -> Dashboard:
    """Open, overdue, unsatisfied and refused requests by counterpart state; the median days from
    sending (or receiving) to the answer; assets by stage and currency."""
    rows = list(requests(user).filter(direction=direction) if direction else requests(user))
    by_country: dict[str, CountryRow] = {}
    overdue = []
    for request in rows:
        row = by_country.setdefault(request.counterpart.name, CountryRow(request.counterpart.name))
        if request.status not in CLOSED and request.status != RequestStatus.DRAFT:
            row.open += 1
        if request.overdue_on(day):
            row.overdue += 1
            overdue.append(request)
        row.unsatisfied += request.status in UNSATISFIED
        row.refused += request.status == RequestStatus.REFUSED
        row.executed += request.status == RequestStatus.EXECUTED
    answered = [(r.answered_on - r.opened_on).days for r in rows if r.answered_on and r.opened_on]
    assets: dict[str, dict[str, Decimal]] = {}
    for asset in Asset.objects.filter(request__in=[r.pk for r in rows]):
        stage = assets.setdefault(asset.stage, {})
        stage[asset.currency] = stage.get(asset.currency, Decimal(0)) + asset.amount
    return Dashboard(
        by_status=dict(Counter(r.status for r in rows)),
        by_country=sorted(by_country.values(), key=lambda row: (-row.overdue, -row.open, row.country)),
        overdue=sorted(overdue, key=lambda r: r.due_on() or day),
        median_days=statistics.median(answered) if answered else None,
        answered=len(answered),
        assets=assets,
        total=len(rows),
        unsatisfied=sum(r.status in UNSATISFIED for r in rows),
        open=sum(r.status not in CLOSED and r.status != RequestStatus.DRAFT for r in rows),
    )


# ---- referral cases ----------------------------------------------------------------------------


def cases(user: Any) -> QuerySet[ReferralCase]:
    """Cases the user handles or has been referred (the latter only while open and consented)."""
    return ReferralCase.objects.restrict(user).select_related("nationality", "owner_unit")


def handles(user: Any, case: ReferralCase) -> bool:
    """Handlers are the members of the case's own unit; not even a node administrator reads a
    name otherwise."""
    scope = policy.scope_for(user)
    return scope is not None and case.owner_unit_id in scope.roles


@dataclass
class CaseView:
    """A case as one user may see it: the categories of data shown, the identity for handlers
    only, and the referrals that concern the user."""

    case: ReferralCase
    handler: bool
    categories: set[str] = field(default_factory=set)
    identity: CaseIdentity | None = None
    referrals: list[Referral] = field(default_factory=list)
    consents: list[Any] = field(default_factory=list)

    def shows(self, category: str) -> bool:
        return category in self.categories


def case_for(user: Any, case_id: int) -> CaseView:
    """The case through the policy and the consent; raises DoesNotExist for anyone else. Every
    read is audited with what was shown."""
    case = cases(user).get(pk=case_id)
    if handles(user, case):
        view = CaseView(
            case,
            handler=True,
            categories=set(DataCategory.values),
            identity=CaseIdentity.objects.filter(case=case).first(),
            referrals=list(
                case.referrals.select_related("to_unit__agency", "consent").prefetch_related("services")
            ),
            consents=list(case.consents.prefetch_related("organisations")),
        )
    else:
        scope = policy.scope_for(user)
        units = scope.units_for(policy.VIEW) if scope else []
        received = list(
            Referral.objects.open_to(units)
            .filter(case=case)
            .select_related("consent", "from_unit__agency")
            .prefetch_related("services")
        )
        categories = {category for referral in received for category in referral.consent.categories}
        identity = None
        if categories & {DataCategory.IDENTITY, DataCategory.CONTACT}:
            identity = CaseIdentity.objects.filter(case=case).first()
        view = CaseView(case, handler=False, categories=categories, identity=identity, referrals=received)
    audit_read(user, case, shown=sorted(view.categories))
    return view


def referral_partners(agency_id: int) -> QuerySet[Agency]:
    """The organisations a case of `agency_id` can be referred to today: itself, and those bound
    to it by an agreement in force that covers referrals."""
    today = timezone.localdate()
    agreements = (
        SharingAgreement.objects.filter(
            status=AgreementStatus.ACTIVE, valid_from__lte=today, parties=agency_id
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .prefetch_related("parties")
    )
    partners = {agency_id} | {
        party.pk
        for agreement in agreements
        if RecordKind.REFERRALS in agreement.record_kinds
        for party in agreement.parties.all()
    }
    return Agency.objects.filter(pk__in=partners).order_by("country_id", "name")


def incoming_referrals(user: Any) -> QuerySet[Referral]:
    """Referrals waiting for or accepted by the user's units, whose consent is still in force."""
    scope = policy.scope_for(user)
    units = scope.units_for(policy.VIEW) if scope else []
    return (
        Referral.objects.open_to(units)
        .filter(case__in=cases(user))
        .select_related("case", "from_unit__agency", "to_unit")
        .order_by("-created_at")
    )


STATISTICS = {
    "exploitation_by_sex": ("exploitation", "sex"),
    "nationality_by_case_type": ("nationality__name", "case_type"),
    "service_by_status": ("referrals__service", "referrals__status"),
}


def statistics_year(text: str) -> int:
    """The year a statistics table counts (this year unless a sensible one is asked for)."""
    try:
        year = int(text)
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


def case_statistics(user: Any, rows: str, columns: str, year: int) -> SuppressedTable:
    """Counts of the cases opened in `year`, for a report to a ministry: never a person, counts
    below five hidden. Always one year at a time: a table of all years beside one of a year would
    give the small counts of the other years away by subtraction."""
    counted = ReferralCase.objects.for_statistics(user).filter(opened_on__year=year)
    counts = Counter(counted.values_list(rows, columns))
    return suppressed_table(
        {(str(r), str(c)): n for (r, c), n in counts.items() if r is not None and c is not None}
    )
