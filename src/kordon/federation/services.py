"""Pairing with peers, sending them change sets over HTTPS or fetching theirs, and file bundles for
offline posts."""

import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction

from kordon.access.audit import audit_log
from kordon.access.markings import RecordKind, Tlp
from kordon.core.models import Agency
from kordon.federation import identity, pulling
from kordon.federation.incoming import Applied, Refused, receive, record_refusal, sender_of
from kordon.federation.models import Peer, PeerStatus, SentRecord
from kordon.federation.outgoing import ChangeSet, change_sets, pending, record_accepted, skip_to

INBOX_PATH = "/federation/changes"
TIMEOUT_SECONDS = 60


class PairingProblem(Exception):
    """A peer's settings that cannot be used, with what to do about it."""


@transaction.atomic
def peer_pair(
    *,
    actor: Any,
    name: str,
    public_key: str,
    url: str,
    agencies: list[str],
    record_kinds: list[str],
    tlp_ceiling: int,
    pull: bool = False,
) -> Peer:
    """Record another node (or change its settings). It stays waiting until approved. `pull`:
    the peer cannot reach this node, which fetches its changes from it (kordon.federation.pulling)."""
    try:
        identity.load_public_key(public_key)
    except ValueError as error:
        raise PairingProblem(
            f"The public key is not usable: {error}. Copy it again from `kordon federation identity` on that node."
        ) from None
    if name == identity.node_name():
        raise PairingProblem(
            "That is the name of this node; each node needs its own name (KORDON_NODE_NAME)."
        )
    unknown_kinds = sorted(set(record_kinds) - set(RecordKind.values))
    if unknown_kinds:
        raise PairingProblem(
            f"Unknown record kinds {', '.join(unknown_kinds)}; use {', '.join(RecordKind.values)}."
        )
    if tlp_ceiling not in Tlp.values:
        raise PairingProblem("Unknown TLP ceiling.")
    found = dict(Agency.objects.filter(code__in=agencies).values_list("code", "pk"))
    missing = sorted(set(agencies) - set(found))
    if missing or not agencies:
        raise PairingProblem(f"Unknown agency codes: {', '.join(missing) or '(none given)'}.")
    peer = Peer.objects.filter(name=name).first()
    before = _settings(peer) if peer else None
    if peer is None:
        peer = Peer(name=name)
    elif peer.public_key != public_key.strip():
        peer.status = PeerStatus.PENDING  # a new key is a new pairing: approve it again
    peer.public_key = public_key.strip()
    peer.url = url.rstrip("/")
    peer.record_kinds = sorted(set(record_kinds))
    peer.tlp_ceiling = tlp_ceiling
    peer.pull = pull
    peer.save()
    peer.agencies.set(found.values())
    audit_log(actor=actor, action="peer_pair", instance=peer, before=before, after=_settings(peer))
    return peer


def _settings(peer: Peer) -> dict[str, Any]:
    return {
        "name": peer.name,
        "public_key": peer.public_key,
        "url": peer.url,
        "agencies": sorted(peer.agencies.values_list("code", flat=True)),
        "record_kinds": peer.record_kinds,
        "tlp_ceiling": peer.tlp_ceiling,
        "pull": peer.pull,
        "status": peer.status,
    }


@transaction.atomic
def peer_set_status(*, actor: Any, name: str, status: str) -> Peer:
    peer = Peer.objects.select_for_update().filter(name=name).first()
    if peer is None:
        raise PairingProblem(f"There is no peer {name!r}; `kordon federation peers` lists them.")
    before = _settings(peer)
    peer.status = status
    peer.save(update_fields=["status"])
    audit_log(actor=actor, action=f"peer_{status}", instance=peer, before=before, after=_settings(peer))
    return peer


@dataclass
class PushResult:
    peer: str
    change_sets: int = 0
    changes: int = 0
    problem: str = ""
    fetched: bool = False  # pulled from the peer, not pushed to it


def _call(url: str, data: bytes) -> tuple[int, bytes]:
    """POST `data` to a peer's address: the status and the body of its answer."""
    request = urllib.request.Request(  # noqa: S310 (the administrator's https:// address of the peer)
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _reason(status: int, answer: bytes) -> Any:
    try:
        return orjson.loads(answer).get("reason", f"HTTP {status}")
    except (orjson.JSONDecodeError, AttributeError):
        return f"HTTP {status}"


def _post(peer: Peer, envelope: bytes) -> tuple[int, dict[str, Any]]:
    status, answer = _call(peer.url + INBOX_PATH, envelope)
    try:
        body = orjson.loads(answer)
    except orjson.JSONDecodeError:
        body = None
    return status, body if isinstance(body, dict) else {"reason": f"HTTP {status}"}


def push(peer: Peer) -> PushResult:
    """Send the peer every change set it is owed, until nothing is left or it stops answering.
    The next set is built while one travels, and sent as soon as that one was accepted; what the
    peer accepted is recorded while the next travels. A peer that cannot be reached keeps its
    place: the same changes go at the next attempt. (Should the command stop between sending a
    set and recording the one before, that one's records are sent again: the peer knows them by
    their version, and the numbering resumes after the last set it accepted.)"""
    result = PushResult(peer=peer.name)
    with ThreadPoolExecutor(max_workers=1) as courier:
        while not (owed := pending(peer)).empty:
            in_flight: tuple[ChangeSet, Future[tuple[int, dict[str, Any]]]] | None = None
            for change_set in change_sets(peer, owed):
                envelope = identity.signed(change_set.body)
                accepted = in_flight[0] if in_flight is not None else None
                if in_flight is not None and not _accepted(peer, *in_flight, result):
                    in_flight = None
                    break
                in_flight = (change_set, courier.submit(_post, peer, envelope))
                if accepted is not None:
                    _record(accepted, result)
            if in_flight is not None and _accepted(peer, *in_flight, result):
                _record(in_flight[0], result)
            if result.problem:
                Peer.objects.filter(pk=peer.pk).update(last_error=result.problem[:500])
                return result
    return result


def _accepted(
    peer: Peer, change_set: ChangeSet, answer: Future[tuple[int, dict[str, Any]]], result: PushResult
) -> bool:
    """Wait for the peer's answer to a change set: True when it was accepted and the next may go."""
    try:
        status, body = answer.result()
    except (OSError, ValueError) as error:
        result.problem = f"{peer.name} did not answer ({error}); the changes go at the next attempt."
        return False
    accepted_up_to = body.get("accepted_up_to")
    if status == 409 and isinstance(accepted_up_to, int) and accepted_up_to >= change_set.body["sequence"]:
        skip_to(peer, accepted_up_to)  # it had this one already: number the next after it, and start over
        return False
    if status != 200:
        result.problem = (
            f"{peer.name} refused change set {change_set.body['sequence']}: {body.get('reason', status)}"
        )
        return False
    return True


def _record(change_set: ChangeSet, result: PushResult) -> None:
    record_accepted(change_set, via="https")
    result.change_sets += 1
    result.changes += len(change_set.body["changes"])


def pull(peer: Peer) -> PushResult:
    """Ask a peer that cannot reach this node for the change sets it owes, and apply each with
    the same checks as one pushed, until it has nothing more (kordon.federation.pulling)."""
    result = PushResult(peer=peer.name, fetched=True)
    while True:
        peer.refresh_from_db()
        try:
            status, answer = _call(peer.url + pulling.PULL_PATH, pulling.request(peer))
        except OSError as error:
            result.problem = f"{peer.name} did not answer ({error}); its changes come at the next attempt."
            break
        if status == 204:
            break
        if status != 200:
            result.problem = f"{peer.name} gave no changes: {_reason(status, answer)}"
            break
        try:
            applied = receive(orjson.loads(answer), via="https pull")
        except (Refused, orjson.JSONDecodeError) as error:
            reason = error.reason if isinstance(error, Refused) else "The answer is not JSON."
            record_refusal(peer.name, reason, via="https pull")
            result.problem = f"The change set from {peer.name} was refused: {reason}"
            break
        result.change_sets += 1
        result.changes += (
            applied.created + applied.updated + applied.unchanged + applied.withdrawn + applied.replies
        )
    if result.problem:
        Peer.objects.filter(pk=peer.pk).update(last_error=result.problem[:500])
    return result


def exchange_all() -> list[PushResult]:
    """Push to every approved peer with an address, then fetch from those this node pulls from."""
    peers = list(Peer.objects.filter(status=PeerStatus.APPROVED).exclude(url="").order_by("name"))
    return [push(peer) for peer in peers] + [pull(peer) for peer in peers if peer.pull]


def export_bundle(peer_name: str, out: Path) -> int:
    """Write every change set the peer is owed into one file (JSON lines, one signed set per
    line) for a post without a connection. The peer is taken to hold them from now on: a lost
    bundle is sent again with `--again`."""
    peer = Peer.objects.filter(name=peer_name).first()
    if peer is None:
        raise PairingProblem(f"There is no peer {peer_name!r}; `kordon federation peers` lists them.")
    if peer.status != PeerStatus.APPROVED:
        raise PairingProblem(f"{peer.name} is {peer.get_status_display()}; approve it first.")
    count = 0
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as file:
        for change_set in change_sets(peer, pending(peer)):
            file.write(identity.signed(change_set.body) + b"\n")
            record_accepted(change_set, via=f"file {out.name}")
            count += 1
    partial.replace(out)
    return count


def forget_sent(peer_name: str, *, actor: Any) -> None:
    """Send the peer everything again at the next exchange (a lost bundle, a restored peer)."""
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(name=peer_name)
        deleted, _rows = SentRecord.objects.filter(peer=peer).delete()
        audit_log(actor=actor, action="peer_resend", instance=peer, after={"forgotten": deleted})


def import_bundle(path: Path) -> list[Applied]:
    """Apply a bundle's change sets in order; stop at the first refused one (and say why)."""
    results = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                envelope = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise Refused(f"Line {number} of {path.name} is not JSON: the file is damaged.") from None
            try:
                results.append(receive(envelope, via=f"file {path.name}"))
            except Refused as refusal:
                record_refusal(sender_of(envelope), refusal.reason, via=f"file {path.name}")
                raise Refused(
                    f"Line {number}: {refusal.reason}", accepted_up_to=refusal.accepted_up_to
                ) from None
    return results
