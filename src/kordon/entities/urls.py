from django.urls import path

from kordon.entities import views

app_name = "entities"
urlpatterns = [
    path("screening/", views.screening_view, name="screening"),
    path("screening/file/", views.screening_file_view, name="screening-file"),
    path("watchlists/", views.watchlists_view, name="watchlists"),
    path("watchlists/<int:watchlist_id>/ftm/", views.watchlist_ftm_view, name="watchlist-ftm"),
]
