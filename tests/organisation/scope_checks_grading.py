"""Scope checks of the grading part of organisation (see tests/test_every_endpoint_is_scoped.py).

The insider's things are a county checklist of 阳新县, a graded branch of 兴国镇 designated
weak with an overdue task, its criterion and a meeting. The organisation department of
大冶市 may edit organisations in its own county: every page of these answers 404, every
list lacks them, every post changes nothing."""

import datetime

from baolei.organisation.models import (
    BranchGrading,
    GradingChecklist,
    LifeRecord,
    RectificationNote,
    RectificationTask,
    WeakBranchDesignation,
    WeakCriterion,
)
from tests.organisation import grading_factories as make
from tests.scoping import lacks, status, xlsx_lacks

BRANCH_NAME = "兴国镇山川台社区测试党支部"
TASK = "兴国镇的整改任务：选好带头人"
CRITERION = "Secretary post vacant for six months"  # the factories' criterion


def things(insider) -> dict:
    checklist = make.checklist(year=2024)
    branch = make.branch(name=BRANCH_NAME)
    graded = make.grade(branch, checklist, 20, 10, 5)
    designation = make.designation(branch, year=2024, on=datetime.date(2024, 3, 1))
    task = make.task(designation, deadline=datetime.date(2024, 6, 30), description=TASK)
    meeting = make.meeting(branch, datetime.date(2024, 5, 1))
    return {
        "checklist": checklist,
        "branch": branch,
        "grading": graded,
        "designation": designation,
        "task": task,
        "meeting": meeting,
    }


def _nothing_changed(things) -> None:
    task = RectificationTask.objects.get(pk=things["task"].pk)
    assert task.status == "open" and not RectificationNote.objects.exists()
    assert BranchGrading.objects.get(pk=things["grading"].pk).total == things["grading"].total
    assert GradingChecklist.objects.count() == 1
    assert WeakBranchDesignation.objects.count() == 1
    assert WeakCriterion.objects.filter(region_code__startswith="420281").count() == 0
    criteria = WeakCriterion.objects.values_list("region_code", "name", "rule")
    assert list(criteria) == [("420222", CRITERION, "manual")]
    assert LifeRecord.objects.count() == 1


def _unchanged(things):
    """A post refused (no such record in scope, or not allowed) that changed nothing."""

    def check(response):
        assert response.status_code in (403, 404), response.status_code
        _nothing_changed(things)

    return check


def page_checks(things: dict) -> list:
    b, c, d, t = things["branch"], things["checklist"], things["designation"], things["task"]
    not_found = status(404)
    grading_page = f"/organisation/grading/branches/{b.pk}/2024/"
    task_page = f"/organisation/tasks/{t.pk}/"
    unchanged = _unchanged(things)
    return [
        ("organisation:grading_overview", "get", "/organisation/grading/?year=2024", lacks(b.name)),
        (
            "organisation:grading_overview",
            "get",
            "/organisation/grading/?year=2024&region=420222100",
            not_found,
        ),
        ("organisation:grading_summary", "get", "/organisation/grading/summary/", lacks(">1<")),
        (
            "organisation:grading_export",
            "get",
            "/organisation/grading/export/?year=2024",
            xlsx_lacks(b.name),
        ),
        ("organisation:checklist_list", "get", "/organisation/grading/checklists/", lacks(c.title)),
        (
            "organisation:checklist_detail",
            "get",
            f"/organisation/grading/checklists/{c.pk}/",
            not_found,
        ),
        (
            "organisation:checklist_detail",
            "post",
            f"/organisation/grading/checklists/{c.pk}/",
            unchanged,
        ),
        ("organisation:branch_record", "get", f"/organisation/grading/branches/{b.pk}/", not_found),
        ("organisation:grading_edit", "get", grading_page, not_found),
        ("organisation:grading_edit", "post", grading_page, unchanged),
        ("organisation:grading_preview", "post", f"{grading_page}preview/", not_found),
        ("organisation:weak_list", "get", "/organisation/weak/?year=2024", lacks(b.name)),
        (
            "organisation:weak_criteria",
            "get",
            "/organisation/weak/criteria/?year=2024",
            lacks("Secretary post vacant"),
        ),
        ("organisation:designate", "get", f"/organisation/weak/designate/{b.pk}/", not_found),
        ("organisation:designate", "post", f"/organisation/weak/designate/{b.pk}/", unchanged),
        ("organisation:designation_detail", "get", f"/organisation/weak/{d.pk}/", not_found),
        ("organisation:designation_detail", "post", f"/organisation/weak/{d.pk}/", unchanged),
        ("organisation:overdue_tasks", "get", "/organisation/tasks/overdue/", lacks(TASK)),
        (
            "organisation:overdue_tasks",
            "get",
            "/organisation/tasks/overdue/?region=420222100",
            not_found,
        ),
        ("organisation:task_export", "get", "/organisation/tasks/export/", xlsx_lacks(TASK)),
        ("organisation:task_detail", "get", task_page, not_found),
        ("organisation:task_note", "post", f"{task_page}note/", unchanged),
        ("organisation:task_submit", "post", f"{task_page}submit/", unchanged),
        ("organisation:task_verify", "post", f"{task_page}verify/", unchanged),
        ("organisation:task_close", "post", f"{task_page}close/", unchanged),
        (
            "organisation:life_overview",
            "get",
            "/organisation/life/?year=2024&quarter=2",
            lacks(b.name),
        ),
        ("organisation:life_create", "get", "/organisation/life/new/", lacks(b.name)),
        ("organisation:life_create", "post", "/organisation/life/new/", _life_unchanged(b)),
        ("organisation:life_export", "get", "/organisation/life/export/", xlsx_lacks(b.name)),
        (
            "organisation:life_photo",
            "get",
            f"/organisation/life/{things['meeting'].pk}/photo/",
            not_found,
        ),
    ]


def _life_unchanged(branch):
    def check(response):
        assert response.status_code == 200  # the form: the branch is not among the choices
        assert LifeRecord.objects.count() == 1

    return check


def api_checks(things: dict) -> list:
    b, g, t = things["branch"], things["grading"], things["task"]
    not_found = status(404)

    def refused(response):
        assert response.status_code == 404, response.status_code
        _nothing_changed(things)

    indicator = things["checklist"].indicators.first()
    criterion = things["designation"].criteria.get()
    scores = {"scores": [{"indicator_id": indicator.pk, "score": "1"}]}
    meeting = {
        "organisation_id": b.pk,
        "kind": "party_lecture",
        "held_on": "2024-05-02",
        "topic": "党课",
        "attended": 1,
        "expected": 1,
    }
    base = "/api/organisation"
    return [
        # (operation path in the OpenAPI document, method, request path, body, check)
        (f"{base}/gradings", "get", f"{base}/gradings?year=2024", None, lacks(b.name)),
        (f"{base}/gradings/{{pk}}", "get", f"{base}/gradings/{g.pk}", None, not_found),
        (
            f"{base}/branches/{{pk}}/gradings/{{year}}",
            "put",
            f"{base}/branches/{b.pk}/gradings/2024",
            scores,
            refused,
        ),
        (
            f"{base}/weak-branches",
            "get",
            f"{base}/weak-branches?year=2024",
            None,
            lacks(b.name),
        ),
        (
            f"{base}/weak-branches",
            "post",
            f"{base}/weak-branches",
            {
                "organisation_id": b.pk,
                "year": 2025,
                "criteria_ids": [criterion.pk],
                "reason": "越界认定",
            },
            refused,
        ),
        (f"{base}/weak-criteria", "get", f"{base}/weak-criteria?year=2024", None, lacks(CRITERION)),
        (
            f"{base}/weak-criteria",
            "post",
            f"{base}/weak-criteria",
            {"region_code": "420222", "year": 2024, "name": "越界标准"},
            refused,
        ),
        (
            f"{base}/weak-criteria/{{pk}}",
            "patch",
            f"{base}/weak-criteria/{criterion.pk}",
            {"name": "越界改名", "rule": "lagging_grade"},
            refused,
        ),
        (f"{base}/tasks", "get", f"{base}/tasks", None, lacks(TASK)),
        (f"{base}/tasks/{{pk}}", "get", f"{base}/tasks/{t.pk}", None, not_found),
        (
            f"{base}/tasks/{{pk}}/notes",
            "post",
            f"{base}/tasks/{t.pk}/notes",
            {"text": "x"},
            refused,
        ),
        (f"{base}/tasks/{{pk}}/submit", "post", f"{base}/tasks/{t.pk}/submit", {}, refused),
        (
            f"{base}/tasks/{{pk}}/verify",
            "post",
            f"{base}/tasks/{t.pk}/verify",
            {"passed": True},
            refused,
        ),
        (f"{base}/tasks/{{pk}}/close", "post", f"{base}/tasks/{t.pk}/close", {}, refused),
        (f"{base}/overdue-counts", "get", f"{base}/overdue-counts", None, lacks("420222")),
        (
            f"{base}/overdue-counts",
            "get",
            f"{base}/overdue-counts?region=420222100",
            None,
            not_found,
        ),
        (f"{base}/life", "get", f"{base}/life", None, lacks("420222")),
        (f"{base}/life", "post", f"{base}/life", meeting, refused),
    ]
