"""Bounded number types for every API parameter and schema field.

A number a client sends is checked against these bounds before any handler runs, so that
out-of-range input is a 422 naming the field and the bound — never an overflow in the
database or in the arithmetic (500). The bounds are published in the OpenAPI document.
Identifiers (`pk`, `*_id`) stay plain `int`: Django finds nothing for one beyond a column's
range, which is the right answer."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

# The platform's working years: gradings, elections, organisation life, courses, matching,
# attendance, the register's years. The same bounds as the forms.
Year = Annotated[int, Field(ge=2000, le=2100)]
# Years that reach back before the platform: a cadre's assessments (the form's 1990), the
# year an enterprise or cooperative was founded.
PastYear = Annotated[int, Field(ge=1900, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
Quarter = Annotated[int, Field(ge=1, le=4)]

# People, hours, places, members: stored in PositiveIntegerField (at most 2,147,483,647 on
# PostgreSQL); no real count comes near this bound.
MAX_COUNT = 100_000_000
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(ge=1, le=MAX_COUNT)]
# Members counted in a household year (PositiveSmallIntegerField).
SmallCount = Annotated[int, Field(ge=0, le=1000)]
# A small code that the services check further with their own reason (a disability grade
# of 1 to 4): bounded here by its column, PositiveSmallIntegerField.
SmallNumber = Annotated[int, Field(ge=0, le=32767)]

# Paging through a list: an offset beyond any table, a page of at most 1,000 rows.
Offset = Annotated[int, Field(ge=0, le=10_000_000)]
Limit = Annotated[int, Field(ge=1, le=1000)]

# Yuan, as stored: DecimalField(max_digits=12, decimal_places=2).
MAX_MONEY = Decimal("9999999999.99")
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=12, decimal_places=2)]
PositiveMoney = Annotated[
    Decimal, Field(ge=Decimal("0.01"), le=MAX_MONEY, max_digits=12, decimal_places=2)
]
# A year's income or cost: the services refuse a negative one with their own reason and
# round to the fen, so the bounds here only keep it within the column.
Income = Annotated[Decimal, Field(ge=-MAX_MONEY, le=MAX_MONEY)]
# Square metres of housing: DecimalField(max_digits=7, decimal_places=2).
Area = Annotated[Decimal, Field(ge=0, le=Decimal("99999.99"), max_digits=7, decimal_places=2)]
# A score out of 100 (an assessment, a grading indicator: DecimalField(max_digits<=6, 2)).
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
# Points of a branch grading's indicator: DecimalField(max_digits=6, decimal_places=2).
Points = Annotated[Decimal, Field(ge=0, le=Decimal("9999.99"), max_digits=6, decimal_places=2)]
# A weight or points per unit of the incentive ranking: small, non-negative.
Weight = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=12, decimal_places=4)]
