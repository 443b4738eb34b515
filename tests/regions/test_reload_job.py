"""Reloading the division codes is a background job: queued from the page, run by the
worker, its progress polled, and its load recorded in the audit trail as the admin's."""

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from baolei.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_worker(monkeypatch):
    """The real worker command, in-process. Its connection housekeeping would close the
    test's connection (and so its transaction) on PostgreSQL; nothing else is changed."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_admin_queues_a_reload_and_the_worker_runs_it(client_sysadmin, sysadmin, run_worker):
    response = client_sysadmin.post("/regions/reload/", {"only": "420222"})
    assert response.status_code == 302
    job_page = response["Location"]
    job = DBTaskResult.objects.get()
    assert job.status == "READY"
    assert 'data-status="READY"' in client_sysadmin.get(job_page).content.decode()

    run_worker()

    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.exception_class_path
    page = client_sysadmin.get(job_page, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="SUCCESSFUL"' in page
    assert "498" in page  # 1 province, 1 city, 1 county, 21 townships, 474 villages
    assert "hx-trigger" not in page  # a finished job stops polling
    event = AuditEvent.objects.filter(action=Action.BULK_LOAD).latest("id")
    assert event.actor_name == sysadmin.username
    assert event.extra["rows"] == 498 and event.extra["inserted"] == 0


def test_a_bad_code_queues_nothing(client_sysadmin):
    response = client_sysadmin.post("/regions/reload/", {"only": "42022"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "is-danger" in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_an_unknown_job_is_not_found(client_sysadmin):
    assert client_sysadmin.get("/regions/reload/not-a-job/").status_code == 404


@pytest.mark.parametrize("person", ["client_county_admin", "client_insider"])
def test_only_system_administrators_may_reload(request, person, client_sysadmin):
    client_sysadmin.post("/regions/reload/", {"only": "420222"})
    job = DBTaskResult.objects.get()
    client = request.getfixturevalue(person)
    assert client.get("/regions/reload/").status_code == 403
    assert client.post("/regions/reload/", {"only": "420222"}).status_code == 403
    assert client.get(f"/regions/reload/{job.id}/").status_code == 403
    assert DBTaskResult.objects.count() == 1
