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
