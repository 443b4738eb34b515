from django.urls import include, path

from baolei.organisation import views, views_committees, views_members

app_name = "organisation"
urlpatterns: list = [
    # Grading, weak branches and their rectification, organisation life: urls_grading.
    path("", include("baolei.organisation.urls_grading")),
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
]
