"""Backups of a node: its database and its uploaded files in one file, encrypted with a key the
operator holds (`kordon backup`, `kordon restore`).

The archive is a tar of the database as Django fixtures (JSON lines with times to the
microsecond, content types and permissions by natural key, so it loads into any empty node of
the same version, SQLite or PostgreSQL), the uploaded files, and a manifest (counts per model, the fixture's SHA-256). It is
encrypted with AES-256-GCM in chunks of 1 MiB, each chunk's number and whether it is the last
bound into its tag: a changed, reordered, cut or appended chunk stops the restore before anything
is written. The key is 32 random bytes in a file (`kordon backup --new-key FILE`); without it the
backup is useless, so keep it apart from the backups.

Screening indexes and the analytics mirror are not in it: they are rebuilt from the database.
"""

import base64
import hashlib
import io
import json
import secrets
import shutil
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

MAGIC: Final = b"KORDON-BACKUP-1\n"
CHUNK: Final = 1024 * 1024
# Made again by migrate in the node restored into; by natural keys, nothing points at their ids.
LEFT_OUT: Final = ("contenttypes", "auth.permission", "sessions", "admin.logentry")


class BackupError(Exception):
    """Why a backup cannot be restored (or a key read), in words for the operator."""


def new_key(path: Path) -> None:
    """Write a new key to `path`, readable by its owner only."""
    path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n", encoding="ascii")
    path.chmod(0o400)


def read_key(path: Path) -> bytes:
    try:
        key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (OSError, ValueError) as error:
        raise BackupError(f"The key file {path} cannot be read as a backup key: {error}") from None
    if len(key) != 32:
        raise BackupError(f"The key in {path} is not a backup key (32 bytes, base64).")
    return key


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">I", number)


def encrypt(source: IO[bytes], target: IO[bytes], key: bytes) -> None:
    cipher = AESGCM(key)
    prefix = secrets.token_bytes(8)
    target.write(MAGIC + prefix)
    number = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = cipher.encrypt(_nonce(prefix, number), chunk, struct.pack(">I?", number, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, number = following, number + 1


def decrypt(source: IO[bytes], target: IO[bytes], key: bytes) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not a Kordon backup.")
    cipher = AESGCM(key)
    prefix = source.read(8)
    number = 0
    while True:
        header = source.read(4)
        if len(header) < 4:
            raise BackupError("The backup is cut short: its last part is missing.")
        sealed = source.read(struct.unpack(">I", header)[0])
        for last in (False, True):
            try:
                target.write(cipher.decrypt(_nonce(prefix, number), sealed, struct.pack(">I?", number, last)))
                break
            except Exception:  # noqa: S112 (the tag fails for the other value of `last`)
                continue
        else:
            raise BackupError("The backup was changed, or the key is not the one it was made with.")
        if last:
            if source.read(1):
                raise BackupError("The backup has data after its end.")
            return
        number += 1


def _media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("contenttypes", "sessions", "admin")
        and model._meta.label != "auth.Permission"
        and not model._meta.proxy
    }


def backup(out: Path, key: bytes) -> dict[str, Any]:
    """Write the encrypted backup of this node to `out`; its manifest."""
    with tempfile.TemporaryDirectory(prefix="kordon-backup-") as work:
        fixture = Path(work) / "database.exactjsonl"
        # One transaction: the fixture and the counts see the same database.
        with transaction.atomic():
            call_command(
                "dumpdata", format="exactjsonl", output=str(fixture), natural_foreign=True,
                exclude=list(LEFT_OUT), verbosity=0,
            )  # fmt: skip
            counts = _counts()
        manifest = {
            "format": 1,
            "database": connection.vendor,
            "fixture_sha256": hashlib.sha256(fixture.read_bytes()).hexdigest(),
            "files": [str(path.relative_to(settings.MEDIA_ROOT)) for path in _media_files()],
            "counts": counts,
        }
        archive = Path(work) / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(fixture, "database.exactjsonl")
            for path in _media_files():
                tar.add(path, f"files/{path.relative_to(settings.MEDIA_ROOT)}")
        partial = out.with_name(out.name + ".partial")
        with archive.open("rb") as source, partial.open("wb") as target:
            encrypt(source, target, key)
        partial.replace(out)  # never a half-written backup under the real name
    return manifest


def _empty() -> bool:
    from kordon.access.models import AuditEntry
    from kordon.core.models import Agency, User

    return not (User.objects.exists() or Agency.objects.exists() or AuditEntry.objects.exists())


def restore(path: Path, key: bytes) -> dict[str, Any]:
    """Load the backup `path` into this node, which must be empty (just migrated). Nothing is
    written unless the whole backup decrypts and checks out; the database is loaded in one
    transaction."""
    if not _empty():
        raise BackupError("This node already has users, agencies or audit lines: restore into an empty node.")
    with tempfile.TemporaryDirectory(prefix="kordon-restore-") as work:
        archive = Path(work) / "backup.tar"
        with path.open("rb") as source, archive.open("wb") as target:
            decrypt(source, target, key)
        folder = Path(work) / "content"
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")  # no links, no paths out of the folder
        manifest = json.loads((folder / "manifest.json").read_text())
        fixture = folder / "database.exactjsonl"
        if hashlib.sha256(fixture.read_bytes()).hexdigest() != manifest["fixture_sha256"]:
            raise BackupError("The database in the backup does not match its manifest.")
        with transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
            counts = _counts()
            if counts != manifest["counts"]:
                differ = sorted(
                    name for name in manifest["counts"] if counts.get(name) != manifest["counts"][name]
                )
                raise BackupError(f"The restored database differs from the backup in: {', '.join(differ)}.")
        media = Path(settings.MEDIA_ROOT)
        for name in manifest["files"]:
            target = media / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(folder / "files" / name, target)  # the temporary folder may be on another disk
    return manifest
