"""`kordon check`: Django's system checks (the settings load, the models hold). With `--deploy`,
the deployment checklist too, as failures, then what a production node needs (PostgreSQL that
answers, its schema current, HTTPS, the folders it writes, the files it serves, and with
`--audit` the audit chain), each said as done or as what to do."""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser, SystemCheckError
from django.core.management.commands.check import Command as DjangoCheck

from kordon.core.health import readiness_problems


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def node_checks() -> list[tuple[bool, str, str]]:
    """(passed, what is checked, what to do when it is not)."""
    problems = readiness_problems()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    https = bool(getattr(settings, "SESSION_COOKIE_SECURE", False))
    return [
        (not settings.DEBUG, "debug mode is off", "unset KORDON_DEBUG"),
        (
            len(settings.SECRET_KEY) >= 50,
            "the secret key is long",
            "set KORDON_SECRET_KEY_FILE to a file of 50+ random characters",
        ),
        (https, "cookies and redirects for HTTPS", "serve over TLS behind nginx and set KORDON_HTTPS=true"),
        (
            not {"127.0.0.1", "localhost"} >= set(settings.ALLOWED_HOSTS),
            "the node's host name is allowed",
            "set KORDON_ALLOWED_HOSTS to the name officers open",
        ),
        (
            str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql"),
            "PostgreSQL is the database",
            "set KORDON_DATABASE_URL to a PostgreSQL database (SQLite is for one computer)",
        ),
        (
            "database" not in problems,
            "the database answers",
            "start PostgreSQL and check KORDON_DATABASE_URL",
        ),
        ("migrations" not in problems, "the database schema is current", "run `kordon migrate`"),
        (manifest.exists(), "static files are collected", "run `kordon collectstatic --no-input`"),
        (
            Path(settings.KORDON_BOUNDARIES).exists(),
            "map boundaries are installed",
            "run `npm ci` in the source folder (world-atlas)",
        ),
        (
            _writable(Path(settings.MEDIA_ROOT)),
            "uploaded files can be written",
            f"make {settings.MEDIA_ROOT} writable by the service user",
        ),
        (
            _writable(Path(settings.KORDON_SCREENING_DIR)),
            "screening indexes can be written",
            f"make {settings.KORDON_SCREENING_DIR} writable by the service user",
        ),
    ]


class Command(DjangoCheck):
    help = (
        "Check the node's configuration. With --deploy: the deployment checklist as failures, then the "
        "database, its schema, HTTPS, the folders and files a production node needs (--audit: and the audit "
        "chain). Exits with 1 when anything needs doing, and says what."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--audit", action="store_true", help="also verify the audit trail's hash chain")

    def handle(self, *app_labels: Any, **options: Any) -> None:
        if not options["deploy"] or options.get("tags") or options.get("list_tags") or app_labels:
            return super().handle(*app_labels, **options)  # Django's own check, as asked
        options["fail_level"] = "WARNING"
        failed = 0
        try:
            super().handle(*app_labels, **options)
        except SystemCheckError as error:  # said, counted, and the node's own checks still run
            self.stderr.write(str(error))
            failed += 1
        for passed, what, todo in node_checks():
            self.stdout.write(f"{'✓' if passed else '✗'} {what}" + ("" if passed else f": {todo}"))
            failed += not passed
        if options["audit"]:
            from kordon.access.audit import verify_chain

            report = verify_chain()
            self.stdout.write(
                f"{'✓' if report.ok else '✗'} the audit trail's chain holds ({report.checked} entries)"
            )
            failed += not report.ok
        if failed:
            raise CommandError(f"{failed} thing(s) to do before this node serves officers.", returncode=1)
        self.stdout.write(f"The node is ready ({os.cpu_count()} cores).")
