from django.urls import path

from kordon.federation import views

app_name = "federation"
urlpatterns = [
    path("identity", views.identity_view, name="identity"),
    path("changes", views.changes_view, name="changes"),
    path("pull", views.pull_view, name="pull"),
]
