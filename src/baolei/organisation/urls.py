from django.urls import path

from baolei.organisation.views import committees as views_committees
from baolei.organisation.views import grading as views_grading
from baolei.organisation.views import members as views_members
from baolei.organisation.views import organisations as views
from baolei.organisation.views import rectification as views_rectification

app_name = "organisation"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/export/", views.organisation_export, name="organisation_export"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/status/", views.organisation_status, name="organisation_status"),
    path("hosts/", views.host_list, name="host_list"),
    path("hosts/new/", views.host_create, name="host_create"),
    path("hosts/export/", views.host_export, name="host_export"),
    path("hosts/<int:pk>/", views.host_detail, name="host_detail"),
    path("hosts/<int:pk>/edit/", views.host_edit, name="host_edit"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("members/", views_members.member_list, name="member_list"),
    path("members/new/", views_members.member_create, name="member_create"),
    path("members/export/", views_members.member_export, name="member_export"),
    path("members/<int:pk>/", views_members.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views_members.member_edit, name="member_edit"),
    path("members/<int:pk>/transfer/", views_members.member_transfer, name="member_transfer"),
    path("members/<int:pk>/links/new/", views_members.link_create, name="link_create"),
    path("links/<int:pk>/end/", views_members.link_end, name="link_end"),
    path("committees/", views_committees.composition, name="composition"),
    path("committees/<str:code>/", views_committees.village_committees, name="village_committees"),
    path("committees/<str:code>/posts/new/", views_committees.post_create, name="post_create"),
    path(
        "committees/<str:code>/elections/new/",
        views_committees.election_create,
        name="election_create",
    ),
    path("committee-posts/<int:pk>/end/", views_committees.post_end, name="post_end"),
    path("grading/", views_grading.grading_overview, name="grading_overview"),
    path("grading/summary/", views_grading.summary, name="grading_summary"),
    path("grading/export/", views_grading.grading_export, name="grading_export"),
    path("grading/checklists/", views_grading.checklist_list, name="checklist_list"),
    path("grading/checklists/<int:pk>/", views_grading.checklist_detail, name="checklist_detail"),
    path("grading/branches/<int:pk>/", views_grading.branch_record, name="branch_record"),
    path("grading/branches/<int:pk>/<int:year>/", views_grading.grading_edit, name="grading_edit"),
    path(
        "grading/branches/<int:pk>/<int:year>/preview/",
        views_grading.grading_preview,
        name="grading_preview",
    ),
    path("weak/", views_rectification.weak_list, name="weak_list"),
    path("weak/criteria/", views_rectification.criteria, name="weak_criteria"),
    path("weak/designate/<int:pk>/", views_rectification.designate, name="designate"),
    path("weak/<int:pk>/", views_rectification.designation_detail, name="designation_detail"),
    path("tasks/overdue/", views_rectification.overdue_tasks, name="overdue_tasks"),
    path("tasks/export/", views_rectification.task_export, name="task_export"),
    path("tasks/<int:pk>/", views_rectification.task_detail, name="task_detail"),
    path("tasks/<int:pk>/note/", views_rectification.task_note, name="task_note"),
    path("tasks/<int:pk>/submit/", views_rectification.task_submit, name="task_submit"),
    path("tasks/<int:pk>/verify/", views_rectification.task_verify, name="task_verify"),
    path("tasks/<int:pk>/close/", views_rectification.task_close, name="task_close"),
    path("life/", views_grading.life_overview, name="life_overview"),
    path("life/new/", views_grading.life_create, name="life_create"),
    path("life/export/", views_grading.life_export, name="life_export"),
    path("life/<int:pk>/photo/", views_grading.life_photo, name="life_photo"),
]
