"""Authentication for the REST API: bearer tokens and the endpoints that issue and revoke them."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import StringConstraints

from kordon.access.tokens import token_issue, token_lookup, token_revoke

Credential = Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=r"^[^\x00]*$")]


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user becomes request.user for the policy, and the
    token record becomes request.auth."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if "\x00" in token or len(token) > 200:
            return None
        record = token_lookup(token)
        if record is None:
            return None
        request.user = record.user
        return record


class TokenRequest(Schema):
    username: Credential
    password: Credential
    name: Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")] = ""


class TokenResponse(Schema):
    token: str


class Message(Schema):
    detail: str


router = Router(tags=["authentication"])


@router.post("/token", auth=None, response={200: TokenResponse, 401: Message})
def create_token(request: HttpRequest, payload: TokenRequest) -> Any:
    """Exchange a user name and password for a bearer token (shown once; keep it secret)."""
    token = token_issue(
        request=request, username=payload.username, password=payload.password, name=payload.name
    )
    if token is None:
        return Status(401, {"detail": "The user name or password is wrong, or the account is disabled."})
    return Status(200, {"token": token})


@router.delete("/token", response={204: None})
def revoke_token(request: HttpRequest) -> Any:
    """Revoke the token this request was made with."""
    token = request.auth  # type: ignore[attr-defined]  # set by ninja from BearerToken.authenticate
    if not token_revoke(actor=request.user, token_id=token.pk):
        raise HttpError(404, "This token is already revoked.")
    return Status(204, None)
