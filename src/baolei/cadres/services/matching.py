"""Matching first-secretary candidates to villages: the fit score and the solver.

Pure (numpy and scipy, no database), so that the pages, the API, the benchmark and the
tests share one definition of "fit". A pair's fit is the sum of the points below, each
earned only when the village has the need AND the candidate has the strength, so that
every point can be explained to the officer as (reason, points):

| reason       | village need                           | candidate strength           | points |
|--------------|----------------------------------------|------------------------------|--------|
| weak_branch  | branch graded weak and lax (软弱涣散)  | worked with weak branches    | 40     |
| high_poverty | poverty incidence ≥ threshold (*)      | targeted-assistance work     | 30     |
| monitored    | open monitoring cases (1 point each)   | targeted-assistance work     | ≤ 20   |
| industry     | main industry                          | that industry among theirs   | 25     |
| agriculture  | main industry is farming, herding, ... | agricultural experience      | 10     |
| local        | the village's township                 | works in that township       | 5      |

(*) Where the village's rural population is not recorded, registered poor households ≥
their threshold instead (see `selection.village_needs`).

The solver is `scipy.optimize.linear_sum_assignment` on the score matrix (maximising),
which also handles more candidates than villages or the reverse: every village gets a
candidate while candidates last, and no candidate is used twice. `greedy` (best pair first)
is kept only to show in the benchmark how much the optimum gains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

WEAK_BRANCH_POINTS = 40
HIGH_POVERTY_POINTS = 30
MONITORED_POINTS_CAP = 20
INDUSTRY_POINTS = 25
AGRICULTURE_POINTS = 10
LOCAL_POINTS = 5

# Main industries that count as farming for the agriculture strength.
AGRICULTURAL = frozenset(
    {"grain", "vegetables", "fruit", "tea", "livestock", "aquaculture", "forestry", "herbs"}
)


@dataclass(frozen=True)
class VillageNeeds:
    code: str
    weak_branch: bool = False
    high_poverty: bool = False
    monitored: int = 0
    industry: str = ""


@dataclass(frozen=True)
class Strengths:
    key: int
    weak_branch: bool = False
    assistance: bool = False
    agriculture: bool = False
    industries: frozenset[str] = field(default_factory=frozenset)
    township: str = ""  # 9-digit code of the township the candidate works in, if any


def explain(village: VillageNeeds, candidate: Strengths) -> list[tuple[str, int]]:
    """The reasons and points of one pair; their sum is the pair's fit."""
    reasons: list[tuple[str, int]] = []
    if village.weak_branch and candidate.weak_branch:
        reasons.append(("weak_branch", WEAK_BRANCH_POINTS))
    if village.high_poverty and candidate.assistance:
        reasons.append(("high_poverty", HIGH_POVERTY_POINTS))
    if village.monitored and candidate.assistance:
        reasons.append(("monitored", min(village.monitored, MONITORED_POINTS_CAP)))
    if village.industry and village.industry in candidate.industries:
        reasons.append(("industry", INDUSTRY_POINTS))
    if village.industry in AGRICULTURAL and candidate.agriculture:
        reasons.append(("agriculture", AGRICULTURE_POINTS))
    if candidate.township and village.code[:9] == candidate.township:
        reasons.append(("local", LOCAL_POINTS))
    return reasons


def fit(village: VillageNeeds, candidate: Strengths) -> int:
    return sum(points for _reason, points in explain(village, candidate))


def score_matrix(candidates: Sequence[Strengths], villages: Sequence[VillageNeeds]) -> np.ndarray:
    """Fit of every (candidate, village) pair, rows candidates: the same sums as `explain`,
    computed column-wise so that 3,000 × 3,000 takes a fraction of a second."""
    industries = sorted(
        {v.industry for v in villages if v.industry} | {i for c in candidates for i in c.industries}
    )
    index = {name: n for n, name in enumerate(industries)}
    c_weak = np.array([c.weak_branch for c in candidates], dtype=np.int32)
    c_assist = np.array([c.assistance for c in candidates], dtype=np.int32)
    c_agri = np.array([c.agriculture for c in candidates], dtype=np.int32)
    c_industry = np.zeros((len(candidates), max(len(industries), 1)), dtype=np.int32)
    for row, candidate in enumerate(candidates):
        for name in candidate.industries:
            c_industry[row, index[name]] = 1
    v_weak = np.array([v.weak_branch for v in villages], dtype=np.int32)
    v_poor = np.array([v.high_poverty for v in villages], dtype=np.int32)
    v_monitored = np.array(
        [min(v.monitored, MONITORED_POINTS_CAP) for v in villages], dtype=np.int32
    )
    v_agri = np.array([v.industry in AGRICULTURAL for v in villages], dtype=np.int32)
    v_industry = np.zeros((max(len(industries), 1), len(villages)), dtype=np.int32)
    for col, village in enumerate(villages):
        if village.industry:
            v_industry[index[village.industry], col] = 1

    scores = WEAK_BRANCH_POINTS * np.outer(c_weak, v_weak)
    scores += np.outer(c_assist, HIGH_POVERTY_POINTS * v_poor + v_monitored)
    scores += INDUSTRY_POINTS * (c_industry @ v_industry)
    scores += AGRICULTURE_POINTS * np.outer(c_agri, v_agri)
    townships = {code: n + 1 for n, code in enumerate({v.code[:9] for v in villages})}
    c_town = np.array([townships.get(c.township, 0) for c in candidates], dtype=np.int64)
    v_town = np.array([townships[v.code[:9]] for v in villages], dtype=np.int64)
    scores += LOCAL_POINTS * ((c_town[:, None] == v_town[None, :]) & (c_town[:, None] > 0))
    return scores


def solve(scores: np.ndarray) -> list[tuple[int, int]]:
    """The (candidate row, village column) pairs of the assignment of greatest total fit."""
    if scores.size == 0:
        return []
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def greedy(scores: np.ndarray) -> list[tuple[int, int]]:
    """Best remaining pair first: the obvious method, for comparison only."""
    if scores.size == 0:
        return []
    order = np.argsort(-scores, axis=None, kind="stable")
    used_rows = np.zeros(scores.shape[0], dtype=bool)
    used_cols = np.zeros(scores.shape[1], dtype=bool)
    pairs: list[tuple[int, int]] = []
    limit = min(scores.shape)
    for flat in order:
        row, col = divmod(int(flat), scores.shape[1])
        if used_rows[row] or used_cols[col]:
            continue
        used_rows[row] = used_cols[col] = True
        pairs.append((row, col))
        if len(pairs) == limit:
            break
    return pairs


def total(scores: np.ndarray, pairs: Sequence[tuple[int, int]]) -> int:
    return int(sum(scores[row, col] for row, col in pairs))
