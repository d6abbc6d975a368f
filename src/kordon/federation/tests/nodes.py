"""Real Kordon nodes on loopback for the federation tests: each a `kordon serve` process with its
own database and key, set up with the demo organisations, accounts and agreements, and driven as
its administrator would (the `kordon` command and its shell)."""

import json
import subprocess
import urllib.error
import urllib.request
from typing import Any

from kordon.conftest import PASSWORD, ScratchNode

SETUP = f"""
from django.core.management import call_command
from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.core.demo import build_accounts, build_organisations
call_command("load_reference", verbosity=0)
with action_context(client_address="test"):
    build_organisations()
    build_accounts({PASSWORD!r})
    build_sharing()
"""

# Record seizures as the Kyrgyz BLO officer: (reference, tlp, handling code, distribution).
RECORD = """
import datetime, decimal, json, sys
from kordon.access.context import action_context
from kordon.core.models import Unit, User
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create
officer = User.objects.get(username="kg.blo.dostuk")
unit = Unit.objects.get(code="kg-dcs-blo-dostuk")
heroin = Substance.objects.get(code="heroin")
with action_context(client_address="test"):
    for reference, tlp, handling, distribution in json.loads(sys.argv[-1]):
        seizure_create(actor=officer, owner_unit_id=unit.pk, data=SeizureData(
            reference=reference, occurred_on=datetime.date(2013, 5, 17), country_id="KG",
            items=[ItemData(heroin.pk, decimal.Decimal("4.2"), "kg")], narrative="truck 01KG123ABC",
            tlp=tlp, handling_code=handling, distribution=distribution))
"""

# Change one seizure as the node administrator: reference, then field=value pairs (JSON).
CHANGE = """
import json, sys
from kordon.access.context import action_context
from kordon.core.models import User
from kordon.seizures.models import Seizure
from kordon.seizures.services import seizure_data_from, seizure_update
reference, values = json.loads(sys.argv[-1])
admin = User.objects.get(username="admin")
seizure = Seizure.objects.get(reference=reference)
data = seizure_data_from(seizure)
for name, value in values.items():
    setattr(data, name, value)
with action_context(client_address="test"):
    seizure_update(actor=admin, seizure_id=seizure.pk, data=data)
"""

# What a user of this node sees: the references, with the node each came from.
SEES = """
import json, sys
from kordon.core.models import User
from kordon.seizures.models import Seizure
user = User.objects.get(username=sys.argv[-1])
rows = Seizure.objects.restrict(user).order_by("reference").values_list("reference", "origin_node", "narrative")
print(json.dumps([list(row) for row in rows]))
"""

AMBER, GREEN, RED = 2, 1, 4
AGENCY, PARTNERS, ALL = 1, 2, 4


class Node:
    """A scratch node with a name, a key and, while it runs, a server."""

    def __init__(self, scratch: ScratchNode, name: str) -> None:
        self.scratch = scratch
        self.name = name
        scratch.env["KORDON_NODE_NAME"] = name
        scratch.env["KORDON_TWO_FACTOR"] = "optional"
        scratch.run("shell", "-c", SETUP)
        identity = scratch.run("federation", "identity").stdout
        self.public_key = identity.split("Public key:")[1].strip()
        self.server: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.port = 0

    def start(self) -> None:
        self.server, self.url = self.scratch.serve(self.port)
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.server = None

    def kordon(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.scratch.run(*args, check=check)

    def script(self, code: str, argument: str) -> str:
        """Run `code` in the node's shell with `argument` as its last sys.argv."""
        return self.kordon("shell", "-c", f"import sys; sys.argv.append({argument!r})\n{code}").stdout

    def record(self, *seizures: tuple[str, int, str, int]) -> None:
        self.script(RECORD, json.dumps(list(seizures)))

    def change(self, reference: str, **values: Any) -> None:
        self.script(CHANGE, json.dumps([reference, values]))

    def sees(self, username: str) -> dict[str, tuple[str, str]]:
        rows = json.loads(self.script(SEES, username).strip().splitlines()[-1])
        return {reference: (origin, narrative) for reference, origin, narrative in rows}

    def pair(self, other: "Node", *agencies: str) -> None:
        self.kordon(
            "federation", "pair", other.name, "--public-key", other.public_key, "--url", other.url,
            *(argument for agency in agencies for argument in ("--agency", agency)),
        )  # fmt: skip
        self.kordon("federation", "approve", other.name)

    def agreement(self, status: str) -> None:
        self.kordon(
            "shell", "-c",
            "from kordon.access.models import SharingAgreement; "
            f"SharingAgreement.objects.filter(title__startswith='MOU KG DCS – UZ Customs').update(status={status!r})",
        )  # fmt: skip


def post_change_set(url: str, envelope: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        url + "/federation/changes", data=json.dumps(envelope).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
