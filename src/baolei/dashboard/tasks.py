"""Background jobs of the command centre, run by the task worker (`baolei db_worker`):
the ZIP of every village report of a township or county (`services.report_batches`)."""

from django_tasks import task

from baolei.dashboard.models import ReportBatch
from baolei.dashboard.services import report_batches


@task()
def build_report_batch(batch_id: int) -> dict:
    """Draw the batch's PDFs into its ZIP; its row tells the page how far it got."""
    batch = ReportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.is_finished:  # run twice (a retried task): the outcome stands
        return {"status": batch.status, "done": batch.done}
    report_batches.run_batch(batch)
    return {"status": batch.status, "done": batch.done, "total": batch.total}


def enqueue(batch: ReportBatch) -> ReportBatch:
    """Queue the batch for the worker; the queue is a database table, so a restart of the
    web server loses nothing."""
    result = build_report_batch.enqueue(batch.pk)
    ReportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))
    batch.task_id = str(result.id)
    return batch
