"""The screening page: an officer screens a traveller, or a file of travellers, against the
watchlists their units may use. Screening is a POST: it is written to the audit trail, and names
stay out of URLs and logs."""

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kordon.core.http import AuthenticatedRequest, wants_partial
from kordon.core.tabular import TableError
from kordon.entities.exports import watchlist_ftm
from kordon.entities.forms import ScreeningFileForm, ScreeningForm
from kordon.entities.models import Watchlist
from kordon.entities.screening import node_threshold, screen_file, screen_person, usable_watchlists
from kordon.entities.selectors import watchlist_history


def _page(request: AuthenticatedRequest, **context: object) -> HttpResponseBase:
    context = {
        "section": "screening",
        "form": ScreeningForm(),
        "file_form": ScreeningFileForm(),
        "matches": None,
        "threshold": round(node_threshold() * 100),
        "watchlists": usable_watchlists(request.user),
        **context,
    }
    template = "entities/screening.html#screening" if wants_partial(request) else "entities/screening.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def screening_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    matches = screen_person(actor=request.user, query=form.person()) if form.is_valid() else None
    return _page(request, form=form, matches=matches)


@require_POST
def screening_file_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Screen an uploaded file and send the results back as CSV: the file's columns, then the
    best match of each person, its score and the reasons."""
    form = ScreeningFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, file_form=form)
    upload = form.cleaned_data["file"]
    folder = Path(tempfile.mkdtemp(prefix="kordon-screening-"))
    path = folder / Path(upload.name).name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    out = folder / f"screened-{path.stem}.csv"
    try:
        # In this process: forking a server process that may run threads is not safe.
        screen_file(actor=request.user, path=path, out=out, workers=1)
    except TableError as error:
        form.add_error("file", str(error))
        return _page(request, file_form=form)
    finally:
        path.unlink()
    # The results are read once and the folder removed with them (FileResponse closes the file).
    response = FileResponse(out.open("rb"), as_attachment=True, filename=out.name, content_type="text/csv")
    out.unlink()
    folder.rmdir()
    return response


def watchlists_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The watchlists the user may screen against, each with its versions (who imported which
    file when, how many people, how many rows were rejected)."""
    return render(
        request,
        "entities/watchlists.html",
        {"section": "screening", "watchlists": watchlist_history(user=request.user)},
    )


def watchlist_ftm_view(request: AuthenticatedRequest, watchlist_id: int) -> HttpResponseBase:
    """Download a watchlist as FollowTheMoney JSON lines (audited)."""
    try:
        watchlist, lines = watchlist_ftm(user=request.user, watchlist_id=watchlist_id)
    except Watchlist.DoesNotExist:
        raise Http404(_("No such watchlist, or it is not shared with you.")) from None
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = f'attachment; filename="watchlist-{watchlist.pk}.ftm.json"'
    return response
