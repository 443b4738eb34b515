from django.urls import include, path

from baolei.cadres import views

app_name = "cadres"
urlpatterns: list = [
    # Work teams, first secretaries, attendance, selection and matching: urls_teams.
    path("", include("baolei.cadres.urls_teams")),
    path("", views.index, name="index"),
]
