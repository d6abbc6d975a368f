"""Authentication for the REST API: bearer tokens and the endpoints that issue and revoke them."""

import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import Field, StringConstraints

from kordon.access.markings import Tlp
from kordon.access.models import SharingAgreement, SharingGroup, TokenScope
from kordon.access.schemas import TLP_BY_NAME, AgreementIn, AgreementOut, AgreementStatusIn, GroupIn, GroupOut
from kordon.access.selectors import AuditFilters, agreement_list, audit_entries, sharing_group_list
from kordon.access.services import AgreementData, GroupData, agreement_save, agreement_set_status, group_save
from kordon.access.tokens import TokenRefused, token_issue, token_lookup, token_revoke
from kordon.core.models import Agency, Unit
from kordon.core.schemas import Message, ValidationErrors, invalid

Credential = Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=r"^[^\x00]*$")]


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user becomes request.user for the policy, and the
    token record becomes request.auth. An expired token, or a read-only one used to change
    something, is refused with the reason."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if "\x00" in token or len(token) > 200:
            return None
        record = token_lookup(token)
        if record is None:
            return None
        if record.expires_at <= timezone.now():
            raise HttpError(
                401,
                f"This token expired on {record.expires_at:%Y-%m-%d %H:%M} UTC. "
                "Ask for a new one: POST /api/v1/auth/token.",
            )
        # Revoking the token itself is always allowed: a leaked read-only token must be killable.
        revoking_itself = request.method == "DELETE" and request.path.endswith("/auth/token")
        if (
            request.method not in READING_METHODS
            and not revoking_itself
            and not record.allows(TokenScope.WRITE)
        ):
            raise HttpError(
                403,
                'This token may only read. Ask for a token with the scope "write" to change records.',
            )
        request.user = record.user
        return record


class TokenRequest(Schema):
    username: Credential
    password: Credential
    name: Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")] = ""
    scopes: list[Literal["read", "write"]] = Field(
        default=["read"], min_length=1, description="read: GET only. write: also create, change and delete."
    )
    code: Annotated[str, StringConstraints(max_length=10, pattern=r"^[0-9 ]*$")] = Field(
        default="", description="The authenticator app's current code, for accounts with two-factor log-in."
    )
    expires_in_days: int = Field(
        default=settings.KORDON_TOKEN_MAX_DAYS,
        ge=1,
        le=settings.KORDON_TOKEN_MAX_DAYS,
        description="How long the token lives; at most KORDON_TOKEN_MAX_DAYS (90 unless the node says less).",
    )


class TokenResponse(Schema):
    token: str
    scopes: list[str]
    expires_at: datetime.datetime


RecordId = Annotated[int, Field(ge=1, le=2**62)]


router = Router(tags=["authentication"])


@router.post("/token", auth=None, response={200: TokenResponse, 401: Message})
def create_token(request: HttpRequest, payload: TokenRequest) -> Any:
    """Exchange a user name and password for a bearer token (shown once; keep it secret)."""
    try:
        token = token_issue(
            request=request,
            username=payload.username,
            password=payload.password,
            name=payload.name,
            scopes=tuple(payload.scopes),
            days=payload.expires_in_days,
            code=payload.code,
        )
    except TokenRefused as refused:
        return Status(401, {"detail": str(refused)})
    if token is None:
        return Status(401, {"detail": "The user name or password is wrong, or the account is disabled."})
    record = token_lookup(token)
    assert record is not None  # issued a moment ago in this request
    return Status(200, {"token": token, "scopes": record.scopes.split(), "expires_at": record.expires_at})


@router.delete("/token", response={204: None})
def revoke_token(request: HttpRequest) -> Any:
    """Revoke the token this request was made with."""
    token = request.auth  # type: ignore[attr-defined]  # set by ninja from BearerToken.authenticate
    if not token_revoke(actor=request.user, token_id=token.pk):
        raise HttpError(404, "This token is already revoked.")
    return Status(204, None)


sharing_router = Router(tags=["sharing and audit"])


def _agreement_out(agreement: SharingAgreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "parties": sorted(party.code for party in agreement.parties.all()),
        "record_kinds": agreement.record_kinds,
        "tlp_ceiling": Tlp(agreement.tlp_ceiling).label.removeprefix("TLP:"),
        "scope": agreement.scope,
        "valid_from": agreement.valid_from,
        "valid_to": agreement.valid_to,
        "status": agreement.status,
        "in_force": agreement.in_force_on(timezone.localdate()),
        "document_reference": agreement.document_reference,
    }


def _group_out(group: SharingGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "units": sorted(unit.code for unit in group.units.all()),
        "agencies": sorted(agency.code for agency in group.agencies.all()),
        "description": group.description,
        "releasability": group.releasability,
        "active": group.active,
    }


def _agency_ids(codes: list[str], field: str) -> list[int]:
    found = dict(Agency.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError({field: [f"Unknown agency codes: {', '.join(unknown)}; see /api/v1/agencies."]})
    return [found[code] for code in codes]


def _unit_ids(codes: list[str]) -> list[int]:
    found = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError({"units": [f"Unknown unit codes: {', '.join(unknown)}; see /api/v1/units."]})
    return [found[code] for code in codes]


def _agreement_data(payload: AgreementIn) -> AgreementData:
    return AgreementData(
        title=payload.title,
        parties=_agency_ids(payload.parties, "parties"),
        record_kinds=[str(kind) for kind in payload.record_kinds],
        tlp_ceiling=TLP_BY_NAME[payload.tlp_ceiling],
        scope=payload.scope,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        status=payload.status,
        document_reference=payload.document_reference,
        note=payload.note,
    )


AGREEMENT_WRITE = {200: AgreementOut, 201: AgreementOut, 403: Message, 404: Message, 422: ValidationErrors}


@sharing_router.get("/agreements", response=list[AgreementOut])
def list_agreements(request: HttpRequest) -> Any:
    """Agreements your agencies are party to (all of them for the node administrator)."""
    return [_agreement_out(agreement) for agreement in agreement_list(user=request.user)]


@sharing_router.post("/agreements", response=AGREEMENT_WRITE)
def create_agreement(request: HttpRequest, payload: AgreementIn) -> Any:
    """Create an agreement (node administrators)."""
    try:
        agreement = agreement_save(actor=request.user, data=_agreement_data(payload))
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _agreement_out(agreement))


@sharing_router.put("/agreements/{agreement_id}", response=AGREEMENT_WRITE)
def update_agreement(request: HttpRequest, agreement_id: RecordId, payload: AgreementIn) -> Any:
    """Change an agreement (node administrators)."""
    try:
        agreement = agreement_save(
            actor=request.user, data=_agreement_data(payload), agreement_id=agreement_id
        )
    except SharingAgreement.DoesNotExist:
        return Status(404, {"detail": "There is no such agreement."})
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(200, _agreement_out(agreement))


@sharing_router.post("/agreements/{agreement_id}/status", response=AGREEMENT_WRITE)
def set_agreement_status(request: HttpRequest, agreement_id: RecordId, payload: AgreementStatusIn) -> Any:
    """Activate, suspend or expire an agreement (node administrators); the flow follows at once."""
    try:
        agreement = agreement_set_status(actor=request.user, agreement_id=agreement_id, status=payload.status)
    except SharingAgreement.DoesNotExist:
        return Status(404, {"detail": "There is no such agreement."})
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(200, _agreement_out(agreement))


GROUP_WRITE = {200: GroupOut, 201: GroupOut, 403: Message, 404: Message, 422: ValidationErrors}


def _group_data(payload: GroupIn) -> GroupData:
    return GroupData(
        name=payload.name,
        units=_unit_ids(payload.units),
        agencies=_agency_ids(payload.agencies, "agencies"),
        description=payload.description,
        releasability=payload.releasability,
        active=payload.active,
    )


@sharing_router.get("/sharing-groups", response=list[GroupOut])
def list_groups(request: HttpRequest) -> Any:
    """Sharing groups your units or agencies belong to (all of them for the node administrator)."""
    return [_group_out(group) for group in sharing_group_list(user=request.user)]


@sharing_router.post("/sharing-groups", response=GROUP_WRITE)
def create_group(request: HttpRequest, payload: GroupIn) -> Any:
    try:
        group = group_save(actor=request.user, data=_group_data(payload))
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _group_out(group))


@sharing_router.put("/sharing-groups/{group_id}", response=GROUP_WRITE)
def update_group(request: HttpRequest, group_id: RecordId, payload: GroupIn) -> Any:
    try:
        group = group_save(actor=request.user, data=_group_data(payload), group_id=group_id)
    except SharingGroup.DoesNotExist:
        return Status(404, {"detail": "There is no such sharing group."})
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(200, _group_out(group))


class AuditQuery(Schema):
    action: Annotated[str, StringConstraints(max_length=32, pattern=r"^[a-z_]*$")] | None = None
    object_type: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z_.]*$")] | None = None
    object_id: Annotated[str, StringConstraints(max_length=64, pattern=r"^[0-9A-Za-z_-]*$")] | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class AuditEntryOut(Schema):
    seq: int
    at: datetime.datetime
    actor: str
    actor_unit: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    object_owner_unit: str | None
    request_id: str
    client_address: str


@sharing_router.get("/audit", response=list[AuditEntryOut])
def list_audit(request: HttpRequest, query: Query[AuditQuery]) -> Any:
    """Audit lines you may read: supervisors those of their units (what they did, and what was done
    to their records, by anyone); node administrators all. Everyone else gets an empty list."""
    filters = AuditFilters(
        action=query.action or None,
        object_type=query.object_type or None,
        object_id=query.object_id or None,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    entries = audit_entries(user=request.user, filters=filters)[: query.limit]
    return [
        {
            "seq": entry.seq,
            "at": entry.at,
            "actor": entry.actor_name,
            "actor_unit": entry.actor_unit.code if entry.actor_unit else None,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "object_owner_unit": entry.object_owner_unit.code if entry.object_owner_unit else None,
            "request_id": entry.request_id,
            "client_address": entry.client_address,
        }
        for entry in entries
    ]
