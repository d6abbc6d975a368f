"""yente's screening fixtures (issue 5): the 683 people of the UN sanctions list as yente's
validation report "treats" them (names reordered, letters swapped or doubled, vowels changed),
screened against the untreated list, with 50,000 synthetic strangers from around the world
(`../shared/data/names/yente_screening_fixtures/`, MIT; the underlying data CC BY-NC 4.0, so it
stays out of the product). OpenSanctions' logic-v2 finds 92.7 % of them at zero false alerts.

The list is indexed as a node indexes a watchlist, and every query goes through the screening's
own path (index, bulk pruning, scorer). Reported: recall at the default threshold and the false
alerts there, and recall at the highest threshold that no stranger reaches ("at zero").

    python -m bench.yente [fixtures folder]
"""

import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "data" / "names" / "yente_screening_fixtures"


def _people(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def measure(folder: Path = FIXTURES) -> dict[str, Any]:
    """Figures on the fixtures (Django must be set up)."""
    from kordon.entities import screening_index
    from kordon.entities.importing import birth_date, nationality
    from kordon.entities.matching import DEFAULT_THRESHOLD, Person
    from kordon.entities.screening import index_matches

    def person(row: dict[str, str]) -> Person:
        try:
            born = birth_date(row["date_of_birth"]) if row["date_of_birth"] else ""
        except ValueError:
            born = ""
        try:
            country = nationality(row["nationality"]) if row["nationality"] else ""
        except ValueError:
            country = ""
        return Person(row["full_name"], born, country, "", row["gender"].lower())

    listed = [person(row) for row in _people(folder / "positives_un_untreated.csv")]
    entries = [
        screening_index.Entry(
            number, str(number), (one.name,), one.birth_date, one.nationality, "", one.gender
        )
        for number, one in enumerate(listed)
    ]
    index_folder = Path(tempfile.mkdtemp(prefix="kordon-yente-")) / "index"
    screening_index.write(entries, index_folder)
    index = screening_index.ScreeningIndex(index_folder)

    def best(query: Person, truth: str | None) -> float:
        """The score of the true entry (positives) or of the best entry (strangers)."""
        found = index_matches(index, query, 0.0)
        scores = [match.score for entry, _name, match in found if truth is None or entry.external_id == truth]
        return max(scores, default=0.0)

    treated = [person(row) for row in _people(folder / "positives_un_treated.csv")]
    positives = [best(query, str(number)) for number, query in enumerate(treated)]
    negatives = [best(person(row), None) for row in _people(folder / "negatives_global.csv")]
    highest_stranger = max(negatives)
    return {
        "benchmark": "yente_screening_fixtures",
        "positives": len(positives),
        "negatives": len(negatives),
        "threshold": DEFAULT_THRESHOLD,
        "recall": round(sum(score >= DEFAULT_THRESHOLD for score in positives) / len(positives), 4),
        "false_alerts": sum(score >= DEFAULT_THRESHOLD for score in negatives),
        "highest_stranger_score": round(highest_stranger, 4),
        "recall_at_zero_false_alerts": round(
            sum(score > highest_stranger for score in positives) / len(positives), 4
        ),
        "candidates_missed": sum(score == 0.0 for score in positives),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings")
    os.environ.setdefault("KORDON_SECRET_KEY", "benchmark-yente-secret-key-0123456789abcdef")
    import django

    django.setup()
    print(json.dumps(measure(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)))


if __name__ == "__main__":
    main()
