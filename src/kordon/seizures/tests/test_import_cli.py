"""`kordon import seizures`: the JSON outcome, dry runs, clear refusals, and all-or-nothing."""

import json
import random
import signal
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kordon.conftest import ScratchNode
from kordon.seizures.models import Seizure
from kordon.seizures.tests.files import TEMPLATE, row, write_csv


def children_of(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").glob("*")
            for child in (task / "children").read_text().split()]  # fmt: skip


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def import_json(path: Path, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import", "seizures", str(path), "--unit", "kg-dcs-analysis", "--user", "kg.analyst", "--json",
                 *extra, stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def test_json_outcome_lists_every_error(world: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cli.csv", [TEMPLATE, row("CLI-1"), row("CLI-2", quantity="abc"), row("CLI-3")]
    )
    outcome = import_json(path)
    assert (outcome["imported"], outcome["rejected"], outcome["new_seizures"]) == (2, 1, 2)
    assert outcome["errors"] == [{"row": 3, "column": "quantity", "message": "“abc” is not a number."}]
    assert Seizure.objects.filter(reference__in=["CLI-1", "CLI-3"]).count() == 2


def test_dry_run_imports_nothing(world: Any, tmp_path: Path) -> None:
    outcome = import_json(write_csv(tmp_path / "dry.csv", [TEMPLATE, row("CLI-DRY")]), "--dry-run")
    assert outcome["imported"] == 1 and outcome["status"] == "checked"
    assert not Seizure.objects.filter(reference="CLI-DRY").exists()


def test_the_human_report_names_rows_and_columns(world: Any, tmp_path: Path) -> None:
    out = StringIO()
    path = write_csv(tmp_path / "h.csv", [TEMPLATE, row("H-1", country="Марс")])
    call_command(
        "import", "seizures", str(path), "--unit", "kg-dcs-analysis", "--user", "kg.analyst", stdout=out
    )
    assert "1 rows read: 0 imported" in out.getvalue() and "row 2 [country]" in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--unit", "no-such-unit", "--user", "kg.analyst"], "no unit with code"),
        (["--unit", "kg-dcs-analysis", "--user", "nobody"], "no active user"),
        (["--unit", "kg-dcs-blo-dostuk", "--user", "kg.analyst"], "cannot import seizures for this unit"),
    ],
)
def test_bad_arguments_are_refused_clearly(
    world: Any, tmp_path: Path, arguments: list[str], message: str
) -> None:
    path = write_csv(tmp_path / "a.csv", [TEMPLATE, row("A-1")])
    with pytest.raises(CommandError, match=message):
        call_command("import", "seizures", str(path), *arguments)


def test_a_missing_file_is_refused(world: Any) -> None:
    with pytest.raises(CommandError, match="There is no file"):
        call_command(
            "import", "seizures", "/no/such.csv", "--unit", "kg-dcs-analysis", "--user", "kg.analyst"
        )


def test_killing_an_import_at_any_moment_leaves_no_data(scratch_node: ScratchNode, tmp_path: Path) -> None:
    """SIGKILL at random moments of a large import (starting up, reading, writing): the transaction
    never commits, no batch or row is left, the worker reading the file stops too, the audit chain
    holds, and the next import goes through whole."""
    scratch_node.run("demo", "--password", "scratch-password-1")
    seizures_before = scratch_node.count("SELECT COUNT(*) FROM seizures_seizure")
    rows = [TEMPLATE] + [row(f"BIG-{number}") for number in range(300_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    # Two kills while the command starts up, two at random moments after the reader process has
    # started: counted from the reader's start, not from the clock, so a slow machine still kills
    # the import while it reads and writes.
    draw = random.Random(20261128)
    kills = [("starting", draw.uniform(0.3, 1.0)) for _ in range(2)]
    kills += [("reading", draw.uniform(0.0, 3.0)) for _ in range(2)]
    for phase, delay in kills:
        process = scratch_node.start("import", "seizures", str(path), "--unit", "kg-dcs-analysis", "--user",
                                     "kg.analyst")  # fmt: skip
        if phase == "reading":
            deadline = time.monotonic() + 60
            while not children_of(process.pid) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert children_of(process.pid), "the import never started its reader process"
        time.sleep(delay)
        assert process.poll() is None, "the import finished before it could be interrupted; use a bigger file"
        workers = children_of(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 20  # the process reading the file notices and stops too
        while any(is_running(worker) for worker in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(is_running(worker) for worker in workers), (phase, delay)
        assert scratch_node.count("SELECT COUNT(*) FROM seizures_seizure") == seizures_before, (phase, delay)
        assert scratch_node.count("SELECT COUNT(*) FROM seizures_seizureimport") == 0, (phase, delay)
    assert "intact" in scratch_node.run("audit", "verify").stdout
    small = write_csv(tmp_path / "small.csv", [TEMPLATE] + [row(f"AFTER-{number}") for number in range(50)])
    scratch_node.run("import", "seizures", str(small), "--unit", "kg-dcs-analysis", "--user", "kg.analyst")
    assert scratch_node.count("SELECT COUNT(*) FROM seizures_seizure") == seizures_before + 50


def test_a_large_file_read_by_a_second_process_reports_the_same_rows(scratch_node: ScratchNode,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    """Files of 4 MB and more are read in a second process; the outcome must not depend on it."""
    from bench.generate import rows as generated_rows

    from kordon.seizures.import_worker import PARALLEL_MIN_BYTES

    scratch_node.run("demo", "--password", "scratch-password-1")
    rows = [TEMPLATE, *generated_rows(40_000, prefix="PAR")]
    bad_date, bad_substance = 10, 30_000  # spreadsheet row numbers (the header is row 1)
    rows[bad_date - 1][1] = "31.02.2013"
    rows[bad_substance - 1][5] = "кирпич"
    conflicting = list(rows[2])
    conflicting[1] = "01.01.2014"  # same reference as row 3, another date
    rows.append(conflicting)
    path = write_csv(tmp_path / "large.csv", rows, delimiter=";")
    assert path.stat().st_size >= PARALLEL_MIN_BYTES
    outcome = json.loads(scratch_node.run("import", "seizures", str(path), "--unit", "kg-dcs-analysis", "--user",
                                          "kg.analyst", "--json").stdout)  # fmt: skip
    assert [(error["row"], error["column"]) for error in outcome["errors"]] == [
        (bad_date, "date"), (bad_substance, "substance"), (len(rows), "date"),
    ]  # fmt: skip
    assert outcome["rows"] == len(rows) - 1 and outcome["imported"] + outcome["rejected"] == outcome["rows"]
    stored = scratch_node.count("SELECT COUNT(*) FROM seizures_seizure WHERE reference LIKE 'PAR-%'")
    assert stored == outcome["new_seizures"]
    items = scratch_node.count("SELECT COUNT(*) FROM seizures_seizureitem i JOIN seizures_seizure s ON s.id = i.seizure_id"
                               " WHERE s.reference LIKE 'PAR-%'")  # fmt: skip
    assert items == outcome["imported"]
