"""Superposition maths: angle statistics, bounds, and the two optimisers (small problems, a few seconds)."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch

from llmfacts.compute import superposition as sp
from llmfacts.compute.superposition import (
    AngleStats,
    OptimizationResult,
    angle_stats,
    classic_optimize,
    cos_to_deg,
    deg_to_cos,
    levenshtein_bound,
    max_abs_cos_lower_bound,
    max_vectors_in_band,
    min_dimension_for,
    random_capacity_estimate,
    random_pair_tail,
    random_share_within,
    random_unit_vectors,
    spherical_gradient,
    spherical_objective,
    spherical_optimize,
    welch_bound,
)

COS89 = deg_to_cos(89.0)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Small problems gain nothing from threads, and on a busy machine thread hand-offs dominate."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _brute_angles(x: np.ndarray) -> np.ndarray:
    """Every pair's angle, from a dense float64 Gram matrix (fine for small N)."""
    x = np.asarray(x, dtype=np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    g = np.clip(x @ x.T, -1.0, 1.0)
    iu = np.triu_indices(len(x), 1)
    return np.degrees(np.arccos(g[iu]))


def _dense_max_abs_cos(x) -> float:
    x = np.asarray(x, dtype=np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    g = x @ x.T
    np.fill_diagonal(g, 0.0)
    return float(np.abs(g).max())


# ----------------------------------------------------------------------------------------------------------
# vectors and angle statistics
# ----------------------------------------------------------------------------------------------------------


def test_random_unit_vectors_are_unit_deterministic_and_seeded():
    a = random_unit_vectors(300, 20, seed=3)
    assert a.dtype == np.float32 and a.shape == (300, 20)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(a, random_unit_vectors(300, 20, seed=3))
    assert not np.array_equal(a, random_unit_vectors(300, 20, seed=4))
    # roughly uniform: coordinates average to ~0 with variance 1/d
    assert abs(a.mean()) < 0.01 and abs(a.var() - 1 / 20) < 0.005


@pytest.mark.parametrize("chunk_rows", [None, 1, 7, 64])
@pytest.mark.parametrize("fine,width,near", [(0.01, 0.5, 30.0), (0.3, 0.6, 30.1)])
def test_angle_stats_match_brute_force(chunk_rows, fine, width, near):
    # a mixture: random vectors plus near-copies and near-opposites, so every statistic has work to do
    rng = np.random.default_rng(0)
    x = random_unit_vectors(150, 12, seed=1).astype(np.float64)
    x[:10] = x[10:20] + 0.05 * rng.standard_normal((10, 12))
    x[20:25] = -x[25:30] + 0.3 * rng.standard_normal((5, 12))
    x *= rng.uniform(0.5, 2.0, size=(150, 1))  # lengths must not matter
    ang = _brute_angles(x)
    s = angle_stats(x, chunk_rows=chunk_rows, near_parallel_deg=near, fine_bin_deg=fine, bin_width_deg=width)
    assert s.n == 150 and s.d == 12 and s.n_pairs == len(ang) == 150 * 149 // 2
    np.testing.assert_allclose(s.edges_deg, np.arange(0, 180 + width / 2, width))
    np.testing.assert_array_equal(s.counts, np.histogram(ang, bins=s.edges_deg)[0])
    assert s.counts.sum() == s.n_pairs
    assert s.min_angle_deg == pytest.approx(ang.min(), abs=1e-9)
    assert s.max_angle_deg == pytest.approx(ang.max(), abs=1e-9)
    c = np.cos(np.radians(ang))
    assert s.max_abs_cos == pytest.approx(np.abs(c).max(), rel=1e-12)
    assert s.rms_cos == pytest.approx(math.sqrt(np.mean(c**2)), rel=1e-10)
    assert s.share_within_1deg == np.mean((ang >= 89) & (ang <= 91))
    assert s.share_within_5deg == np.mean((ang >= 85) & (ang <= 95))
    assert s.share_within(12.0) == pytest.approx(np.mean((ang >= 78) & (ang <= 102)), abs=1e-12)
    assert s.share_within(1.0) == s.share_within_1deg
    assert s.n_near_parallel == np.sum((ang < near) | (ang > 180 - near)) > 0
    for q, v in s.percentiles.items():
        assert v == pytest.approx(np.percentile(ang, q), abs=s.fine_bin_deg + 0.02), q
    # zoomed histogram from the fine bins
    edges, counts = s.histogram(78.0, 102.0, 0.6)
    np.testing.assert_array_equal(counts, np.histogram(ang, bins=edges)[0])


def test_angle_stats_float32_and_tensor_input_agree():
    x = random_unit_vectors(200, 10, seed=2)
    a = angle_stats(x)
    b = angle_stats(torch.from_numpy(x), dtype=torch.float32, chunk_rows=33)
    assert abs(a.max_abs_cos - b.max_abs_cos) < 1e-5
    assert np.abs(a.counts - b.counts).sum() <= 4  # only pairs within float32 rounding of a bin edge move


def test_angle_stats_known_configurations():
    # orthonormal basis: every pair exactly 90 degrees
    s = angle_stats(np.eye(6))
    assert s.max_abs_cos == 0 and s.min_angle_deg == s.max_angle_deg == 90.0
    assert s.share_within_1deg == 1.0 and s.n_near_parallel == 0
    # a vector and its opposite and a copy
    s = angle_stats(np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0]]))
    assert s.min_angle_deg == 0.0 and s.max_angle_deg == 180.0 and s.n_near_parallel == 3
    assert s.counts[0] == 1 and s.counts[-1] == 2  # 180 falls in the last (closed) bin
    with pytest.raises(ValueError):
        angle_stats(np.eye(3), bin_width_deg=0.007)
    with pytest.raises(ValueError):
        angle_stats(np.zeros((3, 2)))


def test_random_vectors_match_the_expected_shares():
    s = angle_stats(random_unit_vectors(1500, 100, seed=0))
    for deg in (1.0, 5.0, 10.0):
        assert s.share_within(deg) == pytest.approx(random_share_within(100, deg), abs=0.005)
    assert s.rms_cos == pytest.approx(0.1, rel=0.02)
    assert random_share_within(100, 1.0) == pytest.approx(0.138, abs=0.0005)
    assert random_share_within(100, 5.0) == pytest.approx(0.614, abs=0.0005)
    assert random_share_within(100, 10.0) == pytest.approx(0.918, abs=0.0005)


def test_angle_stats_round_trip():
    s = angle_stats(random_unit_vectors(60, 5, seed=0))
    t = AngleStats.from_arrays(s.to_arrays("x."), "x.")
    assert t.percentiles == s.percentiles and t.max_abs_cos == s.max_abs_cos
    np.testing.assert_array_equal(t.fine_counts, s.fine_counts)
    np.testing.assert_array_equal(t.counts, s.counts)


def test_degree_cos_conversions():
    assert cos_to_deg(0.0) == 90.0 and cos_to_deg(1.0000001) == 0.0
    assert deg_to_cos(60.0) == pytest.approx(0.5)
    np.testing.assert_allclose(cos_to_deg(deg_to_cos(np.array([1.0, 89.0, 91.0]))), [1.0, 89.0, 91.0])


# ----------------------------------------------------------------------------------------------------------
# bounds
# ----------------------------------------------------------------------------------------------------------


def _simplex(d: int) -> np.ndarray:
    """The d+1 vertices of a regular simplex centred at 0, as unit vectors in d dimensions."""
    e = np.eye(d + 1) - 1.0 / (d + 1)
    q, _ = np.linalg.qr(e.T)  # orthonormal basis of the hyperplane sum = 0 ...
    v = e @ q[:, :d]  # ... in which the vertices live
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_welch_bound_formula_from_the_frame_potential():
    # independent derivation: ||G||_F^2 >= N^2/d, with N diagonal ones and N(N-1) off-diagonal cos^2 <= mu^2
    for n, d in [(10_000, 100), (2, 1), (50, 7), (101, 100)]:
        mu2 = (n**2 / d - n) / (n * (n - 1))
        assert welch_bound(n, d) == pytest.approx(math.sqrt(mu2), rel=1e-12)
    assert welch_bound(10_000, 100) == pytest.approx(0.0995, abs=5e-5)
    assert cos_to_deg(welch_bound(10_000, 100)) == pytest.approx(84.29, abs=0.005)
    assert welch_bound(100, 100) == 0.0 and welch_bound(5, 100) == 0.0


@pytest.mark.parametrize("d", [2, 3, 10, 100])
def test_simplex_meets_welch_with_equality(d):
    v = _simplex(d)
    assert _dense_max_abs_cos(v) == pytest.approx(1.0 / d, rel=1e-9)
    assert welch_bound(d + 1, d) == pytest.approx(_dense_max_abs_cos(v), rel=1e-9)
    # and every configuration we try is at or above the bound
    for seed in range(3):
        x = random_unit_vectors(3 * d + 2, d, seed)
        assert _dense_max_abs_cos(x) >= max_abs_cos_lower_bound(3 * d + 2, d) - 1e-6


def _lp_max_n(d: int, a: float, degree: int = 4, grid: int = 2001) -> float:
    """Delsarte's linear programme over even Gegenbauer polynomials up to ``degree``, solved numerically."""
    from scipy import optimize, special

    lam = (d - 2) / 2
    ks = list(range(2, degree + 1, 2))
    t = np.linspace(-a, a, grid)
    # f = 1 + sum_k f_k P_k / P_k(1), f_k >= 0, f <= 0 on [-a, a]; minimise f(1) = 1 + sum f_k
    rows = np.array([special.eval_gegenbauer(k, lam, t) / special.eval_gegenbauer(k, lam, 1.0) for k in ks]).T
    res = optimize.linprog(np.ones(len(ks)), A_ub=rows, b_ub=-np.ones(grid), bounds=[(0, None)] * len(ks),
                           method="highs")
    assert res.success
    return 1.0 + res.fun


def test_levenshtein_bound_is_the_degree_4_linear_programme():
    assert levenshtein_bound(10_000, 100) == pytest.approx(0.1400, abs=5e-5)
    assert cos_to_deg(levenshtein_bound(10_000, 100)) == pytest.approx(81.95, abs=0.005)
    for n, d in [(10_000, 100), (3_000, 50), (500, 20)]:
        a = levenshtein_bound(n, d)
        assert _lp_max_n(d, a) == pytest.approx(n, rel=1e-4)
        # a slightly smaller max |cos| would not allow n vectors
        assert _lp_max_n(d, a * 0.99) < n


def test_levenshtein_beats_welch_exactly_above_d_d_plus_1_over_2():
    d = 100
    for n in (1_000, 5_000, 5_049):
        assert levenshtein_bound(n, d) < welch_bound(n, d)
    for n in (5_051, 10_000, 10**6):
        assert levenshtein_bound(n, d) > welch_bound(n, d)
    assert max_abs_cos_lower_bound(10_000, 100) == levenshtein_bound(10_000, 100)
    assert max_abs_cos_lower_bound(1_000, 100) == welch_bound(1_000, 100)
    # a million vectors in 100-D: some pair is at least ~9.9 degrees from perpendicular
    assert 90.0 - cos_to_deg(max_abs_cos_lower_bound(10**6, 100)) == pytest.approx(9.9, abs=0.05)
    assert levenshtein_bound(3, 1) == 1.0  # on a line, some pair is parallel


def test_band_capacity_figures():
    assert max_vectors_in_band(100, COS89) == 103  # Welch: at most 103 inside 89-91 degrees in 100-D
    assert max_vectors_in_band(100, 1 / 100) == 101  # the regular simplex meets it
    assert max_vectors_in_band(100, 0.0) == 100
    assert max_vectors_in_band(3, 0.5) >= 6  # 6 diagonals of an icosahedron: |cos| = 1/sqrt(5) < 0.5
    assert min_dimension_for(10_000, COS89) == 2_472
    assert max_vectors_in_band(2_471, COS89) < 10_000 <= max_vectors_in_band(2_472, COS89)
    assert min_dimension_for(101, 1 / 100) == 100
    assert min_dimension_for(5, 0.0) == 5
    # more tolerance or more dimensions never means fewer vectors
    counts = [max_vectors_in_band(100, c) for c in (0.0, 0.01, 0.05, 0.1, 0.15, 0.2)]
    assert counts == sorted(counts)
    assert [max_vectors_in_band(d, 0.1) for d in (10, 50, 99)] == sorted(
        max_vectors_in_band(d, 0.1) for d in (10, 50, 99))


# -- Levenshtein's bound on nearly perpendicular lines, of every degree -------------------------------------

SIN_DEG = {t: math.sin(math.radians(t)) for t in (1.0, 5.0, 10.0)}


def _levenshtein_certificate(d: int, eps: float) -> tuple[float, np.ndarray]:
    """Levenshtein's polynomial built from scratch, without the closed form or the recurrence the module uses:
    Jacobi polynomials from scipy, the kernel's weights and every expectation by Gauss-Jacobi quadrature.
    Returns the Delsarte ratio f(1) / f_0 and the coefficients f_j / f_0 in the normalised Jacobi basis."""
    from scipy import special

    al, be = (d - 3) / 2, -0.5
    s = 2 * eps * eps - 1
    m = sp.levenshtein_lines_degree(d, eps)
    k = (m + 1) // 2
    da, db = (1.0, 0.0) if m % 2 else (1.0, 1.0)  # the adjacent family the kernel comes from

    def q(j, a, b, x):
        return special.eval_jacobi(j, a, b, x) / special.eval_jacobi(j, a, b, 1.0)

    def mean(a, b, fn, nodes=60):  # expectation under the probability weight (1-x)^a (1+x)^b
        x, w = special.roots_jacobi(nodes, a, b)
        return float(np.sum(w * fn(x)) / np.sum(w))

    a1, b1 = al + da, be + db
    r = [1.0 / mean(a1, b1, lambda x, j=j: q(j, a1, b1, x) ** 2) for j in range(k)]

    def f(x):
        kern = sum(r[j] * q(j, a1, b1, x) * q(j, a1, b1, s) for j in range(k))
        return (x - s) * kern**2 * ((x + 1) if db else 1.0)

    f0 = mean(al, be, f)
    coef = np.array([mean(al, be, lambda x, j=j: f(x) * q(j, al, be, x))
                     / mean(al, be, lambda x, j=j: q(j, al, be, x) ** 2) for j in range(m + 1)])
    grid = np.linspace(-1.0, s, 2001)
    assert np.all(f(grid) <= 1e-12 * abs(f(1.0)))  # f <= 0 wherever two lines may meet
    return float(f(1.0) / f0), coef / f0


@pytest.mark.parametrize("d, eps", [(3, 0.5), (5, 0.6), (8, 0.5), (10, 0.3), (10, 0.5), (20, 0.4), (24, 0.5),
                                    (30, 0.25), (100, SIN_DEG[10.0]), (300, 0.2), (2, 0.9)])
def test_levenshtein_lines_bound_is_a_valid_delsarte_certificate(d, eps):
    ratio, coef = _levenshtein_certificate(d, eps)
    # every Gegenbauer coefficient non-negative: the polynomial is admissible, so f(1)/f_0 bounds N
    assert np.all(coef >= -1e-9 * np.max(np.abs(coef)))
    assert coef[0] == pytest.approx(1.0, rel=1e-9)
    assert sp.levenshtein_lines_bound(d, eps) == pytest.approx(ratio, rel=1e-8)
    assert sp.levenshtein_lines_bound(d, eps) >= ratio * (1 - 1e-12)  # the safety margin is on the safe side


@pytest.mark.parametrize("d, eps", [(10, 0.3), (10, 0.5), (20, 0.4), (50, 0.3), (100, SIN_DEG[10.0])])
def test_levenshtein_lines_bound_is_the_linear_programme_of_its_degree(d, eps):
    """Delsarte's LP over even polynomials of degree 2m in the cosine, solved numerically on a grid, finds
    the same number (a hair lower: the grid checks f <= 0 only at its points)."""
    m = sp.levenshtein_lines_degree(d, eps)
    lp = _lp_max_n(d, eps, degree=2 * m, grid=4001)
    assert lp <= sp.levenshtein_lines_bound(d, eps)
    assert lp == pytest.approx(sp.levenshtein_lines_bound(d, eps), rel=1e-5)


def _e8_lines() -> np.ndarray:
    """The 240 roots of E8 up to sign: 120 unit vectors in R^8 with every |cos| in {0, 1/2}."""
    import itertools

    roots = []
    for i, j in itertools.combinations(range(8), 2):
        for si, sj in itertools.product((1.0, -1.0), repeat=2):
            v = np.zeros(8)
            v[i], v[j] = si, sj
            roots.append(v)
    for signs in itertools.product((0.5, -0.5), repeat=8):
        if sum(x < 0 for x in signs) % 2 == 0:
            roots.append(np.array(signs))
    roots = np.array(roots) / math.sqrt(2.0)
    first = np.array([r[np.flatnonzero(r)[0]] > 0 for r in roots])
    return roots[first]


def test_levenshtein_lines_bound_meets_the_known_tight_line_systems():
    e8 = _e8_lines()
    assert e8.shape == (120, 8)
    assert _dense_max_abs_cos(e8) == pytest.approx(0.5, abs=1e-12)
    for d, eps, n in [(8, 0.5, 120),  # E8 roots
                      (24, 0.5, 98_280),  # Leech lattice minimal vectors
                      (7, 1 / 3, 28), (23, 1 / 5, 276), (3, 1 / math.sqrt(5), 6),  # equiangular lines
                      (6, 1 / 3, 16), (100, 1 / 100, 101)]:  # equiangular; the regular simplex
        assert sp.levenshtein_lines_bound(d, eps) == pytest.approx(n, rel=1e-8)
        assert max_vectors_in_band(d, eps) == n
    for d in (2, 3, 10, 100, 12_288):
        assert max_vectors_in_band(d, 0.0) == d  # an orthonormal basis, nothing more
        assert sp.levenshtein_lines_bound(d, 0.0) == pytest.approx(d, rel=1e-8)
    for n in range(2, 13):  # n lines through the origin of the plane, pi/n apart
        assert max_vectors_in_band(2, math.cos(math.pi / n) + 1e-12) == n


def test_levenshtein_lines_bound_extends_welch_and_the_degree_4_bound():
    for d in (5, 20, 100, 3_000):
        for a in np.linspace(0.0, 0.99 * 3 / (d + 2), 25):
            eps = math.sqrt(a)
            lev = sp.levenshtein_lines_bound(d, eps)
            lp4 = d * (d + 2) * (1 - a) / (3 - (d + 2) * a)
            assert lev <= lp4 * (1 + 1e-8)
            if a * d < 1:
                assert lev <= d * (1 - a) / (1 - d * a) * (1 + 1e-8)
            if a <= 1 / (d + 2):  # degree 1 in x is the relative bound, and the best there is
                assert sp.levenshtein_lines_degree(d, eps) == 1
                assert lev == pytest.approx(d * (1 - a) / (1 - d * a), rel=1e-8)
            elif a <= 3 / (d + 4):  # degree 2 in x: the degree-4 bound in the cosine
                assert sp.levenshtein_lines_degree(d, eps) == 2
                assert lev == pytest.approx(lp4, rel=1e-8)
            else:
                assert sp.levenshtein_lines_degree(d, eps) >= 3
                assert lev < lp4


def test_levenshtein_lines_bound_grows_with_tolerance_and_dimension():
    for d in (2, 3, 10, 100, 1_000, 12_288):
        logs = [sp.log_levenshtein_lines_bound(d, float(e)) for e in np.linspace(0.0, 0.9, 60)]
        assert np.all(np.diff(logs) >= -1e-12)
    dims = sorted(set(range(2, 60)) | {int(x) for x in np.logspace(2, 5, 40)})
    for eps in (0.01, SIN_DEG[1.0], 0.05, SIN_DEG[5.0], SIN_DEG[10.0], 1 / 3, 0.5, 0.8):
        logs = [sp.log_levenshtein_lines_bound(d, eps) for d in dims]
        assert np.all(np.diff(logs) >= -1e-12)
        assert all(v >= math.log(d) - 1e-12 for v, d in zip(logs, dims))


@pytest.mark.filterwarnings("ignore:The algorithm does not converge")  # quad, deep in the random tail
def test_levenshtein_lines_bound_never_below_what_random_vectors_reach():
    """Random vectors give at least the largest whole N below the one-expected-bad-pair point."""
    for eps in (0.01, SIN_DEG[1.0], SIN_DEG[5.0], SIN_DEG[10.0], 0.3, 0.6):
        for d in (2, 3, 10, 100, 1_000, 10_000, 49_152, 100_000):
            rnd = random_capacity_estimate(d, eps)
            if math.isfinite(rnd):
                assert sp.log_levenshtein_lines_bound(d, eps) >= math.log(math.ceil(rnd) - 1)
            log10_rnd = sp.log10_random_capacity_estimate(d, eps)  # finite even where rnd overflows
            if log10_rnd > 1:
                assert sp.log_levenshtein_lines_bound(d, eps) > log10_rnd * math.log(10.0)


@pytest.mark.filterwarnings("ignore:The algorithm does not converge")
def test_random_capacity_in_logs_matches_and_never_overflows():
    eps = SIN_DEG[10.0]
    for d in (1, 2, 10, 100, 1_000, 49_152):
        n = random_capacity_estimate(d, eps)
        assert sp.log10_random_capacity_estimate(d, eps) == pytest.approx(math.log10(n), rel=1e-12, abs=1e-12)
    assert random_capacity_estimate(200_000, eps) == math.inf
    big = [sp.log10_random_capacity_estimate(d, eps) for d in (49_152, 100_000, 200_000, 10**6)]
    assert all(math.isfinite(v) for v in big) and np.all(np.diff(big) > 0)
    # exp(d eps^2 / 4) growth: the log grows linearly in d, at about eps^2 / (4 ln 10) per dimension
    slope = (big[-1] - big[-2]) / (10**6 - 200_000)
    assert slope == pytest.approx(eps**2 / (4 * math.log(10.0)), rel=0.05)


def test_levenshtein_lines_bound_in_logs_matches_high_precision_arithmetic():
    """The module's float recurrence with rescaling against mpmath at 120 digits, at d and degrees as large
    as the scenes use (the values are far below the smallest float)."""
    import mpmath as mp

    def norm_jacobi(n, a, b, x):
        a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        p0, p1 = mp.mpf(1), (a + 1) + (a + b + 2) * (x - 1) / 2
        for j in range(2, n + 1):
            c = 2 * j + a + b
            p0, p1 = p1, ((c - 1) * (c * (c - 2) * x + a * a - b * b) * p1
                          - 2 * (j + a - 1) * (j + b - 1) * c * p0) / (2 * j * (j + a + b) * (c - 2))
        return (p1 if n else p0) / mp.binomial(n + a, n)

    with mp.workdps(120):
        for d, eps in [(12_288, SIN_DEG[5.0]), (49_152, SIN_DEG[10.0]), (3_000, 0.2), (40, 0.6)]:
            m = sp.levenshtein_lines_degree(d, eps)
            k, s, al = (m + 1) // 2, 2 * mp.mpf(eps) ** 2 - 1, mp.mpf(d - 3) / 2
            if m % 2:
                ratio = norm_jacobi(k - 1, al + 1, -0.5, s) / norm_jacobi(k, al, -0.5, s)
                dim = mp.binomial(d + 2 * k - 3, 2 * k - 2)
            else:
                ratio = norm_jacobi(k - 1, al + 1, 0.5, s) / norm_jacobi(k, al, 0.5, s)
                dim = mp.binomial(d + 2 * k - 2, 2 * k - 1)
            exact = float(mp.log((1 - ratio) * dim))
            # agreement to 1e-10 or better; the module adds its safety margin of 1e-9 on top
            assert 0.0 <= sp.log_levenshtein_lines_bound(d, eps) - exact <= 1e-9 + 1e-10 * abs(exact)


def test_levenshtein_lines_bound_is_far_tighter_than_cap_packing():
    for tol, d, at_most_log10 in [(1.0, 12_288, 11.7), (5.0, 1_000, 11.4), (5.0, 12_288, 89.0),
                                  (10.0, 100, 5.3), (10.0, 12_288, 261.7), (10.0, 49_152, 998.9)]:
        eps = SIN_DEG[tol]
        bounds = sp._log_band_bounds(d, eps)
        assert bounds["levenshtein"] / math.log(10) == pytest.approx(at_most_log10, abs=0.05)
        assert bounds["levenshtein"] < bounds["caps"] - math.log(10) * 10  # ten digits or more shorter
        assert sp.log10_max_vectors_in_band(d, eps) == pytest.approx(bounds["levenshtein"] / math.log(10))
    assert max_vectors_in_band(100, SIN_DEG[10.0]) == 183_699
    with pytest.raises(OverflowError):
        max_vectors_in_band(49_152, SIN_DEG[10.0])


def test_random_capacity_estimate_is_the_expected_one_bad_pair_point():
    for d, eps in [(100, 0.3), (1000, 0.1), (100, COS89)]:
        q = random_pair_tail(d, eps)
        n = random_capacity_estimate(d, eps)
        assert n * (n - 1) / 2 * q == pytest.approx(1.0, rel=1e-9)
    # the tail matches a Monte Carlo estimate and the Gaussian approximation
    x = random_unit_vectors(2000, 50, seed=5)
    c = (x[:1000] * x[1000:]).sum(axis=1)
    assert random_pair_tail(50, 0.2) == pytest.approx(np.mean(np.abs(c) > 0.2), abs=0.03)
    # grows like (1 - eps^2)^(-d/4) ~ exp(d eps^2 / 4): the log-rate per dimension approaches -ln(1-eps^2)/4
    for eps in (0.2, 0.05):
        d1, d2 = int(50 / eps**2), int(100 / eps**2)
        r = (math.log(random_capacity_estimate(d2, eps)) - math.log(random_capacity_estimate(d1, eps))) / (d2 - d1)
        # q ~ (1 - eps^2)^(d/2) / sqrt(d) up to constants, so log N gains log(d)/4 on top of the main rate
        main = -math.log1p(-eps**2) / 4
        assert r == pytest.approx(main + math.log(d2 / d1) / (4 * (d2 - d1)), rel=0.002)
        assert r == pytest.approx(eps**2 / 4, rel=0.05)


# ----------------------------------------------------------------------------------------------------------
# the spherical optimiser
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [3.0, 18.0, 60.0, 300.0])
@pytest.mark.parametrize("chunk_rows", [1, 7, 64])
def test_hand_written_gradient_matches_autograd(p, chunk_rows):
    x = torch.tensor(random_unit_vectors(40, 6, seed=1), dtype=torch.float64)
    raw = (x @ x.T).fill_diagonal_(0).abs().max().item()
    for scale in (0.97 * raw, raw, 1.02 * raw):
        xr = x.clone().requires_grad_(True)
        spherical_objective(xr, p, scale).backward()
        g, top, used = spherical_gradient(x, p, scale, chunk_rows=chunk_rows)
        assert used == scale and top == pytest.approx(raw, rel=1e-12)
        # up to the e^-60 floor on negligible weights (p > 120 only), the exact gradient of the stated F
        torch.testing.assert_close(g, xr.grad, rtol=1e-9, atol=1e-12 * float(xr.grad.abs().max()))
    # no scale: the largest |cos| of this X (found with rows normalised, so to float precision)
    g, top, used = spherical_gradient(x, p, chunk_rows=chunk_rows)
    assert used == pytest.approx(raw, rel=1e-6) and top == pytest.approx(raw, rel=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 5.0])
def test_a_scale_far_from_the_worst_pair_is_replaced_by_it(scale):
    """Far below, weights would overflow; far above, every weight would sit on the floor: restart at the max."""
    x = torch.tensor(random_unit_vectors(60, 6, seed=2), dtype=torch.float64)
    g, top, used = spherical_gradient(x, 400.0, scale, chunk_rows=16)
    assert used == pytest.approx(top, rel=1e-12) and torch.isfinite(g).all()
    xr = x.clone().requires_grad_(True)
    spherical_objective(xr, 400.0, used).backward()
    torch.testing.assert_close(g, xr.grad, rtol=1e-9, atol=1e-12 * float(xr.grad.abs().max()))


def test_gradient_survives_large_p_in_float32():
    x = torch.from_numpy(random_unit_vectors(300, 10, seed=0))
    g, top, _ = spherical_gradient(x, 2000.0, 0.01)
    assert torch.isfinite(g).all() and g.abs().max() > 0
    assert top == pytest.approx(_dense_max_abs_cos(x.numpy()), rel=1e-5)


@pytest.mark.parametrize("p", [3.0, 68.0, 400.0])
def test_bfloat16_products_give_the_float32_gradient_to_a_fraction_of_a_percent(p):
    x = torch.from_numpy(random_unit_vectors(500, 20, seed=3))
    exact, top, scale = spherical_gradient(x, p, chunk_rows=64)
    low, top_low, _ = spherical_gradient(x, p, scale, chunk_rows=64, products="bfloat16")
    assert top_low == top  # the cosines themselves stay float32
    rel = float((low - exact).norm() / exact.norm())
    assert 0.0 < rel < 1e-2  # rounded (8 significant bits), yet the same direction to well under 1 %
    cos_between = float((low * exact).sum() / (low.norm() * exact.norm()))
    assert cos_between > 0.9999


def test_products_setting_is_checked_and_auto_resolves_to_a_concrete_type(monkeypatch):
    x = torch.from_numpy(random_unit_vectors(30, 5, seed=0))
    with pytest.raises(ValueError, match="products"):
        spherical_gradient(x, 10.0, products="float16")
    with pytest.raises(ValueError, match="products"):
        sp.resolve_products("half")
    assert sp.resolve_products("float32") == "float32" and sp.resolve_products("bfloat16") == "bfloat16"
    monkeypatch.setattr(sp, "_cpu_flags", lambda: {"avx2", "amx_bf16"})
    assert sp.resolve_products("auto", "cpu") == "bfloat16"
    monkeypatch.setattr(sp, "_cpu_flags", lambda: {"avx2", "fma"})
    assert sp.resolve_products("auto", "cpu") == "float32"
    monkeypatch.setattr(sp, "_cpu_flags", lambda: set())
    assert sp.SphericalAdam(x, device="cpu").products == "float32"


@pytest.mark.parametrize("products", ["float32", "bfloat16"])
def test_spherical_optimize_works_with_either_product_type(products):
    x = random_unit_vectors(150, 10, seed=2)
    r = spherical_optimize(x, steps=40, progress=False, products=products)
    assert r.params["products"] == products
    assert r.final.max_abs_cos < 0.75 * r.initial.max_abs_cos


def test_spherical_optimize_lowers_the_worst_pair_and_keeps_unit_rows():
    x = random_unit_vectors(120, 10, seed=0)
    r = spherical_optimize(x, steps=60, progress=False, snapshot_every=20)
    assert isinstance(r, OptimizationResult) and r.method == "spherical" and (r.n, r.d) == (120, 10)
    np.testing.assert_allclose(np.linalg.norm(r.vectors, axis=1), 1.0, atol=1e-5)
    assert r.final.max_abs_cos == pytest.approx(_dense_max_abs_cos(r.vectors), abs=1e-6)
    assert r.final.max_abs_cos < 0.75 * r.initial.max_abs_cos
    assert r.final.max_abs_cos >= max_abs_cos_lower_bound(120, 10)
    assert len(r.history_max_abs_cos) == 61
    assert r.history_max_abs_cos[0] == pytest.approx(r.initial.max_abs_cos, abs=1e-6)
    assert r.final.max_abs_cos == pytest.approx(r.history_max_abs_cos.min(), abs=1e-6)
    assert [s.step for s in r.snapshots] == [0, 20, 40, 60]
    assert r.snapshots[-1].counts.sum() == r.final.n_pairs
    # the bulk cannot get narrower than random: rms cos stays above the frame bound sqrt((N/d - 1)/(N - 1))
    assert r.final.rms_cos >= math.sqrt((120 / 10 - 1) / 119) - 1e-6


def test_spherical_optimize_is_deterministic():
    x = random_unit_vectors(80, 8, seed=7)
    a = spherical_optimize(x, steps=15, progress=False)
    b = spherical_optimize(x, steps=15, progress=False)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.history_max_abs_cos, b.history_max_abs_cos)


# ----------------------------------------------------------------------------------------------------------
# the classic loop
# ----------------------------------------------------------------------------------------------------------


def test_classic_loop_crowds_90_degrees_but_collapses_into_bundles():
    # 10x as many vectors as dimensions, like 10,000 in 100-D
    n, d = 150, 15
    x = random_unit_vectors(n, d, seed=0)
    r = classic_optimize(x, steps=200, progress=False, snapshot_every=100)
    assert r.method == "classic" and [s.step for s in r.snapshots] == [0, 100, 200]
    assert r.final.share_within_1deg > 0.8 > 5 * r.initial.share_within_1deg
    # ... while many pairs end nearly parallel or opposite (near-copies), far more than at the start
    assert r.final.n_near_parallel > 0.02 * r.final.n_pairs
    assert r.final.n_near_parallel > 10 * max(1, r.initial.n_near_parallel)
    assert r.final.max_abs_cos > 0.95
    np.testing.assert_allclose(np.linalg.norm(r.vectors, axis=1), 1.0, atol=1e-5)
    assert len(r.history_max_abs_cos) == 201


def test_classic_loss_is_the_stated_one():
    # one step by hand with autograd equals the reference loop's first step, and the chunked loop's
    x = random_unit_vectors(20, 4, seed=1)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    g = xt @ xt.T
    loss = torch.relu((g - torch.eye(20)).abs() - 0.01).sum() + 20 * ((torch.diagonal(g) - 1) ** 2).sum()
    loss.backward()
    opt = torch.optim.Adam([xt], lr=0.01)
    opt.step()
    expected = (xt.detach() / xt.detach().norm(dim=1, keepdim=True)).numpy()
    np.testing.assert_allclose(sp.classic_optimize_reference(x, steps=1, progress=False).vectors, expected,
                               atol=1e-6)
    np.testing.assert_allclose(classic_optimize(x, steps=1, progress=False).vectors, expected, atol=1e-5)


def _autograd_classic(x: torch.Tensor, margin: float) -> tuple[float, torch.Tensor]:
    """The loss and its gradient written out from the formula, differentiated by autograd (dense; relu's
    derivative at its kink is 0, as in the original loop)."""
    xt = x.clone().requires_grad_(True)
    n = xt.shape[0]
    g = xt @ xt.T
    off = g - torch.eye(n, dtype=x.dtype)
    loss = torch.relu(off.abs() - margin).sum() + n * (torch.diagonal(off) ** 2).sum()
    loss.backward()
    return float(loss.detach()), xt.grad


@pytest.mark.parametrize("chunk_rows", [None, 1, 7, 64])
def test_classic_gradient_equals_autograd_for_any_chunking(chunk_rows):
    rng = np.random.default_rng(3)
    x = torch.from_numpy(random_unit_vectors(64, 6, seed=3).astype(np.float64))
    x = x * torch.from_numpy(1.0 + 0.05 * rng.standard_normal((64, 1)))  # rows off unit length: diagonal terms
    x[1] = torch.tensor([1.0, 0, 0, 0, 0, 0], dtype=torch.float64)
    x[2] = torch.tensor([0.01, 1.0, 0, 0, 0, 0], dtype=torch.float64)  # G_12 = 0.01 exactly: on the kink
    x[3] = torch.tensor([-0.02, 0.5, 0.5, 0.5, 0.5, 0.0], dtype=torch.float64)  # G_33 - 1 = 4e-4 < margin
    margin = 0.01
    want_loss, want = _autograd_classic(x, margin)
    r = sp.classic_gradient(x, margin, chunk_rows=chunk_rows, with_loss=True)
    np.testing.assert_allclose(r.gradient.numpy(), want.numpy(), rtol=1e-12, atol=1e-9)
    assert r.loss == pytest.approx(want_loss, rel=1e-12)
    assert r.max_abs_cos == pytest.approx(_dense_max_abs_cos(x.numpy()), abs=1e-12)
    assert math.isnan(sp.classic_gradient(x, margin, chunk_rows=chunk_rows).loss)


def test_classic_loop_follows_the_dense_reference_in_float64():
    """In float64 the chunked loop and autograd's take the same path (rounding differences stay ~1e-9):
    they compute the same thing."""
    x = random_unit_vectors(120, 12, seed=5)
    a = classic_optimize(x, steps=120, progress=False, dtype=torch.float64, chunk_rows=25)
    b = sp.classic_optimize_reference(x, steps=120, progress=False, dtype=torch.float64)
    np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-6)
    np.testing.assert_allclose(a.history_max_abs_cos, b.history_max_abs_cos, atol=1e-6)
    np.testing.assert_array_equal(a.final.counts, b.final.counts)


def test_classic_loop_matches_the_dense_reference_in_float32():
    """The real setting (float32, 250 steps, lr 0.01, margin 0.01) at a small N: float32 rounding differs
    between the two gradients, and the loss's kinks let it move single vectors a little, but the final vectors
    and the histograms agree to a tolerance."""
    x = random_unit_vectors(300, 20, seed=0)
    a = classic_optimize(x, progress=False)
    b = sp.classic_optimize_reference(x, progress=False)
    assert a.steps == b.steps == 250 and a.params == b.params
    row_diff = np.abs(a.vectors - b.vectors).max(axis=1)
    assert np.median(row_diff) < 0.03 and np.quantile(row_diff, 0.95) < 0.1
    # histograms: 0.5-degree bins over 0-180, the same to within 5 % of the pairs moved between bins
    moved = np.abs(a.final.counts - b.final.counts).sum() / 2 / a.final.n_pairs
    assert moved < 0.05
    assert a.final.share_within_1deg == pytest.approx(b.final.share_within_1deg, abs=0.005)
    assert a.final.n_near_parallel == pytest.approx(b.final.n_near_parallel, rel=0.02)
    assert a.final.share_within_1deg > 0.9  # and both show the classic outcome
    np.testing.assert_allclose(a.history_max_abs_cos, b.history_max_abs_cos, atol=0.01)


def test_the_compute_layer_never_imports_manim():
    import subprocess

    code = ("import sys, llmfacts.compute.superposition, llmfacts.compute.cache; "
            "sys.exit(int(any(m == 'manim' or m.startswith('manim.') for m in sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ----------------------------------------------------------------------------------------------------------
# run_experiment and the cache
# ----------------------------------------------------------------------------------------------------------


def _assert_results_equal(a: OptimizationResult, b: OptimizationResult) -> None:
    assert (a.method, a.n, a.d, a.steps, a.seed, a.params) == (b.method, b.n, b.d, b.steps, b.seed, b.params)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.history_max_abs_cos, b.history_max_abs_cos)
    assert a.seconds == b.seconds
    for s, t in ((a.initial, b.initial), (a.final, b.final)):
        assert s.percentiles == t.percentiles and s.max_abs_cos == t.max_abs_cos
        np.testing.assert_array_equal(s.fine_counts, t.fine_counts)
    assert len(a.snapshots) == len(b.snapshots)
    for s, t in zip(a.snapshots, b.snapshots):
        assert (s.step, s.max_abs_cos, s.min_angle_deg, s.share_within_1deg, s.n_near_parallel) == \
            (t.step, t.max_abs_cos, t.min_angle_deg, t.share_within_1deg, t.n_near_parallel)
        np.testing.assert_array_equal(s.counts, t.counts)
        np.testing.assert_array_equal(s.fine_counts, t.fine_counts)


@pytest.mark.parametrize("method", ["spherical", "classic"])
def test_run_experiment_is_cached_and_round_trips(tmp_path, monkeypatch, method):
    monkeypatch.setenv("LLMFACTS_CACHE_DIR", str(tmp_path))
    calls = []
    real = {"spherical": sp.spherical_optimize, "classic": sp.classic_optimize}[method]

    def counting(*args, **kwargs):
        calls.append(kwargs.get("steps"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sp, f"{method}_optimize", counting)
    a = sp.run_experiment(60, 6, method, steps=12, snapshot_every=4, progress=False)
    b = sp.run_experiment(60, 6, method, steps=12, snapshot_every=4, progress=False)
    assert calls == [12]
    _assert_results_equal(a, b)
    assert [s.step for s in b.snapshots] == [0, 4, 8, 12]
    assert b.final.max_abs_cos == pytest.approx(_dense_max_abs_cos(b.vectors), abs=1e-6)
    sp.run_experiment(60, 6, method, steps=13, snapshot_every=4, progress=False)
    sp.run_experiment(60, 6, method, steps=12, seed=1, snapshot_every=4, progress=False)
    sp.run_experiment(60, 6, method, steps=12, progress=False)
    assert calls == [12, 13, 12, 12]
    n_files = len(list(tmp_path.rglob("*.npz")))
    c = sp.run_experiment(60, 6, method, steps=12, snapshot_every=4, progress=False, cache=False)
    assert calls[-1] == 12 and len(calls) == 5 and len(list(tmp_path.rglob("*.npz"))) == n_files
    np.testing.assert_array_equal(c.vectors, a.vectors)  # deterministic


def test_run_experiment_keys_the_cache_by_the_resolved_product_type(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMFACTS_CACHE_DIR", str(tmp_path))
    here = sp.resolve_products("auto", "cpu")
    other = {"float32": "bfloat16", "bfloat16": "float32"}[here]
    a = sp.run_experiment(60, 6, steps=8, progress=False, device="cpu")
    b = sp.run_experiment(60, 6, steps=8, progress=False, device="cpu", products=here)
    assert a.params["products"] == here
    assert len(list(tmp_path.rglob("*.npz"))) == 1  # "auto" and what it means here are one computation
    np.testing.assert_array_equal(a.vectors, b.vectors)
    c = sp.run_experiment(60, 6, steps=8, progress=False, device="cpu", products=other)
    assert c.params["products"] == other and len(list(tmp_path.rglob("*.npz"))) == 2


def test_run_experiment_rejects_unknown_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMFACTS_CACHE_DIR", str(tmp_path))
    with pytest.raises(ValueError):
        sp.run_experiment(10, 3, "annealing", steps=1, progress=False)
    with pytest.raises(TypeError):
        sp.run_experiment(10, 3, "classic", steps=1, progress=False, p_end=5.0)
