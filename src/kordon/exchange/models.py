"""Alerts (look-outs) and requests for information between units, and their attachments.

Both are marked records owned by the sending unit and addressed by name to recipient units: the
policy lets a recipient see them while the sender's agency is its own, or an agreement in force
covers the kind up to the record's TLP (RED included, since the recipients are named).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord, SharingAgreement
from kordon.core.models import Unit
from kordon.seizures.models import Seizure


class AlertSubject(models.TextChoices):
    PERSON = "person", _("person")
    VEHICLE = "vehicle", _("vehicle")
    CONTAINER = "container", _("container")
    CONSIGNMENT = "consignment", _("consignment")
    ROUTE = "route", _("route")
    OTHER = "other", _("other")


class Priority(models.TextChoices):
    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


class AlertState(models.TextChoices):
    SENT = "sent", _("sent")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ACTED_ON = "acted_on", _("acted on")
    NO_RESULT = "no_result", _("no result")
    EXPIRED = "expired", _("expired")


OPEN_ALERT_STATES = (AlertState.SENT, AlertState.ACKNOWLEDGED)


class Alert(MarkedRecord):
    """A look-out from a unit to one or more units: watch for this person, vehicle, container,
    consignment or route until the end of its validity."""

    record_kind = RecordKind.ALERTS

    reference = models.CharField(_("reference"), max_length=60)
    subject_kind = models.CharField(_("about"), max_length=12, choices=AlertSubject.choices)
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    person_name = models.CharField(_("person"), max_length=200, blank=True)
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=20, blank=True)
    container_number = models.CharField(_("container number"), max_length=11, blank=True)
    route = models.CharField(_("route"), max_length=300, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(_("state"), max_length=12, choices=AlertState.choices, default=AlertState.SENT)
    # Empty for an alert received from another node (origin_node), whose sender is named in text.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("sent by")
    )
    sent_by_name = models.CharField(_("sent by"), max_length=150, blank=True)
    origin_node = models.CharField(
        _("received from node"),
        max_length=100,
        blank=True,
        help_text=_("Empty for alerts sent from this node."),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner_agency", "reference"], name="alert_reference")]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @classmethod
    def recipient_filter(cls, units: list[int]) -> Q:
        return Q(Exists(AlertRecipient.objects.filter(alert=OuterRef("pk"), unit_id__in=units)))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ALERT_STATES


class AlertRecipient(models.Model):
    """A unit an alert is addressed to; the agreement under which it crossed to another agency."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    agreement = models.ForeignKey(
        SharingAgreement, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agreement")
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "unit"], name="alert_recipient_once")]
        indexes = [models.Index(fields=["unit", "read_at"], name="alert_recipient_inbox")]

    def __str__(self) -> str:
        return f"{self.alert_id} -> {self.unit_id}"


class AlertSeizure(models.Model):
    """A seizure that followed an alert: the interception came from shared intelligence."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="seizure_links")
    seizure = models.ForeignKey(Seizure, models.CASCADE, related_name="alert_links")
    # Empty for a link made on another node and received with the recipient's reply.
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "seizure"], name="alert_seizure_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} -> {self.seizure_id}"


class RequestState(models.TextChoices):
    SENT = "sent", _("sent")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    REFUSED = "refused", _("refused")


OPEN_REQUEST_STATES = (RequestState.SENT, RequestState.ACKNOWLEDGED)


class InformationRequest(MarkedRecord):
    """A request for information (RFI) from one unit to another, with a deadline. It is overdue
    while unanswered after its deadline: a state the lists compute, not one anybody sets."""

    record_kind = RecordKind.REQUESTS

    reference = models.CharField(_("reference"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    questions = models.TextField(_("questions"))
    to_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("to unit"))
    agreement = models.ForeignKey(
        SharingAgreement, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agreement")
    )
    deadline = models.DateField(_("deadline"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RequestState.choices, default=RequestState.SENT
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # Empty for a request received from another node (origin_node), whose sender is named in text.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("sent by")
    )
    sent_by_name = models.CharField(_("sent by"), max_length=150, blank=True)
    origin_node = models.CharField(
        _("received from node"),
        max_length=100,
        blank=True,
        help_text=_("Empty for requests sent from this node."),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read by the recipient"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner_agency", "reference"], name="rfi_reference")]
        indexes = [models.Index(fields=["to_unit", "state"], name="rfi_inbox")]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    @classmethod
    def recipient_filter(cls, units: list[int]) -> Q:
        return Q(to_unit_id__in=units)

    def is_overdue(self, today: Any = None) -> bool:
        return self.state in OPEN_REQUEST_STATES and self.deadline < (today or timezone.localdate())


class Answer(models.Model):
    """An answer to a request, by the recipient unit; seen by whoever may see the request."""

    request = models.ForeignKey(InformationRequest, models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"))
    # An answer written on the recipient's node arrives with its author's name and its id there.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    author_name = models.CharField(max_length=150, blank=True)
    origin_node = models.CharField(max_length=100, blank=True)
    origin_id = models.BigIntegerField(null=True, blank=True)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"answer to {self.request_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never trusted on disk.
    return f"exchange/{timezone.now():%Y/%m}/{instance.token}"


class Attachment(models.Model):
    """A file attached to an alert, a request or an answer. Downloaded only through the record it
    belongs to, so the policy decides who may have it."""

    alert = models.ForeignKey(Alert, models.CASCADE, null=True, blank=True, related_name="attachments")
    request = models.ForeignKey(
        InformationRequest, models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=False, request__isnull=True)
                | Q(alert__isnull=True, request__isnull=False),
                name="attachment_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name
