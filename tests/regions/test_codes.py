"""The division code is the region's path: parent, level and subtree come from it."""

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from baolei.regions import codes
from baolei.regions.models import Region

DIGITS = "0123456789"
digits = st.text(alphabet=DIGITS, min_size=1, max_size=codes.MAX_LENGTH)
region_codes = st.sampled_from(sorted(codes.LENGTH_LEVELS)).flatmap(
    lambda length: st.text(alphabet=DIGITS, min_size=length, max_size=length)
)


@st.composite
def code_and_candidate(draw):
    """A region code and a digit string sharing some (often all) of its leading digits."""
    code = draw(region_codes)
    shared = draw(st.integers(0, len(code)))
    tail = draw(st.text(alphabet=DIGITS, max_size=codes.MAX_LENGTH - shared))
    candidate = code[:shared] + tail
    assume(candidate)
    return code, candidate


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("42", 1, None),
        ("4202", 2, "42"),
        ("420222", 3, "4202"),
        ("420222100", 4, "420222"),
        ("420222100001", 5, "420222100"),
    ],
)
def test_level_and_parent_follow_from_the_code_length(code, level, parent):
    assert codes.level_of(code) == level
    assert codes.parent_of(code) == parent
    assert codes.is_region_code(code)


def test_ancestors_run_from_the_province_down():
    assert codes.ancestors_of("420222100001") == ["42", "4202", "420222", "420222100"]
    assert codes.ancestors_of("42") == []


@pytest.mark.parametrize("code", ["", "4", "420", "42022210", "4202221000011", "42022a", "４２"])
def test_malformed_codes_are_not_region_codes(code):
    assert not codes.is_region_code(code)


@pytest.mark.parametrize("code", ["", "4", "420", "42022210", "4202221000011"])
def test_a_code_of_no_level_has_no_parent(code):
    with pytest.raises(ValueError):
        codes.parent_of(code)


def test_subtree_bounds_pad_to_the_village_length():
    assert codes.subtree_bounds("420222") == ("420222", "420222999999")
    assert codes.subtree_bounds("420222100001") == ("420222100001", "420222100001")


def test_within_is_a_closed_range_on_the_field():
    q = codes.within("scope_region_id", "420222100")
    assert sorted(q.children) == [
        ("scope_region_id__gte", "420222100"),
        ("scope_region_id__lte", "420222100999"),
    ]


@given(code_and_candidate())
@example(("42", "429999999999"))  # the last village of the province
@example(("420222", "420223"))  # the next county
@example(("420222100", "42022210"))  # a prefix of the code is not inside it
@example(("420222100001", "420222100001"))
def test_within_agrees_with_startswith(pair):
    code, candidate = pair
    bounds = dict(codes.within("code", code).children)
    inside = bounds["code__gte"] <= candidate <= bounds["code__lte"]
    assert inside == candidate.startswith(code)
    assert codes.contains(code, candidate) == candidate.startswith(code)


# Prefixes of real codes (so the database has rows to find) and random digit strings.
REAL_CODES = ["420222100001", "420222101216", "420222456003", "420281001002", "110101001001"]
prefixes = st.one_of(
    st.tuples(st.sampled_from(REAL_CODES), st.integers(1, 12)).map(lambda t: t[0][: t[1]]),
    digits,
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=prefixes)
def test_within_query_agrees_with_startswith_in_the_database(prefix):
    # The database's string comparison (its collation) must give the same subtree.
    all_codes = Region.objects.values_list("code", flat=True)
    found = set(Region.objects.filter(codes.within("code", prefix)).values_list("code", flat=True))
    assert found == {code for code in all_codes if code.startswith(prefix)}
