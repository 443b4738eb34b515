"""The cadres API under /api/cadres/: cadre records (`cadres`), the incentive ranking
(`incentives`), the village leader pool (`leaders`), work teams (`teams`, with their writes
in `team_changes` on the same router: a path's methods must share one router)."""

from baolei.cadres.api import cadres, incentives, leaders, team_changes, teams

router = cadres.router
router.add_router("", incentives.router)
router.add_router("", leaders.router)
router.add_router("", teams.router)

__all__ = ["router", "team_changes"]
