from django.urls import path

from kordon.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.cases_view, name="cases"),
    path("<int:pk>/", views.case_view, name="case"),
    path("<int:pk>/<str:action>", views.case_action_view, name="action"),
    path("items/<int:item_id>/share", views.item_share_view, name="item-share"),
    path("tasks/<int:task_id>/done", views.task_done_view, name="task-done"),
    path("exhibits/<int:pk>/", views.exhibit_view, name="exhibit"),
    path("exhibits/<int:pk>/custody.pdf", views.exhibit_report_view, name="exhibit-report"),
    path("exhibits/<int:pk>/<str:action>", views.exhibit_action_view, name="exhibit-action"),
    path("documents/<int:pk>/", views.document_view, name="document"),
]
