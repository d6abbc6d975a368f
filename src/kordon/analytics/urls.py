from django.urls import path

from kordon.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("panels/<str:panel>/", views.panel_view, name="panel"),
    path("map.<str:image_format>", views.map_download_view, name="map"),
]
