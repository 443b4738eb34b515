from django.urls import path

from baolei.talent import views

app_name = "talent"
urlpatterns: list = [
    path("", views.index, name="index"),
]
