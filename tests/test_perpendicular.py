"""llmfacts.compute.perpendicular, checked against derivations made here: brute force over line sets, the
formulas of Welch's bound and the regular simplex written out again, the Gauss-sum bases built again for a
small prime, Archimedes' uniform |cos| in 3-D for the random-with-deletion estimate."""

from __future__ import annotations

import cmath
import itertools
import math

import numpy as np
import pytest

from llmfacts.compute.perpendicular import (
    best_arrangement,
    bound_deviation_deg,
    deviation_deg,
    lines_in_plane,
    lines_in_space,
    max_abs_cos,
    pairs_near_parallel,
    plane_lines,
    share_within,
    sin_deg,
    space_line_sets,
    thin_evenly,
)

TOLERANCES = (0.5, 1.0, 2.0, 10.0, 29.9, 30.0, 30.1, 35.0, 44.9, 45.0, 60.0, 75.0)


def line_angle(u, v) -> float:
    """The angle between two lines (0..90 degrees), pair by pair in plain Python."""
    dot = sum(a * b for a, b in zip(u, v))
    norm = math.sqrt(sum(a * a for a in u) * sum(b * b for b in v))
    return math.degrees(math.acos(min(1.0, abs(dot) / norm)))


def fits(vectors, t: float) -> bool:
    """Every pair of lines at least 90 - t degrees apart (brute force, with rounding slack)."""
    return all(line_angle(u, v) >= 90.0 - t - 1e-9 for u, v in itertools.combinations(vectors, 2))


def even_lines(n: int, offset: float = 0.0):
    return [(math.cos(math.radians(offset + 180.0 * k / n)), math.sin(math.radians(offset + 180.0 * k / n)))
            for k in range(n)]


# -- degrees and cosines --------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [0.0, 0.1, 1.0, 19.47, 45.0, 89.0, 90.0])
def test_sin_and_deviation_round_trip(t):
    eps = sin_deg(t)
    assert eps == pytest.approx(math.cos(math.radians(90.0 - t)), abs=1e-15)
    assert deviation_deg(eps) == pytest.approx(t, abs=1e-9)
    assert deviation_deg(-eps) == pytest.approx(t, abs=1e-9)  # the sign of a cosine does not matter


def test_deviation_of_known_angles():
    assert deviation_deg(0.0) == 0.0
    assert deviation_deg(0.5) == pytest.approx(30.0)
    assert deviation_deg(1.0) == pytest.approx(90.0)
    assert deviation_deg(1.0 + 1e-12) == pytest.approx(90.0)  # clipped, not a math domain error
    with pytest.raises(ValueError):
        sin_deg(-1.0)
    with pytest.raises(ValueError):
        sin_deg(91.0)


def test_max_abs_cos_is_the_worst_pair():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4)) * rng.uniform(0.5, 3.0, size=(7, 1))  # lengths must not matter
    worst = max(math.cos(math.radians(line_angle(u, v))) for u, v in itertools.combinations(x.tolist(), 2))
    assert max_abs_cos(x) == pytest.approx(worst, abs=1e-12)
    with pytest.raises(ValueError):
        max_abs_cos(np.ones((1, 3)))


# -- the plane ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", TOLERANCES)
def test_lines_in_plane_by_brute_force(t):
    n = lines_in_plane(t)
    # n evenly spaced lines fit; n + 1 evenly spaced lines (the best spread of n + 1) do not
    assert fits(even_lines(n), t)
    assert not fits(even_lines(n + 1), t)
    # ... nor does any other set of n + 1 lines: n + 1 angles in [0, 180) leave two neighbours (cyclically)
    # at most 180 / (n + 1) apart, which is checked here on random sets, never finding one that fits
    rng = np.random.default_rng(int(t * 10))
    for _ in range(300):
        angles = rng.uniform(0.0, 180.0, n + 1)
        assert not fits([(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in angles], t)


def test_lines_in_plane_known_counts():
    assert [lines_in_plane(t) for t in (0.0, 1.0, 29.9, 30.0, 45.0, 60.0)] == [2, 2, 2, 3, 4, 6]
    with pytest.raises(ValueError):
        lines_in_plane(90.0)


def test_plane_lines_are_evenly_spaced_unit_vectors():
    x = plane_lines(5, start_deg=10.0)
    assert x.shape == (5, 2)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0)
    for k in range(5):
        assert math.degrees(math.atan2(x[k, 1], x[k, 0])) == pytest.approx(10.0 + 36.0 * k)


# -- space --------------------------------------------------------------------------------------------------
def test_space_line_sets_measured_pair_by_pair():
    sets = {s.name: s for s in space_line_sets()}
    expected = {"axes": (3, 0.0), "cube diagonals": (4, 1 / 3), "icosahedron diagonals": (6, 1 / math.sqrt(5))}
    assert set(sets) == set(expected)
    for name, (count, cos) in expected.items():
        s = sets[name]
        assert s.count == count
        np.testing.assert_allclose(np.linalg.norm(s.vectors, axis=1), 1.0)
        vectors = s.vectors.tolist()
        worst = max(math.cos(math.radians(line_angle(u, v))) for u, v in itertools.combinations(vectors, 2))
        assert worst == pytest.approx(cos, abs=1e-12)
        assert s.max_abs_cos == pytest.approx(cos, abs=1e-12)
        assert s.tolerance_deg == pytest.approx(math.degrees(math.asin(cos)), abs=1e-9)
        # no two vectors of a set are the same line
        assert min(line_angle(u, v) for u, v in itertools.combinations(vectors, 2)) > 60.0


def relative_bound_3d(t: float) -> int:
    """The relative (Welch) bound in 3-D written out: N <= d (1 - e^2) / (1 - d e^2) while d e^2 < 1."""
    e2 = math.sin(math.radians(t)) ** 2
    return math.floor(3 * (1 - e2) / (1 - 3 * e2) + 1e-12)


@pytest.mark.parametrize("t", [0.5, 1.0, 5.0, 10.0, 15.0, 19.0])
def test_space_holds_only_the_axes_below_the_cube(t):
    lower, upper, arrangement = lines_in_space(t)
    assert lower == upper == 3 and arrangement.name == "axes"
    assert relative_bound_3d(t) == 3  # the upper end is no more than the bound derived here


def test_space_counts_where_the_solids_fit():
    cube, icosahedron = math.degrees(math.asin(1 / 3)), math.degrees(math.asin(1 / math.sqrt(5)))
    assert lines_in_space(cube + 0.01)[:2] == (4, 4)
    assert relative_bound_3d(cube + 0.01) == 4
    assert lines_in_space(icosahedron - 0.01)[0] == 4
    assert lines_in_space(icosahedron + 0.01)[:2] == (6, 6)
    lower, upper, _ = lines_in_space(45.0)
    assert lower == 6 and upper >= 6
    for t in (1.0, cube + 0.01, icosahedron + 0.01, 45.0):
        lower, upper, arrangement = lines_in_space(t)
        assert arrangement.count == lower and fits(arrangement.vectors.tolist(), t)


# -- histograms ---------------------------------------------------------------------------------------------
def hand_histogram():
    edges = np.arange(0.0, 181.0, 1.0)
    counts = np.zeros(180)
    counts[0], counts[1], counts[2] = 5, 7, 100  # 0-1, 1-2, 2-3 degrees
    counts[177], counts[178], counts[179] = 11, 13, 17  # 177-178, 178-179, 179-180
    counts[89], counts[90] = 1000, 2000  # 89-90, 90-91
    counts[88], counts[91] = 300, 400
    return counts, edges


def test_pairs_near_parallel_on_a_hand_made_histogram():
    counts, edges = hand_histogram()
    assert pairs_near_parallel(counts, edges, 2.0) == 5 + 7 + 13 + 17
    assert pairs_near_parallel(counts, edges, 3.0) == 5 + 7 + 100 + 11 + 13 + 17
    assert pairs_near_parallel(counts, edges, 1.0) == 5 + 17
    with pytest.raises(ValueError):
        pairs_near_parallel(counts, edges, 2.5)


def test_share_within_on_a_hand_made_histogram():
    counts, edges = hand_histogram()
    total = counts.sum()
    assert share_within(counts, edges, 1.0) == pytest.approx(3000 / total)
    assert share_within(counts, edges, 2.0) == pytest.approx(3700 / total)
    with pytest.raises(ValueError):
        share_within(counts, edges, 1.5)


@pytest.mark.parametrize(("n", "at_most"), [(0, 2), (1, 5), (5, 5), (6, 5), (10, 3), (100, 7), (1000, 10), (11, 2)])
def test_thin_evenly(n, at_most):
    items = [f"x{k}" for k in range(n)]
    kept = thin_evenly(items, at_most)
    if n <= at_most:
        assert kept == items
        return
    assert len(kept) <= at_most and kept[0] == items[0] and kept[-1] == items[-1]
    index = [items.index(x) for x in kept]
    assert index == sorted(set(index))  # in order, no repeats
    gaps = np.diff(index)
    assert gaps.max() - gaps.min() <= 1  # evenly spread
    assert len(kept) == min(at_most, n)


def test_thin_evenly_needs_two():
    with pytest.raises(ValueError):
        thin_evenly([1, 2, 3], 1)


# -- bounds -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "d"), [(10_000, 100), (3_000, 60), (101, 100), (50, 100), (1_000, 10)])
def test_bound_deviation_against_welch_and_the_degree_four_bound(n, d):
    welch = math.sqrt((n - d) / (d * (n - 1))) if n > d else 0.0
    a = (3 * n - d * (d + 2)) / ((d + 2) * (n - d)) if n > d else 0.0
    lp = math.sqrt(a) if a > 0 else 0.0
    w, lev = bound_deviation_deg(n, d)
    assert w == pytest.approx(math.degrees(math.asin(welch)), abs=1e-9)
    assert lev == pytest.approx(math.degrees(math.asin(lp)), abs=1e-9)
    if n > d:
        # Welch's bound is met by a regular simplex: d + 1 vectors with |cos| = 1/d
        assert welch <= 1.0
    if (n, d) == (10_000, 100):
        assert lev == pytest.approx(math.degrees(math.asin(0.1400)), abs=0.01)


# -- the best arrangement known ------------------------------------------------------------------------------
def gauss_bases_real(p: int) -> np.ndarray:
    """The p + 1 mutually unbiased bases of C^p written out here (standard basis; w^(a k^2 + b k) / sqrt p),
    as real vectors (Re, Im) with their i-multiples."""
    w = cmath.exp(2j * math.pi / p)
    vectors = [[1.0 if k == j else 0.0 for k in range(p)] for j in range(p)]
    vectors += [[w ** ((a * k * k + b * k) % p) / math.sqrt(p) for k in range(p)] for a in range(p) for b in range(p)]
    z = np.array(vectors, dtype=complex)
    return np.concatenate([np.concatenate([z.real, z.imag], 1), np.concatenate([-z.imag, z.real], 1)])


def primes_up_to(n: int) -> list[int]:
    sieve = np.ones(n + 1, dtype=bool)
    sieve[:2] = False
    for k in range(2, int(n ** 0.5) + 1):
        if sieve[k]:
            sieve[k * k::k] = False
    return [int(k) for k in np.flatnonzero(sieve)]


@pytest.mark.parametrize("extra", [0, 1, 2])
def test_best_arrangement_is_the_gauss_set_built_here(extra):
    p = 7
    x = gauss_bases_real(p)
    g = np.abs((x / np.linalg.norm(x, axis=1, keepdims=True)) @ x.T / np.linalg.norm(x, axis=1))
    np.fill_diagonal(g, 0.0)
    assert len(x) == 2 * p * (p + 1) and g.max() == pytest.approx(1 / math.sqrt(p), abs=1e-9)
    d = 2 * p + extra  # 14, 15, 16: the prime stays 7 (8 // 2 = 8 is not prime); left-over axes add one each
    eps = 1 / math.sqrt(p) + 1e-9
    best = best_arrangement(d, eps)
    assert best.kind == "gauss" and best.built and best.beats_basis
    assert best.count == len(x) + extra
    assert best.log10_count == pytest.approx(math.log10(len(x) + extra))
    # a little tighter and p = 7 no longer fits: no prime of at most d / 2 does
    assert best_arrangement(d, 1 / math.sqrt(p) - 1e-6).kind != "gauss"


def test_best_arrangement_in_gpt3_width_is_tens_of_millions_built():
    d, eps = 12_288, math.sin(math.radians(1.0))
    p = max(q for q in primes_up_to(d // 2) if q > 2)
    assert 1 / math.sqrt(p) <= eps  # the set fits within 1 degree
    count = 2 * p * (p + 1) + (d - 2 * p)
    best = best_arrangement(d, eps)
    assert best.kind == "gauss" and best.count == count
    assert 10_000_000 <= count < 100_000_000


@pytest.mark.parametrize("d", [3, 10, 100])
def test_best_arrangement_simplex_or_basis(d):
    # the regular simplex built here: the centred standard basis of R^(d+1), |cos| = 1/d between corners
    corners = np.eye(d + 1) - 1.0 / (d + 1)
    x = corners / np.linalg.norm(corners, axis=1, keepdims=True)
    g = np.abs(x @ x.T)
    np.fill_diagonal(g, 0.0)
    assert np.linalg.matrix_rank(x) == d and g.max() == pytest.approx(1 / d)
    above = best_arrangement(d, 1 / d + 1e-9)
    assert above.kind == "simplex" and above.count == d + 1 and above.beats_basis
    below = best_arrangement(d, 1 / d - 1e-6)
    assert below.kind == "basis" and below.count == d and not below.beats_basis


def test_best_arrangement_random_with_deletion_in_3d():
    """In 3-D the |cos| of two random directions is uniform on [0, 1] (Archimedes), so a pair is bad with
    probability q = 1 - eps; m random directions less one of each bad pair leave m - m (m - 1) q / 2."""
    eps = 0.9
    q = 1.0 - eps
    expected = max(m - m * (m - 1) * q / 2 for m in range(1, 200))
    best = best_arrangement(3, eps)
    assert best.kind == "random" and not best.built and best.count is None
    assert 10 ** best.log10_count == pytest.approx(expected, rel=1e-6)


def test_best_arrangement_checks_its_input():
    with pytest.raises(ValueError):
        best_arrangement(1, 0.5)
    with pytest.raises(ValueError):
        best_arrangement(10, 1.0)
