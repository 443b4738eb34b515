"""URLs of work teams, first secretaries, attendance, leave, selection and matching
(included by `cadres/urls.py` in the `cadres` namespace)."""

from django.urls import path

from baolei.cadres import views_matching as matching
from baolei.cadres import views_team_edit as team_edit
from baolei.cadres import views_teams as teams

urlpatterns: list = [
    path("teams/", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", team_edit.team_edit, name="team_edit"),
    path("teams/<int:pk>/funds/new/", team_edit.fund_add, name="fund_add"),
    path("teams/<int:pk>/members/new/", teams.member_add, name="member_add"),
    path("teams/<int:pk>/recall/", teams.team_recall, name="team_recall"),
    path("teams/<int:pk>/duties/new/", teams.duty_add, name="duty_add"),
    path("teams/duties/<int:pk>/", teams.duty_update, name="duty_update"),
    path("teams/members/<int:pk>/rotate/", teams.member_rotate, name="member_rotate"),
    path("teams/members/<int:pk>/end/", teams.member_end, name="member_end"),
    path("teams/members/<int:pk>/attendance/", teams.attendance_entry, name="attendance_entry"),
    path("teams/members/<int:pk>/leave/", teams.leave_create, name="leave_create"),
    path("teams/attendance/below/", teams.below_rule, name="below_rule"),
    path("teams/attendance/below/export/", teams.below_rule_export, name="below_rule_export"),
    path("teams/leave/", teams.leave_list, name="leave_list"),
    path("teams/leave/<int:pk>/decide/", teams.leave_decide, name="leave_decide"),
    path(
        "teams/first-secretaries/export/",
        teams.first_secretary_export,
        name="first_secretary_export",
    ),
    path("teams/rules/", matching.rules, name="team_rules"),
    path("teams/candidates/", matching.candidate_list, name="candidate_list"),
    path("teams/candidates/new/", matching.candidate_create, name="candidate_create"),
    path("teams/gaps/", matching.gap_list, name="gap_list"),
    path("teams/villages/<str:code>/industry/", matching.village_industry, name="village_industry"),
    path("teams/matching/", matching.matching_list, name="matching_list"),
    path("teams/matching/<int:pk>/", matching.matching_detail, name="matching_detail"),
    path("teams/matching/<int:pk>/confirm/", matching.matching_confirm, name="matching_confirm"),
    path("teams/matching/<int:pk>/discard/", matching.matching_discard, name="matching_discard"),
    path("teams/matching/pairs/<int:pk>/", matching.pair_adjust, name="pair_adjust"),
]
