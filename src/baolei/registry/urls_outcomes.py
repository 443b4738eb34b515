"""Procedures, monitoring and the exit checks; included in the "registry" namespace."""

from django.urls import path

from baolei.registry import views_outcomes as views
from baolei.registry import views_standards

urlpatterns: list = [
    path("households/<int:pk>/exit-check/", views.exit_check, name="exit_check"),
    path("households/<int:pk>/procedures/start/", views.procedure_start, name="procedure_start"),
    path("procedures/<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("households/<int:pk>/risk-events/new/", views.risk_event_create, name="risk_event_create"),
    path("risk-events/<int:pk>/resolve/", views.risk_event_resolve, name="risk_event_resolve"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("monitoring/overdue/", views.monitoring_overdue, name="monitoring_overdue"),
    path("monitoring/candidates/", views.monitoring_candidates, name="monitoring_candidates"),
    path("villages/<str:code>/exit-check/", views.village_exit, name="village_exit"),
    path("counties/<str:code>/readiness/", views.county_readiness, name="county_readiness"),
    path(
        "counties/<str:code>/populations/",
        views_standards.village_populations,
        name="village_populations",
    ),
    path("standards/", views_standards.standard_list, name="standard_list"),
    path("standards/new/", views_standards.standard_create, name="standard_create"),
    path("standards/<int:pk>/", views_standards.standard_edit, name="standard_edit"),
]
