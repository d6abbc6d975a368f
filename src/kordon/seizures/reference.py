"""The substance catalogue every node starts with (see data/README.md)."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kordon.access.audit import audit_log
from kordon.core.reference import LoadSummary
from kordon.seizures.models import CommodityFamily, Substance

SUBSTANCES_FILE = Path(__file__).resolve().parent / "data" / "substances.json"


@transaction.atomic
def load_substances(path: Path = SUBSTANCES_FILE) -> LoadSummary:
    entries = json.loads(path.read_text(encoding="utf-8"))
    existing = set(Substance.objects.values_list("code", flat=True))
    new = []
    for entry in entries:
        if entry["code"] in existing:
            continue
        density = entry.get("kg_per_litre")
        per_unit = entry.get("kg_per_unit")
        new.append(
            Substance(
                code=entry["code"],
                family=entry.get("family", CommodityFamily.DRUGS),
                group=entry["group"],
                name=entry["name"],
                names=entry.get("names", {}),
                synonyms=entry.get("synonyms", []),
                kg_per_litre=Decimal(density) if density else None,
                kg_per_unit=Decimal(per_unit) if per_unit else None,
                unodc_name=entry.get("unodc_name", ""),
            )
        )
    Substance.objects.bulk_create(new)
    summary = LoadSummary("substances", len(new), len(existing))
    audit_log(actor=None, action="reference_load", object_type="seizures.substance", after=summary.__dict__)
    return summary
