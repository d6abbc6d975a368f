from django.urls import path

from kordon.entities import views

app_name = "entities"
urlpatterns = [
    path("screening/", views.screening_view, name="screening"),
    path("screening/file/", views.screening_file_view, name="screening-file"),
    path("watchlists/", views.watchlists_view, name="watchlists"),
]
