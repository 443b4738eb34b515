from django.urls import path

from baolei.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("picker/children/", views.picker_children, name="picker_children"),
    path("picker/search/", views.picker_search, name="picker_search"),
    path("reload/", views.reload_regions, name="reload"),
    path("reload/<str:job_id>/", views.reload_job, name="reload_job"),
    path("<str:code>/", views.region_detail, name="detail"),
]
