import datetime

import pytest

from baolei.audit.models import AuditEvent
from tests.cadres.factories import (
    CadreFactory,
    DisciplinaryRecordFactory,
    LeaderDevelopmentFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_cadre_works_in_xingguo_and_counts_whole_years_of_work():
    cadre = CadreFactory(work_started_on=datetime.date(2010, 7, 1))
    assert cadre.region_code == "420222100"
    assert cadre.person.region_code == "420222100"
    assert cadre.years_of_experience(datetime.date(2025, 6, 30)) == 14
    assert cadre.years_of_experience(datetime.date(2025, 7, 1)) == 15


def test_cadre_records_are_audited():
    record = DisciplinaryRecordFactory()
    LeaderDevelopmentFactory()
    audited = set(AuditEvent.objects.values_list("model", flat=True))
    assert {"cadres.cadre", "cadres.disciplinaryrecord", "cadres.leadercandidate"} <= audited
    assert record.cadre.disciplinary_records.count() == 1


def test_a_cadre_who_becomes_a_helper_is_linked_at_the_next_save(insider):
    from baolei.cadres.services import cadres as services
    from tests.registry.factories import HelperFactory

    cadre = CadreFactory()
    helper = HelperFactory(person=cadre.person, region_code="420222100")
    services.do_update_cadre(insider, cadre, post="副镇长")
    cadre.refresh_from_db()
    assert cadre.helper == helper and cadre.post == "副镇长"
