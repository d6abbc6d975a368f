from django.urls import path
from django.views.generic import TemplateView

from kordon.seizures import views

app_name = "seizures"
urlpatterns = [
    path("", views.seizure_list_view, name="list"),
    path("new/", views.seizure_create_view, name="create"),
    path("autocomplete/", views.seizure_autocomplete_view, name="autocomplete"),
    path("<int:seizure_id>/", views.seizure_detail_view, name="detail"),
    path("<int:seizure_id>/edit/", views.seizure_edit_view, name="edit"),
    path("<int:seizure_id>/delete/", views.seizure_delete_view, name="delete"),
    path("export/<str:file_format>/", views.seizure_export_view, name="export"),
    path("imports/", views.import_start_view, name="imports"),
    path("imports/<int:import_id>/", views.import_detail_view, name="import"),
    path("imports/<int:import_id>/rejected.csv", views.import_rejected_view, name="import-rejected"),
    path("imports/template.<str:file_format>", views.import_template_view, name="template"),
    path(
        "imports/guide/",
        TemplateView.as_view(
            template_name="seizures/import_guide.html", extra_context={"section": "imports"}
        ),
        name="import-guide",
    ),
]
