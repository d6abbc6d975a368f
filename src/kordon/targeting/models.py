"""Consignments (import declarations), their inspections, risk profiles and risk models.

A consignment is a record like any other (owner unit, markings), so a port control unit's
declarations are seen by its agency and by partners only under an agreement that covers
consignments. Inspections carry no markings of their own: the consignment's apply. The latest
risk assessment (score, lane, why) is kept on the consignment itself, because the worklist
reads it for thousands of rows at once.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord


class Lane(models.TextChoices):
    """ASYCUDA's selectivity lanes (blue, post-clearance audit, is not used at the border)."""

    RED = "red", _("red: physical inspection")
    YELLOW = "yellow", _("yellow: documents check")
    GREEN = "green", _("green: release")


class Source(models.TextChoices):
    """Why a consignment was picked for inspection: the hit rate is kept per source."""

    RULE = "rule", _("risk profile")
    MODEL = "model", _("risk model")
    RANDOM = "random", _("random pick")
    OFFICER = "officer", _("officer's choice")


class Outcome(models.TextChoices):
    NOTHING = "nothing", _("nothing found")
    IRREGULARITY = "irregularity", _("irregularity")
    # KCS "critical fraud": a serious irregularity that is not (yet) a seizure.
    CRITICAL = "critical", _("serious irregularity")
    SEIZURE = "seizure", _("seizure")


# Outcomes that count as a hit (a positive finding).
HITS = (Outcome.IRREGULARITY, Outcome.CRITICAL, Outcome.SEIZURE)
SERIOUS = (Outcome.CRITICAL, Outcome.SEIZURE)


class Consignment(MarkedRecord):
    """One declaration of goods, with the container and manifest details a targeter looks at."""

    record_kind = RecordKind.CONSIGNMENTS

    declaration_id = models.CharField(_("declaration"), max_length=50)
    declared_on = models.DateField(_("declaration date"))
    office = models.CharField(_("customs office"), max_length=50)
    container_number = models.CharField(_("container"), max_length=11, blank=True)
    bill_of_lading = models.CharField(_("bill of lading"), max_length=50, blank=True)
    declarant = models.CharField(_("declarant"), max_length=100, blank=True)
    importer = models.CharField(_("importer / consignee"), max_length=100, blank=True)
    shipper = models.CharField(_("shipper / seller"), max_length=100, blank=True)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    # Text: HS codes have leading zeros (071080).
    hs_code = models.CharField(_("HS code"), max_length=10)
    description = models.TextField(_("description of goods"), blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=2, blank=True)
    departure_country = models.CharField(_("country of departure"), max_length=2, blank=True)
    # UN/LOCODEs of the ports on the way, in order, separated by spaces ("IRBND TMKRW KZAKT").
    route_ports = models.CharField(_("route ports"), max_length=200, blank=True)
    transport_mode = models.CharField(_("transport mode"), max_length=20, blank=True)
    process_type = models.CharField(_("process type"), max_length=20, blank=True)
    import_type = models.CharField(_("import type"), max_length=20, blank=True)
    import_use = models.CharField(_("import use"), max_length=20, blank=True)
    payment_type = models.CharField(_("payment type"), max_length=20, blank=True)
    tax_type = models.CharField(_("tax type"), max_length=20, blank=True)
    origin_indicator = models.CharField(_("origin indicator"), max_length=20, blank=True)
    tax_rate = models.FloatField(_("tax rate, %"), null=True, blank=True)
    net_mass = models.FloatField(_("net mass, kg"), null=True, blank=True)
    declared_value = models.FloatField(_("declared value"), null=True, blank=True)

    # The latest assessment.
    risk = models.FloatField(_("risk"), null=True, blank=True)
    model_risk = models.FloatField(_("model's probability"), null=True, blank=True)
    rule_weight = models.PositiveSmallIntegerField(_("profiles' weight"), default=0)
    lane = models.CharField(_("lane"), max_length=6, choices=Lane.choices, blank=True)
    selected_by = models.CharField(_("selected by"), max_length=7, choices=Source.choices, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    risk_model = models.ForeignKey(
        "RiskModel", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("risk model")
    )
    fired_profiles: "models.ManyToManyField[RiskProfile, Any]" = models.ManyToManyField(
        "RiskProfile", blank=True, related_name="fired_on", verbose_name=_("profiles that fired")
    )

    class Meta:
        ordering = ["-declared_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "declaration_id"], name="consignment_declaration_per_agency"
            )
        ]
        indexes = [models.Index(fields=["owner_agency", "declared_on"], name="consignment_agency_date")]
        verbose_name = _("consignment")
        verbose_name_plural = _("consignments")

    def __str__(self) -> str:
        return self.declaration_id


class Inspection(models.Model):
    """What an inspection of a consignment found. One per consignment: a second look changes it."""

    consignment = models.OneToOneField(Consignment, models.CASCADE, related_name="inspection")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    inspected_on = models.DateField(_("inspected on"))
    # The lane and the source of the selection when it was inspected, so hit rates stay true
    # after a consignment is assessed again.
    lane = models.CharField(_("lane"), max_length=6, choices=Lane.choices, blank=True)
    selected_by = models.CharField(_("selected by"), max_length=7, choices=Source.choices, blank=True)
    seizure = models.ForeignKey(
        "seizures.Seizure",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("seizure"),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.outcome}"

    @property
    def hit(self) -> bool:
        return self.outcome in HITS


class RiskProfile(MarkedRecord):
    """A targeter's rule: conditions over a consignment's fields and history, with a weight or a
    lane, a validity period and an owner. See targeting.rules for the conditions."""

    record_kind = RecordKind.CONSIGNMENTS

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    conditions = models.JSONField(_("conditions"), default=list)
    weight = models.PositiveSmallIntegerField(_("weight"), default=50)
    # A profile may send its consignments straight to a lane, whatever the capacity.
    lane = models.CharField(_("lane"), max_length=6, choices=Lane.choices, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("switched on"), default=False)
    # The last test against history, required before switching on.
    tested_at = models.DateTimeField(_("tested"), null=True, blank=True)
    test_result = models.JSONField(_("test result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "name"], name="risk_profile_name_per_agency")
        ]
        verbose_name = _("risk profile")
        verbose_name_plural = _("risk profiles")

    def __str__(self) -> str:
        return self.name


class RiskModel(MarkedRecord):
    """A trained risk model: the registry keeps every version with its training period and
    evaluation figures. The booster itself is kept in the database, so a backup holds it and
    every application server reads the same one."""

    record_kind = RecordKind.CONSIGNMENTS

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    trained_from = models.DateField(_("training from"))
    trained_until = models.DateField(_("training until"))
    rows = models.PositiveIntegerField(_("training rows"))
    positives = models.PositiveIntegerField(_("hits in training"))
    metrics = models.JSONField(_("evaluation"), default=dict)
    # targeting.riskmodel.TrainedModel.dumps(): the booster, encodings and calibration.
    artefact = models.TextField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("trained by")
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "name", "version"], name="risk_model_version_per_agency"
            )
        ]
        verbose_name = _("risk model")
        verbose_name_plural = _("risk models")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class TrainingRequest(models.Model):
    """A model to train again, waiting for the background worker (`kordon work`): training takes
    from seconds to minutes, which no web request should wait for."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("training")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    owner_unit = models.ForeignKey(
        "core.Unit", models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    name = models.CharField(_("model"), max_length=100)
    status = models.CharField(_("status"), max_length=7, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    risk_model = models.ForeignKey(
        RiskModel, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("model trained")
    )
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="training_request_queue")]
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
