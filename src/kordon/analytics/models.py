"""What analysts keep: their own pivot tables, saved as the question they asked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedPivot(models.Model):
    """A pivot table an analyst saved: its name and the question (the explorer's query string),
    so that opening it again counts afresh over what they may see then."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("question"), max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_pivot_name_per_owner")]
        verbose_name = _("saved pivot table")
        verbose_name_plural = _("saved pivot tables")

    def __str__(self) -> str:
        return self.name


class ReferenceFigure(models.Model):
    """A published annual figure: kilograms of one drug seized in one country in one year, from a
    named source (the UNODC series), to set beside Kordon's own totals."""

    source = models.CharField(_("source"), max_length=200)
    country = models.ForeignKey("core.Country", models.PROTECT, related_name="+", verbose_name=_("country"))
    drug_group = models.CharField(_("drug group"), max_length=20)  # a SubstanceGroup code, or "other"
    drug = models.CharField(_("drug (as published)"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    kilograms = models.DecimalField(_("kilograms"), max_digits=20, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "country", "drug", "year"], name="reference_figure_once"
            )
        ]
        indexes = [models.Index(fields=["country", "year"], name="reference_country_year")]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")

    def __str__(self) -> str:
        return f"{self.country_id} {self.year} {self.drug}: {self.kilograms} kg"


class SeizureChange(models.Model):
    """A seizure changed or deleted (itself, one of its items or its link to an alert), written by
    database triggers (migration 0003) so that nothing escapes it, bulk imports and the admin
    included. The analytics mirror counts these seizures from the database until it is rebuilt
    (analytics/mirror.py). New rows need no entry: their ids are above the mirror's highest."""

    seizure_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"seizure {self.seizure_id} changed"
