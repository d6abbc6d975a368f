"""Investigation case files and the exhibits in them.

A case is a marked record: its owner unit, markings and distribution decide who sees it, through
the one policy. What it gathers (seizures, persons, alerts, requests…) stays the records of their
owners: a case item only points at one, and a reader sees an item only if the policy lets them
see the record itself. A partner who sees the case sees only the items, notes and exhibits marked
as shared with partners.

An exhibit's chain of custody is append-only: events are added, never changed or removed, and
each carries the hash of the one before (custody.py checks the chain and flags gaps, unexplained
weight changes and hand-overs outside the case team).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord


class CaseType(models.TextChoices):
    DRUG_TRAFFICKING = "drug_trafficking", _("drug trafficking")
    SMUGGLING = "smuggling", _("smuggling")
    ORGANISED_CRIME = "organised_crime", _("organised criminal group")
    MONEY_LAUNDERING = "money_laundering", _("money laundering")
    FIREARMS = "firearms", _("firearms trafficking")
    WILDLIFE = "wildlife", _("wildlife crime")
    OTHER = "other", _("other")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "open")
    SUSPENDED = "suspended", pgettext_lazy("case status", "suspended")
    CLOSED = "closed", pgettext_lazy("case status", "closed")


class CaseOutcome(models.TextChoices):
    SENT_TO_COURT = "sent_to_court", _("sent to court")
    CONVICTED = "convicted", _("conviction")
    ACQUITTED = "acquitted", _("acquittal")
    TERMINATED = "terminated", _("terminated (no offence or no evidence)")
    JOINED = "joined", _("joined to another case")
    TRANSFERRED = "transferred", _("transferred to another agency")


class Case(MarkedRecord):
    """An investigation: what it gathers, who works on it, its tasks and its exhibits."""

    record_kind = RecordKind.CASES

    reference = models.CharField(_("case number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType.choices)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta(MarkedRecord.Meta):
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner_agency", "reference"], name="case_reference")]
        verbose_name = pgettext_lazy("investigation", "case")
        verbose_name_plural = pgettext_lazy("investigation", "cases")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class TeamRole(models.TextChoices):
    LEAD = "lead", _("lead investigator")
    INVESTIGATOR = "investigator", _("investigator")
    ANALYST = "analyst", _("analyst")
    EXPERT = "expert", _("forensic expert")
    OBSERVER = "observer", _("observer")


class CaseMember(models.Model):
    """A person on the case team. Team members may work on the case (an observer only reads);
    exhibits are handed over within the team."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_member_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role}"


class CaseItem(models.Model):
    """A record gathered into the case, by its kind (entities.records) and id."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="items")
    record_type = models.CharField(_("kind of record"), max_length=20)
    record_id = models.BigIntegerField()
    note = models.CharField(_("note"), max_length=300, blank=True)
    # A partner who sees the case sees this item (if the policy lets them see the record too).
    shared = models.BooleanField(_("shared with partners"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "record_type", "record_id"], name="case_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.record_type} {self.record_id}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    shared = models.BooleanField(_("shared with partners"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "open")
    DONE = "done", pgettext_lazy("task status", "done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "cancelled")


class CaseTask(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    due_on = models.DateField(pgettext_lazy("task", "deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, today: object) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < today  # type: ignore[operator]


class Exhibit(models.Model):
    """A thing seized and kept as evidence, under a label unique in its case and a seal."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="exhibits")
    number = models.PositiveIntegerField(_("exhibit number"))
    seizure_item = models.ForeignKey(
        "seizures.SeizureItem", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("from seizure item"),
    )  # fmt: skip
    description = models.CharField(_("description"), max_length=300)
    commodity = models.ForeignKey(
        "seizures.Substance",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commodity"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=6)
    unit = models.CharField(_("unit of measure"), max_length=8)
    seal_number = models.CharField(_("seal number"), max_length=60, blank=True)
    shared = models.BooleanField(_("shared with partners"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="exhibit_number_in_case")]
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")

    def __str__(self) -> str:
        return f"{self.case.reference}/E{self.number}"

    @property
    def label(self) -> str:
        return str(self)


class CustodyKind(models.TextChoices):
    SEIZED = "seized", _("seized")
    SEALED = "sealed", _("sealed")
    HANDED_OVER = "handed_over", _("handed over")
    RECEIVED = "received", _("received")
    STORED = "stored", _("stored")
    SENT_TO_LAB = "sent_to_lab", _("sent to the laboratory")
    RETURNED = "returned", _("returned from the laboratory")
    IN_COURT = "in_court", _("presented in court")
    DESTROYED = "destroyed", _("destroyed")
    RELEASED = "released", _("released")


class CustodyEvent(models.Model):
    """One step of an exhibit's chain of custody. Never changed or deleted: a mistake is put
    right by a later event that says so."""

    exhibit = models.ForeignKey(Exhibit, models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(_("event"), max_length=12, choices=CustodyKind.choices)
    at = models.DateTimeField(_("when"))
    # Who holds the exhibit after this event (a user of the node, or a name: a court, a laboratory).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )
    holder_name = models.CharField(_("held by (outside Kordon)"), max_length=200, blank=True)
    # For a hand-over: who gave it.
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    seal_number = models.CharField(_("seal number"), max_length=60, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=16, decimal_places=6, null=True, blank=True)
    weight_reason = models.CharField(_("why the weight changed"), max_length=300, blank=True)
    witnesses = models.JSONField(_("witnesses"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["exhibit", "sequence"]
        constraints = [models.UniqueConstraint(fields=["exhibit", "sequence"], name="custody_sequence")]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.exhibit_id}#{self.sequence} {self.kind}"

    @property
    def holder_label(self) -> str:
        if self.holder is not None:
            return self.holder.display_name
        return self.holder_name


class LabResult(models.Model):
    """What the forensic laboratory found in an exhibit."""

    exhibit = models.ForeignKey(Exhibit, models.PROTECT, related_name="lab_results")
    laboratory = models.CharField(_("laboratory"), max_length=200)
    lab_reference = models.CharField(_("laboratory reference"), max_length=60)
    analysed_on = models.DateField(_("analysed on"))
    confirmed = models.ForeignKey(
        "seizures.Substance", models.PROTECT, related_name="+", verbose_name=_("confirmed substance")
    )
    net_weight = models.DecimalField(_("net weight"), max_digits=16, decimal_places=6)
    purity_percent = models.DecimalField(
        _("purity, %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    method = models.CharField(_("method"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exhibit", "analysed_on", "pk"]

    def __str__(self) -> str:
        return self.lab_reference


class ExhibitDocument(models.Model):
    """A document about an exhibit: the court's decision, the destruction act, a lab report."""

    class Kind(models.TextChoices):
        COURT_DECISION = "court_decision", _("court decision")
        DESTRUCTION_ACT = "destruction_act", _("destruction act")
        LAB_REPORT = "lab_report", _("laboratory report")
        OTHER = "other", _("other document")

    exhibit = models.ForeignKey(Exhibit, models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
