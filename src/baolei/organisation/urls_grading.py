from django.urls import path

from baolei.organisation import views_grading as views
from baolei.organisation import views_rectification as weak

urlpatterns: list = [
    path("grading/", views.grading_overview, name="grading_overview"),
    path("grading/summary/", views.summary, name="grading_summary"),
    path("grading/export/", views.grading_export, name="grading_export"),
    path("grading/checklists/", views.checklist_list, name="checklist_list"),
    path("grading/checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("grading/branches/<int:pk>/", views.branch_record, name="branch_record"),
    path("grading/branches/<int:pk>/<int:year>/", views.grading_edit, name="grading_edit"),
    path(
        "grading/branches/<int:pk>/<int:year>/preview/",
        views.grading_preview,
        name="grading_preview",
    ),
    path("weak/", weak.weak_list, name="weak_list"),
    path("weak/criteria/", weak.criteria, name="weak_criteria"),
    path("weak/designate/<int:pk>/", weak.designate, name="designate"),
    path("weak/<int:pk>/", weak.designation_detail, name="designation_detail"),
    path("tasks/overdue/", weak.overdue_tasks, name="overdue_tasks"),
    path("tasks/export/", weak.task_export, name="task_export"),
    path("tasks/<int:pk>/", weak.task_detail, name="task_detail"),
    path("tasks/<int:pk>/note/", weak.task_note, name="task_note"),
    path("tasks/<int:pk>/submit/", weak.task_submit, name="task_submit"),
    path("tasks/<int:pk>/verify/", weak.task_verify, name="task_verify"),
    path("tasks/<int:pk>/close/", weak.task_close, name="task_close"),
    path("life/", views.life_overview, name="life_overview"),
    path("life/new/", views.life_create, name="life_create"),
    path("life/export/", views.life_export, name="life_export"),
    path("life/<int:pk>/photo/", views.life_photo, name="life_photo"),
]
