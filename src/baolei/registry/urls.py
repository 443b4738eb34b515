from django.urls import path

from baolei.registry.views import households as views
from baolei.registry.views import outcomes as views_outcomes
from baolei.registry.views import standards as views_standards

app_name = "registry"
urlpatterns: list = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/export/", views.household_export, name="household_export"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/years/<int:year>/", views.year_edit, name="year_edit"),
    path("households/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("households/<int:pk>/pairing/new/", views.pairing_create, name="pairing_create"),
    path("households/<int:pk>/pairing/helpers/", views.pairing_helpers, name="pairing_helpers"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("visits/overdue/", views.visits_overdue, name="visits_overdue"),
    path("helpers/", views.helper_list, name="helper_list"),
    path("helpers/new/", views.helper_create, name="helper_create"),
    path("households/<int:pk>/exit-check/", views_outcomes.exit_check, name="exit_check"),
    path(
        "households/<int:pk>/procedures/start/",
        views_outcomes.procedure_start,
        name="procedure_start",
    ),
    path("procedures/<int:pk>/", views_outcomes.procedure_detail, name="procedure_detail"),
    path(
        "households/<int:pk>/risk-events/new/",
        views_outcomes.risk_event_create,
        name="risk_event_create",
    ),
    path(
        "risk-events/<int:pk>/resolve/",
        views_outcomes.risk_event_resolve,
        name="risk_event_resolve",
    ),
    path("cases/<int:pk>/", views_outcomes.case_detail, name="case_detail"),
    path("cases/<int:pk>/measures/new/", views_outcomes.measure_create, name="measure_create"),
    path("monitoring/overdue/", views_outcomes.monitoring_overdue, name="monitoring_overdue"),
    path(
        "monitoring/candidates/", views_outcomes.monitoring_candidates, name="monitoring_candidates"
    ),
    path("villages/<str:code>/exit-check/", views_outcomes.village_exit, name="village_exit"),
    path(
        "counties/<str:code>/readiness/", views_outcomes.county_readiness, name="county_readiness"
    ),
    path(
        "counties/<str:code>/populations/",
        views_standards.village_populations,
        name="village_populations",
    ),
    path("standards/", views_standards.standard_list, name="standard_list"),
    path("standards/new/", views_standards.standard_create, name="standard_create"),
    path("standards/<int:pk>/", views_standards.standard_edit, name="standard_edit"),
]
