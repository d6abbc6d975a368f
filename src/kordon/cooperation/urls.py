from django.urls import path

from kordon.cooperation import views

app_name = "cooperation"

urlpatterns = [
    path("", views.requests_view, name="requests"),
    path("requests.<str:file_format>", views.requests_export_view, name="requests-export"),
    path("requests/print/", views.requests_print_view, name="requests-print"),
    path("requests/<int:pk>/", views.request_view, name="request"),
    path("requests/<int:pk>/<str:action>", views.request_action_view, name="request-action"),
    path("documents/<int:pk>", views.document_view, name="document"),
    path("referrals/", views.referrals_view, name="referrals"),
    path("referrals/statistics/", views.statistics_view, name="statistics"),
    path("referrals/cases/<int:pk>/", views.case_view, name="case"),
    path("referrals/cases/<int:pk>/<str:action>", views.case_action_view, name="case-action"),
    path("referrals/<int:pk>/<str:action>", views.referral_action_view, name="referral-action"),
]
