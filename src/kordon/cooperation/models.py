"""International cooperation requests (mutual legal assistance, asset recovery) with their
history, documents and assets; and the referral of victims of trafficking between the
organisations that help them, under the victim's consent.

A request is a record of the prosecutor's office or FIU that handles it (kind "cooperation
requests"). A referral case is a record of the organisation that opened it, seen by its own
case workers, and by an organisation it is referred to only while the referral is open and a
consent in force names that organisation; even then only the categories of data the consent
covers are shown (cooperation.selectors.case_for). The person's identity is a separate row,
shown only to the handlers and to a receiving organisation whose consent covers "identity".
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord
from kordon.core.models import Agency, Country, Unit


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("outgoing (we ask)")
    INCOMING = "incoming", _("incoming (we are asked)")


class LegalBasis(models.TextChoices):
    TREATY = "treaty", _("treaty (name it)")
    UNTOC = "untoc_18", _("UN Convention against Transnational Organized Crime, art. 18")
    UNCAC = "uncac_46", _("UN Convention against Corruption, art. 46")
    VIENNA_1988 = "vienna_1988_7", _("1988 UN Drug Convention, art. 7")
    RECIPROCITY = "reciprocity", _("reciprocity")


class Measure(models.TextChoices):
    """Types of assistance (UNTOC art. 18(3), UNCAC art. 46(3) and chapter V)."""

    EVIDENCE = "evidence", _("taking evidence or statements")
    SERVICE = "service", _("service of judicial documents")
    SEARCH = "search", _("search and seizure")
    FREEZING = "freezing", _("freezing of assets")
    EXAMINATION = "examination", _("examining objects and sites")
    INFORMATION = "information", _("information, evidence and expert evaluations")
    BANK_RECORDS = "bank_records", _("bank, financial or company records")
    TRACING = "tracing", _("identifying and tracing proceeds of crime")
    APPEARANCE = "appearance", _("appearance of persons")
    VIDEOCONFERENCE = "videoconference", _("hearing by videoconference")
    CONFISCATION = "confiscation", _("confiscation")
    RETURN = "return", _("return of assets")
    OTHER = "other", _("other assistance")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("cooperation request", "draft")
    SENT = "sent", pgettext_lazy("cooperation request", "sent")
    RECEIVED = "received", pgettext_lazy("cooperation request", "received")
    IN_EXECUTION = "in_execution", pgettext_lazy("cooperation request", "in execution")
    PARTIALLY_EXECUTED = "partially_executed", pgettext_lazy("cooperation request", "partially executed")
    EXECUTED = "executed", pgettext_lazy("cooperation request", "executed")
    REFUSED = "refused", pgettext_lazy("cooperation request", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("cooperation request", "withdrawn")


# Where a request may go from each state (UNTOC art. 18 / UNCAC art. 46: refusal must give its
# ground, para. 23; a request no longer needed is withdrawn, para. 24).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.DRAFT: (RequestStatus.SENT, RequestStatus.WITHDRAWN),
    RequestStatus.SENT: (
        RequestStatus.IN_EXECUTION,
        RequestStatus.PARTIALLY_EXECUTED,
        RequestStatus.EXECUTED,
        RequestStatus.REFUSED,
        RequestStatus.WITHDRAWN,
    ),
    RequestStatus.RECEIVED: (
        RequestStatus.IN_EXECUTION,
        RequestStatus.REFUSED,
        RequestStatus.WITHDRAWN,
    ),
    RequestStatus.IN_EXECUTION: (
        RequestStatus.PARTIALLY_EXECUTED,
        RequestStatus.EXECUTED,
        RequestStatus.REFUSED,
        RequestStatus.WITHDRAWN,
    ),
    RequestStatus.PARTIALLY_EXECUTED: (
        RequestStatus.IN_EXECUTION,
        RequestStatus.EXECUTED,
        RequestStatus.WITHDRAWN,
    ),
    RequestStatus.EXECUTED: (),
    RequestStatus.REFUSED: (),
    RequestStatus.WITHDRAWN: (),
}
CLOSED = (RequestStatus.EXECUTED, RequestStatus.REFUSED, RequestStatus.WITHDRAWN)
# Answered: the time to answer runs from sending (or receiving) to the first of these.
ANSWERED = (RequestStatus.PARTIALLY_EXECUTED, RequestStatus.EXECUTED, RequestStatus.REFUSED)
# "Unsatisfied requests": refused, or executed only in part.
UNSATISFIED = (RequestStatus.REFUSED, RequestStatus.PARTIALLY_EXECUTED)


class CooperationRequest(MarkedRecord):
    """A request for mutual legal assistance or asset recovery, outgoing or incoming."""

    record_kind = RecordKind.COOPERATION

    reference = models.CharField(_("our reference"), max_length=60)
    counterpart_reference = models.CharField(_("their reference"), max_length=60, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    requesting_country = models.ForeignKey(
        Country, models.PROTECT, related_name="+", verbose_name=_("requesting state")
    )
    requested_country = models.ForeignKey(
        Country, models.PROTECT, related_name="+", verbose_name=_("requested state")
    )
    requesting_authority = models.CharField(_("requesting authority"), max_length=200)
    requested_authority = models.CharField(_("requested authority"), max_length=200, blank=True)
    central_authority = models.CharField(_("central authority"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices)
    treaty = models.CharField(_("treaty"), max_length=300, blank=True)
    offences = models.CharField(_("offences"), max_length=500)
    summary = models.TextField(_("summary of the facts"), blank=True)
    measures = models.JSONField(_("assistance requested"), default=list)
    persons = models.TextField(_("persons and companies concerned"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    # The day it left or arrived, and the day it was answered: the time to answer is between them.
    opened_on = models.DateField(_("sent or received"), null=True, blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    refusal_ground = models.TextField(_("ground for refusal"), blank=True)
    last_reminder_on = models.DateField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "reference"], name="cooperation_reference_per_agency"
            )
        ]
        verbose_name = _("cooperation request")
        verbose_name_plural = _("cooperation requests")

    def __str__(self) -> str:
        return self.reference

    @property
    def counterpart(self) -> Country:
        """The other state: the requested one for an outgoing request, the requesting one else."""
        return self.requested_country if self.direction == Direction.OUTGOING else self.requesting_country

    def due_on(self) -> datetime.date | None:
        """The deadline, or the node's usual answering time after the request left or arrived."""
        if self.deadline:
            return self.deadline
        if self.opened_on:
            return self.opened_on + datetime.timedelta(days=settings.KORDON_COOPERATION_ANSWER_DAYS)
        return None

    def overdue_on(self, day: datetime.date) -> bool:
        due = self.due_on()
        return (
            self.status not in CLOSED and self.status != RequestStatus.DRAFT and due is not None and due < day
        )


class RequestEvent(models.Model):
    """One step in a request's life: a change of status or a reminder, with its date."""

    request = models.ForeignKey(CooperationRequest, models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, blank=True)
    reminder = models.BooleanField(_("reminder"), default=False)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status or 'reminder'} {self.on}"


class RequestDocument(models.Model):
    """A document of the request (the request itself, annexes, the answer), kept in the database."""

    request = models.ForeignKey(CooperationRequest, models.CASCADE, related_name="documents")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class AssetStage(models.TextChoices):
    """Asset recovery (UNCAC chapter V): identified, frozen (art. 54-55), confiscated, returned (art. 57)."""

    IDENTIFIED = "identified", _("identified")
    FROZEN = "frozen", _("frozen or seized")
    CONFISCATED = "confiscated", _("confiscated")
    RETURNED = "returned", _("returned")


class Asset(models.Model):
    """Property a request concerns, at the furthest stage it has reached."""

    request = models.ForeignKey(CooperationRequest, models.CASCADE, related_name="assets")
    description = models.CharField(_("asset"), max_length=300)
    stage = models.CharField(_("stage"), max_length=12, choices=AssetStage.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount} {self.currency}"


# ---- referrals of victims of trafficking and smuggled migrants ---------------------------------


class CaseType(models.TextChoices):
    TRAFFICKING = "trafficking", _("victim of trafficking (possible or identified)")
    SMUGGLING = "smuggling", _("smuggled migrant")


class AgeBand(models.TextChoices):
    UNDER_12 = "0-11", _("under 12")
    TEEN = "12-17", _("12–17")
    YOUNG = "18-25", _("18–25")
    ADULT = "26-40", _("26–40")
    OLDER = "41+", _("41 and over")
    UNKNOWN = "unknown", _("not known")


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    UNKNOWN = "unknown", _("not known")


class Exploitation(models.TextChoices):
    """HTCDS vic_TypeOfExploitation, the forms that occur in the region."""

    FORCED_LABOUR = "ForcedLabour", _("forced labour")
    SEXUAL = "SexualExploitation", _("sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("forced marriage")
    SERVITUDE = "Servitude", _("domestic servitude")
    BEGGING = "ForcedBegging", _("forced begging")
    CRIMINALITY = "ForcedCriminality", _("forced criminal activity (e.g. drug couriers)")
    ORGANS = "OrganRemoval", _("organ removal")
    OTHER = "Other", _("other")
    NONE = "None", _("none (smuggling only)")


class CaseStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("referral case", "active")
    CLOSED = "closed", pgettext_lazy("referral case", "closed")


class ReferralCase(MarkedRecord):
    """A person helped, known by a pseudonym and the fewest attributes needed. Handlers (members
    of the owner unit) see everything; an organisation the case is referred to sees it while the
    referral is open and the consent is in force, and only what that consent covers."""

    record_kind = RecordKind.REFERRALS

    pseudonym = models.CharField(_("pseudonym"), max_length=40)
    case_type = models.CharField(_("case"), max_length=12, choices=CaseType.choices)
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.ForeignKey(
        Country, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("nationality")
    )
    exploitation = models.CharField(_("form of exploitation"), max_length=20, choices=Exploitation.choices)
    needs = models.TextField(_("needs and history"), blank=True)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closure_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    # Deleted with everything it holds on this day (set on closure from the node's retention period).
    delete_after = models.DateField(_("to be deleted after"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "pseudonym"], name="referral_case_pseudonym_per_agency"
            )
        ]
        verbose_name = _("referral case")
        verbose_name_plural = _("referral cases")

    def __str__(self) -> str:
        return self.pseudonym

    @classmethod
    def recipient_filter(cls, units: list[int]) -> Q:
        """Cases with an open referral to one of `units` under a consent in force today."""
        return Q(Exists(Referral.objects.open_to(units).filter(case=OuterRef("pk"))))


class CaseIdentity(models.Model):
    """Who the person is. Kept apart from the case so that only cooperation.selectors.case_for
    reads it (for the handlers, or a receiver whose consent covers identity): never lists,
    statistics or exports."""

    case = models.OneToOneField(ReferralCase, models.CASCADE, related_name="identity")
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    documents = models.CharField(_("identity documents"), max_length=200, blank=True)
    contact = models.CharField(_("contact details"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"identity of case {self.case_id}"


class DataCategory(models.TextChoices):
    """What a consent may let another organisation see."""

    ATTRIBUTES = "attributes", _("age band, sex, nationality, form of exploitation")
    NEEDS = "needs", _("needs and history")
    IDENTITY = "identity", _("name, date of birth and documents")
    CONTACT = "contact", _("contact details")


class Consent(models.Model):
    """The person's consent: which organisations may receive what, for what, until when. A
    referral needs one that names the receiving organisation; revoking it closes the door at once."""

    case = models.ForeignKey(ReferralCase, models.CASCADE, related_name="consents")
    given_by = models.CharField(
        _("given by"), max_length=20, choices=[("person", _("the person")), ("guardian", _("guardian"))]
    )
    method = models.CharField(
        _("how"), max_length=10, choices=[("written", _("in writing")), ("oral", _("orally"))]
    )
    organisations = models.ManyToManyField(Agency, related_name="+", verbose_name=_("may be shared with"))
    categories = models.JSONField(_("data that may be shared"), default=list)
    purpose = models.CharField(_("purpose"), max_length=300)
    given_on = models.DateField(_("given on"))
    valid_until = models.DateField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"consent {self.pk} of case {self.case_id}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.given_on <= day <= self.valid_until


class ServiceType(models.TextChoices):
    """HTCDS spl_Type, with the services a referral pathway in the region adds."""

    SHELTER = "Shelter", _("shelter")
    HEALTH = "Health", _("medical care")
    LEGAL = "Legal", _("legal aid")
    SOCIAL = "SocialCare", _("social care and counselling")
    EDUCATION = "Education", _("education")
    LIVELIHOOD = "Livelihood", _("livelihood and work")
    FINANCIAL = "Financial", _("financial support")
    INTERPRETATION = "Interpretation", _("interpretation")
    RETURN = "Return", _("return and reintegration")
    STATUS = "Status", _("migration status and documents")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("referral", "awaiting an answer")
    ACCEPTED = "accepted", pgettext_lazy("referral", "accepted")
    DECLINED = "declined", pgettext_lazy("referral", "declined")
    COMPLETED = "completed", pgettext_lazy("referral", "completed")
    REVOKED = "revoked", pgettext_lazy("referral", "revoked")


OPEN_REFERRAL = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open_to(self, units: list[int]) -> "ReferralQuerySet":
        """Referrals still open to `units` whose consent is in force today."""
        today = timezone.localdate()
        return self.filter(
            to_unit_id__in=units,
            status__in=OPEN_REFERRAL,
            consent__revoked_at__isnull=True,
            consent__given_on__lte=today,
            consent__valid_until__gte=today,
        )


class Referral(models.Model):
    """The case sent to another organisation for a service."""

    case = models.ForeignKey(ReferralCase, models.CASCADE, related_name="referrals")
    consent = models.ForeignKey(Consent, models.PROTECT, related_name="referrals", verbose_name=_("consent"))
    from_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("from"))
    to_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("to"))
    service = models.CharField(_("service"), max_length=16, choices=ServiceType.choices)
    reason = models.TextField(_("reason"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        blank=True,
        choices=[("successful", _("service given")), ("not_successful", _("service not given"))],
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"referral {self.pk} of case {self.case_id}"


class ServiceRecord(models.Model):
    """A service the receiving organisation gave under a referral."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="services")
    on = models.DateField(_("date"))
    description = models.CharField(_("service given"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return self.description
