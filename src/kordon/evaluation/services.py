"""Writing questionnaires, answers, training events and participants: checked, atomic, audited."""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, IMPORT, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import plain_markings, require_unit
from kordon.core.models import Country, Unit
from kordon.core.tabular import Problem, TableError, file_sha256, open_table
from kordon.evaluation import scoring
from kordon.evaluation.models import Participant, Questionnaire, Response, TrainingEvent, Wave
from kordon.evaluation.questionnaires import read_questionnaire


def _markings() -> dict[str, Any]:
    return plain_markings(tlp=Tlp.AMBER, handling_code=HandlingCode.H0, distribution=Distribution.AGENCY)


@dataclass
class QuestionnaireImport:
    questionnaire: Questionnaire | None = None
    problems: list[Problem] = field(default_factory=list)


def questionnaire_import(*, actor: Any, unit: Unit, content: bytes, file_name: str) -> QuestionnaireImport:
    """Store an XLSForm as the next version of its questionnaire; a file with any problem
    stores nothing and reports them all."""
    require_unit(actor, unit.pk, policy.ADD)
    parsed = read_questionnaire(content, file_name)
    if parsed.problems:
        return QuestionnaireImport(problems=parsed.problems)
    with transaction.atomic():
        versions = Questionnaire.objects.filter(owner_agency_id=unit.agency_id, form_id=parsed.form_id)
        questionnaire = Questionnaire.objects.create(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            form_id=parsed.form_id,
            title=parsed.title,
            version=(versions.aggregate(top=Max("version"))["top"] or 0) + 1,
            informant=parsed.informant,
            items=parsed.items,
            scoring=parsed.scoring,
            source=content,
            source_name=file_name[:200],
            uploaded_by=actor,
            **_markings(),
        )
        audit_log(
            actor=actor,
            action=IMPORT,
            instance=questionnaire,
            after={"file": file_name, "items": len(parsed.items)},
        )
    return QuestionnaireImport(questionnaire=questionnaire)


@dataclass
class ResponseData:
    row: int
    respondent: str
    wave: str
    answered_on: datetime.date
    answers: dict[str, float | None]  # scoring item -> value
    site: str = ""


@dataclass
class ResponsesSaved:
    rows: int = 0
    saved: int = 0
    problems: list[Problem] = field(default_factory=list)


def _score(questionnaire: Questionnaire, answers: dict[str, float | None]) -> dict[str, Any]:
    if not questionnaire.scoring:
        return {}
    return scoring.score(scoring.rules_from_dict(questionnaire.scoring), answers)


def responses_save(
    *, actor: Any, questionnaire_id: int, responses: list[ResponseData], source: str = ""
) -> ResponsesSaved:
    """Store answers, scored on arrival. A response already recorded for the respondent and wave,
    or with an answer outside the item's range, is reported with its row and kept out; the rest
    are stored together with one audit line."""
    result = ResponsesSaved(rows=len(responses))
    with transaction.atomic():
        questionnaire = Questionnaire.objects.restrict(actor, policy.CHANGE).get(pk=questionnaire_id)
        items = {item["score_as"]: item for item in questionnaire.items}
        known = set(questionnaire.responses.values_list("respondent", "wave"))
        fresh = []
        for response in responses:
            response.respondent = response.respondent.strip()  # "F01 " and "F01" are one family
            problem = _response_problem(response, items, known)
            if problem is None:
                try:
                    scores = _score(questionnaire, response.answers)
                except ValueError as error:
                    problem = Problem(response.row, "", str(error))
            if problem is not None:
                result.problems.append(problem)
                continue
            known.add((response.respondent, response.wave))
            fresh.append(
                Response(
                    questionnaire=questionnaire,
                    respondent=response.respondent,
                    site=response.site[:200],
                    wave=response.wave,
                    answered_on=response.answered_on,
                    answers=response.answers,
                    scores=scores,
                    recorded_by=actor,
                )
            )
        Response.objects.bulk_create(fresh)
        result.saved = len(fresh)
        if fresh:
            audit_log(
                actor=actor,
                action=IMPORT,
                instance=questionnaire,
                after={"source": source, "saved": result.saved, "rejected": len(result.problems)},
            )
    return result


def _response_problem(
    response: ResponseData, items: dict[str, Any], known: set[tuple[str, str]]
) -> Problem | None:
    if not response.respondent or len(response.respondent) > 40:
        return Problem(response.row, "respondent", _("Give the respondent's code (at most 40 characters)."))
    if response.wave not in Wave.values:
        return Problem(response.row, "wave", _("The wave must be pre, post or follow_up."))
    if (response.respondent, response.wave) in known:
        return Problem(
            response.row, "respondent", _("This respondent's answers for this wave are already recorded.")
        )
    for key, value in response.answers.items():
        item = items.get(key)
        if item is None:
            return Problem(response.row, key, _("This item is not in the questionnaire."))
        if value is not None and not math.isfinite(value):
            return Problem(response.row, item["name"], _("The answer must be a number."))
        if value is not None and item["values"] and value not in item["values"]:
            return Problem(
                response.row,
                item["name"],
                _("The answer %(value)s is not one of the item's choices.") % {"value": value},
            )
    return None


def responses_import(*, actor: Any, questionnaire_id: int, path: Path, file_name: str = "") -> ResponsesSaved:
    """Answers from a CSV or XLSX file: columns respondent, wave (pre, post, follow_up), date,
    site, and one column per item (its name in the form, or its scoring number)."""
    questionnaire = Questionnaire.objects.restrict(actor, policy.CHANGE).get(pk=questionnaire_id)
    columns = {item["name"]: item["score_as"] for item in questionnaire.items} | {
        item["score_as"]: item["score_as"] for item in questionnaire.items
    }
    responses: list[ResponseData] = []
    problems: list[Problem] = []
    try:
        with open_table(path) as table:
            headers = [header.strip() for header in table.headers]
            missing = [name for name in ("respondent", "wave", "date") if name not in headers]
            if missing:
                return ResponsesSaved(
                    problems=[
                        Problem(
                            1, ", ".join(missing), _("The file needs the columns respondent, wave and date.")
                        )
                    ]
                )
            for number, cells in table.rows:
                row = dict(zip(headers, cells, strict=False))
                parsed = _parsed_row(number, row, columns)
                if isinstance(parsed, Problem):
                    problems.append(parsed)
                else:
                    responses.append(parsed)
    except TableError as error:
        return ResponsesSaved(problems=[Problem(0, "", str(error))])
    result = responses_save(
        actor=actor,
        questionnaire_id=questionnaire_id,
        responses=responses,
        source=f"{file_name or path.name} {file_sha256(path)[:12]}",
    )
    result.rows += len(problems)
    result.problems = sorted(problems + result.problems, key=lambda problem: problem.row)
    return result


def _parsed_row(number: int, row: dict[str, Any], columns: dict[str, str]) -> ResponseData | Problem:
    raw_date = row.get("date")
    try:
        answered_on = (
            raw_date
            if isinstance(raw_date, datetime.date)
            else datetime.date.fromisoformat(str(raw_date).strip())
        )
        if isinstance(answered_on, datetime.datetime):
            answered_on = answered_on.date()
    except ValueError:
        return Problem(number, "date", _("Write the date as 2013-09-30."))
    answers: dict[str, float | None] = {}
    for header, value in row.items():
        key = columns.get(header)
        if key is None:
            continue
        text = "" if value is None else str(value).strip()
        if not text or text.lower() == "nan":  # a blank, as spreadsheets and pandas write it
            answers[key] = None
            continue
        try:
            answer = float(Decimal(text.replace(",", ".")))
        except (InvalidOperation, ValueError):
            return Problem(number, header, _("The answer must be a number."))
        if not math.isfinite(answer):
            return Problem(number, header, _("The answer must be a number."))
        answers[key] = answer
    return ResponseData(
        row=number,
        respondent=str(row.get("respondent") or "").strip(),
        wave=str(row.get("wave") or "").strip().lower(),
        answered_on=answered_on,
        answers=answers,
        site=str(row.get("site") or "").strip(),
    )


# ---- training events ---------------------------------------------------------------------------


@dataclass
class EventData:
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    country_id: str
    organiser: str = ""
    hours: int = 0


def event_create(*, actor: Any, unit: Unit, data: EventData) -> TrainingEvent:
    require_unit(actor, unit.pk, policy.ADD)
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("The event cannot end before it starts.")})
    if not Country.objects.filter(code=data.country_id).exists():
        raise ValidationError({"country": _("Unknown country code.")})
    with transaction.atomic():
        event = TrainingEvent.objects.create(
            owner_unit=unit, owner_agency_id=unit.agency_id, **data.__dict__, **_markings()
        )
        audit_log(actor=actor, action=CREATE, instance=event, after=snapshot(event))
    return event


@dataclass
class ParticipantData:
    name: str
    sex: str
    country_id: str
    agency: str


def participant_add(*, actor: Any, event_id: int, data: ParticipantData) -> Participant:
    """A participant, with the number of the certificate they will be given."""
    with transaction.atomic():
        event = TrainingEvent.objects.restrict(actor, policy.CHANGE).get(pk=event_id)
        participant = Participant(event=event, **data.__dict__)
        participant.full_clean(exclude=["event", "certificate"])
        participant.save()
        participant.certificate = f"{event.starts_on:%Y}-{event.pk:03d}-{participant.pk:04d}"
        participant.save(update_fields=["certificate"])
        audit_log(
            actor=actor,
            action=CREATE,
            instance=participant,
            owner_unit_id=event.owner_unit_id,
            after=snapshot(participant),
        )
    return participant
