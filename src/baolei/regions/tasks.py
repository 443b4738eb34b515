"""Background jobs of the regions app, run by the task worker (`baolei db_worker`)."""

from django_tasks import task

from baolei.audit import context
from baolei.regions import services


@task()
def load_regions_task(only: str | None, actor_id: int, actor_name: str) -> dict:
    """Reload the divisions in the background; the audit event names who asked for it."""
    with context.acting_as(context.Actor(id=actor_id, name=actor_name, channel="web")):
        result = services.load_regions(only=only)
        services.record_load(result, only)
    return {
        "rows": result.total,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "seconds": round(result.seconds, 1),
    }
