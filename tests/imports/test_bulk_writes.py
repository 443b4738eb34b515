"""The set-based writes every importer uses (`insert_rows`, `update_rows`, `fetch_in`):
on PostgreSQL rows go to COPY as CSV, so text that means something in CSV must arrive
exactly as given, on SQLite through executemany; the same results on both."""

import datetime

import pytest
from django.utils import timezone

from baolei.imports import bulk
from baolei.registry.models import Person

pytestmark = pytest.mark.django_db

AWKWARD = [
    'comma, "quotes" and a\nline break',
    "back\\slash \\N and a tab\there",
    "\\.",  # COPY's end-of-data mark, on its own
    "  spaces kept  ",
    "中文姓名",
]
FIELDS = ["id_number", "name", "sex", "birth_date", "ethnicity", "phone", "region_code"]


def _row(n: int, name: str, phone: str = "") -> tuple:
    return (f"4202221975{n:08d}", name, "male", datetime.date(1975, 6, 15), "汉族", phone, "")


def test_inserted_text_arrives_exactly_as_given_and_keys_come_back_in_order():
    rows = [_row(n, name) for n, name in enumerate(AWKWARD)]
    before = timezone.now()
    done = []

    keys = bulk.insert_rows(Person, FIELDS, rows, done.append)

    assert sum(done) == len(rows)
    stored = {p.pk: p for p in Person.objects.filter(pk__in=keys)}
    assert [stored[key].name for key in keys] == AWKWARD
    person = stored[keys[0]]
    assert person.phone == "" and person.region_code == ""  # empty text, not NULL
    assert person.birth_date == datetime.date(1975, 6, 15)
    assert person.created_at >= before and person.updated_at >= before  # as save() would


def test_many_rows_go_in_several_batches():
    rows = [_row(n, f"村民{n}") for n in range(bulk.INSERT_BATCH + 5)]

    keys = bulk.insert_rows(Person, FIELDS, rows, lambda count: None)

    assert len(set(keys)) == len(rows) == Person.objects.count()
    last = Person.objects.get(pk=keys[-1])
    assert last.name == f"村民{len(rows) - 1}"


def test_updates_change_only_the_named_columns_of_the_given_rows():
    keys = bulk.insert_rows(Person, FIELDS, [_row(1, "甲"), _row(2, "乙")], lambda c: None)

    bulk.update_rows(
        Person, ["name", "phone"], [(keys[0], AWKWARD[0], "138 0000 1111")], lambda c: None
    )

    first, second = Person.objects.get(pk=keys[0]), Person.objects.get(pk=keys[1])
    assert (first.name, first.phone, first.ethnicity) == (AWKWARD[0], "138 0000 1111", "汉族")
    assert (second.name, second.phone) == ("乙", "")


def test_fetch_in_finds_any_keys_even_odd_ones():
    names = [*AWKWARD, "with the unit separator \x1f inside"]
    bulk.insert_rows(
        Person, FIELDS, [_row(n, name) for n, name in enumerate(names)], lambda c: None
    )

    found = bulk.fetch_in(Person.objects.all(), "name", [*names, "nobody", names[0]])

    assert sorted(person.name for person in found) == sorted(names)
    assert bulk.fetch_in(Person.objects.all(), "name", [""]) == []
    assert bulk.fetch_in(Person.objects.all(), "name", []) == []


def test_fetch_in_by_primary_key():
    keys = bulk.insert_rows(
        Person, FIELDS, [_row(n, name) for n, name in enumerate(AWKWARD[:2])], lambda c: None
    )
    found = bulk.fetch_in(Person.objects.all(), "pk", [*keys, 0])
    assert sorted(person.pk for person in found) == sorted(keys)
