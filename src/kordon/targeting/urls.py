from django.urls import path

from kordon.targeting import views

app_name = "targeting"
urlpatterns = [
    path("", views.worklist_view, name="worklist"),
    path("select/", views.select_view, name="select"),
    path("upload/", views.upload_view, name="upload"),
    path("consignments/<int:consignment_id>/inspection/", views.inspection_view, name="inspection"),
    path("profiles/", views.profiles_view, name="profiles"),
    path("profiles/<int:profile_id>/<str:action>/", views.profile_action_view, name="profile-action"),
    path("models/", views.models_view, name="models"),
    path("models/retrain/", views.retrain_view, name="retrain"),
]
