"""Reading and deciding a seizure file, in this process or, for large files, in a second one.

Parsing and deciding are Python work; writing is mostly the database's. On a two-core border-post
server, a second process that reads the file while the first one writes nearly doubles the speed of
a large import. Small files are read in place: starting a process costs about a second.

This module imports no models at the top: the second process imports it before Django is set up.
"""

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from kordon.core.tabular import TableError, open_table

# Files from this size up are read in a second process (about 30,000 rows of a typical file).
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
CHUNK_ROWS = 5000
QUEUE_CHUNKS = 4


@dataclass
class DecidedTable:
    headers: list[str]
    encoding: str
    # What each chunk of rows adds, in file order (kordon.seizures.import_decisions.ChunkWrites).
    writes: Iterator[Any]
    # The counts and problems, complete once `writes` is exhausted (DecisionSummary).
    summary: Callable[[], Any]


def missing_columns_message(missing: list[str]) -> str:
    return _(
        "These required columns are missing: %(missing)s. The first row must name the columns; "
        "download the template to see them."
    ) % {"missing": ", ".join(missing)}


@contextmanager
def _decided_here(path: Path, agency_id: int, changeable_units: list[int] | None) -> Iterator[DecidedTable]:
    from kordon.seizures.import_decisions import ImportDecisions
    from kordon.seizures.parsing import RowParser, Vocabulary, map_headers

    with open_table(path) as table:
        columns, missing = map_headers(table.headers)
        if missing:
            raise TableError(missing_columns_message(missing))
        parser = RowParser(Vocabulary(), columns)
        decisions = ImportDecisions(agency_id=agency_id, changeable_units=changeable_units)

        def writes() -> Iterator[Any]:
            chunk: list[Any] = []
            for number, cells in table.rows:
                chunk.append(parser.parse(number, cells))
                if len(chunk) >= CHUNK_ROWS:
                    yield decisions.decide(chunk)
                    chunk = []
            if chunk:
                yield decisions.decide(chunk)

        yield DecidedTable(table.headers, table.encoding, writes(), lambda: decisions.summary)


def _may_use_a_second_process() -> bool:
    # The second process reads the database itself; an in-memory SQLite database (tests) is invisible to it.
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


@contextmanager
def decided_table(
    path: Path, *, agency_id: int, changeable_units: list[int] | None, parallel: bool | None = None
) -> Iterator[DecidedTable]:
    """The file's header and, chunk by chunk, what its rows add. Raises TableError when the file
    cannot be read. `parallel` forces the second process on or off; by default large files use it."""
    if parallel is None:
        parallel = path.stat().st_size >= PARALLEL_MIN_BYTES and _may_use_a_second_process()
    opener = _decided_elsewhere if parallel else _decided_here
    with opener(path, agency_id, changeable_units) as table:
        yield table


@contextmanager
def _decided_elsewhere(
    path: Path, agency_id: int, changeable_units: list[int] | None
) -> Iterator[DecidedTable]:
    context = multiprocessing.get_context("spawn")
    messages: Any = context.Queue(maxsize=QUEUE_CHUNKS)
    worker = context.Process(
        target=_work,
        args=(str(path), agency_id, changeable_units, connection.settings_dict["NAME"],
              translation.get_language() or "en", messages, os.getpid()),
        daemon=True,
    )  # fmt: skip
    worker.start()

    def receive() -> tuple[Any, ...]:
        while True:
            try:
                message: tuple[Any, ...] = messages.get(timeout=1)
            except queue.Empty:
                if not worker.is_alive():
                    raise RuntimeError("the process reading the file stopped unexpectedly") from None
                continue
            if message[0] == "error":
                raise TableError(message[1])
            if message[0] == "crash":
                raise RuntimeError(f"the process reading the file failed: {message[1]}")
            return message

    try:
        _kind, headers, encoding = receive()
        summary: list[Any] = []

        def writes() -> Iterator[Any]:
            while True:
                message = receive()
                if message[0] == "summary":
                    summary.append(message[1])
                    return
                yield message[1]

        yield DecidedTable(headers, encoding, writes(), lambda: summary[0])
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=10)


def _work(path: str, agency_id: int, changeable_units: list[int] | None, database: str, language: str,
          messages: Any, parent: int) -> None:  # fmt: skip
    """The second process: read and decide the file, and send what each chunk adds."""
    import django
    from django.conf import settings

    django.setup()
    # The same database as the importing process (a test run renames it).
    settings.DATABASES["default"]["NAME"] = database
    translation.activate(language)

    def send(message: tuple[Any, ...]) -> None:
        # Stop at once when the importing process is gone (killed, or finished with an error). The
        # queue's own thread would otherwise wait for ever to hand over what nobody will read.
        while True:
            if os.getppid() != parent:
                messages.cancel_join_thread()
                os._exit(0)
            try:
                messages.put(message, timeout=1)
                return
            except queue.Full:
                continue

    try:
        with _decided_here(Path(path), agency_id, changeable_units) as table:
            send(("table", table.headers, table.encoding))
            for writes in table.writes:
                send(("writes", writes))
            send(("summary", table.summary()))
    except TableError as error:
        send(("error", str(error)))
    except Exception as error:  # reported to the importing process, which fails the import
        send(("crash", repr(error)))
