"""Who and where: countries, places, agencies, units, users and their roles in units.

These are reference data, not records: they carry no markings and every user may read them.
Changes to them are audited like any write (see kordon.core.admin).
"""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

RUSSIAN_READERS = frozenset({"ky", "kk", "uz", "tg"})


class QuickChoiceLabels(models.Model):
    """get_FOO_display() with each field's choices looked up in a dictionary made once.

    Django builds the dictionary of a field's choices on every call; a list of fifty seizures
    asks for about 275 labels, which took a fifth of the page's time. The labels stay lazy, so
    each call still answers in the reader's language.
    """

    _choice_labels: dict[models.Field, dict] = {}

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        labels = QuickChoiceLabels._choice_labels.get(field)
        if labels is None:
            labels = QuickChoiceLabels._choice_labels[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            return str(labels[value])
        except (KeyError, TypeError):  # not one of the choices (or not hashable): as Django does
            return value


class NamedInLanguages(models.Model):
    """A thing with an English name and its names in the node's other languages.

    Names live in one JSON object ({"ru": "...", "ky": "..."}) so that adding a language to the
    node is a data change, not a migration on every reference table.
    """

    name = models.CharField(_("name (English)"), max_length=200)
    names = models.JSONField(_("names in other languages"), default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = (get_language() or "en").split("-")[0]
        # A name not yet given in a Central Asian language falls back to Russian, which officers
        # there read, before English.
        fallback = self.names.get("ru") if language in RUSSIAN_READERS else None
        return str(self.names.get(language) or fallback or self.name)


class Country(NamedInLanguages):
    """A country or territory by ISO 3166-1; the two-letter code is the key everywhere."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    code3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric code"), max_length=3)
    central_asia = models.BooleanField(_("Central Asian state"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class PlaceKind(models.TextChoices):
    BORDER_CROSSING = "border_crossing", _("border crossing point")
    SEAPORT = "seaport", _("seaport")
    DRY_PORT = "dry_port", _("dry port")
    AIRPORT = "airport", _("airport")
    RAILWAY_STATION = "railway_station", _("railway station")
    POST_OFFICE = "post_office", _("post office")
    PRISON = "prison", _("prison")
    OFFICE = "office", _("office")
    CITY = "city", _("city or town")
    OTHER = "other", _("other")


class Place(NamedInLanguages):
    """A known place: a border crossing point, port, airport, prison, office or town.

    A border crossing point knows the neighbouring country it joins and its counterpart post
    across the border (Dostuk KG <-> Dustlik UZ); `source` says where the coordinates come from.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    country = models.ForeignKey(Country, models.PROTECT, related_name="places", verbose_name=_("country"))
    other_country = models.ForeignKey(
        Country,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("neighbouring country"),
        help_text=_("For a border crossing point: the country on the other side."),
    )
    counterpart = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counterpart across the border"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    unlocode = models.CharField(_("UN/LOCODE"), max_length=5, blank=True)
    aliases = models.JSONField(
        _("other spellings"), default=list, blank=True, help_text=_("Used to recognise the place in imports.")
    )
    source = models.CharField(_("source of the coordinates"), max_length=500, blank=True)

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")


class AgencyKind(models.TextChoices):
    DRUG_CONTROL = "drug_control", _("drug control")
    CUSTOMS = "customs", _("customs")
    BORDER = "border", _("border service")
    POLICE = "police", _("police / internal affairs")
    PRISON = "prison", _("prison service")
    FIU = "fiu", _("financial intelligence")
    PROSECUTION = "prosecution", _("prosecution")
    SECURITY = "security", _("national security")
    NGO = "ngo", _("non-governmental organisation")
    HEALTH = "health", _("health service")
    SOCIAL = "social", _("social protection")
    INTERNATIONAL = "international", _("international organisation")


class Agency(NamedInLanguages):
    """A government body or organisation in a country; sharing agreements bind agencies."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    country = models.ForeignKey(Country, models.PROTECT, related_name="agencies", verbose_name=_("country"))

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class UnitKind(models.TextChoices):
    BLO = "blo", _("Border Liaison Office")
    PCU = "pcu", _("port control unit")
    ANALYSIS = "analysis", _("analysis unit")
    INVESTIGATION = "investigation", _("investigation unit")
    PRISON = "prison", _("prison")
    HEADQUARTERS = "headquarters", _("headquarters")
    OTHER = "other", _("other unit")


class Unit(NamedInLanguages):
    """A unit of an agency at a place; every record is owned by exactly one unit."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="units", verbose_name=_("agency"))
    place = models.ForeignKey(
        Place, models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("place")
    )
    email = models.EmailField(_("e-mail for notifications"), blank=True)

    class Meta:
        ordering = ["agency__country_id", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class User(AbstractUser):
    """A person who logs in; what they may do comes from their memberships in units."""

    language = models.CharField(_("interface language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """How the person is named to others: their full name, else their user name."""
        return self.get_full_name() or self.get_username()


class Role(models.TextChoices):
    OFFICER = "officer", _("officer")
    SUPERVISOR = "supervisor", _("supervisor")
    ANALYST = "analyst", _("analyst")
    AUDITOR = "auditor", _("auditor")
    ADMINISTRATOR = "administrator", _("administrator")


class Membership(models.Model):
    """A user's role in a unit. A user may belong to several units with different roles."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships", verbose_name=_("user"))
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.unit} ({self.get_role_display()})"
