from django.urls import path

from baolei.dashboard import views

app_name = "dashboard"
urlpatterns: list = [
    path("villages/<str:code>/", views.village, name="village"),
    path("todo/", views.todo, name="todo"),
]
