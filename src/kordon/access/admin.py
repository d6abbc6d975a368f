"""Administration pages write through the audit trail like every other write."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.models import ApiToken


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions append audit lines (Django's admin runs each change
    view in a transaction, so the line and the change commit together)."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action=UPDATE if change else CREATE,
            instance=obj,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_log(actor=request.user, action=DELETE, instance=obj, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_log(actor=request.user, action=DELETE, instance=obj, before=snapshot(obj))
        super().delete_queryset(request, queryset)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "digest", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued through POST /api/v1/auth/token, where the secret is shown once.
        return False
