"""The talent pool's identify → cultivate → use pipeline: the order of the steps, the
current stage, and the person's one record in the register."""

import datetime

import pytest

from baolei.registry.models import Person
from baolei.registry.services import RegistryError
from baolei.talent.choices import Stage
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training
from baolei.talent.services.talent import TalentError, check_step, stage_of
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE, PersonFactory, id_number
from tests.talent.factories import CourseFactory, EnrolmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def make(insider, **overrides):
    fields = {
        "id_number": id_number(7, D(1985, 6, 1)),
        "name": "陈志强",
        "village_code": VILLAGE,
        "source": "returned_migrant",
        "identified_on": D(2023, 3, 1),
        "how_identified": "村级摸排识别",
        "skills": ["e_commerce", "crop_farming"],
    }
    return services.do_create_talent(insider, **{**fields, **overrides})


def test_the_current_stage_is_the_furthest_reached():
    assert stage_of([]) == Stage.IDENTIFIED
    assert stage_of([Stage.IDENTIFIED, Stage.CULTIVATED]) == Stage.CULTIVATED
    # Trained again after being put to use: still put to use.
    assert stage_of([Stage.IDENTIFIED, Stage.USED, Stage.CULTIVATED]) == Stage.USED


def test_a_step_before_the_identification_is_refused():
    steps = [(Stage.IDENTIFIED, D(2023, 3, 1))]
    check_step(steps, Stage.CULTIVATED, D(2023, 3, 1))  # the same day is fine
    with pytest.raises(TalentError) as refused:
        check_step(steps, Stage.USED, D(2023, 2, 28))
    assert refused.value.code == "before_identification" and refused.value.field == "taken_on"


def test_nobody_is_cultivated_before_being_identified():
    with pytest.raises(TalentError) as refused:
        check_step([], Stage.CULTIVATED, D(2023, 3, 1))
    assert refused.value.code == "not_identified"


def test_a_person_is_identified_once():
    with pytest.raises(TalentError) as refused:
        check_step([(Stage.IDENTIFIED, D(2023, 3, 1))], Stage.IDENTIFIED, D(2024, 1, 1))
    assert refused.value.code == "already_identified"


def test_a_step_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(TalentError) as refused:
        check_step([(Stage.IDENTIFIED, D(2023, 3, 1))], Stage.USED, tomorrow)
    assert refused.value.code == "future_date"


def test_a_new_talent_enters_identified_with_its_first_step(insider):
    talent = make(insider)
    assert talent.stage == Stage.IDENTIFIED
    assert talent.skill_codes == ["e_commerce", "crop_farming"]
    step = talent.steps.get()
    assert (step.stage, step.taken_on, step.what) == (
        Stage.IDENTIFIED,
        D(2023, 3, 1),
        "村级摸排识别",
    )
    assert step.recorded_by == insider.full_name
    assert talent.person.region_code == VILLAGE


def test_steps_move_the_stage_on_and_never_back(insider):
    talent = make(insider)
    services.do_add_step(
        insider, talent, stage=Stage.CULTIVATED, taken_on=D(2023, 6, 1), what="电商培训"
    )
    talent.refresh_from_db()
    assert talent.stage == Stage.CULTIVATED
    services.do_add_step(
        insider, talent, stage=Stage.USED, taken_on=D(2023, 9, 1), what="任合作社带头人"
    )
    services.do_add_step(
        insider, talent, stage=Stage.CULTIVATED, taken_on=D(2024, 1, 1), what="再培训"
    )
    talent.refresh_from_db()
    assert talent.stage == Stage.USED
    assert [s.stage for s in talent.steps.order_by("taken_on")] == [
        Stage.IDENTIFIED,
        Stage.CULTIVATED,
        Stage.USED,
        Stage.CULTIVATED,
    ]


def test_the_talent_hangs_off_the_registers_person(insider):
    existing = PersonFactory(name="陈志强")
    talent = make(insider, id_number=existing.id_number)
    assert talent.person_id == existing.pk
    assert Person.objects.filter(id_number=existing.id_number).count() == 1


def test_the_same_person_twice_is_refused(insider):
    make(insider)
    with pytest.raises(TalentError) as refused:
        make(insider)
    assert refused.value.code == "already_talent" and refused.value.field == "id_number"


def test_a_wrong_name_for_a_known_number_is_refused(insider):
    existing = PersonFactory(name="陈志强")
    with pytest.raises(RegistryError) as refused:
        make(insider, id_number=existing.id_number, name="陈志刚")
    assert refused.value.field == "name"


def test_a_village_outside_the_scope_is_refused(insider):
    with pytest.raises(TalentError) as refused:
        make(insider, village_code=NEIGHBOUR_VILLAGE)
    assert refused.value.code == "out_of_scope" and refused.value.field == "village_code"


def test_an_unknown_skill_is_refused(insider):
    with pytest.raises(TalentError) as refused:
        make(insider, skills=["flying"])
    assert refused.value.field == "skills"


def test_editing_changes_source_and_skills_but_not_the_stage(insider):
    talent = make(insider)
    services.do_update_talent(
        insider, talent, source="veteran", skills=["machinery"], occupation="农机手"
    )
    talent.refresh_from_db()
    assert (talent.source, talent.skill_codes, talent.occupation) == (
        "veteran",
        ["machinery"],
        "农机手",
    )
    with pytest.raises(TalentError):
        services.do_update_talent(insider, talent, stage=Stage.USED)


def test_passing_a_course_is_a_cultivation_step(insider):
    talent = make(insider)  # identified on 2023-03-01
    course = CourseFactory(code="2024-XG-07", title="电商直播班", ends_on=D(2024, 4, 10))
    enrolment = EnrolmentFactory(course=course, person=talent.person)
    services_training.do_record_completion(
        insider,
        enrolment,
        hours_attended=40,
        passed=True,
        certificate_number="C-7",
        certificate_issued_on=D(2024, 4, 20),
    )
    talent.refresh_from_db()
    assert talent.stage == Stage.CULTIVATED
    step = talent.steps.get(stage=Stage.CULTIVATED)
    assert step.taken_on == D(2024, 4, 20) and "2024-XG-07" in step.what
    # Recording the same pass again adds nothing.
    services_training.do_record_completion(
        insider,
        enrolment,
        hours_attended=40,
        passed=True,
        certificate_number="C-7",
        certificate_issued_on=D(2024, 4, 20),
    )
    assert talent.steps.count() == 2


def test_a_pass_before_the_identification_adds_no_step(insider):
    talent = make(insider, identified_on=D(2024, 6, 1))
    course = CourseFactory(ends_on=D(2024, 4, 10))
    enrolment = EnrolmentFactory(course=course, person=talent.person)
    services_training.do_record_completion(insider, enrolment, hours_attended=40, passed=True)
    talent.refresh_from_db()
    assert talent.stage == Stage.IDENTIFIED and talent.steps.count() == 1
