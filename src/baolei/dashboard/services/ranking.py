"""What a dashboard shows of a region, from the stored figures only (`figures`): the
headline cards by capability with the change since last year, the breakdowns, the trends
of the yearly indicators, and the ranking of the children on any indicator.

Generic over the catalogue: whatever the capabilities register appears, in their order,
with nothing here naming an indicator."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from baolei.dashboard.services import figures
from baolei.dashboard.services.figures import Value
from baolei.indicators import Indicator
from baolei.regions.models import Region

# The capabilities in the order a leader reads them; any other comes after, by key.
CAPABILITIES = {
    "registry": _("Register"),
    "organisation": _("Party organisation"),
    "cadres": _("Cadres"),
    "talent": _("Talent"),
    "regions": _("Regions"),
}
GROUPS = {
    "cause": _("Main cause of poverty"),
    "attribute": _("Household attribute"),
    "monitoring": _("Monitoring type"),
    "grade": _("Branch grade"),
}


def number(value: float | int | None) -> str:
    """A figure as shown: whole counts as they are, shares to one decimal."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass(frozen=True)
class Card:
    value: Value

    @property
    def indicator(self) -> Indicator:
        return self.value.indicator

    @property
    def shown(self) -> str:
        return number(self.value.value)

    @property
    def change(self) -> float | int | None:
        change = self.value.change
        return None if change is None else round(change, 1)

    @property
    def direction(self) -> str:
        """ "up", "down" or "same" since last year; "" where there is nothing to compare."""
        change = self.change
        if change is None:
            return ""
        return "up" if change > 0 else "down" if change < 0 else "same"

    @property
    def tone(self) -> str:
        """ "good" or "bad" by the indicator's better direction; "" when it has none."""
        better = self.indicator.better
        if not better or self.direction in ("", "same"):
            return ""
        return "good" if (self.direction == "up") == (better == "higher") else "bad"

    @property
    def change_shown(self) -> str:
        change = self.change
        return "" if change is None else number(abs(change))


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    cards: list[Card]

    @property
    def counted(self) -> list[Card]:
        return [card for card in self.cards if card.value.value]

    @property
    def nil(self) -> list[Card]:
        """The parts at nought: listed apart, so that a long list of causes none of which
        applies does not push the rest of the page down."""
        return [card for card in self.cards if not card.value.value]


@dataclass
class Section:
    capability: str
    label: str
    cards: list[Card] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


def _capability_order(capability: str) -> tuple[int, str]:
    keys = list(CAPABILITIES)
    return (keys.index(capability) if capability in keys else len(keys), capability)


def sections(values: Sequence[Value]) -> list[Section]:
    """The region's values as cards by capability, grouped indicators as breakdowns."""
    found: dict[str, Section] = {}
    grouped: dict[tuple[str, str], list[Card]] = {}
    for value in values:
        indicator = value.indicator
        section = found.setdefault(
            indicator.capability,
            Section(
                indicator.capability,
                str(CAPABILITIES.get(indicator.capability, indicator.capability)),
            ),
        )
        if indicator.group:
            grouped.setdefault((indicator.capability, indicator.group), []).append(Card(value))
        else:
            section.cards.append(Card(value))
    for (capability, group), cards in grouped.items():
        label = str(GROUPS.get(group, group))
        found[capability].breakdowns.append(Breakdown(group, label, cards))
    return sorted(found.values(), key=lambda s: _capability_order(s.capability))


def headline(code: str, year: int) -> list[Section]:
    return sections(figures.region_values(code, year=year))


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    years: list[int]
    values: list[float | int | None]

    def as_json(self) -> dict:
        return {
            "key": self.indicator.key,
            "name": str(self.indicator.name),
            "unit": str(self.indicator.unit),
            "years": self.years,
            "values": [None if v is None else round(v, 2) for v in self.values],
        }


def trends(code: str, years: Sequence[int]) -> list[Trend]:
    """Every yearly headline indicator of `code` over `years` (none with fewer than two)."""
    if len(years) < 2:
        return []
    chosen = [i for i in figures.indicators() if i.yearly and not i.group]
    return [
        Trend(i, list(years), [v.value for v in figures.trend(code, i.key, years)]) for i in chosen
    ]


@dataclass(frozen=True)
class RankRow:
    region: Region
    value: Value
    rank: int = 0

    @property
    def shown(self) -> str:
        return number(self.value.value)

    @property
    def sort_value(self) -> float | int | None:
        return self.value.value


def default_key() -> str | None:
    """The first headline indicator: what the ranking shows until another is chosen."""
    ungrouped = [i for i in figures.indicators() if not i.group]
    ordered = sorted(
        ungrouped or figures.indicators(), key=lambda i: _capability_order(i.capability)
    )
    return ordered[0].key if ordered else None


def children_of(code: str) -> list[Region]:
    """Every region one level below `code` ("" the nation), with figures or not."""
    return list(Region.objects.children_of(code or None).order_by("code"))


def ranking(code: str, key: str, year: int, children: Iterable[Region]) -> list[RankRow]:
    """The children on indicator `key`, best first (highest unless lower is better),
    those without a value last; a child with no stored figure counts 0 (— for a ratio)."""
    indicator = figures.registered().indicators[key]
    stored = figures.by_code(figures.children_values(code, [key], year))
    rows = []
    for region in children:
        value = stored.get(region.code, {}).get(key)
        if value is None:
            value = figures.value_of({}, indicator, region.code, year)
        rows.append(RankRow(region, value))
    lower_first = indicator.better == "lower"

    def order(row: RankRow) -> tuple:
        v = row.value.value
        return (v is None, 0 if v is None else (v if lower_first else -v), row.region.code)

    rows.sort(key=order)
    return [RankRow(row.region, row.value, rank) for rank, row in enumerate(rows, start=1)]
