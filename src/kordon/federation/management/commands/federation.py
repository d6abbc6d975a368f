import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.access.markings import RecordKind, Tlp
from kordon.federation import identity
from kordon.federation.incoming import Refused
from kordon.federation.models import Peer, PeerStatus
from kordon.federation.services import (
    PairingProblem,
    exchange_all,
    export_bundle,
    forget_sent,
    import_bundle,
    peer_pair,
    peer_set_status,
    pull,
    push,
)

TLP_NAMES = {"clear": Tlp.CLEAR, "green": Tlp.GREEN, "amber": Tlp.AMBER, "amber+strict": Tlp.AMBER_STRICT}
CONSOLE = "server console"


class Command(BaseCommand):
    help = (
        "Exchange with other Kordon nodes. Pair two nodes: run `kordon federation identity` on each, "
        "then `kordon federation pair` with the other's name, address and key, and `kordon federation "
        "approve NAME`. `kordon federation sync --every 5` keeps the peers up to date; a post without "
        "a connection uses `export` and `import` with a file."
    )
    # Django's system checks import every page's code, about 4 seconds before anything is sent;
    # `kordon check` runs them (and the deployment checklist) where they belong.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser(
            "identity", help="this node's name and public key, to give to a peer's administrator"
        )
        pair = verbs.add_parser("pair", help="record a peer node (or change its settings); approve it next")
        pair.add_argument("name", help="the peer's node name (its KORDON_NODE_NAME)")
        pair.add_argument(
            "--public-key", required=True, help="the key printed by `kordon federation identity` there"
        )
        pair.add_argument(
            "--url",
            default="",
            help="the peer's https:// address (none for a post it cannot reach: one that exchanges files or fetches)",
        )
        pair.add_argument(
            "--pull",
            action="store_true",
            help="this node cannot be reached by the peer (a post behind a firewall): fetch its changes from it",
        )
        pair.add_argument(
            "--agency", action="append", required=True, help="code of an agency on that node (repeat)"
        )
        pair.add_argument(
            "--kinds",
            default=",".join((RecordKind.SEIZURES, RecordKind.ALERTS, RecordKind.REQUESTS)),
            help="record kinds it may exchange, comma-separated (seizures,alerts,requests)",
        )
        pair.add_argument(
            "--tlp", default="amber", choices=sorted(TLP_NAMES), help="highest TLP that may flow"
        )
        for verb, text in (
            ("approve", "start exchanging with a paired peer"),
            ("suspend", "stop exchanging at once"),
        ):
            verbs.add_parser(verb, help=text).add_argument("name")
        verbs.add_parser("peers", help="list the peers, their state and their last exchange")
        sync = verbs.add_parser(
            "sync", help="send each approved peer what it is owed, and fetch from those this node pulls from"
        )
        sync.add_argument("--peer", help="only this peer")
        sync.add_argument("--every", type=float, help="keep running, once every so many seconds")
        export = verbs.add_parser("export", help="write what a peer is owed into a signed file")
        export.add_argument("--peer", required=True)
        export.add_argument("--out", required=True, type=Path)
        export.add_argument("--again", action="store_true", help="include everything again (a lost file)")
        load = verbs.add_parser("import", help="apply a file exported by a peer")
        load.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        with action_context(client_address="cli"):
            try:
                getattr(self, f"_{verb}")(options)
            except PairingProblem as problem:
                raise CommandError(str(problem)) from None
            except Refused as refusal:
                raise CommandError(f"Nothing was imported. {refusal.reason}") from None

    def _identity(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"Node name:  {identity.node_name()}")
        self.stdout.write(f"Public key: {identity.public_key_text()}")

    def _pair(self, options: dict[str, Any]) -> None:
        peer = peer_pair(
            actor=None,
            name=options["name"],
            public_key=options["public_key"],
            url=options["url"],
            agencies=options["agency"],
            record_kinds=[kind.strip() for kind in options["kinds"].split(",") if kind.strip()],
            tlp_ceiling=TLP_NAMES[options["tlp"]],
            pull=options["pull"],
        )
        self.stdout.write(
            f"{peer.name} is {peer.get_status_display()}. Run `kordon federation approve {peer.name}`."
        )

    def _approve(self, options: dict[str, Any]) -> None:
        peer = peer_set_status(actor=None, name=options["name"], status=PeerStatus.APPROVED)
        self.stdout.write(f"{peer.name} is approved: records flow at the next `kordon federation sync`.")

    def _suspend(self, options: dict[str, Any]) -> None:
        peer = peer_set_status(actor=None, name=options["name"], status=PeerStatus.SUSPENDED)
        self.stdout.write(f"{peer.name} is suspended: nothing is sent to it or accepted from it.")

    def _peers(self, options: dict[str, Any]) -> None:
        for peer in Peer.objects.prefetch_related("agencies").order_by("name"):
            agencies = ", ".join(agency.code for agency in peer.agencies.all())
            self.stdout.write(
                f"{peer.name:<20} {peer.get_status_display():<22} {agencies}  "
                f"{'fetched from, ' if peer.pull else ''}sent #{peer.sent_sequence} "
                f"{peer.last_sent_at or '-'}  received #{peer.received_sequence} {peer.last_received_at or '-'}"
                + (f"\n  problem: {peer.last_error}" if peer.last_error else "")
            )

    def _sync(self, options: dict[str, Any]) -> None:
        while True:
            if options["peer"]:
                peer = Peer.objects.filter(name=options["peer"], status=PeerStatus.APPROVED).first()
                if peer is None:
                    raise CommandError(f"There is no approved peer {options['peer']!r}.")
                results = [push(peer)] + ([pull(peer)] if peer.pull else [])
            else:
                results = exchange_all()
            for result in results:
                if result.problem:
                    self.stderr.write(result.problem)
                elif result.changes or not options["every"]:
                    self.stdout.write(
                        f"{result.peer}: {result.changes} changes {'fetched' if result.fetched else 'sent'} "
                        f"in {result.change_sets} change sets."
                    )
            if not options["every"]:
                if not results:
                    self.stdout.write(
                        "No approved peer has an address here: those without one fetch from this "
                        "node themselves, or exchange files (`kordon federation export`)."
                    )
                if any(result.problem for result in results):
                    raise CommandError("Some peers were not brought up to date (see above).")
                return
            time.sleep(options["every"])

    def _export(self, options: dict[str, Any]) -> None:
        if options["again"]:
            forget_sent(options["peer"], actor=None)
        count = export_bundle(options["peer"], options["out"])
        self.stdout.write(f"{options['out']}: {count} change sets for {options['peer']}.")

    def _import(self, options: dict[str, Any]) -> None:
        if not options["file"].is_file():
            raise CommandError(f"{options['file']} is not a file.")
        for applied in import_bundle(options["file"]):
            self.stdout.write(
                f"Change set {applied.sequence} from {applied.peer}: {applied.created} new, "
                f"{applied.updated} changed, {applied.unchanged} already here, {applied.withdrawn} withdrawn, "
                f"{applied.replies} replies to this node's alerts and requests."
            )
