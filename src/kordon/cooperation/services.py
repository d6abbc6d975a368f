"""Writing cooperation requests and referral cases: each change checked against its rules,
atomic and audited."""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, RecordKind, Tlp
from kordon.access.services import plain_markings, require_unit
from kordon.cooperation.models import (
    ANSWERED,
    OPEN_REFERRAL,
    TRANSITIONS,
    Asset,
    AssetStage,
    CaseIdentity,
    CaseStatus,
    Consent,
    CooperationRequest,
    DataCategory,
    Direction,
    LegalBasis,
    Measure,
    Referral,
    ReferralCase,
    ReferralStatus,
    RequestDocument,
    RequestEvent,
    RequestStatus,
    ServiceRecord,
)
from kordon.core.models import Agency, Country, Unit

TRANSITION, REMIND, REVOKE, RESPOND = "transition", "remind", "revoke", "respond"
DOCUMENT_LIMIT = 20 * 1024 * 1024
EARLIEST = datetime.date(1990, 1, 1)


# ---- cooperation requests ----------------------------------------------------------------------


@dataclass
class RequestData:
    reference: str
    direction: str
    requesting_country_id: str
    requested_country_id: str
    requesting_authority: str
    legal_basis: str
    offences: str
    measures: list[str]
    requested_authority: str = ""
    central_authority: str = ""
    counterpart_reference: str = ""
    treaty: str = ""
    summary: str = ""
    persons: str = ""
    urgent: bool = False
    deadline: datetime.date | None = None
    received_on: datetime.date | None = None  # an incoming request: the day it arrived


def _request_problems(data: RequestData, own_country: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.direction not in Direction.values:
        problems["direction"] = _("Say whether we ask or are asked.")
    own_side = (
        data.requesting_country_id if data.direction == Direction.OUTGOING else data.requested_country_id
    )
    if own_side != own_country:
        problems["requesting_country" if data.direction == Direction.OUTGOING else "requested_country"] = _(
            "Your own state is the requesting state of an outgoing request and the requested state of an incoming one."
        )
    if data.requesting_country_id == data.requested_country_id:
        problems["requested_country"] = _("A request goes to another state.")
    for name in ("requesting_country_id", "requested_country_id"):
        if not Country.objects.filter(code=getattr(data, name)).exists():
            problems[name.removesuffix("_id")] = _("Unknown country code.")
    if data.legal_basis not in LegalBasis.values:
        problems["legal_basis"] = _("Choose the legal basis.")
    elif data.legal_basis == LegalBasis.TREATY and not data.treaty.strip():
        problems["treaty"] = _("Name the treaty.")
    unknown = sorted(set(data.measures) - set(Measure.values))
    if not data.measures or unknown:
        problems["measures"] = _("Choose at least one kind of assistance from the list.")
    if not data.reference.strip() or not data.offences.strip() or not data.requesting_authority.strip():
        problems["reference"] = _("The reference, the requesting authority and the offences are required.")
    if data.direction == Direction.INCOMING and data.received_on is None:
        problems["received_on"] = _("Give the day the request arrived.")
    today = timezone.localdate()
    if data.received_on is not None and not EARLIEST <= data.received_on <= today:
        problems["received_on"] = _("The request cannot arrive in the future.")
    if data.deadline is not None and not EARLIEST <= data.deadline <= today + datetime.timedelta(days=3650):
        problems["deadline"] = _("Give a deadline within the next ten years.")
    return problems


def request_create(*, actor: Any, unit: Unit, data: RequestData, tlp: int = Tlp.AMBER) -> CooperationRequest:
    """Register a request: an outgoing one as a draft, an incoming one as received on its day."""
    require_unit(actor, unit.pk, policy.ADD)
    problems = _request_problems(data, unit.agency.country_id)
    if CooperationRequest.objects.filter(owner_agency_id=unit.agency_id, reference=data.reference).exists():
        problems["reference"] = _("A request with this reference is already registered.")
    if problems:
        raise ValidationError(problems)
    incoming = data.direction == Direction.INCOMING
    with transaction.atomic():
        request = CooperationRequest.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            **{name: value for name, value in data.__dict__.items() if name != "received_on"},
            status=RequestStatus.RECEIVED if incoming else RequestStatus.DRAFT,
            opened_on=data.received_on if incoming else None,
            **plain_markings(tlp=tlp, handling_code=HandlingCode.H1, distribution=Distribution.AGENCY),
        )
        RequestEvent.objects.create(
            request=request, status=request.status, on=data.received_on or timezone.localdate(), by=actor
        )
        audit_log(actor=actor, action=CREATE, instance=request, after=snapshot(request))
    return request


def request_transition(
    *, actor: Any, request_id: int, status: str, on: datetime.date, note: str = "", refusal_ground: str = ""
) -> CooperationRequest:
    """Move a request to its next state on the day it happened. Only the moves the conventions
    allow are possible; a refusal must give its ground (UNTOC art. 18(23), UNCAC art. 46(23))."""
    with transaction.atomic():
        request = (
            CooperationRequest.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=request_id)
        )
        if status not in TRANSITIONS.get(request.status, ()):
            raise ValidationError(
                {
                    "status": _("A request that is %(now)s cannot become %(next)s.")
                    % {
                        "now": request.get_status_display(),
                        "next": RequestStatus(status).label if status in RequestStatus.values else status,
                    }
                }
            )
        if status == RequestStatus.REFUSED and not refusal_ground.strip():
            raise ValidationError({"refusal_ground": _("Give the ground for the refusal.")})
        if on > timezone.localdate() or (request.opened_on and on < request.opened_on):
            raise ValidationError(
                {"on": _("The date must be between the day the request left or arrived and today.")}
            )
        before = snapshot(request)
        request.status = status
        if status == RequestStatus.SENT:
            request.opened_on = on
        if status in ANSWERED and request.answered_on is None:
            request.answered_on = on
        if status == RequestStatus.REFUSED:
            request.refusal_ground = refusal_ground.strip()
        request.save()
        RequestEvent.objects.create(request=request, status=status, on=on, note=note.strip(), by=actor)
        audit_log(actor=actor, action=TRANSITION, instance=request, before=before, after=snapshot(request))
    return request


def request_remind(*, actor: Any, request_id: int, on: datetime.date, note: str = "") -> CooperationRequest:
    """Record that the counterpart was reminded of a request (para. 24: respond to reasonable
    requests on status and progress)."""
    with transaction.atomic():
        request = (
            CooperationRequest.objects.restrict(actor, policy.CHANGE).select_for_update().get(pk=request_id)
        )
        request.last_reminder_on = on
        request.save(update_fields=["last_reminder_on", "updated_at"])
        RequestEvent.objects.create(request=request, reminder=True, on=on, note=note.strip(), by=actor)
        audit_log(actor=actor, action=REMIND, instance=request, after={"on": on})
    return request


def request_add_document(
    *, actor: Any, request_id: int, name: str, content_type: str, content: bytes
) -> RequestDocument:
    if len(content) > DOCUMENT_LIMIT:
        raise ValidationError(_("A document may be at most 20 MB."))
    with transaction.atomic():
        request = CooperationRequest.objects.restrict(actor, policy.CHANGE).get(pk=request_id)
        document = RequestDocument.objects.create(
            request=request,
            name=name[:200] or "document",
            content_type=content_type[:100] or "application/octet-stream",
            content=content,
            size=len(content),
            added_by=actor,
        )
        audit_log(
            actor=actor,
            action=UPDATE,
            instance=request,
            after={"document": document.name, "size": document.size},
        )
    return document


def asset_record(
    *,
    actor: Any,
    request_id: int,
    description: str,
    stage: str,
    amount: Decimal,
    currency: str,
    on: datetime.date,
) -> Asset:
    """Property the request concerns, at the stage it reached (identified → frozen → confiscated → returned)."""
    if stage not in AssetStage.values:
        raise ValidationError({"stage": _("Choose the stage.")})
    if amount < 0 or len(currency.strip()) != 3 or not currency.strip().isalpha():
        raise ValidationError(
            {"amount": _("Give the amount and the three-letter currency code (USD, EUR, KZT…).")}
        )
    with transaction.atomic():
        request = CooperationRequest.objects.restrict(actor, policy.CHANGE).get(pk=request_id)
        asset = Asset.objects.create(
            request=request,
            description=description.strip(),
            stage=stage,
            amount=amount,
            currency=currency.strip().upper(),
            on=on,
        )
        audit_log(actor=actor, action=UPDATE, instance=request, after={"asset": str(asset), "stage": stage})
    return asset


# ---- referral cases ----------------------------------------------------------------------------


@dataclass
class CaseData:
    case_type: str
    exploitation: str
    age_band: str = "unknown"
    sex: str = "unknown"
    nationality_id: str | None = None
    needs: str = ""
    pseudonym: str = ""


@dataclass
class IdentityData:
    full_name: str = ""
    birth_date: datetime.date | None = None
    documents: str = ""
    contact: str = ""


def _pseudonym(unit: Unit) -> str:
    """A case name that says nothing about the person."""
    return f"{unit.agency.code}-{timezone.localdate():%y}-{secrets.token_hex(3).upper()}"


def case_open(
    *, actor: Any, unit: Unit, data: CaseData, identity: IdentityData | None = None
) -> ReferralCase:
    """Open a case with the least data needed. It stays with the unit: nobody else sees it until
    it is referred under a consent."""
    require_unit(actor, unit.pk, policy.ADD)
    pseudonym = data.pseudonym.strip() or _pseudonym(unit)
    if ReferralCase.objects.filter(owner_agency_id=unit.agency_id, pseudonym=pseudonym).exists():
        raise ValidationError({"pseudonym": _("This pseudonym is already used.")})
    with transaction.atomic():
        case = ReferralCase(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            **{**data.__dict__, "pseudonym": pseudonym},
            **plain_markings(tlp=Tlp.AMBER, handling_code=HandlingCode.H2, distribution=Distribution.UNIT),
        )
        case.full_clean(exclude=["owner_unit", "owner_agency"])
        case.save()
        if identity is not None and any(identity.__dict__.values()):
            CaseIdentity.objects.create(case=case, **identity.__dict__)
        # The identity is never written into the audit trail: the line says only that there is one.
        audit_log(
            actor=actor,
            action=CREATE,
            instance=case,
            after=snapshot(case) | {"identity": identity is not None},
        )
    return case


def _handled(actor: Any, case_id: int, action: str = policy.CHANGE) -> ReferralCase:
    """A case the actor handles (a member of its owner unit: not even a node administrator acts
    for the person otherwise), locked for the change."""
    case = ReferralCase.objects.restrict(actor, action).select_for_update().get(pk=case_id)
    scope = policy.scope_for(actor)
    if scope is None or case.owner_unit_id not in scope.roles:
        raise ReferralCase.DoesNotExist
    return case


@dataclass
class ConsentData:
    given_by: str
    method: str
    organisation_ids: list[int]
    categories: list[str]
    purpose: str
    given_on: datetime.date
    valid_until: datetime.date


def consent_record(*, actor: Any, case_id: int, data: ConsentData) -> Consent:
    problems = {}
    if not data.organisation_ids:
        problems["organisations"] = _("Name the organisations the person agrees to share with.")
    if not data.categories or set(data.categories) - set(DataCategory.values):
        problems["categories"] = _("Choose what may be shared.")
    if data.valid_until < data.given_on:
        problems["valid_until"] = _("A consent cannot end before it is given.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        case = _handled(actor, case_id)
        consent = Consent.objects.create(
            case=case,
            given_by=data.given_by,
            method=data.method,
            categories=sorted(set(data.categories)),
            purpose=data.purpose.strip(),
            given_on=data.given_on,
            valid_until=data.valid_until,
            recorded_by=actor,
        )
        consent.organisations.set(Agency.objects.filter(pk__in=data.organisation_ids))
        audit_log(
            actor=actor,
            action=CREATE,
            instance=consent,
            owner_unit_id=case.owner_unit_id,
            after=snapshot(consent) | {"organisations": sorted(data.organisation_ids)},
        )
    return consent


def consent_revoke(*, actor: Any, consent_id: int) -> Consent:
    """The person withdraws consent: every referral made under it is revoked in the same
    transaction, so the receiving organisations lose the case at once."""
    with transaction.atomic():
        consent = Consent.objects.select_related("case").get(pk=consent_id)
        _handled(actor, consent.case_id)
        if consent.revoked_at is not None:
            return consent
        now = timezone.now()
        consent.revoked_at = now
        consent.save(update_fields=["revoked_at"])
        revoked = consent.referrals.filter(status__in=OPEN_REFERRAL).update(
            status=ReferralStatus.REVOKED, closed_at=now
        )
        audit_log(
            actor=actor,
            action=REVOKE,
            instance=consent,
            owner_unit_id=consent.case.owner_unit_id,
            after={"referrals_revoked": revoked},
        )
    return consent


@dataclass
class ReferralData:
    consent_id: int
    to_unit_id: int
    service: str
    reason: str = ""
    urgent: bool = False


def referral_send(*, actor: Any, case_id: int, data: ReferralData) -> Referral:
    """Refer the case to another organisation's unit, under a consent in force that names that
    organisation; across agencies only where an agreement covers referrals."""
    with transaction.atomic():
        case = _handled(actor, case_id)
        if case.status != CaseStatus.ACTIVE:
            raise ValidationError(_("The case is closed."))
        consent = case.consents.filter(pk=data.consent_id).first()
        to_unit = Unit.objects.select_related("agency").filter(pk=data.to_unit_id).first()
        if to_unit is None or to_unit.pk == case.owner_unit_id:
            raise ValidationError({"to_unit": _("Choose the organisation's unit to refer to.")})
        if consent is None or not consent.in_force_on(timezone.localdate()):
            raise ValidationError({"consent": _("There is no consent in force for this referral.")})
        if not consent.organisations.filter(pk=to_unit.agency_id).exists():
            raise ValidationError(
                {
                    "consent": _("The person has not agreed to share with %(organisation)s.")
                    % {"organisation": to_unit.agency}
                }
            )
        if to_unit.agency_id != case.owner_agency_id and not policy.agreement_covering(
            case.owner_agency_id, to_unit.agency_id, RecordKind.REFERRALS, case.tlp
        ):
            raise ValidationError(
                {
                    "to_unit": _("No agreement in force with %(organisation)s covers referrals.")
                    % {"organisation": to_unit.agency}
                }
            )
        referral = Referral.objects.create(
            case=case,
            consent=consent,
            from_unit_id=case.owner_unit_id,
            to_unit=to_unit,
            service=data.service,
            reason=data.reason.strip(),
            urgent=data.urgent,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action=CREATE,
            instance=referral,
            owner_unit_id=case.owner_unit_id,
            after=snapshot(referral),
        )
    return referral


def _received(actor: Any, referral_id: int) -> Referral:
    """A referral addressed to a unit where the actor may act, locked for the change."""
    scope = policy.scope_for(actor)
    units = scope.units_for(policy.CHANGE) if scope else []
    # Only while the referral is open and its consent in force, as for reading the case.
    return Referral.objects.open_to(units).select_for_update().select_related("case").get(pk=referral_id)


def referral_respond(*, actor: Any, referral_id: int, accept: bool, reason: str = "") -> Referral:
    with transaction.atomic():
        referral = _received(actor, referral_id)
        if referral.status != ReferralStatus.PENDING:
            raise ValidationError(_("This referral has already been answered, or was revoked."))
        if not accept and not reason.strip():
            raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
        referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
        referral.decline_reason = "" if accept else reason.strip()
        referral.responded_at = timezone.now()
        if not accept:
            referral.closed_at = referral.responded_at
        referral.save()
        audit_log(
            actor=actor,
            action=RESPOND,
            instance=referral,
            owner_unit_id=referral.to_unit_id,
            after=snapshot(referral),
        )
    return referral


def service_record(*, actor: Any, referral_id: int, on: datetime.date, description: str) -> ServiceRecord:
    with transaction.atomic():
        referral = _received(actor, referral_id)
        if referral.status != ReferralStatus.ACCEPTED:
            raise ValidationError(_("Services are recorded on an accepted referral."))
        record = ServiceRecord.objects.create(
            referral=referral, on=on, description=description.strip(), by=actor
        )
        audit_log(
            actor=actor,
            action=UPDATE,
            instance=referral,
            owner_unit_id=referral.to_unit_id,
            after={"service": record.description, "on": on},
        )
    return record


def referral_complete(*, actor: Any, referral_id: int, successful: bool, note: str = "") -> Referral:
    with transaction.atomic():
        referral = _received(actor, referral_id)
        if referral.status != ReferralStatus.ACCEPTED:
            raise ValidationError(_("Only an accepted referral is completed."))
        if not successful and not note.strip():
            raise ValidationError({"outcome_note": _("Say why the service was not given.")})
        referral.status = ReferralStatus.COMPLETED
        referral.outcome = "successful" if successful else "not_successful"
        referral.outcome_note = note.strip()
        referral.closed_at = timezone.now()
        referral.save()
        audit_log(
            actor=actor,
            action=UPDATE,
            instance=referral,
            owner_unit_id=referral.to_unit_id,
            after=snapshot(referral),
        )
    return referral


def referral_revoke(*, actor: Any, referral_id: int) -> Referral:
    """The referring case worker withdraws a referral still open."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        _handled(actor, referral.case_id)
        if referral.status not in OPEN_REFERRAL:
            raise ValidationError(_("Only an open referral can be revoked."))
        referral.status = ReferralStatus.REVOKED
        referral.closed_at = timezone.now()
        referral.save()
        audit_log(actor=actor, action=REVOKE, instance=referral, owner_unit_id=referral.from_unit_id)
    return referral


def case_close(*, actor: Any, case_id: int, reason: str) -> ReferralCase:
    """Close the case: open referrals are revoked, and the case is set to be deleted after the
    node's retention period."""
    if not reason.strip():
        raise ValidationError({"closure_reason": _("Give the reason for closing.")})
    with transaction.atomic():
        case = _handled(actor, case_id)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError(_("The case is already closed."))
        today = timezone.localdate()
        now = timezone.now()
        case.referrals.filter(status__in=OPEN_REFERRAL).update(status=ReferralStatus.REVOKED, closed_at=now)
        case.status = CaseStatus.CLOSED
        case.closed_on = today
        case.closure_reason = reason.strip()
        case.delete_after = today + datetime.timedelta(days=settings.KORDON_REFERRAL_RETENTION_DAYS)
        case.save()
        audit_log(
            actor=actor,
            action=UPDATE,
            instance=case,
            after={"status": "closed", "delete_after": case.delete_after},
        )
    return case


def cases_purge(day: datetime.date | None = None) -> int:
    """Delete the cases whose retention period is over, with everything they hold (identity,
    consents, referrals, services). The audit line keeps only the pseudonym."""
    day = day or timezone.localdate()
    deleted = 0
    for case in ReferralCase.objects.filter(delete_after__lt=day):
        with transaction.atomic():
            audit_log(
                actor=None,
                action=DELETE,
                instance=case,
                after={"reason": "retention period over", "delete_after": case.delete_after},
                actor_name="retention",
            )
            Referral.objects.filter(case=case).delete()
            case.delete()
            deleted += 1
    return deleted
