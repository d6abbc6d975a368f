"""Administration pages write through the audit trail like every other write."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kordon.access import two_factor
from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.markings import RecordKind
from kordon.access.models import ApiToken, SharingAgreement, SharingGroup
from kordon.access.services import AgreementData, agreement_problems


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
    list_display = [
        "prefix",
        "user",
        "name",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "scopes"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "digest", "prefix", "scopes", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued through POST /api/v1/auth/token, where the secret is shown once.
        return False


# django-otp's own admin would show and let anyone edit the secret keys; this one only resets.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Users' authenticator apps: the administrator sees who has one and deletes it to reset a
    lost phone (audited, without the secret key)."""

    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ["user", "confirmed", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        two_factor.reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for user in {device.user for device in queryset.select_related("user")}:
            two_factor.reset(actor=request.user, user=user)


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


class SharingAgreementForm(forms.ModelForm):
    """The admin page checks an agreement by the same rules as the API (services.agreement_problems)."""

    record_kinds = forms.MultipleChoiceField(
        label=_("record kinds"), choices=RecordKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SharingAgreement
        fields = [
            "title",
            "document_reference",
            "parties",
            "record_kinds",
            "tlp_ceiling",
            "scope",
            "valid_from",
            "valid_to",
            "status",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problems = agreement_problems(
            AgreementData(
                title=data.get("title", ""),
                parties=[agency.pk for agency in data.get("parties", [])],
                record_kinds=list(data.get("record_kinds", [])),
                tlp_ceiling=data["tlp_ceiling"],
                valid_from=data["valid_from"],
                scope=data["scope"],
                valid_to=data.get("valid_to"),
                status=data["status"],
            )
        )
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(SharingAgreement)
class SharingAgreementAdmin(AuditedWithMembersAdmin):
    form = SharingAgreementForm
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
