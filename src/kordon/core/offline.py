"""Working without a connection at a border post: the service worker, the page of what waits to
be sent, and the token the page asks for before it sends.

The worker keeps copies of the pages an officer needs at the post (the seizure form, the inbox,
the alerts and requests opened) and of the static files. While the node cannot be reached it
shows those copies, and a form sent then is kept in the browser (IndexedDB) instead of lost.
`kordon/offline.js` sends what was kept once the node answers again, as the officer who wrote it,
and shows what the node refused, with its reasons, on the page below. See docs/user-guide.md.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache

# Static files the pages below need, kept by the worker when it is installed.
ASSETS = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "kordon/kordon.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "kordon/kordon.js",
    "kordon/offline-store.js",
    "kordon/offline.js",
]


def _pages() -> list[str]:
    """Pages kept when the worker is installed, and the beginnings of the addresses of those kept
    once opened (an alert or request under the inbox's address)."""
    return [reverse("offline"), reverse("seizures:create"), reverse("exchange:inbox")]


@login_not_required  # the worker's code holds nothing of anyone's; the pages it keeps need a log-in
@never_cache
def worker_view(request: HttpRequest) -> HttpResponse:
    assets = [static(name) for name in ASSETS]
    # A new release names new static files (hashed names): a new worker, which drops the old copies.
    version = hashlib.sha256(json.dumps([assets, settings.KORDON_NODE_NAME]).encode()).hexdigest()[:12]
    config = {
        "version": version,
        "assets": assets,
        "pages": _pages(),
        "kept": _pages(),
        "static": settings.STATIC_URL,
        "queue": reverse("offline"),
        "logout": reverse("logout"),
        # Forms that must reach the node at once or not at all.
        "never_kept": [
            reverse("login"),  # and the two-factor code under it
            reverse("logout"),
            reverse("set_language"),
            "/account/",
            "/admin/",
            "/api/",
        ],
    }
    response = render(
        request,
        "offline/worker.js",
        {"config": json.dumps(config), "store": static("kordon/offline-store.js")},
        content_type="text/javascript",
    )
    # The worker lives under /offline/ but looks after every page of the node.
    response["Service-Worker-Allowed"] = "/"
    return response


def queue_view(request: HttpRequest) -> HttpResponse:
    return render(request, "offline/queue.html", {"section": "offline"})


@never_cache
def token_view(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a fresh form token: a kept form is sent only as the officer who
    wrote it, with a token of the session it is sent in."""
    return JsonResponse({"user": request.user.get_username(), "csrf": get_token(request)})
