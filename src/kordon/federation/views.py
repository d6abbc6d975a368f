"""The two addresses a peer node calls: this node's identity, and the inbox for change sets.

Neither takes a log-in: a change set proves where it comes from by its signature, which
incoming.receive checks before anything else.
"""

import orjson
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kordon.federation import identity
from kordon.federation.incoming import Refused, receive, record_refusal

# A change set of 1,000 seizures is a few megabytes; anything far larger is not one.
MAX_CHANGE_SET_BYTES = 64 * 1024 * 1024


@login_not_required
@require_GET
def identity_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"name": identity.node_name(), "public_key": identity.public_key_text()})


@login_not_required
@csrf_exempt  # no session, no cookie: the signature is the credential
@require_POST
def changes_view(request: HttpRequest) -> JsonResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_CHANGE_SET_BYTES:
        return JsonResponse(
            {"reason": "The change set is too large, or its length is not a number."}, status=413
        )
    try:
        envelope = orjson.loads(request.read(MAX_CHANGE_SET_BYTES))
    except orjson.JSONDecodeError:
        return JsonResponse({"reason": "The body is not JSON."}, status=400)
    try:
        applied = receive(envelope, via="https")
    except Refused as refusal:
        sender = envelope.get("body", {}).get("from", "?") if isinstance(envelope, dict) else "?"
        record_refusal(str(sender), refusal.reason, via="https")
        answer: dict[str, object] = {"reason": refusal.reason}
        if refusal.accepted_up_to is not None:
            answer["accepted_up_to"] = refusal.accepted_up_to
        return JsonResponse(answer, status=409 if refusal.accepted_up_to is not None else 422)
    return JsonResponse(
        {
            "sequence": applied.sequence,
            "created": applied.created,
            "updated": applied.updated,
            "unchanged": applied.unchanged,
            "withdrawn": applied.withdrawn,
            "replies": applied.replies,
        }
    )
