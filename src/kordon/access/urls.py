from django.urls import path

from kordon.access import views

app_name = "access"
urlpatterns = [
    path("audit/", views.audit_view, name="audit"),
    path("audit/verify/", views.audit_verify_view, name="audit-verify"),
    path("agreements/", views.agreements_view, name="agreements"),
]
