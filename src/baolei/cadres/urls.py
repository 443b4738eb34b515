from django.urls import include, path

from baolei.cadres import views, views_incentives, views_leaders

app_name = "cadres"
urlpatterns: list = [
    # Work teams, first secretaries, attendance, selection and matching: urls_teams.
    path("", include("baolei.cadres.urls_teams")),
    path("", views.index, name="index"),
    path("list/", views.cadre_list, name="cadre_list"),
    path("list/export/", views.cadre_export, name="cadre_export"),
    path("new/", views.cadre_create, name="cadre_create"),
    path("<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("<int:pk>/achievements/new/", views.achievement_create, name="achievement_create"),
    path("<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("achievements/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/discipline/new/", views.discipline_create, name="discipline_create"),
    path("<int:pk>/decisions/new/", views_incentives.decision_create, name="decision_create"),
    path("ranking/", views_incentives.ranking_page, name="ranking"),
    path("ranking/export/", views_incentives.ranking_export, name="ranking_export"),
    path("leaders/", views_leaders.leader_list, name="leader_list"),
    path("leaders/export/", views_leaders.leader_export, name="leader_export"),
    path("leaders/new/", views_leaders.leader_create, name="leader_create"),
    path("leaders/<int:pk>/", views_leaders.leader_detail, name="leader_detail"),
    path("leaders/<int:pk>/edit/", views_leaders.leader_edit, name="leader_edit"),
    path(
        "leaders/<int:pk>/steps/new/", views_leaders.leader_step_create, name="leader_step_create"
    ),
]
