"""Real Kordon nodes on loopback, each a `kordon serve` process with its own database and key,
exchanging seizures as their administrators would: pairing, sync, suspension, withdrawal, the H2
rule, tampering and replay, catch-up after downtime, and a file bundle for an offline post."""

import json
import random
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from kordon.federation.outgoing import BATCH
from kordon.federation.tests.nodes import AGENCY, ALL, AMBER, GREEN, PARTNERS, RED, Node, post_change_set
from kordon.seizures.tests.files import TEMPLATE, row, write_csv


def test_two_nodes_share_what_the_agreement_covers_and_nothing_else(nodes: Callable[[str], Node]) -> None:
    kg, uz = nodes("kg-dcs"), nodes("uz-customs")
    kg.pair(uz, "UZ-CUSTOMS")
    uz.pair(kg, "KG-DCS")
    identity = json.load(urllib.request.urlopen(kg.url + "/federation/identity", timeout=10))  # noqa: S310
    assert identity == {"name": "kg-dcs", "public_key": kg.public_key}

    kg.record(
        ("KG-SHARED", AMBER, "H2", PARTNERS),
        ("KG-OWN-AGENCY", AMBER, "H0", AGENCY),
        ("KG-RED", RED, "H0", PARTNERS),
    )
    assert "1 changes" in kg.kordon("federation", "sync").stdout
    assert uz.sees("uz.blo.dustlik") == {"KG-SHARED": ("kg-dcs", "truck 01KG123ABC")}
    assert uz.sees("tj.analyst") == {}, "no agreement: the Tajik analyst sees nothing of it"
    refused = uz.kordon(
        "shell", "-c",
        "from kordon.core.models import User; from kordon.seizures.models import Seizure; "
        "from kordon.seizures.services import seizure_delete\n"
        "try:\n    seizure_delete(actor=User.objects.get(username='admin'), "
        "seizure_id=Seizure.objects.get(reference='KG-SHARED').pk)\n"
        "except Exception as error:\n    print(error)",
    ).stdout  # fmt: skip
    assert "изменить его может только этот узел" in refused  # the node's default language, Russian
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-SHARED"}

    kg.change("KG-SHARED", narrative="truck 01KG123ABC, container MSKU1234565")
    assert "1 changes" in kg.kordon("federation", "sync").stdout
    assert uz.sees("uz.blo.dustlik")["KG-SHARED"][1] == "truck 01KG123ABC, container MSKU1234565"
    assert "0 changes" in kg.kordon("federation", "sync").stdout, "nothing new, nothing sent"

    # The owner narrows the distribution: the record is withdrawn from the partner's node.
    kg.change("KG-SHARED", distribution=AGENCY)
    kg.kordon("federation", "sync")
    assert uz.sees("uz.blo.dustlik") == {}
    assert uz.scratch.count("SELECT count(*) FROM seizures_seizure") == 0

    # Suspending the MOU withdraws everything it covered.
    kg.record(("KG-UNDER-MOU", AMBER, "H0", PARTNERS))
    kg.kordon("federation", "sync")
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-UNDER-MOU"}
    kg.agreement("suspended")
    kg.kordon("federation", "sync")
    assert uz.sees("uz.blo.dustlik") == {}

    # The peer is down: the sync says so and keeps the change; once it is back it catches up.
    kg.agreement("active")
    uz.stop()
    kg.record(("KG-WHILE-DOWN", GREEN, "H1", PARTNERS))
    down = kg.kordon("federation", "sync", check=False)
    assert down.returncode != 0 and "did not answer" in down.stderr
    uz.start()
    kg.kordon("federation", "sync")
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-UNDER-MOU", "KG-WHILE-DOWN"}


def test_a_file_bundle_travels_and_altered_replayed_or_unsigned_sets_are_refused(
    nodes: Callable[[str], Node], tmp_path: Path
) -> None:
    kg, uz = nodes("kg-dcs"), nodes("uz-customs")
    kg.pair(uz, "UZ-CUSTOMS")
    uz.pair(kg, "KG-DCS")
    kg.record(("KG-BY-USB", AMBER, "H0", PARTNERS))
    bundle = tmp_path / "for-uz.jsonl"
    assert (
        "1 change sets"
        in kg.kordon("federation", "export", "--peer", "uz-customs", "--out", str(bundle)).stdout
    )

    altered = tmp_path / "altered.jsonl"
    altered.write_text(bundle.read_text().replace("01KG123ABC", "01KG999ABC"))
    refused = uz.kordon("federation", "import", str(altered), check=False)
    assert refused.returncode != 0 and "signature does not match" in refused.stderr
    assert uz.sees("uz.blo.dustlik") == {}

    assert "1 new" in uz.kordon("federation", "import", str(bundle)).stdout
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-BY-USB"}
    replayed = uz.kordon("federation", "import", str(bundle), check=False)
    assert replayed.returncode != 0 and "replay" in replayed.stderr

    envelope = json.loads(bundle.read_text().splitlines()[0])
    status, answer = post_change_set(uz.url, {"body": envelope["body"]})
    assert status == 422 and "signature" in answer["reason"]
    envelope["body"]["sequence"] += 1
    status, answer = post_change_set(uz.url, envelope)
    assert status == 422 and "signature" in answer["reason"], "a new number needs a new signature"
    audit = uz.scratch.count("SELECT count(*) FROM access_auditentry WHERE action = 'federation_refuse'")
    assert audit == 4


def test_a_record_marked_h2_goes_no_further_than_its_first_recipient(nodes: Callable[[str], Node]) -> None:
    kg, uz, tj = nodes("kg-dcs"), nodes("uz-customs"), nodes("tj-dca")
    kg.pair(uz, "UZ-CUSTOMS")
    uz.pair(kg, "KG-DCS")
    uz.pair(tj, "TJ-DCA")
    tj.pair(uz, "UZ-CUSTOMS")
    kg.record(("KG-MAY-GO-ON", GREEN, "H0", ALL), ("KG-H2", GREEN, "H2", ALL))
    kg.kordon("federation", "sync")
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-MAY-GO-ON", "KG-H2"}
    uz.kordon("federation", "sync")
    assert tj.sees("tj.analyst") == {"KG-MAY-GO-ON": ("kg-dcs", "truck 01KG123ABC")}

    # A node that passes an H2 record on anyway is refused by the third one, and nothing is kept.
    forged = uz.script(
        """
import json
from kordon.federation import identity
from kordon.federation.models import Peer
from kordon.federation.outgoing import change_sets, pending
from kordon.seizures.models import Seizure
tj = Peer.objects.get(name="tj-dca")
Seizure.objects.filter(reference="KG-H2").update(handling_code="H0")
change_set = next(change_sets(tj, pending(tj)))
for change in change_set.body["changes"]:
    change["record"]["handling_code"] = "H2"
print(json.dumps(identity.sign(change_set.body)))
""",
        "",
    )
    status, answer = post_change_set(tj.url, json.loads(forged.strip().splitlines()[-1]))
    assert status == 422 and "H2" in answer["reason"]
    assert set(tj.sees("tj.analyst")) == {"KG-MAY-GO-ON"}


def test_a_sync_killed_at_any_moment_leaves_both_nodes_consistent_and_catches_up(
    nodes: Callable[[str], Node], tmp_path: Path
) -> None:
    """SIGKILL to the sending command at random moments, and to the receiving server while it
    applies a change set: the receiver holds whole change sets only, every received seizure with
    its provenance, and the next sync brings exactly the rest, without duplicates."""
    kg, uz = nodes("kg-dcs"), nodes("uz-customs")
    kg.pair(uz, "UZ-CUSTOMS")
    uz.pair(kg, "KG-DCS")
    total = 30000
    path = write_csv(
        tmp_path / "seizures.csv", [TEMPLATE] + [row(f"FED-{number}") for number in range(total)]
    )
    kg.kordon("import", "seizures", str(path), "--unit", "kg-dcs-blo-dostuk", "--user", "kg.blo.dostuk")
    kg.kordon(
        "shell", "-c", "from kordon.seizures.models import Seizure; Seizure.objects.update(distribution=2)"
    )

    def consistent() -> int:
        held = uz.scratch.count("SELECT count(*) FROM seizures_seizure")
        assert held == uz.scratch.count("SELECT count(*) FROM federation_receivedrecord")
        assert held == uz.scratch.count("SELECT count(*) FROM seizures_seizureitem")
        assert held % BATCH == 0 or held == total, f"{held} seizures: a change set was applied in part"
        return held

    # The command starts in under a second and then sends about 3,000 seizures a second: four
    # kills within 1.6 s of a start leave most of the 30,000 to send when the receiver is killed.
    moments = random.Random(20261128)
    for _attempt in range(3):
        sync = kg.scratch.start("federation", "sync")
        time.sleep(moments.uniform(0.8, 1.6))
        assert sync.poll() is None, "the sync finished before it could be killed; send more seizures"
        sync.send_signal(signal.SIGKILL)
        sync.wait(timeout=30)
        consistent()

    sync = kg.scratch.start("federation", "sync")
    time.sleep(moments.uniform(0.8, 1.6))
    assert sync.poll() is None, "the sync finished before the receiver could be killed"
    uz.server.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
    uz.server.wait(timeout=30)  # type: ignore[union-attr]
    uz.server = None
    sync.wait(timeout=60)
    assert sync.returncode != 0, "the sync says the peer went away"
    uz.start()
    assert consistent() < total

    kg.kordon("federation", "sync")
    assert consistent() == total
    assert uz.scratch.count("SELECT count(DISTINCT reference) FROM seizures_seizure") == total
    assert "intact" in uz.kordon("audit", "verify").stdout
    assert "intact" in kg.kordon("audit", "verify").stdout


# A pull request signed by the node, for its peer named in the argument, as `sync` would send it.
PULL_REQUEST = """
from kordon.federation import pulling
from kordon.federation.models import Peer
print(pulling.request(Peer.objects.get(name=sys.argv[-1])).decode())
"""


def post_pull(url: str, request: str) -> tuple[int, bytes]:
    call = urllib.request.Request(url + "/federation/pull", data=request.encode(), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310 (our own local server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_post_the_peer_cannot_reach_fetches_what_it_is_owed(nodes: Callable[[str], Node]) -> None:
    """The Uzbek post is behind a firewall: the Kyrgyz node has no address for it. The post fetches
    what it is owed; a change set lost on the way is given again, a replayed request gets
    nothing, and a peer this node pushes to cannot fetch."""
    kg, uz = nodes("kg-dcs"), nodes("uz-customs")
    kg.kordon("federation", "pair", uz.name, "--public-key", uz.public_key, "--agency", "UZ-CUSTOMS")
    kg.kordon("federation", "approve", uz.name)
    uz.kordon(
        "federation", "pair", kg.name, "--public-key", kg.public_key, "--url", kg.url,
        "--agency", "KG-DCS", "--pull",
    )  # fmt: skip
    uz.kordon("federation", "approve", kg.name)
    kg.record(
        ("KG-FETCHED", AMBER, "H1", PARTNERS),
        ("KG-LATER-WITHDRAWN", AMBER, "H1", PARTNERS),
        ("KG-OWN-AGENCY", AMBER, "H1", AGENCY),
    )
    assert "No approved peer has an address" in kg.kordon("federation", "sync").stdout
    assert "2 changes fetched" in uz.kordon("federation", "sync").stdout
    assert set(uz.sees("uz.blo.dustlik")) == {"KG-FETCHED", "KG-LATER-WITHDRAWN"}
    assert "0 changes fetched" in uz.kordon("federation", "sync").stdout

    # A change set given but lost on the way (never applied) is given again, with what changed since.
    kg.change("KG-FETCHED", narrative="truck 01KG123ABC, driver detained")
    request = uz.script(PULL_REQUEST, kg.name).strip().splitlines()[-1]
    status, lost = post_pull(kg.url, request)
    assert status == 200 and b"driver detained" in lost
    kg.change("KG-LATER-WITHDRAWN", distribution=AGENCY)
    assert "2 changes fetched" in uz.kordon("federation", "sync").stdout
    assert uz.sees("uz.blo.dustlik") == {"KG-FETCHED": ("kg-dcs", "truck 01KG123ABC, driver detained")}
    assert uz.scratch.count("SELECT count(*) FROM federation_receivedrecord") == 1

    # The request replayed by someone who recorded it gets nothing.
    status, answer = post_pull(kg.url, request)
    assert status == 422 and b"replay" in answer
    status, answer = post_pull(kg.url, request.replace('"accepted_up_to":', '"accepted_up_to":1'))
    assert status == 422 and b"signature" in answer

    # Once the Kyrgyz node has the post's address, it pushes, and fetching is refused with the reason.
    kg.kordon(
        "federation",
        "pair",
        uz.name,
        "--public-key",
        uz.public_key,
        "--url",
        uz.url,
        "--agency",
        "UZ-CUSTOMS",
    )
    fetching = uz.kordon("federation", "sync", check=False)
    assert fetching.returncode != 0 and "sends uz-customs its changes itself" in fetching.stderr
    assert "intact" in kg.kordon("audit", "verify").stdout
