"""The GB 11643-1999 identity number: normalised, validated, parsed and masked.

Plain functions, no database. Messages are checked in English so that a future Chinese
translation of them does not break these tests.
"""

import datetime

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from baolei import idnumbers
from baolei.idnumbers import InvalidIdNumber, check_character, validate

TODAY = datetime.date(2024, 6, 1)
KNOWN_VALID = "11010519491231002X"  # the standard's own example: a woman born 1949-12-31

DIGITS = "0123456789"
prefixes = st.text(alphabet=DIGITS, min_size=6, max_size=6)
birth_dates = st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31))
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


def build(prefix: str = "420222", birth: str = "19900101", sequence: str = "123") -> str:
    first17 = prefix + birth + sequence
    return first17 + check_character(first17)


@st.composite
def valid_numbers(draw) -> str:
    return build(draw(prefixes), draw(birth_dates).strftime("%Y%m%d"), draw(sequences))


def refusal(raw: str) -> InvalidIdNumber:
    with pytest.raises(InvalidIdNumber) as caught:
        validate(raw, today=TODAY)
    return caught.value


def english(error: InvalidIdNumber) -> str:
    with translation.override("en"):
        return str(error)


# Worked examples


def test_check_character_of_the_known_example_is_x():
    # 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10
    # + 1*5 + 0*8 + 0*4 + 2*2 = 167; 167 mod 11 = 2; "10X98765432"[2] = "X".
    assert check_character(KNOWN_VALID[:17]) == "X"


def test_known_valid_number():
    parsed = validate(KNOWN_VALID, today=TODAY)
    assert parsed.number == KNOWN_VALID
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "female"
    assert parsed.region_code == "110105"
    assert parsed.masked == "110105********002X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("42022219900101123", "7"),
        ("42022219900101122", "9"),
        ("42022219900101124", "5"),
        ("42022219900101004", "X"),
    ],
)
def test_check_character_of_built_numbers(first17, expected):
    assert check_character(first17) == expected
    assert validate(first17 + expected, today=TODAY).number == first17 + expected


@pytest.mark.parametrize("bad", ["", "4202221990010112", "420222199001011231", "4202221990010112a"])
def test_check_character_wants_exactly_17_digits(bad):
    with pytest.raises(ValueError):
        check_character(bad)


# Each refusal


@pytest.mark.parametrize(
    ("raw", "length"),
    [("", 0), ("42022219900101123", 17), ("4202221990010112377", 19), ("420222900101123", 15)],
)
def test_wrong_length(raw, length):
    error = refusal(raw)
    assert error.code == "length"
    assert english(error) == f"an identity number has 18 characters, not {length}"


def test_letter_inside():
    error = refusal("4202221990O101123" + "7")  # letter O for a zero
    assert error.code == "characters"
    assert english(error) == "character 11 should be a digit, not O"


def test_x_is_only_allowed_last():
    error = refusal("42022219900101X237")
    assert error.code == "characters"
    assert english(error) == "character 15 should be a digit, not X"


def test_bad_last_character():
    error = refusal("42022219900101123Y")
    assert error.code == "characters"
    assert english(error) == "the last character should be a digit or X, not Y"


def test_non_ascii_digits_are_not_digits():
    # "²".isdigit() is True, but it is no digit of an identity number.
    error = refusal("42022219900101123²")
    assert error.code == "characters"


def test_birth_date_that_does_not_exist():
    error = refusal(build(birth="19900230"))
    assert error.code == "birth_date"
    assert english(error) == "birth date 19900230 is not a real date"


def test_birth_date_before_1900():
    error = refusal(build(birth="18991231"))
    assert error.code == "birth_date"
    assert english(error) == "birth date 1899-12-31 is before 1900-01-01"


def test_birth_date_in_the_future():
    error = refusal(build(birth="20240602"))
    assert error.code == "birth_date"
    assert english(error) == "birth date 2024-06-02 is in the future"


def test_birth_date_limits_are_inclusive():
    assert validate(build(birth="19000101"), today=TODAY).birth_date == datetime.date(1900, 1, 1)
    assert validate(build(birth="20240601"), today=TODAY).birth_date == TODAY


def test_today_defaults_to_the_real_today():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(InvalidIdNumber) as caught:
        validate(build(birth=tomorrow.strftime("%Y%m%d")))
    assert caught.value.code == "birth_date"
    assert validate(KNOWN_VALID).birth_date == datetime.date(1949, 12, 31)


def test_wrong_check_character_names_the_right_one():
    error = refusal("420222199001011243")  # should end in 5
    assert error.code == "check_character"
    assert english(error) == "check character should be 5, not 3"


def test_wrong_check_character_x():
    error = refusal("110105194912310021")
    assert error.code == "check_character"
    assert "should be X" in english(error)


def test_the_error_is_a_value_error_with_a_lazy_message():
    error = refusal("420222199001011243")
    assert isinstance(error, ValueError)
    assert error.args[0] == "check_character"
    assert str(error.message) == str(error)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("4202221990O1011", "length"),  # too short and a letter
        ("4202221990O10230" + "A7", "characters"),  # a letter and no real date
        ("420222199002301240", "birth_date"),  # no real date and a wrong check character
    ],
)
def test_validation_order(raw, code):
    assert refusal(raw).code == code


# Normalisation


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # all full-width
        "11010519491231002x",
        "11010519491231002ｘ",
        "11010519491231002Ｘ",
        "  11010519491231002X\n",
        "\u300011010519491231002X\u3000",  # ideographic spaces
        "110105 19491231 002X",
        "110105\u300019491231\u3000002 x",
        "\t110 105 1949 1231 002 X ",
    ],
)
def test_normalisation(raw):
    assert idnumbers.normalise(raw) == KNOWN_VALID
    assert validate(raw, today=TODAY).number == KNOWN_VALID


def test_normalise_leaves_other_characters_for_validation_to_reject():
    assert idnumbers.normalise("4202-2219") == "4202-2219"


# What the number says


@pytest.mark.parametrize(
    ("sequence", "sex"),
    [("001", "male"), ("123", "male"), ("999", "male"), ("000", "female"), ("122", "female")],
)
def test_sex_from_the_17th_digit(sequence, sex):
    assert validate(build(sequence=sequence), today=TODAY).sex == sex


def test_region_code_is_the_first_six_digits():
    assert validate(build(prefix="420281"), today=TODAY).region_code == "420281"


def test_masked_form():
    parsed = validate(build(sequence="124"), today=TODAY)
    assert parsed.number == "420222199001011245"
    assert parsed.masked == "420222********1245"


def test_repr_does_not_show_the_full_number():
    parsed = validate(KNOWN_VALID, today=TODAY)
    assert KNOWN_VALID not in repr(parsed)
    assert "110105********002X" in repr(parsed)


def test_a_validated_number_is_the_same_value_as_one_built_directly():
    built = idnumbers.IdNumber(
        number=KNOWN_VALID,
        birth_date=datetime.date(1949, 12, 31),
        sex=idnumbers.FEMALE,
        region_code="110105",
    )
    parsed = validate(KNOWN_VALID.lower(), today=TODAY)
    assert parsed == built and hash(parsed) == hash(built)
    assert {parsed: "found"}[built] == "found"  # usable as a key, as importers do


def test_id_number_is_frozen():
    parsed = validate(KNOWN_VALID, today=TODAY)
    with pytest.raises(AttributeError):
        parsed.sex = "male"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("110105 19491231 002X", "110105********002X"),
        ("11010519491231002", "*************1002"),  # 17: all but the last four
        ("110105491231002", "***********1002"),  # an old 15-digit number
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask(raw, masked):
    assert idnumbers.mask(raw) == masked


# Age


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        ("1990-01-01", "1990-01-01", 0),
        ("1990-01-01", "2023-12-31", 33),
        ("1990-01-01", "2024-01-01", 34),
        ("1990-06-15", "2024-06-14", 33),
        ("1990-06-15", "2024-06-15", 34),
        ("2000-02-29", "2023-02-28", 22),
        ("2000-02-29", "2023-03-01", 23),
        ("2000-02-29", "2024-02-29", 24),
    ],
)
def test_age_on(birth, day, age):
    assert (
        idnumbers.age_on(datetime.date.fromisoformat(birth), datetime.date.fromisoformat(day))
        == age
    )


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        idnumbers.age_on(datetime.date(2000, 1, 2), datetime.date(2000, 1, 1))


# Properties


@given(prefixes, birth_dates, sequences)
def test_every_built_number_validates_and_round_trips(prefix, birth_date, sequence):
    number = build(prefix, birth_date.strftime("%Y%m%d"), sequence)
    parsed = validate(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth_date
    assert parsed.sex == ("male" if int(sequence[-1]) % 2 else "female")
    assert parsed.region_code == prefix
    assert parsed.masked == prefix + "********" + number[-4:]


@given(valid_numbers(), st.integers(0, 16), st.sampled_from(DIGITS))
def test_every_single_digit_substitution_is_refused(number, position, digit):
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    assert refusal(changed).code in {"birth_date", "check_character"}


@given(valid_numbers(), st.integers(0, 15))
def test_every_adjacent_transposition_is_refused(number, position):
    first, second = number[position], number[position + 1]
    assume(first != second)
    swapped = number[:position] + second + first + number[position + 2 :]
    assert refusal(swapped).code in {"birth_date", "check_character"}


def test_every_substitution_and_transposition_of_the_known_example_is_refused():
    # The exhaustive version of the two properties above, for one number.
    for position in range(17):
        for digit in DIGITS.replace(KNOWN_VALID[position], ""):
            changed = KNOWN_VALID[:position] + digit + KNOWN_VALID[position + 1 :]
            assert refusal(changed).code in {"birth_date", "check_character"}, changed
    for position in range(16):
        first, second = KNOWN_VALID[position], KNOWN_VALID[position + 1]
        if first != second:
            swapped = KNOWN_VALID[:position] + second + first + KNOWN_VALID[position + 2 :]
            assert refusal(swapped).code in {"birth_date", "check_character"}, swapped


@given(st.text(max_size=30))
def test_validate_only_ever_raises_invalid_id_number(raw):
    try:
        parsed = validate(raw, today=TODAY)
    except InvalidIdNumber as error:
        assert error.code in {"length", "characters", "birth_date", "check_character"}
    else:
        assert validate(parsed.number, today=TODAY) == parsed


@given(st.text(max_size=30))
def test_mask_never_shows_more_than_the_ends(raw):
    masked = idnumbers.mask(raw)
    value = idnumbers.normalise(raw)
    assert len(masked) == len(value)
    shown = [i for i, character in enumerate(masked) if character != "*"]
    assert all(masked[i] == value[i] for i in shown)
    if len(value) == 18:
        assert masked[6:14] == "********"
    else:
        assert len(shown) <= 4
        assert all(i >= len(value) - 4 for i in shown)
        if len(value) <= 4:
            assert shown == []
