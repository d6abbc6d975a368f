"""The kinds of record a case gathers: those an entity can be linked to, and entities and
consignments themselves."""

from django.utils.translation import gettext_lazy as _

from kordon.entities.records import LINKABLE, Linkable

CASE_RECORDS: dict[str, Linkable] = {
    **LINKABLE,
    "entity": Linkable(
        "entity", "entities.Entity", _("person or object"), "entities:detail", "created_at", "name"
    ),
    "consignment": Linkable(
        "consignment",
        "targeting.Consignment",
        _("consignment"),
        "targeting:inspection",
        "declared_on",
        "declaration_id",
    ),
}
