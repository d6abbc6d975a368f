"""Prison security: facilities, the security framework (versioned checklists), audits with their
answers, evidence and recommendations, the incident register and joint operations.

Facilities, frameworks and audits are records of the prison service (owner unit, markings) and
never flow to partners: they have no record kind. Incidents are the kind an agreement can cover,
and only drug-related ones ever flow (Incident.partner_filter). Answers, evidence and
recommendations carry no markings of their own: their audit's apply.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord
from kordon.seizures.models import UnitOfMeasure


class FacilityKind(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("pre-trial detention centre")
    FIRST_OFFENDERS = "first_offenders", _("colony for first-time offenders")
    REPEAT_OFFENDERS = "repeat_offenders", _("colony for repeat offenders")
    LIFE = "life", _("colony for life sentences")
    WOMEN = "women", _("women's colony")
    JUVENILE = "juvenile", _("juvenile colony")


class SecurityLevel(models.TextChoices):
    MINIMUM = "minimum", _("minimum (open)")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    MAXIMUM = "maximum", _("maximum")


class Facility(MarkedRecord):
    """A prison, colony or pre-trial detention centre, owned by a unit of the prison service."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=FacilityKind.choices)
    security_level = models.CharField(_("security level"), max_length=10, choices=SecurityLevel.choices)
    capacity = models.PositiveIntegerField(_("official capacity"))
    population = models.PositiveIntegerField(_("current population"))
    population_on = models.DateField(_("population counted on"), default=timezone.localdate)
    region = models.CharField(_("region / town"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "code"], name="facility_code_per_agency")
        ]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def occupancy_percent(self) -> float | None:
        """Population ÷ official capacity × 100 (the ICRC's occupancy rate)."""
        return round(100 * self.population / self.capacity, 1) if self.capacity else None


class Component(models.TextChoices):
    """The sections of the framework: the three components of prison security, and oversight."""

    PHYSICAL = "physical", _("physical security")
    PROCEDURAL = "procedural", _("procedural security")
    DYNAMIC = "dynamic", _("dynamic security")
    OVERSIGHT = "oversight", _("inspection and oversight")


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("critical")
    MAJOR = "major", _("major")
    MINOR = "minor", _("minor")


class Evidence(models.TextChoices):
    OBSERVE = "observe", _("observation")
    DOCUMENT = "document", _("documents")
    INTERVIEW = "interview", _("interviews")
    COUNT = "count", _("count")


class Compliance(models.TextChoices):
    """The answer to a standard: the XLSForm choices list `compliance`."""

    YES = "yes", _("compliant")
    PARTIAL = "partial", _("partly compliant")
    NO = "no", _("not compliant")
    NA = "na", _("not applicable")


class ItemKind(models.TextChoices):
    """What an item asks for: a compliance answer (scored) or a measurement (not scored)."""

    COMPLIANCE = "compliance", _("compliance")
    INTEGER = "integer", _("whole number")
    DECIMAL = "decimal", _("number")
    DATE = "date", _("date")
    TEXT = "text", _("text")


class Framework(MarkedRecord):
    """One version of a prison service's security framework. A new upload is a new version; an
    audit keeps the version it started with, so a later version never changes its questions or
    its score. The XLSForm it came from is kept as uploaded."""

    form_id = models.CharField(_("form id"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    form_version = models.CharField(_("version in the file"), max_length=50, blank=True)
    # {"physical": {"labels": {"en": …, "ru": …}, "hints": {…}}, …}: the groups' texts in the file.
    sections = models.JSONField(_("sections"), default=dict)
    source = models.BinaryField(_("XLSForm file"))
    source_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["form_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "form_id", "version"], name="framework_version_per_agency"
            )
        ]
        verbose_name = _("security framework")
        verbose_name_plural = _("security frameworks")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class FrameworkItem(models.Model):
    """A standard of the framework (a compliance question) or a measurement that follows one."""

    framework = models.ForeignKey(Framework, models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    component = models.CharField(_("component"), max_length=10, choices=Component.choices)
    area = models.CharField(_("area"), max_length=50, blank=True)
    labels = models.JSONField(_("wording of the question"), default=dict)  # language code -> text
    hints = models.JSONField(_("standard / baseline"), default=dict, blank=True)
    criticality = models.CharField(_("criticality"), max_length=8, choices=Criticality.choices, blank=True)
    evidence = models.CharField(_("evidence"), max_length=10, choices=Evidence.choices, blank=True)
    rules = models.CharField(_("Nelson Mandela Rules"), max_length=100, blank=True)
    required = models.BooleanField(_("required"), default=False)
    relevant = models.CharField(_("asked when"), max_length=500, blank=True)
    constraint = models.CharField(_("valid when"), max_length=500, blank=True)
    constraint_messages = models.JSONField(_("message when not valid"), default=dict, blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="framework_item_name")]
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")

    def __str__(self) -> str:
        return self.name

    @property
    def scored(self) -> bool:
        return self.kind == ItemKind.COMPLIANCE

    @property
    def code(self) -> str:
        """The item's id as people write it (p_per_01 -> P-PER-01)."""
        return self.name.upper().replace("_", "-")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("audit status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("audit status", "in progress")
    SUBMITTED = "submitted", pgettext_lazy("audit status", "submitted")
    REVIEWED = "reviewed", pgettext_lazy("audit status", "reviewed")


# Answers may change only while the audit is open.
OPEN_AUDIT = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


class Rating(models.TextChoices):
    GREEN = "green", _("green: meets the framework")
    AMBER = "amber", _("amber: gaps to close")
    RED = "red", _("red: serious gaps")


class Audit(MarkedRecord):
    """An audit of one facility against one framework version. The scores are computed once, on
    submission (prisons.scoring), and kept, so they stay what the report said."""

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="audits", verbose_name=_("facility"))
    framework = models.ForeignKey(
        Framework, models.PROTECT, related_name="audits", verbose_name=_("framework version")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    planned_on = models.DateField(_("planned for"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("lead auditor")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    summary = models.TextField(_("summary"), blank=True)
    # {"components": {"physical": 81.3, ...}, "overall": 77.0, "critical_fail": false, "rating": "amber"}
    scores = models.JSONField(_("scores"), default=dict, blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return f"{self.facility} {self.planned_on:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_AUDIT


class Answer(models.Model):
    """The auditor's answer to one item: a compliance choice or a measured value, and the finding."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="answers")
    item = models.ForeignKey(FrameworkItem, models.PROTECT, related_name="+")
    value = models.CharField(_("answer"), max_length=200, blank=True)
    finding = models.TextField(_("finding"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="one_answer_per_item")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class EvidenceFile(models.Model):
    """A photo or document attached to an answer. Kept in the database with the audit, so a
    backup of the database holds the whole audit."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="evidence")
    item = models.ForeignKey(FrameworkItem, models.PROTECT, related_name="+", null=True, blank=True)
    # The tablet's own id for the file, so that sending it again does not store it twice.
    client_key = models.CharField(max_length=64)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size, bytes"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "client_key"], name="evidence_once_per_audit")
        ]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    IMMEDIATE = "immediate", _("immediately")
    DAYS_30 = "30d", _("within 30 days")
    DAYS_90 = "90d", _("within 90 days")
    LONG_TERM = "long_term", _("long term")


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting the facility's answer")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    DONE = "done", _("done")


# Recommendations still to be carried out: overdue when past their deadline.
PENDING = (RecommendationStatus.PROPOSED, RecommendationStatus.ACCEPTED)


class Recommendation(models.Model):
    """What the auditor asks the facility to do about a gap, by whom and by when, and the
    facility's answer (Mandela Rule 85(2): say whether it will be implemented)."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="recommendations")
    item = models.ForeignKey(
        FrameworkItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("standard")
    )
    text = models.TextField(_("recommendation"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    owner = models.CharField(_("responsible"), max_length=200)
    due_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PROPOSED,
    )
    response = models.TextField(_("facility's answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:60]

    def overdue_on(self, day: Any) -> bool:
        return self.status in PENDING and self.due_on < day


class IncidentType(models.TextChoices):
    ESCAPE = "escape", _("escape")
    ESCAPE_ATTEMPT = "escape_attempt", _("attempted escape")
    ABSCONDING = "absconding", _("absconding from an open facility")
    CONTRABAND_INTRODUCED = "contraband_introduced", _("contraband brought in")
    CONTRABAND_FOUND = "contraband_found", _("contraband found")
    DISTURBANCE = "disturbance", _("disturbance or riot")
    HOSTAGE = "hostage", _("hostage taking or barricade")
    ASSAULT_STAFF = "assault_staff", _("assault on staff")
    ASSAULT_PRISONER = "assault_prisoner", _("assault between prisoners")
    SELF_HARM = "self_harm", _("self-harm")
    DEATH = "death", _("death in custody")
    FIRE = "fire", _("fire")
    HUNGER_STRIKE = "hunger_strike", _("hunger strike")
    USE_OF_FORCE = "use_of_force", _("use of force or restraints")
    SECURITY_BREACH = "security_breach", _("security breach (keys, locks, perimeter)")
    STAFF_MISCONDUCT = "staff_misconduct", _("staff misconduct or corruption")


ESCAPES = (IncidentType.ESCAPE, IncidentType.ESCAPE_ATTEMPT, IncidentType.ABSCONDING)


class Detection(models.TextChoices):
    """How the incident or the contraband came to light: the evaluation of joint operations
    counts what interagency intelligence brought."""

    ROUTINE = "routine", _("routine search or check")
    OWN_INTELLIGENCE = "own_intelligence", _("the prison service's own intelligence")
    INTERAGENCY = "interagency", _("intelligence from another agency")
    JOINT_OPERATION = "joint_operation", _("joint operation")
    OTHER = "other", _("other")


THROUGH_INTERAGENCY = (Detection.INTERAGENCY, Detection.JOINT_OPERATION)


class Notified(models.TextChoices):
    """Who was told (Mandela Rules 69-71: family; an independent authority for deaths and injuries)."""

    DIRECTOR = "director", _("facility director")
    HEADQUARTERS = "headquarters", _("central administration")
    PROSECUTOR = "prosecutor", _("prosecutor or independent authority")
    POLICE = "police", _("police")
    DRUG_CONTROL = "drug_control", _("drug-control service")
    FAMILY = "family", _("family")
    HEALTH = "health", _("health service")


class Incident(MarkedRecord):
    """One entry of a facility's security incident register."""

    record_kind = RecordKind.PRISON_INCIDENTS

    facility = models.ForeignKey(
        Facility, models.PROTECT, related_name="incidents", verbose_name=_("facility")
    )
    reference = models.CharField(_("reference"), max_length=50)
    kind = models.CharField(_("type"), max_length=24, choices=IncidentType.choices)
    occurred_at = models.DateTimeField(_("began"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    location = models.CharField(_("place in the facility"), max_length=200, blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")], default=2
    )
    detected_through = models.CharField(
        _("came to light through"), max_length=20, choices=Detection.choices, default=Detection.ROUTINE
    )
    alert = models.ForeignKey(
        "exchange.Alert",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alert it followed"),
    )
    description = models.TextField(_("what happened"))
    injuries = models.TextField(_("injuries"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    notified = models.JSONField(_("notified"), default=list, blank=True)
    # Set by the services from the type and the contraband: drug-related incidents are the only
    # ones an agreement ever releases to partners.
    drug_related = models.BooleanField(_("drug-related"), default=False)
    persons_involved = models.PositiveIntegerField(_("persons involved"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "reference"], name="incident_reference_per_agency"
            )
        ]
        indexes = [models.Index(fields=["owner_agency", "occurred_at"], name="incident_agency_time")]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def partner_filter(cls) -> models.Q:
        """Partners (the drug-control service under an agreement) see drug-related incidents only."""
        return models.Q(drug_related=True)


class PersonRole(models.TextChoices):
    PRISONER = "prisoner", _("prisoner")
    STAFF = "staff", _("staff member")
    VISITOR = "visitor", _("visitor")
    OTHER = "other", _("other")


class IncidentPerson(models.Model):
    """A person involved in an incident, as the register names them."""

    incident = models.ForeignKey(Incident, models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=10, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    identifier = models.CharField(_("prisoner number or document"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("persons involved")

    def __str__(self) -> str:
        return self.name


class ContrabandKind(models.TextChoices):
    DRUGS = "drugs", _("drugs")
    PHONES = "phones", _("mobile phones and SIM cards")
    WEAPONS = "weapons", _("weapons")
    ALCOHOL = "alcohol", _("alcohol")
    CASH = "cash", _("cash")
    OTHER = "other", _("other")


class Route(models.TextChoices):
    """How contraband got in."""

    THROW_OVER = "throw_over", _("thrown over the wall")
    VISITOR = "visitor", _("via a visitor")
    STAFF = "staff", _("via staff")
    PARCEL = "parcel", _("in a parcel or mail")
    DRONE = "drone", _("by drone")
    VEHICLE = "vehicle", _("in a vehicle")
    UNKNOWN = "unknown", _("not known")


class Contraband(models.Model):
    """What was found or brought in. Drugs are recorded in the seizure registry as well, and the
    link is kept here."""

    incident = models.ForeignKey(Incident, models.CASCADE, related_name="contraband")
    kind = models.CharField(_("contraband"), max_length=10, choices=ContrabandKind.choices)
    substance = models.ForeignKey(
        "seizures.Substance",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("substance"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10, choices=UnitOfMeasure.choices)
    route = models.CharField(_("how it got in"), max_length=12, choices=Route.choices, default=Route.UNKNOWN)
    found_where = models.CharField(_("where found"), max_length=200, blank=True)
    seizure = models.ForeignKey(
        "seizures.Seizure",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="prison_contraband",
        verbose_name=_("seizure"),
    )

    class Meta:
        verbose_name = _("contraband")
        verbose_name_plural = _("contraband")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.unit}"

    @property
    def quantity_kg(self) -> Decimal | None:
        from kordon.seizures.models import MASS_IN_KG

        factor = MASS_IN_KG.get(self.unit)
        return self.quantity * factor if factor is not None else None


class JointOperation(MarkedRecord):
    """A joint operation of the drug-control service and the prison service (e.g. "Perebros"):
    who took part, what was deployed, what it found. Marked "partners", it is shared with every
    agency bound to the owner by an agreement that covers prison incidents (in practice the
    drug-control service it was run with)."""

    record_kind = RecordKind.PRISON_INCIDENTS

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    description = models.TextField(_("description"), blank=True)
    agencies = models.ManyToManyField(
        "core.Agency", related_name="+", verbose_name=_("participating agencies")
    )
    units = models.ManyToManyField(
        "core.Unit", blank=True, related_name="+", verbose_name=_("participating units")
    )
    facilities = models.ManyToManyField(
        Facility, blank=True, related_name="operations", verbose_name=_("facilities")
    )
    officers = models.PositiveIntegerField(_("officers"), default=0)
    dogs = models.PositiveIntegerField(_("dogs"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)
    other_resources = models.CharField(_("other resources"), max_length=300, blank=True)
    crimes_detected = models.PositiveIntegerField(_("crimes detected"), default=0)
    drug_crimes_detected = models.PositiveIntegerField(_("drug-related crimes detected"), default=0)
    drugs_seized_kg = models.DecimalField(
        _("drugs seized, kg (reported)"), max_digits=12, decimal_places=3, default=Decimal(0)
    )
    seizures = models.ManyToManyField(
        "seizures.Seizure", blank=True, related_name="joint_operations", verbose_name=_("seizures")
    )
    incidents = models.ManyToManyField(
        Incident, blank=True, related_name="operations", verbose_name=_("incidents")
    )
    alerts = models.ManyToManyField("exchange.Alert", blank=True, related_name="+", verbose_name=_("alerts"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("joint operation")
        verbose_name_plural = _("joint operations")

    def __str__(self) -> str:
        return f"{self.name} {self.starts_on:%d.%m.%Y}"
