"""The indicator catalogue's vocabulary: each capability registers, in its own
`indicators` module, what it counts and how, and the command centre (the `dashboard`
app) stores, rolls up and shows it.

Three kinds of entry:

- a `Measure` is an additive count kept per region code (and per year where it is a
  yearly flow): households, people, villages with a branch, meetings held. Its
  `compute` function counts it, set-based, for some codes or for all of them; the
  refresher and the full rebuild call the same function, so a stored figure and a
  recount from scratch can only differ if a change was never marked.
- an `Indicator` is what a user reads: a measure summed, or the ratio of two measures'
  sums (a share, an incidence). Because only counts are stored, a ratio at any level is
  the ratio of the sums below it, exact and not an average of averages.
- a `Source` names a table whose rows move some measure and the SQL that finds the
  region code a row belongs to. The dashboard puts a trigger on each, so every write —
  a page, the API, an import, a bulk load, a raw UPDATE — marks its region dirty in its
  own transaction.

This module sits below every app (it imports none of them), so any app can register.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# One counted row: (region code, year or 0 for the present, value).
Row = tuple[str, int, int]
Compute = Callable[[Sequence[str] | None, datetime.date], Iterable[Row]]
RecordsUrl = Callable[[str, int], str | None]

CURRENT = 0  # the `year` of a figure that is a state now, not a flow in one year


@dataclass(frozen=True)
class Measure:
    key: str
    compute: Compute
    # Depends on the date as well as the rows (open over 15 days, visited in 90 days):
    # recomputed everywhere when the day changes.
    daily: bool = False
    yearly: bool = False


@dataclass(frozen=True)
class Indicator:
    key: str
    capability: str  # the app that registers it: "registry", "organisation", …
    name: str  # lazy translation
    unit: str  # lazy translation: 户, 人, %, ‰ …
    definition: str  # lazy translation, shown to users beside the figure
    numerator: str  # a measure key
    denominator: str | None = None  # a measure key: the figure is numerator / denominator
    scale: int = 1  # 100 for a percentage
    better: Literal["higher", "lower", ""] = ""
    yearly: bool = False  # its measures are counted per year (flows in that year)
    records: RecordsUrl | None = None  # the list behind the figure at (code, year)
    group: str = ""  # a breakdown it belongs to ("cause", "attribute" …), shown together

    @property
    def rollup(self) -> str:
        if self.denominator is None:
            return "sum"
        return "share" if self.scale == 100 else "ratio"

    def value(self, numerator: int, denominator: int | None) -> float | int | None:
        if self.denominator is None:
            return numerator
        if not denominator:
            return None
        return numerator * self.scale / denominator


@dataclass(frozen=True)
class Source:
    table: str  # the database table
    # SQL giving the row's region code, with {row} standing for NEW or OLD; with `many`,
    # a whole SELECT of one column giving every code the row moves.
    code_sql: str
    many: bool = False


def codes_below(code_sql: str) -> str:
    """A `many` source's SELECT of the region `code_sql` and every region below it: for a
    rule set for a county, which moves the figures of each of its villages."""
    return (
        f"SELECT code FROM regions_region WHERE code >= {code_sql} "
        f"AND code <= {code_sql} || '999999999999'"
    )


@dataclass
class Catalogue:
    measures: dict[str, Measure] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    def measure(self, key: str, compute: Compute, *, daily=False, yearly=False) -> Measure:
        if key in self.measures:
            raise ValueError(f"measure {key!r} is registered twice")
        self.measures[key] = Measure(key, compute, daily=daily, yearly=yearly)
        return self.measures[key]

    def indicator(self, indicator: Indicator) -> Indicator:
        if indicator.key in self.indicators:
            raise ValueError(f"indicator {indicator.key!r} is registered twice")
        for key in (indicator.numerator, indicator.denominator):
            if key is not None and key not in self.measures:
                raise ValueError(f"indicator {indicator.key!r} needs measure {key!r}")
        self.indicators[indicator.key] = indicator
        return indicator

    def source(self, table: str, code_sql: str, *, many: bool = False) -> None:
        source = Source(table, code_sql, many)
        existing = self.sources.get(table)
        if existing is not None and existing != source:
            raise ValueError(f"table {table!r} is registered twice with different codes")
        self.sources[table] = source


catalogue = Catalogue()
