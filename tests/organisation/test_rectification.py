"""The rectification life cycle of a weak branch's tasks, on fixed dates:
open → in progress → awaiting verification → (verified) → closed, and overdue."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.organisation.models import (
    CriterionRule,
    RectificationTask,
    TaskStatus,
    Verification,
    WeakBranchDesignation,
)
from baolei.organisation.services import rectification
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def test_the_whole_life_cycle_closes_the_task_and_then_the_designation():
    designation = make.designation(on=D(2024, 3, 1))
    first = make.task(designation, deadline=D(2024, 6, 30))
    second = make.task(designation, deadline=D(2024, 9, 30), description="Hold monthly meetings")
    assert first.status == TaskStatus.OPEN

    rectification.do_add_note(None, first, D(2024, 4, 2), "候选人考察完毕")
    first.refresh_from_db()
    assert first.status == TaskStatus.IN_PROGRESS

    rectification.do_request_verification(None, first)
    rectification.do_verify(None, first, True, D(2024, 6, 20), "选举程序合规")
    first.refresh_from_db()
    assert (first.status, first.verification) == (
        TaskStatus.AWAITING_VERIFICATION,
        Verification.PASSED,
    )
    rectification.do_close_task(None, first, D(2024, 6, 21))
    first.refresh_from_db()
    designation.refresh_from_db()
    assert (first.status, first.closed_on) == (TaskStatus.CLOSED, D(2024, 6, 21))
    assert designation.status == WeakBranchDesignation.Status.RECTIFYING  # one task left

    rectification.do_add_note(None, second, D(2024, 7, 1), "七月支委会已开")
    rectification.do_request_verification(None, second)
    rectification.do_verify(None, second, True, D(2024, 9, 25))
    rectification.do_close_task(None, second, D(2024, 9, 26))
    designation.refresh_from_db()
    assert designation.status == WeakBranchDesignation.Status.CLOSED
    assert designation.closed_on == D(2024, 9, 26)


def test_closing_is_refused_before_verification():
    task = make.task()
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_close_task(None, task, D(2024, 5, 1))
    assert refused.value.message == "A task is closed only after its verification has passed."
    rectification.do_add_note(None, task, D(2024, 4, 1), "进行中")
    rectification.do_request_verification(None, task)
    with pytest.raises(rectification.RectificationError):  # awaiting, not yet verified
        rectification.do_close_task(None, task, D(2024, 5, 1))
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_VERIFICATION and task.closed_on is None


def test_a_failed_verification_sends_the_task_back():
    task = make.task()
    rectification.do_add_note(None, task, D(2024, 4, 1), "进行中")
    rectification.do_request_verification(None, task)
    rectification.do_verify(None, task, False, D(2024, 5, 1), "记录不全")
    task.refresh_from_db()
    assert (task.status, task.verification) == (TaskStatus.IN_PROGRESS, Verification.FAILED)
    with pytest.raises(rectification.RectificationError):
        rectification.do_close_task(None, task, D(2024, 5, 2))


def test_verification_needs_a_progress_note_first():
    task = make.task()
    with pytest.raises(rectification.RectificationError):
        rectification.do_request_verification(None, task)


def test_the_village_does_not_verify_its_own_task():
    task = make.task()
    rectification.do_add_note(None, task, D(2024, 4, 1), "进行中")
    rectification.do_request_verification(None, task)
    village = Scope(role="village_branch", region_code="420222100001")
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_verify(None, task, True, D(2024, 5, 1), scope=village)
    assert refused.value.code == "verifier"


def test_overdue_is_not_closed_past_the_deadline():
    designation = make.designation()
    late = make.task(designation, deadline=D(2024, 6, 30))
    on_time = make.task(designation, deadline=D(2024, 7, 31))
    closed_late = make.task(designation, deadline=D(2024, 5, 31))
    rectification.do_add_note(None, closed_late, D(2024, 5, 1), "完成")
    rectification.do_request_verification(None, closed_late)
    rectification.do_verify(None, closed_late, True, D(2024, 6, 5))
    rectification.do_close_task(None, closed_late, D(2024, 6, 6))

    tasks = RectificationTask.objects.all()
    assert list(rectification.overdue(tasks, D(2024, 6, 30))) == []  # due today is not late
    assert list(rectification.overdue(tasks, D(2024, 7, 1))) == [late]
    assert set(rectification.overdue(tasks, D(2024, 8, 1))) == {late, on_time}
    closed_late.refresh_from_db()
    assert late.is_overdue(D(2024, 7, 1)) and not closed_late.is_overdue(D(2024, 7, 1))


def test_overdue_counted_per_township():
    xingguo = make.designation(make.branch(region_code="420222100001"))
    fuchi = make.designation(make.branch(region_code="420222101001"))
    make.task(xingguo, deadline=D(2024, 5, 1))
    make.task(xingguo, deadline=D(2024, 5, 2))
    make.task(xingguo, deadline=D(2024, 12, 31))  # not yet due
    make.task(fuchi, deadline=D(2024, 5, 1))
    counts = rectification.overdue_by_township(RectificationTask.objects.all(), D(2024, 7, 1))
    assert counts == {"420222100": 2, "420222101": 1}


def test_a_closed_task_takes_no_more_notes():
    task = make.task()
    rectification.do_add_note(None, task, D(2024, 4, 1), "x")
    rectification.do_request_verification(None, task)
    rectification.do_verify(None, task, True, D(2024, 5, 1))
    rectification.do_close_task(None, task, D(2024, 5, 1))
    with pytest.raises(rectification.RectificationError):
        rectification.do_add_note(None, task, D(2024, 5, 2), "y")


def test_designation_needs_a_criterion_of_its_year():
    branch = make.branch()
    old = make.criterion(year=2023)
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_designate(None, branch, 2024, [old], "", D(2024, 3, 1))
    assert refused.value.field == "criteria"
    with pytest.raises(rectification.RectificationError):
        rectification.do_designate(None, branch, 2024, [], "", D(2024, 3, 1))


def test_suggestions_from_last_years_lagging_grade(insider):
    """Graded at the end of 2025, designated for 2026 (as the demo does):

    | branch | 2025 grade (worked checklist)   | 2026 grade        | suggested for 2026 |
    |--------|---------------------------------|-------------------|--------------------|
    | A      | 20 + 10×2 + 5 = 45%: lagging    | —                 | yes                |
    | B      | 36 + 17×2 + 15 = 85%: good      | —                 | no                 |
    | C      | 36 + 17×2 + 15 = 85%: good      | 45%: lagging      | no (not last year) |

    On 2026-02-01 no quarter of 2026 is over, so organisation life suggests nothing.
    """
    last_year, this_year = make.checklist(year=2025), make.checklist(year=2026)
    a, b, c = make.branch(), make.branch(), make.branch()
    make.grade(a, last_year, 20, 10, 5)
    make.grade(b, last_year, 36, 17, 15)
    make.grade(c, last_year, 36, 17, 15)
    make.grade(c, this_year, 20, 10, 5)

    found = dict(rectification.suggestions(insider, 2026, D(2026, 2, 1)))
    assert found == {a: ["Lagging grade in last year's grading"]}
    # For 2025 the grades of 2024 count: there are none.
    assert dict(rectification.suggestions(insider, 2025, D(2025, 2, 1))) == {}
    assert CriterionRule.LAGGING_GRADE.label == "Lagging grade in last year's grading"


def test_the_task_pages_walk_the_life_cycle(client_insider):
    designation = make.designation(year=2019, on=D(2019, 11, 1))
    task = make.task(designation, deadline=D(2020, 1, 31))  # long overdue
    base = f"/organisation/tasks/{task.pk}"
    overdue = client_insider.get("/organisation/tasks/overdue/").content.decode()
    assert 'data-testid="overdue-count">1<' in overdue
    response = client_insider.post(f"{base}/close/", {"closed_on": "2024-05-01"})
    assert response.status_code == 422
    assert "only after its verification has passed" in response.content.decode()
    client_insider.post(f"{base}/note/", {"noted_on": "2024-04-01", "text": "开会"})
    client_insider.post(f"{base}/submit/")
    client_insider.post(
        f"{base}/verify/", {"result": "passed", "verified_on": "2024-04-10", "note": ""}
    )
    response = client_insider.post(f"{base}/close/", {"closed_on": "2024-04-11"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    overdue = client_insider.get("/organisation/tasks/overdue/").content.decode()
    assert 'data-testid="overdue-count">0<' in overdue


def test_the_task_export_lists_the_scope_tasks(client_insider, client_neighbour):
    make.task(description="兴国镇的任务")
    response = client_insider.get("/organisation/tasks/export/?format=csv")
    assert "兴国镇的任务" in b"".join(response.streaming_content).decode()
    response = client_neighbour.get("/organisation/tasks/export/?format=csv")
    assert "兴国镇的任务" not in b"".join(response.streaming_content).decode()


def test_suggestions_from_a_quarter_without_organisation_life(insider):
    quiet = make.branch()
    busy = make.branch()
    for month in (2, 5, 8):
        make.meeting(busy, D(2024, month, 10))
    make.meeting(quiet, D(2024, 2, 10))  # Q1 only
    found = dict(rectification.suggestions(insider, 2024, D(2024, 10, 1)))  # Q1–Q3 are over
    assert found[quiet] == ["No organisation life in quarter 2, 3"]
    assert busy not in found
    designated = make.designation(quiet)
    assert designated.organisation not in dict(
        rectification.suggestions(insider, 2024, D(2024, 10, 1))
    )
