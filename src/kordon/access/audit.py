"""The audit trail: append a hash-chained line in the transaction of the change, and verify it."""

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection, models, transaction
from django.utils import timezone

from kordon.access import policy
from kordon.access.context import current_context
from kordon.access.models import AuditChainHead, AuditEntry

GENESIS_HASH: Final = "0" * 64

# Actions written to the trail. Kept as plain strings so later modules add their own.
CREATE: Final = "create"
UPDATE: Final = "update"
DELETE: Final = "delete"
VIEW: Final = "view"
EXPORT: Final = "export"
IMPORT: Final = "import"
LOGIN: Final = "login"
LOGIN_FAILED: Final = "login_failed"
LOGOUT: Final = "logout"
TOKEN_CREATE: Final = "token_create"
TOKEN_REVOKE: Final = "token_revoke"
TWO_FACTOR_ENROL: Final = "two_factor_enrol"
TWO_FACTOR_PASSED: Final = "two_factor_passed"
TWO_FACTOR_RESET: Final = "two_factor_reset"
VERIFY: Final = "audit_verify"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON copy of a model instance's own columns, for the before/after of an audit line."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        data[field.attname] = _jsonable(field.value_from_object(instance))
    return data


def _payload(entry: AuditEntry) -> str:
    fields = {
        "seq": entry.seq,
        "at": _jsonable(entry.at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_unit_id": entry.actor_unit_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "object_owner_unit_id": entry.object_owner_unit_id,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_payload(entry).encode("utf-8")).hexdigest()


def _locked_head() -> AuditChainHead:
    """The chain's head row, locked until the transaction ends; made at the first line ever."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditChainHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
    return head


def _acting_unit_id(actor: Any) -> int | None:
    scope = policy.scope_for(actor)
    if scope is None or not scope.roles:
        return None
    return next(iter(scope.roles))


def audit_log(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    owner_unit_id: int | None = None,
    before: Any = None,
    after: Any = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one line to the audit trail. Must run inside the transaction of what it records,
    so that the change and its audit line are committed together or not at all."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_log() must run inside the transaction of the change it records")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)
        owner_unit_id = owner_unit_id or getattr(instance, "owner_unit_id", None)
    context = current_context()
    head = _locked_head()
    user_known = actor is not None and getattr(actor, "pk", None) is not None
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor if user_known else None,
        actor_name=actor_name or (actor.get_username() if user_known else "system"),
        actor_unit_id=_acting_unit_id(actor) if user_known else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        object_owner_unit_id=owner_unit_id,
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=context.request_id,
        client_address=context.client_address[:64],
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    head.seq = entry.seq
    head.hash = entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Recompute every hash in order. Reports the first line that was changed, removed or
    inserted, or a tail that was cut off (the head row remembers the last line)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    with transaction.atomic():
        head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(seq=0, hash=GENESIS_HASH)
        for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
            if entry.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, f"line {expected_seq} is missing")
            if entry.prev_hash != expected_prev:
                return ChainReport(False, checked, entry.seq, "does not follow the line before it")
            if entry_hash(entry) != entry.hash:
                return ChainReport(False, checked, entry.seq, "its content was changed after it was written")
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
    if head.seq != checked or head.hash != expected_prev:
        return ChainReport(False, checked, checked + 1, "lines at the end of the trail were removed")
    return ChainReport(True, checked)


def audit_verify(*, actor: Any) -> ChainReport:
    """Verify the chain and record that it was verified (and with what result)."""
    report = verify_chain()
    with transaction.atomic():
        audit_log(
            actor=actor,
            action=VERIFY,
            object_type="access.auditentry",
            after={"ok": report.ok, "checked": report.checked, "first_broken": report.first_broken},
        )
    return report


def audit_read(actor: Any, record: models.Model, action: str = VIEW, **details: Any) -> Any:
    """Write the audit line of reading `record`'s detail (or exporting it) in its own
    transaction, and return the record: `return audit_read(user, record)` in a selector or view."""
    with transaction.atomic():
        audit_log(actor=actor, action=action, instance=record, after=details or None)
    return record
