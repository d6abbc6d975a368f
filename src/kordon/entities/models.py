"""Watchlists: lists of persons to look out for, screened against travellers and records.

A watchlist is a record like any other (an owner unit, markings, a distribution), so who may
screen against it is decided by the one access policy. Its entries carry no markings of their
own: the list's apply to all of them, which keeps a list of a million entries lean and lets the
policy decide with one query which lists a user may use. Importing a file again makes a new
version; the old ones stay, so that an alert can always be traced to the list it came from.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord


class Watchlist(MarkedRecord):
    """A named list of persons owned by a unit (wanted persons, suspected couriers, a sanctions
    list). Screening uses its current version."""

    # Shared under agreements that cover persons, vehicles and companies.
    record_kind = RecordKind.ENTITIES

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    current_version = models.ForeignKey(
        "WatchlistVersion",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "name"], name="watchlist_name_per_agency")
        ]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")

    def __str__(self) -> str:
        return self.name


class WatchlistVersion(models.Model):
    """One imported file of a watchlist. Versions are never changed or deleted."""

    watchlist = models.ForeignKey(Watchlist, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # Names the version's screening index on disk. Random, because a database restored from a
    # backup (or a test rolled back) can give a new version the number and id of a lost one.
    index_token = models.CharField(max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected rows"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["watchlist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "number"], name="watchlist_version_number")
        ]
        verbose_name = _("watchlist version")
        verbose_name_plural = _("watchlist versions")

    def __str__(self) -> str:
        return f"{self.watchlist_id} v{self.number}"


class WatchlistEntry(models.Model):
    """A person on one version of a watchlist, as the list's file gave them."""

    version = models.ForeignKey(WatchlistVersion, models.CASCADE, related_name="entries")
    external_id = models.CharField(_("id in the list"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    alt_names = models.JSONField(_("other names"), default=list)
    # "1975-03-12", "1975-03" or "1975": lists often know only the year.
    birth_date = models.CharField(_("birth date"), max_length=10, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=6, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "external_id"], name="watchlist_entry_id_per_version")
        ]
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist entries")

    def __str__(self) -> str:
        return self.name


class EntityKind(models.TextChoices):
    PERSON = "person", _("person")
    COMPANY = "company", _("company or organisation")
    VEHICLE = "vehicle", _("vehicle")
    VESSEL = "vessel", _("vessel or container")
    PHONE = "phone", _("phone")
    DOCUMENT = "document", _("identity document")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("passport")
    ID_CARD = "id_card", _("identity card")
    DRIVING_LICENCE = "driving_licence", _("driving licence")
    RESIDENCE_PERMIT = "residence_permit", _("residence permit")
    SEAMANS_BOOK = "seamans_book", _("seaman's book")
    OTHER = "other", _("other document")


class Entity(MarkedRecord):
    """A person, company, vehicle, vessel or container, phone or identity document as one unit
    recorded it. The same courier recorded by three agencies is three entities: each stays its
    owner's record under its owner's markings, and the review queue (MatchDecision) says which
    are one. Fields that only some kinds use are blank for the others."""

    record_kind = RecordKind.ENTITIES

    kind = models.CharField(_("kind"), max_length=10, choices=EntityKind.choices)
    # The person's or company's name as the record wrote it; the plate of a vehicle, the name or
    # container number of a vessel, the number of a phone or of a document.
    name = models.CharField(_("name or number"), max_length=300)
    alt_names = models.JSONField(_("other names and spellings"), default=list, blank=True)
    # "1975-03-12", "1975-03" or "1975", as for watchlist entries.
    birth_date = models.CharField(_("birth date"), max_length=10, blank=True)
    # Nationality of a person; the country of a company, a vehicle's registration, a phone, a document.
    country = models.CharField(_("country"), max_length=2, blank=True)
    gender = models.CharField(_("gender"), max_length=6, blank=True)
    # [{"type": "passport", "number": "AC1234567", "country": "KG"}]
    documents = models.JSONField(_("identity documents"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    # Kind-specific details: VIN, make, model, colour of a vehicle; IMO number and flag of a
    # vessel; registration number of a company; type of a document.
    details = models.JSONField(_("details"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    # Folded spellings of every name (names.skeleton), so that the list finds "Султанов" when
    # asked for "Sultonov".
    search_text = models.TextField(editable=False, default="")

    class Meta(MarkedRecord.Meta):
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "name"], name="entity_kind_name")]
        verbose_name = _("person or object")
        verbose_name_plural = _("persons and objects")

    def __str__(self) -> str:
        return self.name

    def document_numbers(self) -> list[str]:
        return [document["number"] for document in self.documents if document.get("number")]


class LinkRole(models.TextChoices):
    COURIER = "courier", _("courier")
    SUSPECT = "suspect", _("suspect")
    ORGANISER = "organiser", _("organiser")
    DRIVER = "driver", _("driver")
    PASSENGER = "passenger", _("passenger")
    OWNER = "owner", _("owner")
    CONSIGNOR = "consignor", _("consignor")
    CONSIGNEE = "consignee", _("consignee")
    CARRIER = "carrier", _("carrier")
    USER = "user", _("uses")
    HOLDER = "holder", _("holder")
    EMPLOYEE = "employee", _("employee or director")
    RELATIVE = "relative", _("relative")
    ASSOCIATE = "associate", _("associate")
    WITNESS = "witness", _("witness")
    MENTIONED = "mentioned", _("mentioned")


class EntityLink(models.Model):
    """An entity's part in another entity (the driver of a truck, the user of a phone) or in a
    record (the courier of a seizure, the subject of an alert). A link is seen by whoever may
    see both its ends, and removed only by the unit that recorded it."""

    entity = models.ForeignKey(Entity, models.CASCADE, related_name="links", verbose_name=_("entity"))
    role = models.CharField(_("role"), max_length=10, choices=LinkRole.choices)
    other = models.ForeignKey(
        Entity, models.CASCADE, null=True, blank=True, related_name="linked_from", verbose_name=_("linked to")
    )
    # A record of another module (a seizure, an alert, a request, an incident), by its kind in
    # entities.records.LINKABLE and its id: the entities module does not import the others.
    record_type = models.CharField(_("record type"), max_length=20, blank=True)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    owner_unit = models.ForeignKey(
        "core.Unit", models.PROTECT, related_name="+", verbose_name=_("recorded by unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(other__isnull=False, record_type="", record_id__isnull=True)
                    | (models.Q(other__isnull=True, record_id__isnull=False) & ~models.Q(record_type=""))
                ),
                name="entity_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["entity", "other", "role"],
                condition=models.Q(other__isnull=False),
                name="entity_link_unique_entity",
            ),
            models.UniqueConstraint(
                fields=["entity", "record_type", "record_id", "role"],
                condition=models.Q(record_id__isnull=False),
                name="entity_link_unique_record",
            ),
        ]
        indexes = [models.Index(fields=["record_type", "record_id"], name="entity_link_record")]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        target = self.other_id if self.other_id else f"{self.record_type} {self.record_id}"
        return f"{self.entity_id} {self.role} {target}"


class LinkingRun(models.Model):
    """A batch comparison of all the person records one user may see, waiting for or done by
    the background worker (`kordon work`). It queues the likely pairs for review."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    owner_unit = models.ForeignKey("core.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=7, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    records = models.PositiveIntegerField(_("person records"), default=0)
    suggested = models.PositiveIntegerField(_("pairs above the threshold"), default=0)
    queued = models.PositiveIntegerField(_("new pairs to review"), default=0)
    clusters = models.PositiveIntegerField(_("groups of more than one record"), default=0)
    threshold = models.FloatField(_("threshold"))
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "requested_at"], name="linking_run_queue")]
        verbose_name = _("linking run")
        verbose_name_plural = _("linking runs")

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class Verdict(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    SAME = "same", _("the same")
    NOT_SAME = "not_same", _("not the same")
    UNSURE = "unsure", _("unsure")


class MatchDecision(models.Model):
    """Two entity records a linking run found alike, and what a person decided about them.
    One row per pair (the lower id first): a later run updates the score of a pair still
    waiting and leaves a decided pair as it was decided."""

    first = models.ForeignKey(Entity, models.CASCADE, related_name="+", verbose_name=_("first record"))
    second = models.ForeignKey(Entity, models.CASCADE, related_name="+", verbose_name=_("second record"))
    score = models.FloatField(_("score"))
    verdict = models.CharField(_("decision"), max_length=8, choices=Verdict.choices, default=Verdict.PENDING)
    run = models.ForeignKey(
        LinkingRun, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("suggested by")
    )
    suggested_at = models.DateTimeField(_("suggested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="match_decision_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="match_decision_order"
            ),
        ]
        indexes = [models.Index(fields=["verdict", "score"], name="match_decision_queue")]
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id} {self.verdict}"
