"""What a user sees when something fails on the server.

A database that is restarting or unreachable is not a bug: the request gets 503 with a page (or,
for the API, JSON) saying to try again shortly, and Django closes the broken connection when the
request ends, so the next request connects afresh once the database is back, without restarting
Kordon. Anything else gets a plain 500 page that gives the request id for the administrator and
shows nothing of the error itself.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kordon.access.context import running_context

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled."""
    database_down = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    status = 503 if database_down else 500
    if database_down:
        message = _(
            "The database is not answering, perhaps because it is restarting. Nothing was saved by "
            "this request. Try again in a minute; if it lasts, tell the node administrator."
        )
    else:
        message = _(
            "Something went wrong on the server and this request was not completed. Try again; if it "
            "happens again, tell the node administrator the request number below."
        )
    context = running_context()
    request_id = context.request_id if context else ""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "request_id": request_id}, status=status)
    else:
        try:
            # No context processors: they would ask the database for the user.
            page = render_to_string(
                "error.html", {"status": status, "message": message, "request_id": request_id}
            )
        except Exception:  # the page itself cannot be drawn (static files not collected): say it plainly
            response = HttpResponse(
                f"{message}\n{request_id}", status=status, content_type="text/plain; charset=utf-8"
            )
        else:
            response = HttpResponse(page, status=status)
    if database_down:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
