from django.urls import path

from kordon.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.questionnaires_view, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.questionnaire_view, name="questionnaire"),
    path("questionnaires/<int:pk>/report.pdf", views.report_view, name="report"),
    path("training/", views.training_view, name="training"),
    path("training/<int:pk>/", views.event_view, name="event"),
    path("participants/<int:pk>/certificate.pdf", views.certificate_view, name="certificate"),
]
