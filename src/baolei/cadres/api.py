from ninja import Router

router = Router(tags=["cadres"])

from baolei.cadres.api_teams import router as teams_router  # noqa: E402

router.add_router("", teams_router)
