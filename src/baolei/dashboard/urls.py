from django.urls import path

from baolei.dashboard.views import panels

app_name = "dashboard"
urlpatterns: list = [
    path("villages/<str:code>/", panels.village, name="village"),
    path("todo/", panels.todo, name="todo"),
]
