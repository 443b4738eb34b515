"""The audit trail cannot be changed or deleted: not by the ORM, not by raw SQL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from baolei.audit.models import AuditEvent
from tests.factories import AuditEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return AuditEventFactory(actor_name="original", object_repr="兴国镇 (420222100)")


def _unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_name, stored.object_repr, stored.extra) == (
        "original",
        "兴国镇 (420222100)",
        {"rows": 28},
    )


def test_saving_an_existing_event_is_refused(event):
    event.actor_name = "forger"
    with pytest.raises(PermissionDenied):
        event.save()
    _unchanged(event)


def test_deleting_an_event_is_refused(event):
    with pytest.raises(PermissionDenied):
        event.delete()
    _unchanged(event)


def test_a_queryset_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_name="forger")
    _unchanged(event)


def test_a_queryset_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


def test_raw_sql_update_is_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["forger", event.pk]
        )
    _unchanged(event)


def test_raw_sql_delete_is_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    _unchanged(event)


def test_raw_sql_delete_of_the_whole_table_is_refused(event):
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == before


def test_new_events_can_still_be_added(event):
    AuditEventFactory(actor_name="later")
    assert AuditEvent.objects.filter(actor_name__in=["original", "later"]).count() == 2
