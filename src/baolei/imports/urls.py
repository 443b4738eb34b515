from django.urls import path

from baolei.imports import views

app_name = "imports"
urlpatterns: list = [
    path("", views.job_list, name="job_list"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/errors/", views.job_errors, name="job_errors"),
    path("templates/<slug:kind>/", views.template, name="template"),
]
