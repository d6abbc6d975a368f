import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.core import backup


def key_path(given: Path | None) -> Path:
    path = given or (Path(settings.KORDON_BACKUP_KEY_FILE) if settings.KORDON_BACKUP_KEY_FILE else None)
    if path is None:
        raise CommandError(
            "Give the key: --key FILE or KORDON_BACKUP_KEY_FILE (make one with `kordon backup --new-key FILE`)."
        )
    return path


class Command(BaseCommand):
    help = (
        "Back up the node (database and uploaded files) into one file encrypted with the operator's key: "
        "`kordon backup --out FILE [--key KEYFILE]`; `kordon backup --new-key KEYFILE` makes a key. "
        "Restore with `kordon restore FILE` into an empty node."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="the backup file to write")
        parser.add_argument("--key", type=Path, help="the key file (default: KORDON_BACKUP_KEY_FILE)")
        parser.add_argument(
            "--new-key", type=Path, metavar="KEYFILE", help="write a new key to KEYFILE and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            if options["new_key"].exists():
                raise CommandError(f"{options['new_key']} exists; a key is never overwritten.")
            backup.new_key(options["new_key"])
            self.stdout.write(f"A new key is in {options['new_key']}. Keep a copy away from the backups.")
            return
        if not options["out"]:
            raise CommandError("Say where to write the backup: --out FILE.")
        try:
            manifest = backup.backup(options["out"], backup.read_key(key_path(options["key"])))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            json.dumps({"written": str(options["out"]), "rows": rows, "files": len(manifest["files"])})
        )
        sys.stdout.flush()
