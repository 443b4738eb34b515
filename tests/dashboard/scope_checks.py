"""Scope checks of the dashboards (see tests/test_every_endpoint_is_scoped.py).

The insider's things are the figures of 兴国镇 (a household counted) and the boundary
map of its villages. The organisation department of 大冶市 sees its own county's
dashboard only: every dashboard, map, export and API answer of 阳新县 is 404 to it, and
uploading maps is for administrators of reference data alone (403)."""

import json

from baolei.dashboard.models import Boundary
from baolei.dashboard.services import facts
from tests.registry.factories import HouseholdFactory
from tests.scoping import lacks, status

TOWNSHIP = "420222100"


def things(insider) -> dict:
    household = HouseholdFactory()
    facts.rebuild()
    boundary = Boundary.objects.create(
        region_code=TOWNSHIP,
        geojson=json.dumps({"type": "FeatureCollection", "features": []}),
        features=0,
    )
    return {"household": household, "boundary": boundary}


def page_checks(things: dict) -> list:
    not_found = status(404)
    return [
        ("dashboard:home", "get", "/dashboard/", lacks("兴国镇")),
        ("dashboard:region", "get", f"/dashboard/{TOWNSHIP}/", not_found),
        ("dashboard:region", "get", "/dashboard/420222/?format=xlsx", not_found),
        ("dashboard:region", "get", "/dashboard/420222100001/", not_found),
        (
            "dashboard:geojson",
            "get",
            f"/dashboard/boundaries/geojson/?region={TOWNSHIP}",
            not_found,
        ),
        ("dashboard:boundaries", "get", "/dashboard/boundaries/", status(403)),
        ("dashboard:boundaries", "post", "/dashboard/boundaries/", status(403)),
    ]


def api_checks(things: dict) -> list:
    base = "/api/dashboard/regions"
    not_found = status(404)
    return [
        (f"{base}/{{code}}/figures", "get", f"{base}/{TOWNSHIP}/figures", None, not_found),
        (
            f"{base}/{{code}}/children",
            "get",
            f"{base}/420222/children?indicator=households",
            None,
            not_found,
        ),
    ]
