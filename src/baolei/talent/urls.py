from django.urls import path

from baolei.talent.views import studios as views_studios
from baolei.talent.views import talent as views
from baolei.talent.views import training as views_training

app_name = "talent"
urlpatterns: list = [
    path("", views.index, name="index"),
    # The talent pool.
    path("people/", views.talent_list, name="talent_list"),
    path("people/new/", views.talent_create, name="talent_create"),
    path("people/export/", views.talent_export, name="talent_export"),
    path("people/<int:pk>/", views.talent_detail, name="talent_detail"),
    path("people/<int:pk>/edit/", views.talent_edit, name="talent_edit"),
    path("people/<int:pk>/steps/new/", views.step_create, name="step_create"),
    path("counts/", views.talent_counts, name="talent_counts"),
    # Studios and the villages' service requests.
    path("studios/", views_studios.studio_list, name="studio_list"),
    path("studios/new/", views_studios.studio_create, name="studio_create"),
    path("studios/<int:pk>/", views_studios.studio_detail, name="studio_detail"),
    path("studios/<int:pk>/villages/", views_studios.studio_villages, name="studio_villages"),
    path("studios/<int:pk>/experts/new/", views_studios.expert_create, name="expert_create"),
    path("requests/", views_studios.request_list, name="request_list"),
    path("requests/new/", views_studios.request_create, name="request_create"),
    path("requests/<int:pk>/", views_studios.request_detail, name="request_detail"),
    path("requests/<int:pk>/accept/", views_studios.request_accept, name="request_accept"),
    path("requests/<int:pk>/deliver/", views_studios.delivery_create, name="delivery_create"),
    path("requests/<int:pk>/follow-up/", views_studios.follow_up_create, name="follow_up_create"),
    path("requests/<int:pk>/close/", views_studios.request_close, name="request_close"),
    path("services/", views_studios.service_counts, name="service_counts"),
    # Training of new professional farmers.
    path("courses/", views_training.course_list, name="course_list"),
    path("courses/new/", views_training.course_create, name="course_create"),
    path("courses/<int:pk>/", views_training.course_detail, name="course_detail"),
    path("courses/<int:pk>/enrol/", views_training.enrol, name="enrol"),
    path("enrolments/<int:pk>/completion/", views_training.completion, name="completion"),
    path("enrolments/export/", views_training.enrolment_export, name="enrolment_export"),
    path("training/counts/", views_training.training_counts, name="training_counts"),
]
