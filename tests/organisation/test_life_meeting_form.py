"""Recording an organisation-life meeting from the village: the one branch chosen already,
minutes and a photo kept with the meeting, the photo shown only within the scope, and the
branch page opened on its organisation-life tab afterwards (issue 18, item 12)."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.organisation.models import LifeRecord
from tests.factories import UserFactory
from tests.organisation import grading_factories as make
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The smallest valid PNG and JPEG headers are enough: the type is read from the content.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def branch_client():
    client = Client()
    client.force_login(UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE))
    return client


def _meeting(branch, **extra):
    return {
        "organisation": branch.pk,
        "kind": "branch_assembly",
        "held_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        "topic": "学习二十届三中全会精神",
        "attended": "18",
        "expected": "20",
        **extra,
    }


def _active_tab(page: str) -> str:
    return re.search(r'<li class="is-active"><a href="([^"]+)"', page).group(1)


def test_the_village_branch_finds_its_one_branch_chosen(branch_client):
    branch = make.branch(region_code=VILLAGE)
    make.branch(region_code=NEIGHBOUR_VILLAGE)  # out of scope: not a choice
    page = branch_client.get("/organisation/life/new/").content.decode()
    assert f'<option value="{branch.pk}" selected>' in page


def test_after_saving_the_branch_page_shows_the_life_tab(branch_client):
    branch = make.branch(region_code=VILLAGE)
    response = branch_client.post("/organisation/life/new/", _meeting(branch), follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    assert _active_tab(response.content.decode()) == "/organisation/life/"


def test_minutes_and_photo_are_kept_and_shown_in_scope_only(branch_client, client_neighbour):
    branch = make.branch(region_code=VILLAGE)
    photo = SimpleUploadedFile("会场.png", PNG, content_type="image/png")
    response = branch_client.post(
        "/organisation/life/new/",
        _meeting(branch, minutes="一、传达学习\n二、讨论发展党员", photo=photo),
        follow=True,
    )
    record = LifeRecord.objects.get(organisation=branch)
    assert record.minutes == "一、传达学习\n二、讨论发展党员"
    assert record.photo
    page = response.content.decode()
    photo_url = f"/organisation/life/{record.pk}/photo/"
    assert photo_url in page and "讨论发展党员" in page

    shown = branch_client.get(photo_url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    assert client_neighbour.get(photo_url).status_code == 404  # another township's meeting
    # Never as public media: the file's own path answers nothing.
    assert branch_client.get("/media/" + record.photo.name).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("会议.pdf", b"%PDF-1.4 not a photo", "JPEG, PNG or WebP"),
        ("会议.png", b"<script>alert(1)</script>", "JPEG, PNG or WebP"),
        ("大照片.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_a_photo_that_is_not_one_or_too_large_is_refused(branch_client, name, content, reason):
    branch = make.branch(region_code=VILLAGE)
    photo = SimpleUploadedFile(name, content)
    response = branch_client.post("/organisation/life/new/", _meeting(branch, photo=photo))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not LifeRecord.objects.filter(organisation=branch).exists()
