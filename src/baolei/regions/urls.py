from django.urls import path

from baolei.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("picker/children/", views.picker_children, name="picker_children"),
    path("picker/search/", views.picker_search, name="picker_search"),
    path("<str:code>/", views.region_detail, name="detail"),
]
