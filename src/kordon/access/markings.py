"""The markings every record carries: TLP 2.0, Europol handling codes, grading and distribution."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tlp(models.IntegerChoices):
    """FIRST Traffic Light Protocol 2.0, ordered from widest to narrowest release."""

    CLEAR = 0, "TLP:CLEAR"
    GREEN = 1, "TLP:GREEN"
    AMBER = 2, "TLP:AMBER"
    AMBER_STRICT = 3, "TLP:AMBER+STRICT"
    RED = 4, "TLP:RED"


class HandlingCode(models.TextChoices):
    """Europol handling codes: what a recipient may do with the information."""

    H0 = "H0", _("H0: only for preventing and combating crime")
    H1 = "H1", _("H1: not to be disclosed in judicial proceedings without the provider's permission")
    H2 = "H2", _("H2: not to be disseminated without the provider's permission")
    H3 = "H3", _("H3: other restrictions (see note)")


class Distribution(models.IntegerChoices):
    """Who the owner meant the record for. Every level above UNIT includes the owner's agency."""

    UNIT = 0, _("own unit")
    AGENCY = 1, _("own agency")
    PARTNERS = 2, _("partners under an agreement")
    GROUP = 3, _("sharing group")
    ALL = 4, _("all members")


class SourceReliability(models.TextChoices):
    """Admiralty (NATO) source reliability."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class InformationCredibility(models.TextChoices):
    """Admiralty (NATO) information credibility."""

    ONE = "1", _("1: confirmed by other sources")
    TWO = "2", _("2: probably true")
    THREE = "3", _("3: possibly true")
    FOUR = "4", _("4: doubtful")
    FIVE = "5", _("5: improbable")
    SIX = "6", _("6: truth cannot be judged")
