import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.audit import verify_chain
from kordon.core import backup
from kordon.core.management.commands.backup import key_path


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kordon backup` into this node, which must be empty (run `kordon migrate` "
        "first). Nothing is written unless the whole backup decrypts and checks out; the audit chain is "
        "verified after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument("--key", type=Path, help="the key file (default: KORDON_BACKUP_KEY_FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.restore(options["file"], backup.read_key(key_path(options["key"])))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"The backup cannot be read: {error}") from None
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Restored, but the audit chain breaks at line {report.first_broken}.")
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            json.dumps(
                {"restored": str(options["file"]), "rows": rows, "audit_lines_verified": report.checked}
            )
        )
