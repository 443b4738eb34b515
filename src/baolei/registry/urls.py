from django.urls import include, path

from baolei.registry import views

app_name = "registry"
urlpatterns: list = [
    # Procedures, monitoring and the exit checks: baolei.registry.urls_outcomes.
    path("", include("baolei.registry.urls_outcomes")),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
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
]
