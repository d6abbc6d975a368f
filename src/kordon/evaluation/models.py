"""Questionnaires defined as XLSForms with the rules that score them, the answers of each
respondent at each wave (before, after, follow-up), and training events with their participants.

A questionnaire is a record of the programme's unit; its responses carry no markings of their
own: the questionnaire's apply. Respondents are codes (a family number), never names.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kordon.access.models import MarkedRecord
from kordon.core.models import Country


class Informant(models.TextChoices):
    PARENT = "parent", _("parent")
    TEACHER = "teacher", _("teacher")
    SELF = "self", _("the child or young person")
    OTHER = "other", _("other")


class Wave(models.TextChoices):
    PRE = "pre", _("before the programme")
    POST = "post", _("after the programme")
    FOLLOW_UP = "follow_up", _("follow-up")


class Questionnaire(MarkedRecord):
    """One version of a questionnaire: its items (from the XLSForm) and its scoring rules (data,
    see evaluation.scoring). Licensed instruments come with the rules only: the deployment
    supplies the wording in its own XLSForm."""

    form_id = models.CharField(_("form id"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    informant = models.CharField(_("informant"), max_length=10, choices=Informant.choices)
    # [{"name": "sdq_1", "score_as": "1", "labels": {"en": ...}, "values": [0, 1, 2]}, ...]
    items = models.JSONField(_("items"), default=list)
    scoring = models.JSONField(_("scoring rules"), default=dict, blank=True)
    source = models.BinaryField(_("XLSForm file"))
    source_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["form_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "form_id", "version"], name="questionnaire_version_per_agency"
            )
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Response(models.Model):
    """One respondent's answers at one wave, with the scores computed when they were stored."""

    questionnaire = models.ForeignKey(Questionnaire, models.CASCADE, related_name="responses")
    respondent = models.CharField(_("respondent code"), max_length=40)
    site = models.CharField(_("site (school, group)"), max_length=200, blank=True)
    wave = models.CharField(_("wave"), max_length=10, choices=Wave.choices)
    answered_on = models.DateField(_("answered on"))
    answers = models.JSONField(_("answers"), default=dict)  # scoring item -> value (None: not answered)
    scores = models.JSONField(_("scores"), default=dict)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["respondent", "wave"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "respondent", "wave"], name="one_response_per_wave"
            )
        ]

    def __str__(self) -> str:
        return f"{self.respondent} {self.wave}"


class TrainingEvent(MarkedRecord):
    """A training given by the programme (e.g. FAST facilitators, family skills teams)."""

    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    place = models.CharField(_("place"), max_length=200)
    country = models.ForeignKey(Country, models.PROTECT, related_name="+", verbose_name=_("country"))
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    hours = models.PositiveIntegerField(_("hours of training"), default=0)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")

    def __str__(self) -> str:
        return self.title


class ParticipantSex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class Participant(models.Model):
    event = models.ForeignKey(TrainingEvent, models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=8, choices=ParticipantSex.choices)
    country = models.ForeignKey(Country, models.PROTECT, related_name="+", verbose_name=_("country"))
    agency = models.CharField(_("agency or organisation"), max_length=200)
    certificate = models.CharField(_("certificate number"), max_length=40, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
