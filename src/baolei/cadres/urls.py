from django.urls import path

from baolei.cadres.views import cadres as views
from baolei.cadres.views import incentives as views_incentives
from baolei.cadres.views import leaders as views_leaders
from baolei.cadres.views import selection as views_selection
from baolei.cadres.views import team_edit
from baolei.cadres.views import teams as views_teams

app_name = "cadres"
urlpatterns: list = [
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
    path("teams/", views_teams.team_list, name="team_list"),
    path("teams/new/", views_teams.team_create, name="team_create"),
    path("teams/<int:pk>/", views_teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", team_edit.team_edit, name="team_edit"),
    path("teams/<int:pk>/funds/new/", team_edit.fund_add, name="fund_add"),
    path("teams/<int:pk>/members/new/", views_teams.member_add, name="member_add"),
    path("teams/<int:pk>/recall/", views_teams.team_recall, name="team_recall"),
    path("teams/<int:pk>/duties/new/", views_teams.duty_add, name="duty_add"),
    path("teams/duties/<int:pk>/", views_teams.duty_update, name="duty_update"),
    path("teams/members/<int:pk>/rotate/", views_teams.member_rotate, name="member_rotate"),
    path("teams/members/<int:pk>/end/", views_teams.member_end, name="member_end"),
    path(
        "teams/members/<int:pk>/attendance/", views_teams.attendance_entry, name="attendance_entry"
    ),
    path("teams/members/<int:pk>/leave/", views_teams.leave_create, name="leave_create"),
    path("teams/attendance/below/", views_teams.below_rule, name="below_rule"),
    path("teams/attendance/below/export/", views_teams.below_rule_export, name="below_rule_export"),
    path("teams/leave/", views_teams.leave_list, name="leave_list"),
    path("teams/leave/<int:pk>/decide/", views_teams.leave_decide, name="leave_decide"),
    path(
        "teams/first-secretaries/export/",
        views_teams.first_secretary_export,
        name="first_secretary_export",
    ),
    path("teams/rules/", views_selection.rules, name="team_rules"),
    path("teams/candidates/", views_selection.candidate_list, name="candidate_list"),
    path("teams/candidates/new/", views_selection.candidate_create, name="candidate_create"),
    path("teams/gaps/", views_selection.gap_list, name="gap_list"),
    path(
        "teams/villages/<str:code>/industry/",
        views_selection.village_industry,
        name="village_industry",
    ),
    path("teams/matching/", views_selection.matching_list, name="matching_list"),
    path("teams/matching/<int:pk>/", views_selection.matching_detail, name="matching_detail"),
    path(
        "teams/matching/<int:pk>/confirm/",
        views_selection.matching_confirm,
        name="matching_confirm",
    ),
    path(
        "teams/matching/<int:pk>/discard/",
        views_selection.matching_discard,
        name="matching_discard",
    ),
    path("teams/matching/pairs/<int:pk>/", views_selection.pair_adjust, name="pair_adjust"),
]
