"""Seizure events, their items, the substance catalogue and seizure imports."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import RecordKind
from kordon.access.models import MarkedRecord
from kordon.core.models import Country, NamedInLanguages, Place, QuickChoiceLabels, Unit


class SubstanceGroup(models.TextChoices):
    """Drug groups as UNODC reports them."""

    OPIOIDS = "opioids", _("opioids")
    CANNABIS = "cannabis", _("cannabis")
    COCAINE = "cocaine", _("cocaine-type")
    ATS = "ats", _("amphetamine-type stimulants")
    SEDATIVES = "sedatives", _("sedatives and tranquillisers")
    HALLUCINOGENS = "hallucinogens", _("hallucinogens")
    NPS = "nps", _("new psychoactive substances")
    PRECURSORS = "precursors", _("precursors")
    OTHER = "other", _("other")


class CommodityFamily(models.TextChoices):
    """The families of the commodity catalogue; drugs are one of them (seizures/commodities.py
    says what each is measured in and which details it carries)."""

    DRUGS = "drugs", _("drugs")
    PRECURSORS = "precursors", _("precursors and chemicals")
    FIREARMS = "firearms", _("firearms, ammunition and explosives")
    COUNTERFEIT = "counterfeit", _("counterfeit goods")
    TOBACCO_ALCOHOL = "tobacco_alcohol", _("tobacco and alcohol")
    WILDLIFE = "wildlife", _("wildlife and timber")
    CULTURAL = "cultural", _("cultural property")
    CURRENCY = "currency", _("currency and bearer instruments")
    NUCLEAR = "nuclear", _("nuclear, radioactive and dual-use goods")
    OTHER = "other", _("other goods")


class Substance(NamedInLanguages):
    """A commodity in the catalogue, with the synonyms officers write (героин, гашиш, nasvay,
    пистолет …): drugs with their UNODC group, and the other families seized at borders.

    Litres and counted units convert to kilograms only where the catalogue defines how
    (a density, a mass per tablet); otherwise they stay counts and are never summed into kg.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    family = models.CharField(
        _("commodity family"), max_length=20, choices=CommodityFamily.choices, default=CommodityFamily.DRUGS
    )
    # The UNODC drug group; blank for commodities that are not drugs or precursors.
    group = models.CharField(_("group"), max_length=20, choices=SubstanceGroup.choices, blank=True)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    kg_per_litre = models.DecimalField(
        _("kilograms per litre"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    kg_per_unit = models.DecimalField(
        _("kilograms per tablet or dose"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    unodc_name = models.CharField(_("name in UNODC statistics"), max_length=100, blank=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("substance")
        verbose_name_plural = _("substances")


class UnitOfMeasure(models.TextChoices):
    KG = "kg", _("kg")
    G = "g", _("g")
    T = "t", _("t")
    L = "l", _("l")
    ML = "ml", _("ml")
    TABLETS = "tablets", _("tablets")
    PIECES = "pieces", _("pieces")
    PLANTS = "plants", _("plants")
    DOSES = "doses", _("doses")
    ROUNDS = "rounds", _("rounds")
    HEAD = "head", _("head")
    CUBIC_METRES = "m3", _("m³")
    # An amount of money, in the item's currency.
    AMOUNT = "amount", _("amount")


MASS_IN_KG: dict[str, Decimal] = {
    UnitOfMeasure.KG: Decimal(1),
    UnitOfMeasure.G: Decimal("0.001"),
    UnitOfMeasure.T: Decimal(1000),
}
VOLUME_IN_L: dict[str, Decimal] = {UnitOfMeasure.L: Decimal(1), UnitOfMeasure.ML: Decimal("0.001")}
PER_UNIT: frozenset[str] = frozenset({UnitOfMeasure.TABLETS, UnitOfMeasure.DOSES})


def quantity_in_kg(quantity: Decimal, unit: str, substance: Substance) -> Decimal | None:
    """Kilograms for a quantity, or None where no conversion is defined for this unit and substance."""
    if unit in MASS_IN_KG:
        kg = quantity * MASS_IN_KG[unit]
    elif unit in VOLUME_IN_L and substance.kg_per_litre is not None:
        kg = quantity * VOLUME_IN_L[unit] * substance.kg_per_litre
    elif unit in PER_UNIT and substance.kg_per_unit is not None:
        kg = quantity * substance.kg_per_unit
    else:
        return None
    return kg.quantize(Decimal("0.000001"))


class DetectionMethod(models.TextChoices):
    RISK_PROFILING = "risk_profiling", _("risk profiling")
    INTELLIGENCE = "intelligence", _("intelligence")
    RANDOM_CHECK = "random_check", _("random check")
    SNIFFER_DOG = "sniffer_dog", _("sniffer dog")
    SCANNER = "scanner", _("scanner / X-ray")
    CONTROLLED_DELIVERY = "controlled_delivery", _("controlled delivery")
    OTHER = "other", _("other")


class TransportMode(models.TextChoices):
    ROAD = "road", _("road")
    RAIL = "rail", _("rail")
    AIR = "air", _("air")
    SEA = "sea", _("sea")
    POSTAL = "postal", _("postal")
    PEDESTRIAN = "pedestrian", _("pedestrian")
    OTHER = "other", _("other")


class Concealment(models.TextChoices):
    """Where the drugs were hidden, grouped so that analysts can count by method."""

    VEHICLE_COMPARTMENT = "vehicle_compartment", _("hidden compartment in a vehicle")
    VEHICLE_PARTS = "vehicle_parts", _("in vehicle parts (tyres, tank, doors)")
    CARGO = "cargo", _("among legitimate cargo")
    CONTAINER = "container", _("in a container structure")
    LUGGAGE = "luggage", _("in luggage")
    ON_BODY = "on_body", _("on the body or in clothing")
    INTERNAL = "internal", _("swallowed or inserted")
    POSTAL = "postal", _("in a parcel or letter")
    THROWN = "thrown", _("thrown over a wall or fence")
    NOT_CONCEALED = "none", _("not concealed")
    OTHER = "other", _("other")


class SeizureStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    VALIDATED = "validated", _("validated")


class SeizureImport(models.Model):
    """One upload of a seizure file: its checks, its outcome and the rows it rejected."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("checked, not imported yet")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("could not be read")

    owner_unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    stored_file = models.FileField(upload_to="imports/%Y/%m", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    encoding = models.CharField(max_length=20, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted_rows = models.PositiveIntegerField(_("accepted rows"), default=0)
    new_seizures = models.PositiveIntegerField(_("new seizures"), default=0)
    new_items = models.PositiveIntegerField(_("new items"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("already in Kordon"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected rows"), default=0)
    headers = models.JSONField(default=list)
    # TLP, handling code and distribution given to every seizure of the import.
    markings = models.JSONField(default=dict)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("seizure import")
        verbose_name_plural = _("seizure imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class SeizureImportProblem(models.Model):
    """A problem found in one row (or the whole file, row 0), kept with the import so the
    rejected rows can be downloaded, fixed and uploaded again."""

    batch = models.ForeignKey(SeizureImport, models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=60, blank=True)
    message = models.CharField(_("problem"), max_length=500)
    values = models.JSONField(_("row as uploaded"), default=list)
    rejected = models.BooleanField(default=True)

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


# The record columns the access policy filters on (see access.policy.record_filter).
POLICY_COLUMNS = ["owner_agency", "owner_unit", "distribution", "tlp", "sharing_group"]


class Seizure(MarkedRecord):
    """A seizure event: when, where, how it was found, how it travelled and how it was hidden."""

    record_kind = RecordKind.SEIZURES

    reference = models.CharField(_("reference"), max_length=60)
    occurred_on = models.DateField(_("date"))
    occurred_at = models.TimeField(_("time"), null=True, blank=True)
    # Every index slows imports down: foreign keys are indexed only where a list filters on them
    # (Meta.indexes), not one by one as Django would by default. Reference data (countries, places,
    # units, users, imports) is never deleted while records point at it (PROTECT in the ORM), and
    # every write path resolves these values from the reference tables, so the database does not
    # check them again row by row (db_constraint=False): on PostgreSQL those checks doubled the
    # time of a large import. The owner unit and the items' links keep their database constraints.
    country = models.ForeignKey(
        Country,
        models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("country"),
    )
    place = models.ForeignKey(
        Place,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="seizures",
        db_index=False,
        db_constraint=False,
        verbose_name=_("place"),
    )
    place_description = models.CharField(_("place (description)"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    reporting_unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("reporting unit"),
    )
    reporting_body = models.CharField(_("reported by (not a Kordon unit)"), max_length=200, blank=True)
    detection_method = models.CharField(
        _("detection method"), max_length=20, choices=DetectionMethod.choices, blank=True
    )
    transport_mode = models.CharField(
        _("transport mode"), max_length=12, choices=TransportMode.choices, blank=True
    )
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=20, blank=True)
    container_number = models.CharField(_("container number"), max_length=11, blank=True)
    flight = models.CharField(_("flight"), max_length=12, blank=True)
    train = models.CharField(_("train"), max_length=20, blank=True)
    concealment = models.CharField(_("concealment"), max_length=20, choices=Concealment.choices, blank=True)
    concealment_details = models.CharField(_("concealment details"), max_length=300, blank=True)
    origin_country = models.ForeignKey(
        Country,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("origin"),
    )
    # ISO codes in travel order; a list keeps the order and imports fast.
    transit_countries = models.JSONField(_("transit countries"), default=list, blank=True)
    destination_country = models.ForeignKey(
        Country,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("destination"),
    )
    persons_arrested = models.PositiveIntegerField(_("persons arrested"), default=0)
    arrested_nationalities = models.JSONField(
        _("nationalities of arrested persons"), default=list, blank=True
    )
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SeizureStatus.choices, default=SeizureStatus.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("recorded by"),
    )
    source_import = models.ForeignKey(
        SeizureImport,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("import"),
    )
    # Lower-case copy of the searchable text: the search box is one LIKE on one column.
    search_text = models.TextField(editable=False, default="")
    # The node that owns the seizure when it came from another one (kordon.federation), empty for
    # the node's own: a received seizure is read-only here and changes only on its owner's node.
    # A database default too: imports write their columns in bulk and leave this one out.
    origin_node = models.CharField(
        _("received from node"), max_length=100, blank=True, default="", db_default=""
    )

    class Meta(MarkedRecord.Meta):
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "reference"], name="seizure_reference_per_agency")
        ]
        # The list's indexes carry the columns the access policy reads (and the country, the most
        # common filter), so that the database checks both on the index entry and reads a row only
        # when it is shown. Without them, each of the many hidden rows was read from the table only
        # to be thrown away (a partner's filtered list took ~340 ms instead of ~90 ms on SQLite).
        indexes = [
            # Node administrators' lists and exports, newest first.
            models.Index(fields=["occurred_on", "id", *POLICY_COLUMNS, "country"], name="seizure_date"),
            # Everyone else's lists read one ordered range per policy key (policy.record_keys,
            # core.paging.KeyedPaginator): an agency with one distribution, or a distribution of
            # other agencies. A partner who may see what a few agencies release to partners reads
            # exactly those rows, whatever else the node holds.
            models.Index(
                fields=[
                    "owner_agency",
                    "distribution",
                    "occurred_on",
                    "id",
                    "owner_unit",
                    "tlp",
                    "sharing_group",
                    "country",
                ],
                name="seizure_agency_date",
            ),
            models.Index(
                fields=[
                    "distribution",
                    "occurred_on",
                    "id",
                    *POLICY_COLUMNS[:2],
                    *POLICY_COLUMNS[3:],
                    "country",
                ],
                name="seizure_distribution_date",
            ),
            models.Index(fields=["place", "occurred_on"], name="seizure_place_date"),
        ]
        verbose_name = _("seizure")
        verbose_name_plural = _("seizures")

    def __str__(self) -> str:
        return f"{self.reference} ({self.occurred_on:%d.%m.%Y})"


class SeizureItem(QuickChoiceLabels):
    """One commodity in a seizure, in the unit it was reported in and (where defined) in kg;
    with its declared or estimated value, and the details its family carries (a firearm's
    calibre and serial numbers, a CITES species, an HS code)."""

    # Indexed together with the substance (Meta.indexes) rather than alone: a list filtered by a
    # drug or a drug group asks, for each seizure it passes, whether one of its items is of that
    # substance, and the pair answers from the index without reading the item.
    seizure = models.ForeignKey(Seizure, models.CASCADE, related_name="items", db_index=False)
    # Not indexed on its own: lists find items through their seizure, and an index on the
    # substance cost a fifth of the time of a large import.
    substance = models.ForeignKey(
        Substance, models.PROTECT, related_name="+", db_index=False, verbose_name=_("substance")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=6)
    unit = models.CharField(_("unit of measure"), max_length=8, choices=UnitOfMeasure.choices)
    quantity_kg = models.DecimalField(_("kilograms"), max_digits=16, decimal_places=6, null=True, blank=True)
    purity_percent = models.DecimalField(
        _("purity, %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    attributes = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["seizure", "substance"], name="seizure_item_substance")]
        verbose_name = _("seizure item")
        verbose_name_plural = _("seizure items")

    def __str__(self) -> str:
        return f"{self.substance} {self.quantity.normalize():f} {self.unit}"
