"""Scenes 13-15 (PerpendicularityExperiment, DimensionGrowth, FeaturesOutro): their pure helpers and the
numbers each ``prepare()`` computes, checked without rendering (the experiment on a small, fast run)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
from scenes.dimension_growth import DimensionGrowth, clip_polyline, exit_point, log10_count, tolerance_curves
from scenes.outro import FeaturesOutro, largest_share, neuron_pattern, sparse_code_example



# -- scene 14: dimension growth ----------------------------------------------------------------------------


def test_log10_count_handles_ints_floats_and_inf():
    assert log10_count(1000) == pytest.approx(3.0)
    assert log10_count(10**400) == pytest.approx(400.0)
    assert log10_count(2.5e10) == pytest.approx(math.log10(2.5e10))
    assert log10_count(math.inf) == math.inf
    assert log10_count(0) == -math.inf


def test_clip_polyline_stops_at_the_top_with_the_crossing_point():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    ys = np.array([0.0, 2.0, 6.0, 9.0])
    pts = clip_polyline(xs, ys, top=4.0)
    assert pts[:2] == [(0.0, 0.0), (1.0, 2.0)]
    assert pts[-1] == pytest.approx((1.5, 4.0))
    assert len(pts) == 3
    assert clip_polyline(xs, np.array([0.0, math.inf, 1.0, 1.0]), top=4.0)[-1] == (0.0, 4.0)


def test_exit_point_is_where_the_polyline_first_leaves_the_chart():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    assert exit_point(xs, np.array([0.0, 2.0, 6.0, 9.0]), top=4.0) == pytest.approx((1.5, 4.0))
    assert exit_point(xs, np.array([0.0, 2.0, 3.0, 4.0]), top=4.0) is None  # touching the top is not leaving
    assert exit_point(xs, np.array([5.0, 6.0, 7.0, 8.0]), top=4.0) == (0.0, 4.0)
    assert exit_point(xs, np.array([0.0, math.inf, 1.0, 1.0]), top=4.0) == (0.0, 4.0)


def test_tolerance_curves_lower_never_below_d_and_upper_above_lower():
    dims = np.array([10, 100, 1000, 3000])
    c = tolerance_curves(1.0, dims)
    assert np.all(c.log_lower >= np.log10(dims) - 1e-12)
    assert np.all(c.log_upper >= c.log_lower - 1e-9)


def test_dimension_growth_prepare_matches_the_known_figures():
    s = prepared(DimensionGrowth, n_samples=20)
    assert s.example_fit == 103  # Welch: at most 103 vectors within ±1° in 100-D
    assert s.example_need_d == 2472  # 10,000 within ±1° need at least 2,472 dimensions
    assert s.rate_scale == pytest.approx(1 / math.sin(math.radians(1)) ** 2)
    assert (s.d_model, s.d_mlp) == (12_288, 49_152)
    rows = {r["tol"]: r for r in s.rows}
    # at ±1° random directions in 12,288-D are fewer than a basis; at ±10° they are astronomically many
    assert rows[1.0]["model_random"] < math.log10(12_288) == pytest.approx(rows[1.0]["model_lower"])
    assert rows[10.0]["model_lower"] > 40
    assert rows[5.0]["model_lower"] < rows[10.0]["model_lower"]
    # the proven limits (Levenshtein's bound): finite and above what is known to fit at both widths
    assert rows[10.0]["model_upper"] == pytest.approx(261.70, abs=0.01)
    assert rows[1.0]["model_upper"] == pytest.approx(11.67, abs=0.01)
    for row in rows.values():
        for key in ("model", "mlp"):
            assert row[key + "_lower"] < row[key + "_upper"] < math.inf


def test_dimension_growth_upper_curves_are_drawn_at_both_zooms():
    """Every upper curve is finite over the whole d range, so it is drawn; where it leaves a chart, the scene
    knows where (and marks it with an arrowhead)."""
    s = prepared(DimensionGrowth, n_samples=40)
    for c in s.curves:
        assert np.all(np.isfinite(c.log_upper))
        finite = np.isfinite(c.log_lower)  # the random estimate overflows a float at ±10°, d = 10^5
        assert np.all(c.log_upper[finite] >= c.log_lower[finite] - 1e-9)
        assert np.all(np.diff(c.log_upper) >= -1e-9)
    # ±1°: the limit leaves the first chart (10^5) between the 10,000-vector example and d = 1/eps^2
    assert s.example_need_d < s.near_exit_d < s.rate_scale
    # on the far chart (10^45) all three leave it, the loosest first; ±1° only near 10^5
    assert s.far_exit_d == sorted(s.far_exit_d) and all(d is not None for d in s.far_exit_d)
    assert 50_000 < s.far_exit_d[-1] < 100_000


# -- scene 15: outro ----------------------------------------------------------------------------------------


def test_neuron_pattern_is_scaled_and_clipped():
    v = np.array([0.0, 1.0, -1.0, 4.0])
    p = neuron_pattern(v, spread=1.0)
    assert p.max() == 1.0 and p.min() >= -1.0
    assert np.all(np.sign(p) == np.sign(v))


def test_largest_share():
    assert largest_share(np.array([3.0, 4.0])) == pytest.approx(16 / 25)
    assert largest_share(np.zeros(3)) == 0.0


def test_sparse_code_example_rebuilds_its_input_from_few_features():
    neurons, code, rebuilt = sparse_code_example(6, 14, (3, 9), seed=7)
    assert np.count_nonzero(code) == 2 and code[3] > code[9] > 0
    np.testing.assert_allclose(rebuilt, neurons)
    with pytest.raises(ValueError):
        sparse_code_example(6, 14, (20,), seed=7)


def test_features_outro_prepare_two_random_patterns_nearly_perpendicular():
    s = prepared(FeaturesOutro)
    assert s.n_neurons == 49_152
    assert abs(s.angle_ab - 90.0) < 1.0  # std of cos is 1/sqrt(49,152) ≈ 0.0045
    assert s.angle_ab == pytest.approx(math.degrees(math.acos(s.cos_ab)))
    assert s.largest_share_a < 0.01


# -- scene 13: the experiment (a small, fast run in a private cache) -----------------------------------------

from llmfacts.compute.superposition import levenshtein_bound, welch_bound  # noqa: E402
from scenes.experiment import PerpendicularityExperiment, pairs_near_parallel  # noqa: E402

SMALL_RUN = dict(n=300, d=20, opt_steps=60, snapshot_every=5, classic_steps=60, max_snapshots=8, device="cpu")


def test_pairs_near_parallel_counts_whole_bins_at_both_ends():
    edges = np.arange(0.0, 180.5, 0.5)
    counts = np.zeros(360)
    counts[0] = 3  # [0, 0.5)
    counts[19] = 4  # [9.5, 10)
    counts[20] = 100  # [10, 10.5): not within 10°
    counts[-1] = 5  # [179.5, 180]
    counts[340] = 6  # [170, 170.5)
    assert pairs_near_parallel(counts, edges, 10.0) == 3 + 4 + 5 + 6
    with pytest.raises(ValueError):
        pairs_near_parallel(counts, edges, 10.2)


@pytest.fixture(scope="module")
def small_experiment(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("LLMFACTS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        yield prepared(PerpendicularityExperiment, **SMALL_RUN)
    finally:
        mp.undo()


def test_experiment_bounds_are_converted_to_degrees_from_90(small_experiment):
    s = small_experiment
    n, d = SMALL_RUN["n"], SMALL_RUN["d"]
    assert s.welch_deg == pytest.approx(90 - math.degrees(math.acos(welch_bound(n, d))))
    assert s.lp_deg == pytest.approx(90 - math.degrees(math.acos(levenshtein_bound(n, d))))
    assert s.best_bound_deg == max(s.welch_deg, s.lp_deg)
    # no run can beat the bound, and the bulk cannot get narrower than the Welch RMS value
    assert s.final_half_width >= s.best_bound_deg - 1e-9
    assert s.rms_final >= s.welch_cos - 1e-9


def test_experiment_run_cuts_the_tails_and_snapshots_are_thinned(small_experiment):
    s = small_experiment
    assert s.final_half_width < max(90 - s.initial.min_angle_deg, s.initial.max_angle_deg - 90)
    assert 2 <= len(s.snapshots) <= SMALL_RUN["max_snapshots"]
    assert s.snapshots[0].step == 0 and s.snapshots[-1].step == s.total_steps == SMALL_RUN["opt_steps"]
    assert s.y_max_log >= s.initial.counts.max()


def test_experiment_classic_numbers_are_consistent(small_experiment):
    s = small_experiment
    c = s.classic
    assert 0 <= s.classic_parallel <= s.classic_hidden <= c.n_pairs  # near-parallel pairs are outside 80-100
    assert s.classic_hidden == c.n_pairs - int(s.classic_zoom_counts.sum())
    assert s.classic_share == pytest.approx(c.share_within_1deg)
