"""Built and random sets of nearly perpendicular directions (llmfacts.compute.constructions): every pair of
the built sets checked by brute force, the counts against the built sets, the deletion estimate against a
Monte-Carlo run, and the growth story's figures evaluated as the claims they support."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmfacts.compute import constructions as C
from llmfacts.compute.gpt3 import GPTHyperparameters
from llmfacts.compute.lecture import DEFAULT_LECTURE
from llmfacts.compute.superposition import log10_max_vectors_in_band, random_pair_tail


def _sieve(n: int) -> list[int]:
    flags = np.ones(n + 1, dtype=bool)
    flags[:2] = False
    for k in range(2, int(n**0.5) + 1):
        if flags[k]:
            flags[k * k:: k] = False
    return [int(k) for k in np.flatnonzero(flags)]


def _max_abs_offdiag(x: np.ndarray, block: int = 800) -> float:
    """Largest |x_i . x_j| over i != j, by brute force over every pair (row blocks of the Gram matrix)."""
    best = 0.0
    for r0 in range(0, len(x), block):
        g = x[r0:r0 + block] @ x.T
        rows = np.arange(g.shape[0])
        g[rows, r0 + rows] = 0.0
        best = max(best, float(np.abs(g).max()))
    return best


def test_primes_match_a_sieve():
    primes = _sieve(2000)
    assert [k for k in range(2001) if C.is_prime(k)] == primes
    assert C.largest_prime_at_most(2000) == primes[-1]
    assert C.largest_prime_at_most(2) is None and C.largest_prime_at_most(2, odd=False) == 2
    assert C.smallest_prime_at_least(1000.5) == next(p for p in primes if p > 1000.5)


@pytest.mark.parametrize("p", [5, 7, 53])
def test_gauss_bases_every_pair_within_one_over_root_p(p):
    z = C.gauss_mub_complex(p)
    assert z.shape == (p + 1, p, p)
    flat = z.reshape(-1, p)
    inner = np.abs(flat.conj() @ flat.T)
    # unit vectors; orthonormal within a basis; |<u, v>| = 1/sqrt(p) exactly across bases (unbiased)
    basis = np.repeat(np.arange(p + 1), p)
    same = basis[:, None] == basis[None, :]
    np.testing.assert_allclose(inner[same], np.eye(p * (p + 1))[same], atol=1e-9)
    np.testing.assert_allclose(inner[~same], 1 / math.sqrt(p), atol=1e-9)

    x = C.gauss_mub_real(p)
    assert x.shape == (C.mub_count(p), 2 * p) == (2 * p * (p + 1), 2 * p)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-12)
    worst = _max_abs_offdiag(x)
    assert worst <= 1 / math.sqrt(p) + 1e-9 and worst <= C.mub_max_abs_cos(p) + 1e-9
    assert worst > 0.999 * C.mub_max_abs_cos(p)  # and the bound is met: it is the set's true worst pair
    assert np.linalg.matrix_rank(x) == 2 * p  # the directions span R^2p: nothing hides in fewer dims
    half = C.gauss_mub_real(p, i_multiples=False)
    assert len(half) == C.mub_count(p, i_multiples=False) == p * (p + 1)


def test_gauss_bases_need_an_odd_prime():
    for bad in (2, 9, 1, 0, 15, 4.0, True):
        with pytest.raises(ValueError):
            C.gauss_mub_complex(bad)


@pytest.mark.parametrize("d, tol", [(17, 30.0), (29, 20.0), (106, 8.0)])
def test_best_construction_builds_what_it_counts(d, tol):
    eps = C.tolerance_cos(tol)
    c = C.best_construction(d, eps)
    assert c is not None
    # the largest odd prime with 2p <= d, and it meets the tolerance
    assert 2 * c.p <= d and C.is_prime(c.p) and not any(C.is_prime(k) for k in range(c.p + 1, d // 2 + 1))
    x = C.build_construction(c)
    assert x.shape == (c.count, d)
    assert c.count == 2 * c.p * (c.p + 1) + d - 2 * c.p
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-12)
    assert _max_abs_offdiag(x) <= eps
    assert math.degrees(math.asin(_max_abs_offdiag(x))) <= c.max_deviation_deg + 1e-9 <= tol


def test_best_construction_is_none_when_the_prime_is_too_small():
    eps = C.tolerance_cos(1.0)  # needs p >= 1/eps^2 = 3,283.1, so d >= 2 * 3,299
    assert C.best_construction(100, eps) is None
    assert C.best_construction(6597, eps) is None
    assert C.best_construction(6598, eps).p == 3299
    assert C.best_construction(5, 0.9) is None  # 2p <= 5 leaves p = 2: not an odd prime


def test_gpt3_scale_claims_by_formula():
    eps = C.tolerance_cos(1.0)
    c = C.best_construction(6598, eps)
    # "over 21 million directions in 6,598 dimensions, all within ±1°"
    assert c.count > 21_000_000 and c.d == 6598 and c.max_deviation_deg < 1.0
    g = C.best_construction(12_288, eps)
    # "tens of millions at ±0.73°" in GPT-3's width
    assert 10_000_000 <= g.count < 100_000_000
    assert f"{g.max_deviation_deg:.2f}" == "0.73"
    # far more than a basis, and below the proven limit (an independent computation)
    assert g.count > 1000 * 12_288
    assert math.log10(g.count) < log10_max_vectors_in_band(12_288, eps)


def _greedy_keep(x: np.ndarray, eps: float) -> np.ndarray:
    g = np.abs(x @ x.T)
    np.fill_diagonal(g, 0.0)
    keep = np.ones(len(x), dtype=bool)
    for i, j in zip(*np.nonzero(np.triu(g > eps, 1))):
        if keep[i] and keep[j]:
            keep[j] = False
    return keep


def test_deletion_estimate_matches_a_monte_carlo_run():
    d, eps = 6, 0.5
    q = random_pair_tail(d, eps)
    best_m = max(range(1, int(10 / q)), key=lambda m: m - m * (m - 1) * q / 2)
    expected = best_m - best_m * (best_m - 1) * q / 2
    assert C.random_deletion_estimate(d, eps) == pytest.approx(expected, rel=1e-12)
    rng = np.random.default_rng(11)
    kept_lower, kept_greedy = [], []
    for _ in range(400):
        x = rng.standard_normal((best_m, d))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        g = np.abs(x @ x.T)
        bad = int(np.triu(g > eps, 1).sum())
        kept_lower.append(best_m - bad)
        keep = _greedy_keep(x, eps)
        kept = x[keep]
        assert len(kept) < 2 or _max_abs_offdiag(kept) <= eps  # deletion leaves no bad pair
        kept_greedy.append(int(keep.sum()))
    mean, se = np.mean(kept_lower), np.std(kept_lower) / math.sqrt(len(kept_lower))
    assert abs(mean - expected) < 4 * se + 0.05
    assert np.mean(kept_greedy) >= mean  # keeping one of each bad pair never keeps fewer


def test_deletion_estimate_squares_the_plain_random_count_and_grows_at_half_d_eps2():
    from llmfacts.compute.superposition import log10_random_capacity_estimate

    eps = C.tolerance_cos(5.0)
    for d in (20_000, 100_000):  # q below e^-30: both are their leading terms
        plain = log10_random_capacity_estimate(d, eps)  # about sqrt(2/q)
        deletion = C.log10_random_deletion_estimate(d, eps)  # about 1/(2q) = plain^2 / 4
        assert deletion == pytest.approx(2 * plain - math.log10(4), abs=1e-9)
    ln = lambda d: C.log10_random_deletion_estimate(d, eps) * math.log(10)  # noqa: E731
    rate = (ln(60_000) - ln(40_000)) / 20_000
    # q is about (1 - eps^2)^(d/2) times a factor that changes like sqrt(d): 1/(2d) more on the rate
    assert eps**2 / 2 <= rate <= -0.5 * math.log(1 - eps**2) + 1 / (2 * 40_000)
    assert C.log10_random_deletion_estimate(10**6, eps) < math.inf  # logs never overflow
    assert C.random_deletion_estimate(10**6, eps) == math.inf


def test_curves_lie_below_the_proven_limit_and_above_a_basis():
    dims = np.array([10, 74, 75, 200, 706, 707, 3000, 6597, 6598, 12_288, 49_152])
    for tol in (10.0, 5.0, 1.0):
        c = C.tolerance_curves(tol, dims)
        assert np.all(c.log_lower >= np.log10(dims) - 1e-12)
        assert np.all(c.log_built >= np.log10(dims) - 1e-12)
        assert np.all(c.log_upper >= c.log_lower)  # what is built or random never beats a theorem
        # deletion keeps at least the plain count less one (whole m below it expect under one bad pair)
        small = c.log_random_plain < 300
        assert np.all(c.log_random[~small] > c.log_random_plain[~small])
        assert np.all(10 ** np.minimum(c.log_random[small], 300) >= np.floor(10 ** c.log_random_plain[small]) - 1 - 1e-9)
    c1 = C.tolerance_curves(1.0, dims)
    assert not np.any(c1.log_built[dims < 6598] > np.log10(dims[dims < 6598]))  # nothing built before 2*3,299
    assert np.all(c1.built_wins[dims >= 6598])


def test_growth_table_and_story_follow_the_lecture():
    rows = C.growth_table(DEFAULT_LECTURE, (10.0, 1.0))
    assert [r[0].d for r in rows] == [12_288, 49_152]
    assert rows[0][1].best == "built" and rows[0][0].best == "random"
    story = C.growth_story(DEFAULT_LECTURE)
    assert (story.example_fit, story.example_need_d, story.first_built_d) == (103, 2472, 6598)
    assert story.model.construction.count == 2 * 6143 * 6144 + 2
    small = DEFAULT_LECTURE.replace(transformer=GPTHyperparameters(d_model=1024, d_mlp=4096, name="small"),
                                    superposition={"tolerance_deg": 5.0, "n": 3000, "d": 60})
    s = C.growth_story(small)
    assert (s.d_model, s.d_mlp, s.model_name, s.example_d, s.example_n) == (1024, 4096, "small", 60, 3000)
    eps = C.tolerance_cos(5.0)
    assert s.first_built_d == 2 * C.smallest_prime_at_least(1 / eps**2)
    assert [r[0].d for r in C.growth_table(small, (5.0,))] == [1024, 4096]
