from django.urls import path

from kordon.prisons import views

app_name = "prisons"

urlpatterns = [
    path("", views.facilities_view, name="facilities"),
    path("facilities/new", views.facility_create_view, name="facility-create"),
    path("facilities/<int:pk>/", views.facility_view, name="facility"),
    path("frameworks/", views.frameworks_view, name="frameworks"),
    path("frameworks/<int:pk>/xlsform.xlsx", views.framework_export_view, name="framework-export"),
    path("audits/new", views.audit_plan_view, name="audit-plan"),
    path("audits/<int:pk>/", views.audit_view, name="audit"),
    path("audits/<int:pk>/checklist/", views.checklist_view, name="checklist"),
    path("audits/<int:pk>/answers", views.answers_view, name="answers"),
    path("audits/<int:pk>/submit", views.audit_submit_view, name="audit-submit"),
    path("audits/<int:pk>/review", views.audit_review_view, name="audit-review"),
    path("audits/<int:pk>/recommendations", views.recommendation_add_view, name="recommendation-add"),
    path("audits/<int:pk>/report.pdf", views.audit_report_view, name="audit-report"),
    path("recommendations/<int:pk>/answer", views.recommendation_respond_view, name="recommendation-respond"),
    path("evidence/<int:pk>", views.evidence_view, name="evidence"),
    path("incidents/", views.incidents_view, name="incidents"),
    path("incidents/<int:pk>/", views.incident_view, name="incident"),
    path("operations/", views.operations_view, name="operations"),
    path("operations/evaluation/", views.evaluation_view, name="evaluation"),
    path("service-worker.js", views.service_worker_view, name="service-worker"),
]
