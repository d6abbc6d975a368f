from django.contrib import admin

from kordon.access.admin import AuditedWithMembersAdmin
from kordon.federation.models import Peer


@admin.register(Peer)
class PeerAdmin(AuditedWithMembersAdmin):
    """The administrator's view of the peers: state, last exchange and last problem; approve or
    suspend here or with `kordon federation`. Every change is audited."""

    members = ("agencies",)
    list_display = ["name", "status", "url", "tlp_ceiling", "last_sent_at", "last_received_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["name", "url"]
    filter_horizontal = ["agencies"]
    readonly_fields = [
        "sent_sequence",
        "received_sequence",
        "last_sent_at",
        "last_received_at",
        "last_error",
        "served",
        "last_pull_at",
        "created_at",
    ]
