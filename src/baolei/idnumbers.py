"""The resident identity number of GB 11643-1999 (公民身份号码).

Eighteen characters: a 6-digit address code (the county where the number was first
issued, which need not be where the person lives now, so it is not checked against the
regions table), the birth date as YYYYMMDD, a 3-digit sequence whose last digit is odd for
men and even for women, and a MOD 11-2 check character, 0-9 or X. Because 11 is prime
and no weight is a multiple of it, the check character catches every single-digit
substitution and every transposition of two adjacent different digits.

People type these numbers on phones with Chinese input methods, so full-width digits,
full-width spaces and a lower-case x are common; `normalise` undoes that before anything
else looks at the number. Everything here is pure: no database, and `today` can be
passed in so that validation does not depend on the clock.
"""

import datetime
import operator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from baolei.messages import CodedError, lazy_format

LENGTH = 18
DIGITS = "0123456789"
CHECK_CHARACTERS = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
MALE = "male"
FEMALE = "female"
VISIBLE_HEAD = 6
VISIBLE_TAIL = 4

_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + n): str(n) for n in range(10)}, "Ｘ": "X", "ｘ": "X", "x": "X"}
)
# The weighted sum of the digits' character codes is the weighted sum of the digits plus
# this constant: the check is computed on the ASCII bytes, with no int() per digit.
_ZERO_OFFSET = ord("0") * sum(WEIGHTS)


class InvalidIdNumber(CodedError):
    """Why a number was refused: `code` for programs, `message` for people.

    `code` is one of "length", "characters", "birth_date", "check_character". `message`
    is lazy, so it is rendered in whatever language is active when it is shown, not when
    it was raised; a form can pass both straight on to `ValidationError`.
    """


@dataclass(frozen=True)
class IdNumber:
    """A number that passed `validate`, with what it says about its holder.

    The full number is left out of the repr so that it does not leak into logs and
    tracebacks; the masked form stands in for it.
    """

    number: str = field(repr=False)
    birth_date: datetime.date
    sex: str
    region_code: str

    @property
    def masked(self) -> str:
        return mask(self.number)

    def __repr__(self) -> str:
        return (
            f"IdNumber(masked={self.masked!r}, birth_date={self.birth_date!r}, "
            f"sex={self.sex!r}, region_code={self.region_code!r})"
        )


def normalise(raw: str) -> str:
    """The number as the standard writes it: ASCII digits, an upper-case X, no spaces.

    `str.split()` splits on every Unicode space, the ideographic space U+3000 included.
    """
    if raw.isascii():  # the usual case: no full-width character to fold
        if raw.isalnum():
            return raw.replace("x", "X")
        return "".join(raw.split()).replace("x", "X")
    return "".join(raw.split()).translate(_FULL_WIDTH)


def _is_digits(text: str) -> bool:
    # Only ASCII: `str.isdigit()` alone also accepts superscripts and other scripts' digits.
    return text.isascii() and text.isdigit()


def check_character(first17: str) -> str:
    """The MOD 11-2 check character (ISO 7064) for the first 17 digits."""
    if len(first17) != LENGTH - 1 or not _is_digits(first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(map(operator.mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_OFFSET
    return CHECK_CHARACTERS[total % 11]


def _birth_date(number: str, today: datetime.date) -> datetime.date:
    text = number[6:14]
    try:
        birth_date = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidIdNumber(
            "birth_date", lazy_format(_("birth date %(date)s is not a real date"), date=text)
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise InvalidIdNumber(
            "birth_date",
            lazy_format(
                _("birth date %(date)s is before %(earliest)s"),
                date=birth_date.isoformat(),
                earliest=EARLIEST_BIRTH_DATE.isoformat(),
            ),
        )
    if birth_date > today:
        raise InvalidIdNumber(
            "birth_date",
            lazy_format(_("birth date %(date)s is in the future"), date=birth_date.isoformat()),
        )
    return birth_date


def _check_characters(number: str) -> None:
    """Name the first character out of place, so the person knows where to look."""
    if _is_digits(number[:-1]) and number[-1] in DIGITS + "X":
        return
    for position, character in enumerate(number[:-1], start=1):
        if character not in DIGITS:
            raise InvalidIdNumber(
                "characters",
                lazy_format(
                    _("character %(position)d should be a digit, not %(character)s"),
                    position=position,
                    character=character,
                ),
            )
    if number[-1] not in DIGITS + "X":
        raise InvalidIdNumber(
            "characters",
            lazy_format(
                _("the last character should be a digit or X, not %(character)s"),
                character=number[-1],
            ),
        )


_new_id_number = object.__new__


def validate(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """The parsed number, or `InvalidIdNumber` for the first problem found.

    The checks run from the coarsest to the finest (length, characters, birth date,
    check character), so the message points at the mistake a person most likely made:
    a wrong birth date is reported as such, not as a wrong check character.
    """
    number = normalise(raw)
    if len(number) != LENGTH:
        raise InvalidIdNumber(
            "length",
            lazy_format(
                _("an identity number has 18 characters, not %(length)d"), length=len(number)
            ),
        )
    _check_characters(number)
    birth_date = _birth_date(number, today or datetime.date.today())
    expected = check_character(number[:-1])
    if number[-1] != expected:
        raise InvalidIdNumber(
            "check_character",
            lazy_format(
                _("check character should be %(expected)s, not %(actual)s"),
                expected=expected,
                actual=number[-1],
            ),
        )
    # Built without the frozen dataclass's __init__ (four object.__setattr__ calls), which
    # costs as much as the checks above when a file holds a hundred thousand numbers.
    parsed = _new_id_number(IdNumber)
    parsed.__dict__.update(
        number=number,
        birth_date=birth_date,
        sex=MALE if number[16] in "13579" else FEMALE,
        region_code=number[:6],
    )
    return parsed


def mask(raw: str) -> str:
    """The value fit for a screen or a printout: never the birth date, never the whole.

    An 18-character number keeps its address code and last four; anything else (an old
    15-digit number, a typo) keeps only its last four. A value of four characters or
    fewer is masked entirely, since "all but the last four" would show all of it. The
    mask keeps the length, so the reader can still tell a short value from a full one.
    """
    value = normalise(raw)
    tail = value[-VISIBLE_TAIL:]
    if len(value) == LENGTH:
        return value[:VISIBLE_HEAD] + "*" * (LENGTH - VISIBLE_HEAD - VISIBLE_TAIL) + tail
    if len(value) <= VISIBLE_TAIL:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE_TAIL) + tail


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years (周岁) on `day`.

    The age goes up on the birthday itself; someone born on 29 February turns a year
    older on 1 March in common years.
    """
    if day < birth_date:
        raise ValueError(f"{day} is before the birth date {birth_date}")
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday
