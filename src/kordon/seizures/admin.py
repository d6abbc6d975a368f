from django.contrib import admin

from kordon.access.admin import AuditedModelAdmin
from kordon.seizures.models import Substance


@admin.register(Substance)
class SubstanceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "group", "kg_per_litre", "kg_per_unit", "unodc_name"]
    list_filter = ["group"]
    search_fields = ["code", "name", "synonyms"]
