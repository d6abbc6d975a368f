"""The addresses a peer node calls: this node's identity, the inbox for change sets, and the
counter where a node this one cannot reach fetches what it is owed.

None takes a log-in: a change set or a request proves where it comes from by its signature,
which is checked before anything else.
"""

import orjson
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kordon.federation import identity, pulling
from kordon.federation.incoming import Refused, receive, record_refusal, sender_of

# A change set of 1,000 seizures is a few megabytes; anything far larger is not one.
MAX_CHANGE_SET_BYTES = 64 * 1024 * 1024
# A request for changes is a few hundred bytes.
MAX_PULL_BYTES = 64 * 1024


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
        record_refusal(sender_of(envelope), refusal.reason, via="https")
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


@login_not_required
@csrf_exempt  # as above: the request is signed
@require_POST
def pull_view(request: HttpRequest) -> HttpResponse:
    """A peer that this node cannot reach asks for the next change set it is owed."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_PULL_BYTES:
        return JsonResponse(
            {"reason": "The request is too large, or its length is not a number."}, status=413
        )
    try:
        envelope = orjson.loads(request.read(MAX_PULL_BYTES))
    except orjson.JSONDecodeError:
        return JsonResponse({"reason": "The body is not JSON."}, status=400)
    try:
        change_set = pulling.serve(envelope)
    except Refused as refusal:
        record_refusal(sender_of(envelope), refusal.reason, via="https pull")
        return JsonResponse({"reason": refusal.reason}, status=422)
    if change_set is None:
        return HttpResponse(status=204)
    return HttpResponse(change_set, content_type="application/json")
