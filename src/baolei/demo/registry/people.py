"""The people of a synthetic register: valid, unique ID numbers and the members of a
household (names, ages, ethnicity, health, schooling, work).

Apart from the households (`synthetic_households.py`) because people are drawn the same
way for every household, and the organisation and cadres generators make ID numbers
with `IdNumbers` too.
"""

import datetime
import random
from collections.abc import Callable
from typing import Any

from baolei.demo.registry.drafts import Village
from baolei.demo.registry.vocabulary import (
    _DISABILITY_GRADES,
    _EDUCATION_BY_COHORT,
    _EMPLOYMENT,
    _ETHNICITIES,
    _GIVEN,
    _SUPPORTED,
    _SURNAMES,
    _WORKING,
    CAUSE,
    EDUCATION,
    EMPLOYMENT,
    HEALTH,
    LABOUR,
    RELATION,
    SCHOOL,
    SEX,
)
from baolei.idnumbers import CHECK_CHARACTERS, check_character

# --- ID numbers --------------------------------------------------------------------------


def _residue(digits: str) -> int:
    """The weighted digit sum of a 17-digit string modulo 11, read back from its check
    character: `check_character` is CHECK_CHARACTERS[sum % 11]."""
    return CHECK_CHARACTERS.index(check_character(digits))


# The sum is linear in the digits, so a number's residue is the sum of the residues of
# its address code, birth date and sequence, each zero-padded to 17 digits. Each part
# is computed once (by `check_character` itself) and the check character of every
# number is then two additions and a lookup.
_SEQUENCE_RESIDUES = [_residue(f"{'0' * 14}{n:03d}") for n in range(1000)]


class IdNumbers:
    """Valid, unique ID numbers of one county at a time."""

    def __init__(self, random: Callable[[], float]) -> None:
        self.random = random
        self.county = ""
        self.county_residue = 0
        self.taken: set[str] = set()
        self.next_sequence: dict[int, int] = {}
        self.births: dict[int, tuple[str, int]] = {}  # ordinal -> (YYYYMMDD, residue)

    def enter(self, county: str, taken: set[str]) -> None:
        # Sequences are per county and per day: forgetting the last county's keeps the
        # memory flat however many counties a national register spans.
        self.county = county
        self.county_residue = _residue(county + "0" * 11)
        self.taken = taken
        self.next_sequence = {}

    def _birth(self, ordinal: int) -> tuple[str, int]:
        day = datetime.date.fromordinal(ordinal)
        text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        entry = self.births[ordinal] = (text, _residue(f"000000{text}000"))
        return entry

    def new(self, ordinal: int, male: bool) -> tuple[str, int]:
        """(number, birth ordinal): the birth date moves a day earlier in the unlikely
        case that all 499 sequence numbers of the sex and day are gone."""
        while True:
            key = ordinal * 2 + male
            k = self.next_sequence.get(key)
            if k is None:
                k = int(self.random() * 400)  # the first digits are a police station's
            text, birth_residue = self.births.get(ordinal) or self._birth(ordinal)
            base = self.county_residue + birth_residue
            while k < 499:
                sequence = 2 * k + (1 if male else 2)  # odd for men, even for women
                k += 1
                number = (
                    f"{self.county}{text}{sequence:03d}"
                    f"{CHECK_CHARACTERS[(base + _SEQUENCE_RESIDUES[sequence]) % 11]}"
                )
                if number not in self.taken:
                    self.next_sequence[key] = k
                    return number, ordinal
            self.next_sequence[key] = k
            ordinal -= 1


# --- People ------------------------------------------------------------------------------


class PeopleGenerator:
    """People from one seeded random stream: families whose ages fit their relations,
    names, valid and unique ID numbers, health, schooling and work.

    The base of `RegisterGenerator` (`synthetic_households.py`), which draws the
    households around them from the same stream.
    """

    def __init__(self, seed: int, as_of: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.as_of = as_of
        self.today = as_of.toordinal()
        self.ids = IdNumbers(self.random)

    def between(self, low: int, high: int) -> int:
        """low..high inclusive: `randint` costs several times more than `random()`."""
        return low + int(self.random() * (high - low + 1))

    # -- people --

    def given_name(self, male: bool, born: int) -> str:
        random = self.random
        # Born before 1970: the older generation's characters; after 1990 the newer;
        # in between either.
        pool = _GIVEN[(male, born < 1970 or (born <= 1990 and random() < 0.5))]
        n = len(pool)
        if random() < 0.78:
            return pool[int(random() * n)] + pool[int(random() * n)]
        return pool[int(random() * n)]

    def ethnicity(self, province: str) -> str:
        r = self.random()
        for name, share in _ETHNICITIES.get(province, ()):
            if r < share:
                return name
            r -= share
        return "汉族"

    def phone(self) -> str:
        return f"1{'3578'[int(self.random() * 4)]}{int(self.random() * 1e9):09d}"

    def person(self, age: int, male: bool, surname: str, ethnicity: str, region: str) -> dict:
        # Born at least a day before `as_of`: a validator whose "today" is a few hours
        # behind (another time zone) must not see a birth date in the future.
        ordinal = self.today - age * 365 - age // 4 - 1 - int(self.random() * 364)
        number, ordinal = self.ids.new(ordinal, male)
        birth = datetime.date.fromordinal(ordinal)
        return {
            "id_number": number,
            "name": surname + self.given_name(male, birth.year),
            "sex": SEX.MALE if male else SEX.FEMALE,
            "birth_date": birth,
            "ethnicity": ethnicity,
            "phone": "",
            "region_code": region,
        }

    def family(self, size: int) -> list[list[Any]]:
        """[relation, male, age, surname key] for each member, the head first.

        Surname keys: "h" the head's (and the head's father's), "s" the spouse's, "c" the
        children's (their father's), "o" one of their own.
        """
        random, int_ = self.random, self.between
        alone = size == 1
        head_male = random() < (0.6 if alone else 0.86)
        head_age = int_(48, 80) if alone else int(self.rng.triangular(30, 80, 55))
        people = [[RELATION.HEAD, head_male, head_age, "h"]]
        left = size - 1
        if left and (random() < 0.88 or size >= 4):
            delta = int_(-6, 2) if head_male else int_(-2, 6)
            people.append([RELATION.SPOUSE, not head_male, max(20, head_age + delta), "s"])
            left -= 1
        if left and head_age <= 52 and random() < (0.4 if size >= 4 else 0.15):
            father_age = head_age + int_(22, 32)
            if father_age <= 92:
                people.append([RELATION.FATHER, True, father_age, "h"])
                left -= 1
                if left and random() < 0.6:
                    people.append([RELATION.MOTHER, False, father_age - int_(0, 5), "o"])
                    left -= 1
        if left >= 2 and head_age >= 58 and random() < 0.6:
            son_age = int_(24, head_age - 22)
            people.append([RELATION.SON, True, son_age, "c"])
            people.append([RELATION.DAUGHTER_IN_LAW, False, son_age + int_(-4, 2), "o"])
            for _i in range(left - 2):
                male = random() < 0.52
                relation = RELATION.GRANDSON if male else RELATION.GRANDDAUGHTER
                people.append([relation, male, int_(0, max(0, son_age - 21)), "c"])
            return people
        oldest_child = min(head_age - 20, 40)
        for _i in range(left):
            male = random() < 0.52
            people.append(
                [RELATION.SON if male else RELATION.DAUGHTER, male, int_(0, oldest_child), "c"]
            )
        return people

    def people(
        self, family: list[list[Any]], village: Village, household: dict
    ) -> list[tuple[dict, dict]]:
        """Each member's person and circumstances, in step with the household's cause."""
        random = self.random
        head_male = family[0][1]
        has_spouse = len(family) > 1 and family[1][0] == RELATION.SPOUSE
        surnames = {"h": _SURNAMES.pick(random), "s": _SURNAMES.pick(random)}
        surnames["c"] = surnames["h"] if head_male or not has_spouse else surnames["s"]
        province = village.code[:2]
        head_ethnicity = self.ethnicity(province)
        health = [self.health(age) for _relation, _male, age, _key in family]
        self._health_fits_cause(family, health, household["main_cause"])
        minimum_living = household["attribute"] in _SUPPORTED
        rows = []
        for index, (relation, male, age, key) in enumerate(family):
            surname = _SURNAMES.pick(random) if key == "o" else surnames[key]
            if index == 0 or key in "hc" or random() < 0.85:
                ethnicity = head_ethnicity
            else:
                ethnicity = self.ethnicity(province)
            person = self.person(age, male, surname, ethnicity, village.code)
            if index == 0 and random() < 0.85:
                person["phone"] = self.phone()
            condition, grade = health[index]
            education, school = self.schooling(age, person["birth_date"].year)
            in_school = school != SCHOOL.NOT_IN_SCHOOL
            labour = self.labour(age, condition, grade, in_school)
            member = {
                "relation": relation,
                "education": education,
                "school_status": school,
                "health": condition,
                "disability_grade": grade,
                "labour_capacity": labour,
                "employment": _EMPLOYMENT.pick(random) if labour in _WORKING else EMPLOYMENT.NONE,
                "minimum_living": minimum_living,
                "medical_insurance": random() < 0.995,
                "pension_insurance": age >= 16 and not in_school and random() < 0.92,
            }
            rows.append((person, member))
        return rows

    def health(self, age: int) -> tuple[str, int | None]:
        r = self.random()
        if age < 16:
            disabled, serious, chronic = 0.01, 0.015, 0.025
        elif age < 60:
            disabled, serious, chronic = 0.04, 0.06, 0.12
        else:
            disabled, serious, chronic = 0.07, 0.12, 0.40
        if r < disabled:
            return HEALTH.DISABLED, _DISABILITY_GRADES.pick(self.random)
        if r < serious:
            return HEALTH.SERIOUS, None
        if r < chronic:
            return HEALTH.CHRONIC, None
        return HEALTH.HEALTHY, None

    def _health_fits_cause(self, family: list, health: list, cause: str) -> None:
        """A household poor because of illness has someone ill; of disability, someone
        disabled: the oldest member, or anyone."""
        if cause == CAUSE.ILLNESS and all(h == HEALTH.HEALTHY for h, _g in health):
            oldest = max(range(len(family)), key=lambda i: (family[i][2], -i))
            health[oldest] = (HEALTH.SERIOUS if self.random() < 0.4 else HEALTH.CHRONIC, None)
        elif cause == CAUSE.DISABILITY and all(h != HEALTH.DISABLED for h, _g in health):
            index = int(self.random() * len(family))
            health[index] = (HEALTH.DISABLED, _DISABILITY_GRADES.pick(self.random))

    def schooling(self, age: int, born: int) -> tuple[str, str]:
        """(education, school status) for an age."""
        if age < 3:
            return EDUCATION.PRESCHOOL, SCHOOL.NOT_IN_SCHOOL
        if age < 6:
            in_school = self.random() < 0.85
            return EDUCATION.PRESCHOOL, SCHOOL.PRESCHOOL if in_school else SCHOOL.NOT_IN_SCHOOL
        if age < 12:
            return EDUCATION.PRIMARY, SCHOOL.PRIMARY
        if age < 15:
            return EDUCATION.JUNIOR, SCHOOL.JUNIOR
        r = self.random()
        if age < 18:
            if r < 0.45:
                return EDUCATION.SENIOR, SCHOOL.SENIOR
            if r < 0.75:
                return EDUCATION.VOCATIONAL, SCHOOL.VOCATIONAL
            return EDUCATION.JUNIOR, SCHOOL.NOT_IN_SCHOOL
        if age < 23:
            if r < 0.3:
                return EDUCATION.COLLEGE, SCHOOL.UNIVERSITY
            if r < 0.4:
                return EDUCATION.VOCATIONAL, SCHOOL.VOCATIONAL
        for before, table in _EDUCATION_BY_COHORT:
            if born < before:
                return table.pick(self.random), SCHOOL.NOT_IN_SCHOOL
        raise AssertionError("unreachable")

    def labour(self, age: int, health: str, grade: int | None, in_school: bool) -> str:
        r = self.random()
        if age < 16 or in_school:
            return LABOUR.NONE
        if health == HEALTH.SERIOUS or (health == HEALTH.DISABLED and grade <= 2):
            return LABOUR.LOST
        if age >= 65:
            return LABOUR.ORDINARY if r < 0.1 else LABOUR.NONE
        if age >= 60:
            return LABOUR.ORDINARY if r < 0.5 else LABOUR.NONE
        if health == HEALTH.HEALTHY and r < 0.2:
            return LABOUR.SKILLED
        return LABOUR.ORDINARY
