"""The grading, weak-branch and organisation-life pages as the people of the township and
the county use them."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.organisation.models import RectificationTask, WeakBranchDesignation
from baolei.organisation.views.grading import summary_context
from tests.organisation import grading_factories as make
from tests.organisation import scope_checks_grading as checks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_insider_sees_every_page_of_its_branch(client_insider, insider):
    things = checks.things(insider)
    branch = things["branch"]
    listed = [
        "/organisation/grading/?year=2024",
        "/organisation/grading/?year=2024&region=420222100",
        "/organisation/weak/?year=2024",
        "/organisation/life/?year=2024&quarter=2",
        "/organisation/life/new/",
        "/organisation/tasks/overdue/",
    ]
    for path in listed:
        response = client_insider.get(path)
        assert response.status_code == 200, path
        assert branch.name in response.content.decode(), path
    pages = [
        f"/organisation/grading/branches/{branch.pk}/",
        f"/organisation/grading/branches/{branch.pk}/2024/",
        f"/organisation/weak/{things['designation'].pk}/",
        f"/organisation/tasks/{things['task'].pk}/",
        f"/organisation/grading/checklists/{things['checklist'].pk}/",  # set by the county
        "/organisation/grading/checklists/",
        "/organisation/weak/criteria/?year=2024",
        f"/organisation/weak/designate/{branch.pk}/",
    ]
    for path in pages:
        assert client_insider.get(path).status_code == 200, path


def test_the_summary_counts(insider):
    things = checks.things(insider)  # one lagging grade, one weak branch, its task overdue
    summary = summary_context(Scope.for_user(insider), today=datetime.date(2024, 7, 15))
    assert summary["year"] == 2024
    assert [(code, count) for code, _label, count in summary["counts"]] == [("lagging", 1)]
    assert (summary["weak_open"], summary["overdue"]) == (1, 1)
    # 2024 Q2: the branch met on 2024-05-01, so no branch is without organisation life.
    assert (summary["quarter"], summary["without_life"]) == ((2024, 2), 0)
    assert things["task"].deadline == datetime.date(2024, 6, 30)


def test_designate_and_add_a_task_through_the_pages(client_county_admin):
    branch = make.branch()
    criterion = make.criterion(year=2024)
    response = client_county_admin.post(
        f"/organisation/weak/designate/{branch.pk}/",
        {
            "year": 2024,
            "criteria": [criterion.pk],
            "reason": "书记缺职半年",
            "designated_on": "2024-03-01",
        },
    )
    designation = WeakBranchDesignation.objects.get(organisation=branch)
    assert response.status_code == 302
    response = client_county_admin.post(
        f"/organisation/weak/{designation.pk}/",
        {"description": "选好书记", "owner_name": "乡镇组织委员", "deadline": "2024-06-30"},
    )
    assert response.status_code == 302
    assert RectificationTask.objects.get().region_code == branch.region_code


def test_a_township_cannot_set_criteria(client_insider):
    response = client_insider.post(
        "/organisation/weak/criteria/", {"year": 2024, "name": "x", "rule": "manual"}
    )
    assert response.status_code == 403


def test_a_garbled_year_is_a_form_error_not_a_crash(client_county_admin):
    branch = make.branch()
    response = client_county_admin.post(f"/organisation/weak/designate/{branch.pk}/", {"year": "x"})
    assert response.status_code == 200
    assert not WeakBranchDesignation.objects.exists()
