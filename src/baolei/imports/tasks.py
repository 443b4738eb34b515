"""Background jobs of the imports app, run by the task worker (`baolei db_worker`).

The queue is a database table (django-tasks' database backend), like the job itself, so
an import queued from the page survives a restart of the web server and is picked up by
whichever worker is running.
"""

from django_tasks import task

from baolei.imports import jobs, stale
from baolei.imports.models import ImportJob


@task()
def run_import_job(job_id: int) -> dict:
    """Run one uploaded file through the pipeline; the job's row tells the page how far
    it got and how it ended. A worker starting a job first sweeps the jobs that a dead
    worker left running."""
    stale.sweep_stale_jobs()
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.is_finished:  # run twice (a retried task): the outcome stands
        return {"status": job.status, "counts": job.counts}
    jobs.run_job(job)
    return {"status": job.status, "counts": job.counts, "errors": job.error_count}


def enqueue(job: ImportJob) -> ImportJob:
    """Queue the job for the background worker (`baolei db_worker`). The queue is a
    database table, so a restart of the web server loses nothing."""
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job
