from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kordon.access.admin import AuditedModelAdmin
from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.core.models import Agency, Country, Membership, Place, Unit, User


@admin.register(Country)
class CountryAdmin(AuditedModelAdmin):
    list_display = ["code", "code3", "name", "central_asia"]
    list_filter = ["central_asia"]
    search_fields = ["code", "code3", "name"]


@admin.register(Place)
class PlaceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "country", "other_country", "latitude", "longitude"]
    list_filter = ["kind", "country"]
    search_fields = ["code", "name", "unlocode"]
    autocomplete_fields = ["counterpart"]


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "agency", "place"]
    list_filter = ["kind", "agency__country"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(User)
class KordonUserAdmin(AuditedModelAdmin, UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Kordon", {"fields": ["language"]}))

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        # Memberships decide what a user may see: audit each change to them.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_log(actor=request.user, action=DELETE, instance=obj, before=snapshot(obj))
            obj.delete()
        for obj in instances:
            action = UPDATE if obj.pk else CREATE
            obj.save()
            audit_log(actor=request.user, action=action, instance=obj, after=snapshot(obj))
        formset.save_m2m()
