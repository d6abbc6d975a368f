"""REST API of screening: a person against the watchlists you may use, and those lists."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, StringConstraints

from kordon.core.countries import country_codes
from kordon.core.schemas import ValidationErrors, invalid
from kordon.entities.importing import person_described
from kordon.entities.screening import node_threshold, screen_person, usable_watchlists

router = Router(tags=["screening"])
NO_NUL = r"^[^\x00]*$"


class ScreeningIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)] = Field(
        description="The name in any script: Султанов Алимбай, SULTANOV<<ALIMBAI, Sultonov A."
    )
    birth_date: Annotated[str, StringConstraints(max_length=10, pattern=NO_NUL)] = Field(
        default="", description="1975-03-12, 12.03.1975, 1975-03 or 1975"
    )
    nationality: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = Field(
        default="", description="A country code or name: KG, KGZ or Кыргызстан"
    )
    document_number: Annotated[str, StringConstraints(max_length=50, pattern=NO_NUL)] = ""
    gender: Literal["male", "female", ""] = ""


class ScreeningMatchOut(Schema):
    entity_id: str = Field(description="The person's id in the watchlist file")
    watchlist: str
    watchlist_id: int
    name: str = Field(description="The name (or other name) of the list's entry that matched best")
    score: float = Field(description="0–1; only matches at or above the node's threshold are returned")
    explanation: str
    notes: str = Field(description="What the list says of the person")


class ScreeningOut(Schema):
    threshold: float
    matches: list[ScreeningMatchOut]


class WatchlistOut(Schema):
    id: int
    name: str
    owner_unit: str
    tlp: str
    version: int
    entries: int
    imported_at: datetime.datetime


@router.post("/screening/person", response={200: ScreeningOut, 422: ValidationErrors})
def screening_person(request: HttpRequest, payload: ScreeningIn) -> Any:
    """Candidates for one person from the watchlists your units may use, best first, each with
    its score and the reasons (names across scripts, birth date with day and month swapped, a
    document number one character off). Every screening is written to the audit trail."""
    query, problems = person_described(payload.dict(), country_codes())
    if problems:
        return invalid(ValidationError(problems))
    matches = screen_person(actor=request.user, query=query)
    return {"threshold": node_threshold(), "matches": [match.as_dict() for match in matches]}


@router.get("/watchlists", response=list[WatchlistOut])
def list_watchlists(request: HttpRequest) -> Any:
    """The watchlists your units may screen against, with their current version."""
    return [
        {
            "id": watchlist.pk,
            "name": watchlist.name,
            "owner_unit": watchlist.owner_unit.code,
            "tlp": watchlist.get_tlp_display(),
            "version": watchlist.current_version.number,
            "entries": watchlist.current_version.entry_count,
            "imported_at": watchlist.current_version.imported_at,
        }
        for watchlist in usable_watchlists(request.user)
        if watchlist.current_version is not None
    ]
