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
    """Who the owner meant the record for. Every level above UNIT includes the owner's agency.

    PARTNERS and GROUP are two different audiences, not a wider and a narrower one: the partners
    are the agencies with an agreement, the group is the list of units and agencies it names.
    """

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


class GradingScheme(models.TextChoices):
    """The source and information grading a node uses (settings.KORDON_GRADING_SCHEME); each
    record stores the scheme it was graded in, so a record from another node keeps its meaning."""

    ADMIRALTY = "admiralty", _("Admiralty (A-F x 1-6)")
    UK_3X5X2 = "uk3x5x2", _("UK 3x5x2 (1-3 x A-E)")


class UkSourceEvaluation(models.TextChoices):
    ONE = "1", _("1: reliable")
    TWO = "2", _("2: untested")
    THREE = "3", _("3: not reliable")


class UkIntelligenceAssessment(models.TextChoices):
    A = "A", _("A: known directly to the source")
    B = "B", _("B: known indirectly to the source but corroborated")
    C = "C", _("C: known indirectly to the source")
    D = "D", _("D: not known")
    E = "E", _("E: suspected to be false")


GRADING_CHOICES = {
    GradingScheme.ADMIRALTY: (SourceReliability, InformationCredibility),
    GradingScheme.UK_3X5X2: (UkSourceEvaluation, UkIntelligenceAssessment),
}


class RecordKind(models.TextChoices):
    """The kinds of record an agreement can cover. Each record model names its kind."""

    SEIZURES = "seizures", _("seizures")
    ALERTS = "alerts", _("alerts")
    REQUESTS = "requests", _("requests for information")
    ENTITIES = "entities", _("persons, vehicles and companies")
    CONSIGNMENTS = "consignments", _("consignments")
    PRISON_INCIDENTS = "prison_incidents", _("prison incidents")
    COOPERATION = "cooperation", _("cooperation requests")
    REFERRALS = "referrals", _("victim referrals")
    CASES = "cases", _("investigation cases")


# Distributions a partner agency may receive under an agreement.
PARTNER_DISTRIBUTIONS = (Distribution.PARTNERS, Distribution.ALL)

# How widely each distribution releases a record, to tell raising a marking from lowering it.
DISTRIBUTION_BREADTH = {
    Distribution.UNIT: 0,
    Distribution.AGENCY: 1,
    Distribution.PARTNERS: 2,
    Distribution.GROUP: 2,
    Distribution.ALL: 3,
}

# Handling codes from least to most restrictive (H3 carries free-text restrictions).
HANDLING_STRICTNESS = {"H0": 0, "H1": 1, "H2": 2, "H3": 3}
