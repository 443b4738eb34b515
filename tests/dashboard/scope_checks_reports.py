"""Scope checks of the village one-page report and its batches (see
tests/test_every_endpoint_is_scoped.py): the organisation department of 大冶市 gets 404
for the report of a village of 兴国镇 in every form, for starting a batch of 兴国镇, and
for the insider's finished batch, its progress and its ZIP."""

from baolei.dashboard.models import ReportBatch
from tests.scoping import lacks, status

TOWNSHIP = "420222100"
VILLAGE = "420222100001"


def things(insider) -> dict:
    # Finished, so that only the scope stands between the outsider and its ZIP (never
    # opened: the refusal comes first).
    batch = ReportBatch.objects.create(
        region_code=TOWNSHIP,
        created_by=insider,
        status=ReportBatch.Status.DONE,
        total=1,
        done=1,
        file="reports/兴国镇.zip",
    )
    return {"batch": batch}


def page_checks(things: dict) -> list:
    not_found = status(404)
    batch = things["batch"].pk
    base = f"/dashboard/villages/{VILLAGE}"
    return [
        ("dashboard:report", "get", f"{base}/report/", not_found),
        ("dashboard:report_pdf", "get", f"{base}/report.pdf", not_found),
        ("dashboard:report_xlsx", "get", f"{base}/report.xlsx", not_found),
        ("dashboard:report_batches", "get", "/dashboard/reports/", lacks("兴国镇")),
        ("dashboard:report_batches", "post", "/dashboard/reports/", not_found),
        ("dashboard:report_batch", "get", f"/dashboard/reports/{batch}/", not_found),
        ("dashboard:report_batch_download", "get", f"/dashboard/reports/{batch}/zip/", not_found),
    ]


def api_checks(things: dict) -> list:
    return []
