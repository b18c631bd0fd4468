"""Scene 13 (PerpendicularityExperiment; DimensionGrowth has test_scene_dimension_growth.py, FeaturesOutro
test_scene_outro.py): its pure helpers and the numbers each ``prepare()`` computes, checked
without rendering (the experiment on a small, fast run)."""

from __future__ import annotations

import math

import numpy as np
import pytest

# -- scene 13: the experiment (a small, fast run in a private cache) -----------------------------------------
from llmfacts.compute.superposition import levenshtein_bound, welch_bound  # noqa: E402
from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
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
