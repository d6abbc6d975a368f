"""The screening page: an officer screens a traveller against the watchlists their units may use.
Screening is a POST: it is written to the audit trail, and names stay out of URLs and logs."""

from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kordon.core.http import AuthenticatedRequest, wants_partial
from kordon.entities.forms import ScreeningForm
from kordon.entities.screening import node_threshold, screen_person, usable_watchlists


@require_http_methods(["GET", "POST"])
def screening_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    matches = None
    if form.is_valid():
        matches = screen_person(actor=request.user, query=form.person())
    context = {
        "section": "screening",
        "form": form,
        "matches": matches,
        "threshold": round(node_threshold() * 100),
        "watchlists": usable_watchlists(request.user),
    }
    template = "entities/screening.html#screening" if wants_partial(request) else "entities/screening.html"
    return render(request, template, context)
