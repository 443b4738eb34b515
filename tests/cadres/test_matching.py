"""The fit score and the solver: worked examples by hand, and optimality by brute force."""

import itertools
import random

import numpy as np
import pytest

from baolei.cadres.services import matching
from baolei.cadres.services.matching import Strengths, VillageNeeds


def test_a_pair_earns_points_only_where_need_meets_strength():
    village = VillageNeeds(
        code="420222100001", weak_branch=True, high_poverty=True, monitored=7, industry="tea"
    )
    candidate = Strengths(
        key=1,
        weak_branch=True,
        assistance=True,
        agriculture=True,
        industries=frozenset({"tea"}),
        township="420222100",
    )
    # 40 weak branch + 30 poverty + 7 monitored + 25 tea + 10 farming + 5 same township
    assert matching.explain(village, candidate) == [
        ("weak_branch", 40),
        ("high_poverty", 30),
        ("monitored", 7),
        ("industry", 25),
        ("agriculture", 10),
        ("local", 5),
    ]
    assert matching.fit(village, candidate) == 117
    outsider = Strengths(key=2, industries=frozenset({"tourism"}), township="420222101")
    assert matching.explain(village, outsider) == []


def test_monitored_points_stop_at_twenty():
    village = VillageNeeds(code="420222100001", monitored=55)
    assert matching.fit(village, Strengths(key=1, assistance=True)) == 20


def _random_case(rng, candidates, villages):
    industries = ["tea", "fruit", "tourism", "livestock"]
    towns = ["420222100", "420222101", "420222102"]
    needs = [
        VillageNeeds(
            code=f"{rng.choice(towns)}{n:03d}",
            weak_branch=rng.random() < 0.4,
            high_poverty=rng.random() < 0.4,
            monitored=rng.randint(0, 25),
            industry=rng.choice([*industries, ""]),
        )
        for n in range(villages)
    ]
    strengths = [
        Strengths(
            key=n,
            weak_branch=rng.random() < 0.5,
            assistance=rng.random() < 0.5,
            agriculture=rng.random() < 0.5,
            industries=frozenset(rng.sample(industries, rng.randint(0, 2))),
            township=rng.choice([*towns, ""]),
        )
        for n in range(candidates)
    ]
    return strengths, needs


def test_the_matrix_is_the_sum_of_the_explained_points():
    strengths, needs = _random_case(random.Random(7), 9, 11)
    scores = matching.score_matrix(strengths, needs)
    for i, candidate in enumerate(strengths):
        for j, village in enumerate(needs):
            assert scores[i, j] == matching.fit(village, candidate)


def _brute_force(scores: np.ndarray) -> int:
    rows, cols = scores.shape
    if rows <= cols:
        return max(
            sum(scores[r, c] for r, c in enumerate(perm))
            for perm in itertools.permutations(range(cols), rows)
        )
    return max(
        sum(scores[r, c] for c, r in enumerate(perm))
        for perm in itertools.permutations(range(rows), cols)
    )


@pytest.mark.parametrize(
    ("candidates", "villages", "seed"),
    [(4, 4, 1), (5, 5, 2), (3, 6, 3), (6, 3, 4), (6, 6, 5), (2, 7, 6)],
)
def test_the_assignment_is_optimal_by_brute_force(candidates, villages, seed):
    strengths, needs = _random_case(random.Random(seed), candidates, villages)
    scores = matching.score_matrix(strengths, needs)
    pairs = matching.solve(scores)
    assert len(pairs) == min(candidates, villages)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert matching.total(scores, pairs) == _brute_force(scores)
    assert matching.total(scores, matching.greedy(scores)) <= matching.total(scores, pairs)


def test_greedy_can_lose_where_the_solver_does_not():
    # Candidate A fits both villages (50, 45); B fits only the first (40). Greedy gives A
    # the first village (50) and B the second (0): 50. The optimum is B-first, A-second: 85.
    scores = np.array([[50, 45], [40, 0]])
    assert matching.total(scores, matching.greedy(scores)) == 50
    assert matching.total(scores, matching.solve(scores)) == 85


def test_no_candidates_or_no_villages_give_no_pairs():
    assert matching.solve(matching.score_matrix([], [VillageNeeds(code="420222100001")])) == []
    assert matching.solve(matching.score_matrix([Strengths(key=1)], [])) == []
