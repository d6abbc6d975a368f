from django.urls import path

from kordon.entities import record_views, views

app_name = "entities"
urlpatterns = [
    path("", record_views.entities_view, name="list"),
    path("new/<str:kind>/", record_views.entity_new_view, name="new"),
    path("export.ftm.json", record_views.entities_ftm_view, name="export-ftm"),
    path("<int:pk>/", record_views.entity_view, name="detail"),
    path("<int:pk>/edit/", record_views.entity_edit_view, name="edit"),
    path("<int:pk>/chart/", record_views.entity_chart_view, name="chart"),
    path("<int:pk>/link/<str:target>/", record_views.entity_link_view, name="link"),
    path("links/<int:link_id>/remove/", record_views.link_remove_view, name="link-remove"),
    path("review/", record_views.review_view, name="review"),
    path("review/run/", record_views.linking_run_view, name="linking-run"),
    path("review/<int:decision_id>/", record_views.decide_view, name="decide"),
    path("screening/", views.screening_view, name="screening"),
    path("screening/file/", views.screening_file_view, name="screening-file"),
    path("watchlists/", views.watchlists_view, name="watchlists"),
    path("watchlists/<int:watchlist_id>/ftm/", views.watchlist_ftm_view, name="watchlist-ftm"),
]
