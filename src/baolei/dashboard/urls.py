from django.urls import path, re_path

from baolei.dashboard.views import dashboards, effectiveness, panels, reports

app_name = "dashboard"
urlpatterns: list = [
    path("villages/<str:code>/", panels.village, name="village"),
    path("villages/<str:code>/report/", reports.village_report, name="report"),
    path("villages/<str:code>/report.pdf", reports.village_report_pdf, name="report_pdf"),
    path("villages/<str:code>/report.xlsx", reports.village_report_xlsx, name="report_xlsx"),
    path("reports/", reports.batches, name="report_batches"),
    path("reports/<int:pk>/", reports.batch_detail, name="report_batch"),
    path("reports/<int:pk>/zip/", reports.batch_download, name="report_batch_download"),
    path("todo/", panels.todo, name="todo"),
    path("effectiveness/<str:code>/", effectiveness.effectiveness, name="effectiveness"),
    path("", dashboards.home, name="home"),
    path("boundaries/", dashboards.boundary_upload, name="boundaries"),
    path("boundaries/geojson/", dashboards.geojson, name="geojson"),
    # Division codes only, so that no word-like path above is ever taken for a region.
    re_path(r"^(?P<code>\d{2,12})/$", dashboards.region, name="region"),
]
