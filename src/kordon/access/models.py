"""Records with markings, the restricted queryset, the audit trail and API tokens."""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access import policy
from kordon.access.markings import Distribution, GradingScheme, HandlingCode, RecordKind, Tlp
from kordon.core.models import Agency, QuickChoiceLabels, Unit


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    EXPIRED = "expired", _("expired")


class AgreementScope(models.TextChoices):
    RECORDS = "records", _("whole records")
    STATISTICS = "statistics", _("statistics only")


class SharingAgreement(models.Model):
    """A memorandum of understanding between agencies, as data: what flows between its parties.

    Every party shares with every other party the record kinds listed, up to the TLP ceiling.
    It is in force only while active and within its dates; the policy reads it at each request,
    so suspending it stops the flow at once.
    """

    title = models.CharField(_("title"), max_length=200)
    document_reference = models.CharField(_("document reference"), max_length=200, blank=True)
    parties = models.ManyToManyField(Agency, related_name="agreements", verbose_name=_("parties"))
    record_kinds = models.JSONField(
        _("record kinds"),
        default=list,
        help_text=format_lazy(_("What flows, as a list of: {kinds}"), kinds=", ".join(RecordKind.values)),
    )
    tlp_ceiling = models.PositiveSmallIntegerField(
        _("highest TLP that may flow"), choices=Tlp.choices, default=Tlp.GREEN
    )
    scope = models.CharField(
        _("what flows"), max_length=12, choices=AgreementScope.choices, default=AgreementScope.RECORDS
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-valid_from", "title"]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")

    def __str__(self) -> str:
        return self.title

    def record_kind_labels(self) -> list[str]:
        return [
            str(RecordKind(kind).label) if kind in RecordKind.values else kind for kind in self.record_kinds
        ]

    def in_force_on(self, day: Any) -> bool:
        return (
            self.status == AgreementStatus.ACTIVE
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class SharingGroup(models.Model):
    """A named set of units and agencies (e.g. "BLO network Fergana valley"). A record with the
    distribution "sharing group" names one group; its members see it without an agreement."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    releasability = models.CharField(_("releasability"), max_length=300, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="sharing_groups", verbose_name=_("units"))
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="sharing_groups", verbose_name=_("agencies")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sharing group")
        verbose_name_plural = _("sharing groups")

    def __str__(self) -> str:
        return self.name


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may do; see kordon.access.policy."""

    def restrict(self, user: Any, action: str = policy.VIEW) -> Self:
        return policy.filter_queryset(self, policy.record_filter(user, action, self.model))

    def for_statistics(self, user: Any) -> Self:
        """What `user` may count in aggregates: what they may see, plus what statistics-only
        agreements let them count. Never use it to show rows."""
        return policy.filter_queryset(self, policy.statistics_filter(user, self.model))


class MarkedRecord(QuickChoiceLabels):
    """Base of every record: an owner unit (and so agency and country) and its markings.

    The default manager is unrestricted because Django itself needs one (migrations, relations,
    the services that write); request code must start from `Model.objects.restrict(user, action)`,
    and a test fails when it does not (kordon/access/tests/test_restriction_lint.py).
    """

    # Not indexed on its own: see Meta.indexes.
    owner_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", db_index=False, verbose_name=_("owner unit")
    )
    # A copy of owner_unit.agency, so that the policy filters on one column without a join; kept
    # consistent by the services, so the database does not check it again (see seizures.models).
    owner_agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("owner agency"),
    )
    tlp = models.PositiveSmallIntegerField(_("TLP"), choices=Tlp.choices, default=Tlp.AMBER)
    handling_code = models.CharField(
        _("handling code"), max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    handling_note = models.CharField(_("handling restrictions (H3)"), max_length=300, blank=True)
    # The grading's letters and digits depend on the scheme (markings.GRADING_CHOICES).
    grading_scheme = models.CharField(
        _("grading scheme"), max_length=10, choices=GradingScheme.choices, default=GradingScheme.ADMIRALTY
    )
    source_reliability = models.CharField(_("source reliability"), max_length=1, blank=True)
    information_credibility = models.CharField(_("information credibility"), max_length=1, blank=True)
    distribution = models.PositiveSmallIntegerField(
        _("distribution"), choices=Distribution.choices, default=Distribution.AGENCY
    )
    sharing_group = models.ForeignKey(
        SharingGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("sharing group"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    # What an agreement must cover for partners to see records of this model.
    record_kind: str = ""

    class Meta:
        abstract = True
        # No index of its own for the policy: each record kind has a unique (owner agency,
        # reference) index that leads with the agency, and every further index slows imports down.

    @classmethod
    def recipient_filter(cls, units: list[int]) -> models.Q | None:
        """Records addressed by name to one of `units` (alerts, requests), or None for kinds that
        are never addressed to anybody."""
        return None

    @classmethod
    def partner_filter(cls) -> models.Q | None:
        """A further condition on the records of this kind that an agreement releases to
        partners (prison incidents: drug-related ones only), or None."""
        return None


AUDIT_ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "view": pgettext_lazy("audit action", "opened"),
    "export": pgettext_lazy("audit action", "exported"),
    "import": pgettext_lazy("audit action", "imported a file"),
    "import_check": pgettext_lazy("audit action", "checked a file"),
    "login": pgettext_lazy("audit action", "logged in"),
    "login_failed": pgettext_lazy("audit action", "failed to log in"),
    "logout": pgettext_lazy("audit action", "logged out"),
    "token_create": pgettext_lazy("audit action", "created an API token"),
    "token_revoke": pgettext_lazy("audit action", "revoked an API token"),
    "two_factor_enrol": pgettext_lazy("audit action", "set up two-factor log-in"),
    "two_factor_passed": pgettext_lazy("audit action", "entered a two-factor code"),
    "two_factor_reset": pgettext_lazy("audit action", "reset two-factor log-in"),
    "reference_load": pgettext_lazy("audit action", "loaded reference data"),
    "analytics_refresh": pgettext_lazy("audit action", "refreshed the analytics mirror"),
    "demo_build": pgettext_lazy("audit action", "built the demo"),
    "audit_verify": pgettext_lazy("audit action", "verified the audit trail"),
    "send": pgettext_lazy("audit action", "sent"),
    "acknowledge": pgettext_lazy("audit action", "acknowledged"),
    "answer": pgettext_lazy("audit action", "answered"),
    "close": pgettext_lazy("audit action", "closed"),
    "refuse": pgettext_lazy("audit action", "refused"),
    "remind": pgettext_lazy("audit action", "sent a reminder"),
    "link": pgettext_lazy("audit action", "linked a seizure"),
    "notify": pgettext_lazy("audit action", "notified by e-mail"),
    "screen": pgettext_lazy("audit action", "screened a person"),
    "screen_file": pgettext_lazy("audit action", "screened a file of people"),
    "train": pgettext_lazy("audit action", "trained a risk model"),
    "select": pgettext_lazy("audit action", "selected consignments for inspection"),
    "inspect": pgettext_lazy("audit action", "recorded an inspection"),
    "test": pgettext_lazy("audit action", "tested a risk profile against history"),
    "federation_send": pgettext_lazy("audit action", "sent records to a peer node"),
    "federation_receive": pgettext_lazy("audit action", "received records from a peer node"),
    "federation_refuse": pgettext_lazy("audit action", "refused records from another node"),
    "peer_pair": pgettext_lazy("audit action", "paired with a peer node"),
    "peer_approved": pgettext_lazy("audit action", "approved a peer node"),
    "peer_suspended": pgettext_lazy("audit action", "suspended a peer node"),
    "peer_pending": pgettext_lazy("audit action", "set a peer node back to waiting"),
    "peer_resend": pgettext_lazy("audit action", "prepared to send everything again to a peer node"),
}


class AuditEntry(models.Model):
    """One line of the audit trail. Lines are hash-chained: each hash covers the previous one.

    Nothing updates or deletes these rows; `kordon audit verify` recomputes the chain and names
    the first line that does not match.
    """

    seq = models.BigIntegerField(_("number"), primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("user")
    )
    actor_name = models.CharField(_("user name"), max_length=150)
    actor_unit = models.ForeignKey(Unit, models.PROTECT, null=True, related_name="+", verbose_name=_("unit"))
    action = models.CharField(_("action"), max_length=32, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    object_owner_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, related_name="+", verbose_name=_("owner of the object")
    )
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"), null=True)
    request_id = models.CharField(_("request"), max_length=36, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action))


class AuditChainHead(models.Model):
    """The single row holding the last line of the chain; locking it serialises audit writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at line {self.seq}"


class PolicyStamp(models.Model):
    """The single row whose stamp changes with everything a user's scope is made of: memberships,
    units' agencies, agreements and their parties, sharing groups and their members. Triggers
    (migration 0007) change it however the change is made (services, the admin, imports, SQL),
    and to a random value, so a stamp is never seen twice even after a rollback. A server process
    reuses the scopes it has loaded while the stamp and the day stay the same (policy.scope_for)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return f"policy stamp {self.stamp}"


class TokenScope(models.TextChoices):
    """What a token may do. A report script needs only to read; one that loads seizures writes."""

    READ = "read", pgettext_lazy("API token scope", "read")
    WRITE = "write", pgettext_lazy("API token scope", "write")


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once.
    Every token expires, and carries the scopes it was asked for (space-separated, as in OAuth)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=8)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    scopes = models.CharField(_("scopes"), max_length=50, default=TokenScope.READ)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()
