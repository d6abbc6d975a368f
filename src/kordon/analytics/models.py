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
