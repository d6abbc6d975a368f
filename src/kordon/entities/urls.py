from django.urls import path

from kordon.entities import views

app_name = "entities"
urlpatterns = [
    path("screening/", views.screening_view, name="screening"),
]
