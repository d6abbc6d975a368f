"""Peers (other Kordon nodes this node exchanges records with) and what went to and came from each.

The exchange follows MISP's synchronisation: only what the agreements release leaves the node,
each peer has its own filter (record kinds, TLP ceiling), and a received record is read-only and
keeps the name of the node that owns it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import Tlp
from kordon.core.models import Agency
from kordon.federation.identity import validate_public_key


class PeerStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    SUSPENDED = "suspended", _("suspended")


class Peer(models.Model):
    """Another Kordon node, known by its name, its Ed25519 public key and its address.

    `agencies` are the agencies whose users work on that node: what this node sends it is what
    members of those agencies may see here under the agreements in force, within the peer's own
    limits (record kinds, TLP ceiling). Nothing flows until an administrator approves the peer.
    """

    name = models.CharField(_("node name"), max_length=100, unique=True)
    public_key = models.CharField(
        _("public key (Ed25519, base64)"), max_length=64, unique=True, validators=[validate_public_key]
    )
    url = models.URLField(
        _("address"),
        blank=True,
        help_text=_("Empty for a node this one cannot reach: a post that exchanges files, or that fetches."),
    )
    pull = models.BooleanField(
        _("fetch its changes from it"),
        default=False,
        help_text=_(
            "For a post that the peer cannot reach (behind a firewall): ask the peer for what it owes."
        ),
    )
    agencies = models.ManyToManyField(Agency, related_name="+", verbose_name=_("agencies on that node"))
    record_kinds = models.JSONField(_("record kinds"), default=list)
    tlp_ceiling = models.PositiveSmallIntegerField(
        _("highest TLP that may flow"), choices=Tlp.choices, default=Tlp.AMBER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PeerStatus.choices, default=PeerStatus.PENDING
    )
    # The last change set number used towards the peer, and the last one accepted from it: a
    # change set whose number is not above the last accepted one is a replay and is refused.
    sent_sequence = models.BigIntegerField(default=0)
    received_sequence = models.BigIntegerField(default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_received_at = models.DateTimeField(_("last received"), null=True, blank=True)
    last_error = models.CharField(_("last problem"), max_length=500, blank=True)
    # Towards a peer that fetches: the change set it was given last, until its next request says
    # it accepted it (kordon.federation.pulling); and the moment of that request, so that a
    # request replayed by someone else is refused.
    served = models.JSONField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("peer node")
        verbose_name_plural = _("peer nodes")

    def __str__(self) -> str:
        return self.name


class SentRecord(models.Model):
    """A record the peer holds a copy of, as of `version`: what the next change set compares with.
    A record that is no longer released to the peer (withdrawn, marking raised, agreement
    suspended) is sent as a tombstone and its row removed."""

    peer = models.ForeignKey(Peer, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    local_id = models.BigIntegerField()
    origin = models.CharField(max_length=100)
    origin_id = models.BigIntegerField()
    version = models.CharField(max_length=40)
    # A seizure's last change as sent (its version as a time): the database compares it with the
    # seizure's and hands back only the seizures that changed, instead of every row to compare here.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "kind", "local_id"], name="federation_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.origin}/{self.origin_id} at {self.peer_id}"


class ReceivedRecord(models.Model):
    """Where a record received from another node lives here. `origin` and `origin_id` name it on
    the node that owns it, which may not be the peer that sent it."""

    peer = models.ForeignKey(Peer, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    origin = models.CharField(max_length=100)
    origin_id = models.BigIntegerField()
    local_id = models.BigIntegerField()
    version = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "origin", "origin_id"], name="federation_received_once"),
        ]
        indexes = [models.Index(fields=["kind", "local_id"], name="federation_received_local")]

    def __str__(self) -> str:
        return f"{self.kind} {self.origin}/{self.origin_id}"
