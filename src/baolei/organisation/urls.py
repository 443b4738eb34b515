from django.urls import include, path

from baolei.organisation import views

app_name = "organisation"
urlpatterns: list = [
    # Grading, weak branches and their rectification, organisation life: urls_grading.
    path("", include("baolei.organisation.urls_grading")),
    path("", views.index, name="index"),
]
