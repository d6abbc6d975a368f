"""Backups: a node's database and files, encrypted with the operator's key, restored into an
empty node that then holds the same records and whose audit chain verifies; a changed, cut or
reordered backup, or the wrong key, restores nothing."""

import io
import secrets
import struct
from pathlib import Path

import pytest

from kordon.conftest import ScratchNode
from kordon.core.backup import CHUNK, MAGIC, BackupError, decrypt, encrypt

TABLES = ("core_user", "seizures_seizure", "seizures_seizureitem", "entities_entity", "cases_custodyevent",
          "access_auditentry", "access_sharingagreement")  # fmt: skip


def test_a_backup_restores_into_an_empty_node_as_it_was(scratch_node: ScratchNode, tmp_path: Path) -> None:
    source = scratch_node
    source.run("demo", "--password", "scratch-password-1")
    upload = Path(source.env["KORDON_DATA_DIR"]) / "files" / "imports" / "2013" / "09" / "dostuk.csv"
    upload.parent.mkdir(parents=True)
    upload.write_text("reference,date\nKG-1,2013-09-14\n", encoding="utf-8")
    key, backup = tmp_path / "backup.key", tmp_path / "node.kordon-backup"
    source.run("backup", "--new-key", str(key))
    source.run("backup", "--out", str(backup), "--key", str(key))
    assert backup.read_bytes().startswith(MAGIC) and b"KG-DCS" not in backup.read_bytes()  # encrypted

    target = ScratchNode(tmp_path / "target", f"sqlite:///{tmp_path / 'target.sqlite3'}")
    target.run("migrate", "--no-input")
    restored = target.run("restore", str(backup), "--key", str(key))
    assert '"audit_lines_verified"' in restored.stdout
    for table in TABLES:
        counting = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 (table names from TABLES above)
        assert target.count(counting) == source.count(counting) > 0, table
    assert (
        Path(target.env["KORDON_DATA_DIR"]) / "files" / "imports" / "2013" / "09" / "dostuk.csv"
    ).read_text(encoding="utf-8") == upload.read_text(encoding="utf-8")
    target.run("audit", "verify")
    again = target.run("restore", str(backup), "--key", str(key), check=False)
    assert again.returncode != 0 and "empty node" in again.stderr

    # A changed byte, or another key: nothing is restored.
    changed = tmp_path / "changed.kordon-backup"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 1
    changed.write_bytes(bytes(data))
    other_key = tmp_path / "other.key"
    target.run("backup", "--new-key", str(other_key))
    empty = ScratchNode(tmp_path / "empty", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    empty.run("migrate", "--no-input")
    for file, used in ((changed, key), (backup, other_key)):
        refused = empty.run("restore", str(file), "--key", str(used), check=False)
        assert refused.returncode != 0 and "was changed, or the key is not" in refused.stderr
    assert empty.count("SELECT COUNT(*) FROM core_user") == 0


def _sealed(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    encrypt(io.BytesIO(data), out, key)
    return out.getvalue()


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    head, rest = sealed[: len(MAGIC) + 8], sealed[len(MAGIC) + 8 :]
    chunks = []
    while rest:
        size = struct.unpack(">I", rest[:4])[0]
        chunks.append(rest[: 4 + size])
        rest = rest[4 + size :]
    return head, chunks


def test_a_cut_or_reordered_backup_is_refused() -> None:
    key, data = secrets.token_bytes(32), secrets.token_bytes(2 * CHUNK + 1000)
    sealed = _sealed(data, key)
    plain = io.BytesIO()
    decrypt(io.BytesIO(sealed), plain, key)
    assert plain.getvalue() == data
    head, chunks = _chunks(sealed)
    assert len(chunks) == 3
    for broken, words in (
        (head + chunks[0] + chunks[1], "cut short"),  # the last chunk is gone
        (head + chunks[1] + chunks[0] + chunks[2], "was changed"),  # reordered
        (sealed + b"x", "after its end"),
    ):
        with pytest.raises(BackupError, match=words):
            decrypt(io.BytesIO(broken), io.BytesIO(), key)
