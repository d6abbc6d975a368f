from django.urls import path

from kordon.analytics import pivot_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("panels/<str:panel>/", views.panel_view, name="panel"),
    path("map.<str:image_format>", views.map_download_view, name="map"),
    path("bulletin.<str:file_format>", views.bulletin_view, name="bulletin"),
    path("pivot/", pivot_views.pivot_view, name="pivot"),
    path("pivot/export.<str:file_format>", pivot_views.pivot_export_view, name="pivot-export"),
    path("pivot/<int:pivot_id>/delete/", pivot_views.pivot_delete_view, name="pivot-delete"),
]
