"""The ranking of cadres for positive incentives (正向激励): commendation, promotion,
greater responsibility.

Score of a cadre over a period (both ends included), with the weights `Weights`:

    score = lifted   × points per household lifted out of poverty
          + risks    × points per risk eliminated
          + projects × points per project delivered
          + min(visits, visit cap) × points per visit
          + other    × points per other achievement
          + latest assessment score (0–100, the latest year up to the period's end)
            × assessment weight

Counts come from `achievements.counts_for` (computed from the register, plus entered
achievements by quantity). Default weights: 5, 4, 6, 0.5 per visit up to 40 visits
(at most 20 points), 2, and 0.5 (an assessment of 90 gives 45). All arithmetic is in
`Decimal`, so the same data and weights always give the same scores.

Order: score, then the latest assessment score, both descending, then the cadre's id
ascending — a stable key, so two cadres with equal scores always come in the same order
and the ranking is reproducible. Each entry carries its `terms`, the explanation shown
beside it and frozen into an `IncentiveDecision` when one is recorded.

Disciplinary records play no part in the score: the ranking is seen by roles that may not
know of them. Pages flag a measure in effect for those who may.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.cadres.choices import AchievementKind
from baolei.cadres.models import Assessment, Cadre
from baolei.cadres.services.achievements import Period, counts_for


@dataclass(frozen=True)
class Weights:
    lifted: Decimal = Decimal("5")
    risk_eliminated: Decimal = Decimal("4")
    project: Decimal = Decimal("6")
    visit: Decimal = Decimal("0.5")
    visit_cap: int = 40
    other: Decimal = Decimal("2")
    assessment: Decimal = Decimal("0.5")

    def as_json(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items()}

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


WEIGHT_LABELS = {
    "lifted": _("Points per household lifted out of poverty"),
    "risk_eliminated": _("Points per risk eliminated"),
    "project": _("Points per project delivered"),
    "visit": _("Points per visit"),
    "visit_cap": _("Visits counted at most"),
    "other": _("Points per other achievement"),
    "assessment": _("Weight of the latest assessment score"),
}
CENT = Decimal("0.01")
RANKED_FIELDS = (
    "region_code",
    "unit",
    "post",
    "rank",
    "helper_id",
    "person__name",
    "person__id_number",
)
TERM_ORDER = (
    AchievementKind.LIFTED,
    AchievementKind.RISK_ELIMINATED,
    AchievementKind.PROJECT,
    AchievementKind.VISIT,
    AchievementKind.OTHER,
)


@dataclass(frozen=True)
class Term:
    key: str  # an AchievementKind, or "assessment"
    count: Decimal  # how many (the assessment: its score)
    counted: Decimal  # after the cap (visits), else the count
    weight: Decimal
    points: Decimal

    @property
    def label(self) -> str:
        if self.key == "assessment":
            return str(_("Latest assessment score"))
        return str(AchievementKind(self.key).label)

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "count": str(self.count),
            "counted": str(self.counted),
            "weight": str(self.weight),
            "points": str(self.points),
        }


@dataclass
class Entry:
    cadre: Cadre
    score: Decimal
    terms: list[Term]
    assessment_year: int | None
    assessment_score: Decimal | None
    rank: int = 0
    of: int = 0
    extra: dict = field(default_factory=dict)

    def basis(self, weights: Weights, period: Period) -> dict:
        """What a decision records: the score and why, as they stand now."""
        return {
            "score": str(self.score),
            "rank": self.rank,
            "of": self.of,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "weights": weights.as_json(),
            "assessment_year": self.assessment_year,
            "terms": [term.as_json() for term in self.terms],
        }


def default_period(today: datetime.date | None = None) -> Period:
    """The current year and the two before it."""
    today = today or timezone.localdate()
    return Period(datetime.date(today.year - 2, 1, 1), today)


def _latest_assessments(cadres: QuerySet[Cadre], until_year: int) -> dict[int, tuple[int, Decimal]]:
    """cadre id → (year, score) of their latest assessment up to `until_year`."""
    latest: dict[int, tuple[int, Decimal]] = {}
    rows = (
        Assessment.objects.filter(cadre__in=cadres.values("pk"), year__lte=until_year)
        .order_by("cadre_id", "year")
        .values_list("cadre_id", "year", "score")
    )
    for cadre_id, year, value in rows:
        latest[cadre_id] = (year, value)  # ordered by year: the last one wins
    return latest


def score(counts: dict[str, int], assessment: Decimal | None, weights: Weights) -> list[Term]:
    """The terms of the formula (see the module docstring); the score is their sum."""
    terms = []
    for kind in TERM_ORDER:
        count = Decimal(counts.get(kind, 0))
        counted = min(count, Decimal(weights.visit_cap)) if kind == AchievementKind.VISIT else count
        weight = getattr(weights, kind)
        terms.append(Term(kind, count, counted, weight, (counted * weight).quantize(CENT)))
    if assessment is not None:
        terms.append(
            Term(
                "assessment",
                assessment,
                assessment,
                weights.assessment,
                (assessment * weights.assessment).quantize(CENT),
            )
        )
    return terms


def rank(cadres: QuerySet[Cadre], period: Period, weights: Weights | None = None) -> list[Entry]:
    """Every cadre of `cadres` (already scoped and filtered), ranked; see the docstring."""
    weights = weights or Weights()
    # Only what a ranking shows: fewer columns make thousands of rows quicker to load.
    shown = cadres.select_related("person").only(*RANKED_FIELDS)
    listed = list(shown)
    counts = counts_for(listed, period)
    latest = _latest_assessments(cadres, period.end.year)
    entries = []
    for cadre in listed:
        year, value = latest.get(cadre.pk, (None, None))
        terms = score(counts[cadre.pk], value, weights)
        entries.append(
            Entry(
                cadre=cadre,
                score=sum((term.points for term in terms), Decimal(0)).quantize(CENT),
                terms=terms,
                assessment_year=year,
                assessment_score=value,
            )
        )
    entries.sort(key=lambda e: (-e.score, -(e.assessment_score or Decimal(-1)), e.cadre.pk))
    for position, entry in enumerate(entries, start=1):
        entry.rank, entry.of = position, len(entries)
    return entries


def entry_for(cadre: Cadre, cadres: QuerySet[Cadre], period: Period, weights: Weights) -> Entry:
    """The cadre's entry in the ranking of `cadres` (which must include them)."""
    for entry in rank(cadres, period, weights):
        if entry.cadre.pk == cadre.pk:
            return entry
    raise LookupError(cadre.pk)
