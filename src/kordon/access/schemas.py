"""REST API schemas of the markings every shared record carries, and of agreements and groups."""

import datetime
from enum import StrEnum
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from kordon.access.markings import Distribution, HandlingCode, RecordKind, Tlp
from kordon.access.models import AgreementScope, AgreementStatus

NO_NUL = r"^[^\x00]*$"
Text200 = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
LongText = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Grade = Annotated[str, StringConstraints(max_length=1, pattern=r"^[A-F1-6]?$")]


class TlpName(StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class DistributionName(StrEnum):
    UNIT = "unit"
    AGENCY = "agency"
    PARTNERS = "partners"
    GROUP = "group"
    ALL = "all"


TLP_BY_NAME = {
    TlpName.CLEAR: Tlp.CLEAR,
    TlpName.GREEN: Tlp.GREEN,
    TlpName.AMBER: Tlp.AMBER,
    TlpName.AMBER_STRICT: Tlp.AMBER_STRICT,
    TlpName.RED: Tlp.RED,
}
DISTRIBUTION_BY_NAME = {
    DistributionName.UNIT: Distribution.UNIT,
    DistributionName.AGENCY: Distribution.AGENCY,
    DistributionName.PARTNERS: Distribution.PARTNERS,
    DistributionName.GROUP: Distribution.GROUP,
    DistributionName.ALL: Distribution.ALL,
}
DISTRIBUTION_NAME_OF: dict[int, str] = {
    int(value): name.value for name, value in DISTRIBUTION_BY_NAME.items()
}


class Markings(Schema):
    tlp: TlpName = TlpName.AMBER
    handling_code: HandlingCode = HandlingCode.H0
    handling_note: Text300 = ""
    distribution: DistributionName = DistributionName.AGENCY
    sharing_group: int | None = Field(
        default=None, ge=1, le=2**62, description="id from /sharing-groups, with distribution 'group'"
    )
    source_reliability: Grade = Field(
        default="", description="in the node's grading scheme (KORDON_GRADING_SCHEME)"
    )
    information_credibility: Grade = ""

    def as_service_values(self) -> dict[str, Any]:
        return {
            "tlp": TLP_BY_NAME[self.tlp],
            "handling_code": self.handling_code,
            "handling_note": self.handling_note,
            "distribution": DISTRIBUTION_BY_NAME[self.distribution],
            "sharing_group_id": self.sharing_group,
            "source_reliability": self.source_reliability,
            "information_credibility": self.information_credibility,
        }


class MarkingsOut(Schema):
    tlp: str
    handling_code: str
    handling_note: str
    distribution: str
    sharing_group: int | None
    grading_scheme: str
    source_reliability: str
    information_credibility: str


def markings_out(record: Any) -> dict[str, Any]:
    return {
        "tlp": Tlp(record.tlp).label.removeprefix("TLP:"),
        "handling_code": record.handling_code,
        "handling_note": record.handling_note,
        "distribution": DISTRIBUTION_NAME_OF[record.distribution],
        "sharing_group": record.sharing_group_id,
        "grading_scheme": record.grading_scheme,
        "source_reliability": record.source_reliability,
        "information_credibility": record.information_credibility,
    }


class AgreementIn(Schema):
    title: Text200 = Field(min_length=1)
    parties: list[Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]] = Field(
        min_length=2, max_length=50, description="agency codes from /agencies"
    )
    record_kinds: list[RecordKind] = Field(min_length=1, max_length=10)
    tlp_ceiling: TlpName
    scope: AgreementScope = AgreementScope.RECORDS
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    status: AgreementStatus = AgreementStatus.DRAFT
    document_reference: Text200 = ""
    note: LongText = ""


class AgreementOut(Schema):
    id: int
    title: str
    parties: list[str]
    record_kinds: list[str]
    tlp_ceiling: str
    scope: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    in_force: bool
    document_reference: str


class AgreementStatusIn(Schema):
    status: AgreementStatus


class GroupIn(Schema):
    name: Text200 = Field(min_length=1)
    units: list[Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=500
    )
    agencies: list[Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=200
    )
    description: LongText = ""
    releasability: Text300 = ""
    active: bool = True


class GroupOut(Schema):
    id: int
    name: str
    units: list[str]
    agencies: list[str]
    description: str
    releasability: str
    active: bool
