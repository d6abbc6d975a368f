"""Administration pages write through the audit trail like every other write."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.models import ApiToken, SharingAgreement, SharingGroup


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


class AuditedWithMembersAdmin(AuditedModelAdmin):
    """For agreements and groups, whose parties and members (many-to-many) decide who sees what:
    the audit line is written after those are saved, with them in the after-image."""

    members: tuple[str, ...] = ()

    def _image(self, obj: Model) -> dict[str, Any]:
        image = snapshot(obj)
        for name in self.members:
            image[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        return image

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        obj._audit_before = self._image(type(obj)._default_manager.get(pk=obj.pk)) if change else None  # type: ignore[attr-defined]
        obj.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        audit_log(
            actor=request.user,
            action=UPDATE if change else CREATE,
            instance=obj,
            before=getattr(obj, "_audit_before", None),
            after=self._image(obj),
        )


@admin.register(SharingAgreement)
class SharingAgreementAdmin(AuditedWithMembersAdmin):
    members = ("parties",)
    list_display = ["title", "scope", "tlp_ceiling", "valid_from", "valid_to", "status"]
    list_filter = ["status", "scope", "tlp_ceiling"]
    search_fields = ["title", "document_reference"]
    filter_horizontal = ["parties"]


@admin.register(SharingGroup)
class SharingGroupAdmin(AuditedWithMembersAdmin):
    members = ("units", "agencies")
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    filter_horizontal = ["units", "agencies"]
