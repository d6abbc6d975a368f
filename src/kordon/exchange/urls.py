from django.urls import path

from kordon.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("alerts/new/", views.alert_create_view, name="alert-create"),
    path("alerts/<int:alert_id>/", views.alert_detail_view, name="alert"),
    path("alerts/<int:alert_id>/<str:action>/", views.alert_action_view, name="alert-action"),
    path("requests/new/", views.request_create_view, name="request-create"),
    path("requests/attention/", views.attention_view, name="attention"),
    path("requests/<int:request_id>/", views.request_detail_view, name="request"),
    path("requests/<int:request_id>/<str:action>/", views.request_action_view, name="request-action"),
    path("files/<str:token>/", views.attachment_view, name="attachment"),
    path("outcomes/", views.outcomes_view, name="outcomes"),
    path("seizures/<int:seizure_id>/alerts/", views.seizure_alerts_view, name="seizure-alerts"),
]
