"""A case as one file for a prosecutor or a court: a ZIP with the case's data (JSON), the chain
of custody of each exhibit (PDF) and the exhibits' documents, as far as the user may see them."""

import json
import zipfile
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from kordon.access.audit import EXPORT, audit_read
from kordon.cases import reports, selectors
from kordon.core.downloads import safe_filename


def _case_data(view: selectors.CaseView) -> dict[str, Any]:
    case = view.case
    return {
        "reference": case.reference, "title": case.title, "type": case.case_type, "status": case.status,
        "outcome": case.outcome, "opened_on": case.opened_on, "closed_on": case.closed_on,
        "owner_unit": case.owner_unit.code, "tlp": case.get_tlp_display(), "handling_code": case.handling_code,
        "summary": case.summary,
        "team": [{"user": member.user.get_username(), "role": member.role} for member in view.team],
        "items": [{"kind": item.item.record_type, "id": item.record.pk, "reference": item.label, "on": item.on,
                   "note": item.item.note, "shared": item.item.shared} for item in view.items],
        "tasks": [{"title": task.title, "assignee": task.assignee.get_username(), "due_on": task.due_on,
                   "status": task.status} for task in view.tasks],
        "notes": [{"at": note.at, "author": note.author.get_username(), "text": note.text} for note in view.notes],
        "exhibits": [],
    }  # fmt: skip


def case_bundle(*, actor: Any, case_id: int, out: Path, language: str = "") -> dict[str, int]:
    """Write the bundle of a case `actor` may see to `out`; what it holds, counted."""
    view = selectors.case_view(user=actor, case_id=case_id)
    data = _case_data(view)
    documents = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for exhibit in view.exhibits:
            chain = selectors.exhibit_view(user=actor, exhibit_id=exhibit.pk, audit=False)
            name = safe_filename(exhibit.label)
            archive.writestr(
                f"exhibits/{name}-custody.pdf",
                reports.custody_report(actor=actor, view=chain, language=language),
            )
            data["exhibits"].append({
                "label": exhibit.label, "description": exhibit.description, "quantity": exhibit.quantity,
                "unit": exhibit.unit, "seal_number": exhibit.seal_number,
                "events": [{"sequence": event.sequence, "kind": event.kind, "at": event.at, "holder": event.holder_label,
                            "weight": event.weight, "hash": event.hash} for event in chain.events],
                "flags": [flag.message for flag in chain.flags],
            })  # fmt: skip
            for document in exhibit.documents.all():
                archive.writestr(f"exhibits/{name}/{safe_filename(document.name)}", bytes(document.content))
                documents += 1
        archive.writestr("case.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    audit_read(actor, view.case, EXPORT, format="bundle", exhibits=len(view.exhibits), documents=documents)
    return {"items": len(view.items), "exhibits": len(view.exhibits), "documents": documents}
