"""PerpendicularityExperiment: what it says is what its runs did, for a small default-like lecture, a small Marie
Curie-like lecture and edge lectures (a tolerance the proof allows, with and without the run reaching it; an
optimiser given no steps).

The story's numbers are checked against values derived here from the runs' own vectors (the random start
rebuilt from the seed, the final vectors each run returns): angles from a float64 Gram matrix, the Welch
bound from its formula, shares and counts pair by pair. The sentences are checked against predicates over
those derived values, never against the story's own fields.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from llmfacts.compute.experiment_story import experiment_story
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.compute.superposition import random_unit_vectors
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.experiment import PerpendicularityExperiment, zoom_span

CURIE = load_lecture("examples/marie_curie.py")
#: small runs; the classic loss without snapshots (they are what is slow) and with enough steps to converge
SMALL = dict(n=240, d=16, steps=40, classic_steps=200, snapshot_every=5, classic_snapshot_every=None)
LECTURES = {
    "default": DEFAULT_LECTURE.replace(superposition=SMALL),
    "curie": CURIE.replace(superposition=dict(SMALL, n=200, d=12, classic_steps=150)),  # keeps its ±2°
    "loose": DEFAULT_LECTURE.replace(superposition=dict(SMALL, tolerance_deg=30.0)),  # allowed, and reached
    "between": DEFAULT_LECTURE.replace(superposition=dict(SMALL, tolerance_deg=22.0)),  # allowed, not reached
    "no_steps": DEFAULT_LECTURE.replace(superposition=dict(SMALL, steps=0, classic_steps=5)),
}


def pair_angles(vectors) -> np.ndarray:
    """Angles (degrees) of every pair of rows, from a float64 Gram matrix."""
    x = np.asarray(vectors, dtype=np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    i, j = np.triu_indices(len(x), k=1)
    return np.degrees(np.arccos(np.clip((x @ x.T)[i, j], -1.0, 1.0)))


def numbers_in(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


class Derived:
    """What the lecture's runs did, derived here from their vectors."""

    def __init__(self, lecture):
        spec = lecture.superposition
        self.spec, self.t = spec, spec.tolerance_deg
        run, classic = lecture.experiment_run(spec.method), lecture.experiment_run(spec.classic_method)
        self.run, self.classic_run = run, classic
        start = pair_angles(random_unit_vectors(spec.n, spec.d, spec.seed))
        end, cl = pair_angles(run.vectors), pair_angles(classic.vectors)
        self.start, self.end, self.cl = start, end, cl
        self.n_pairs = spec.n * (spec.n - 1) // 2
        self.start_dev = float(np.abs(start - 90).max())
        self.end_dev = float(np.abs(end - 90).max())
        self.median_dev = float(np.median(np.abs(start - 90)))
        self.share_start = float(np.mean(np.abs(start - 90) <= self.t))
        self.share_end = float(np.mean(np.abs(end - 90) <= self.t))
        self.classic_share = float(np.mean(np.abs(cl - 90) <= self.t))
        self.parallel = int(np.sum((cl <= 10.0) | (cl >= 170.0)))
        self.hidden = int(np.sum((cl < 80.0) | (cl > 100.0)))
        n, d = spec.n, spec.d
        self.welch = math.degrees(math.asin(math.sqrt((n - d) / (d * (n - 1)))))


@pytest.fixture(scope="module")
def derived():
    return {key: Derived(lecture) for key, lecture in LECTURES.items()}


@pytest.fixture(scope="module")
def scenes():
    return {key: prepared_scene(PerpendicularityExperiment, lecture=lecture) for key, lecture in LECTURES.items()}


# -- the story against the vectors ------------------------------------------------------------------------------
@pytest.mark.parametrize("key", LECTURES)
def test_story_matches_the_runs_vectors(key, derived):
    s, v = LECTURES[key].cached(experiment_story), derived[key]
    assert s.n_pairs == v.n_pairs == len(v.start)
    assert s.initial_half_width == pytest.approx(v.start_dev, abs=1e-3)
    assert s.final_half_width == pytest.approx(v.end_dev, abs=1e-3)
    assert s.initial.min_angle_deg == pytest.approx(v.start.min(), abs=1e-3)
    assert s.final.max_angle_deg == pytest.approx(v.end.max(), abs=1e-3)
    # half of the pairs within ±w: the median distance from 90°, rounded up to a 0.01° bin
    assert v.median_dev - 1e-6 <= s.half_width_initial <= v.median_dev + 0.01 + 1e-6
    slack = 3.0 / v.n_pairs  # pairs on a bin edge may fall either way in float32
    assert s.share_initial == pytest.approx(v.share_start, abs=slack)
    assert s.share_final == pytest.approx(v.share_end, abs=slack)
    assert s.classic_share == pytest.approx(v.classic_share, abs=slack)
    assert abs(s.classic_parallel - v.parallel) <= 3
    assert abs(s.classic_hidden - v.hidden) <= 3
    assert s.classic_worst_deg == pytest.approx(float(np.abs(v.cl - 90).max()), abs=1e-3)


@pytest.mark.parametrize("key", LECTURES)
def test_bounds_and_what_they_prove(key, derived):
    s, v = LECTURES[key].cached(experiment_story), derived[key]
    assert s.welch_deg == pytest.approx(v.welch, abs=1e-9)
    assert s.proven_deg >= v.welch
    # a proven limit holds for every arrangement, so for these final vectors and the random start too
    assert v.end_dev >= s.proven_deg - 1e-6 and v.start_dev >= s.proven_deg - 1e-6
    assert s.claim_excluded == (v.t < s.proven_deg)
    if abs(v.end_dev - s.proven_deg - 0.05) > 1e-3:  # the run stops short of the limit, or reaches it
        assert s.open_gap == (v.end_dev - s.proven_deg > 0.05)


@pytest.mark.parametrize("key", LECTURES)
def test_snapshots_run_from_the_start_to_the_end(key, derived):
    s, v = LECTURES[key].cached(experiment_story), derived[key]
    steps = v.spec.steps
    assert s.total_steps == steps
    if steps:
        assert s.snapshots[0].step == 0 and s.snapshots[-1].step == steps
        assert 2 <= len(s.snapshots) <= 30
        np.testing.assert_array_equal(s.snapshots[0].counts, s.initial.counts)
        np.testing.assert_array_equal(s.snapshots[-1].counts, s.final.counts)
    assert all(int(snap.counts.sum()) == v.n_pairs for snap in s.snapshots)
    assert int(s.classic_zoom_counts.sum()) + s.classic_hidden == v.n_pairs


# -- the sentences against predicates over the derived values ----------------------------------------------------
@pytest.mark.parametrize("key", LECTURES)
def test_run_sentences(key, derived, scenes):
    v, lines = derived[key], scenes[key].lines
    start = lines["random_start"]
    assert f"{v.spec.n:,} random directions in {v.spec.d} dimensions" in start and f"{v.n_pairs:,} angles" in start
    assert numbers_in(start.split("half of them")[1])[0] == pytest.approx(v.median_dev, abs=0.06)
    log = numbers_in(lines["log_scale"])
    assert log[-3:] == [pytest.approx(v.start.min(), abs=0.06), pytest.approx(v.start.max(), abs=0.06),
                        pytest.approx(v.start_dev, abs=0.06)]
    optimise = lines["optimise"]
    assert ("The tails shrink" in optimise) == (v.end_dev < v.start_dev - 1e-6)
    assert ("do not shrink" in optimise) == (not v.end_dev < v.start_dev - 1e-6)
    assert numbers_in(optimise)[-3:-1] == [pytest.approx(v.start_dev, abs=0.06), pytest.approx(v.end_dev, abs=0.06)]
    middle = lines["middle"]
    change = abs(v.share_end - v.share_start)
    barely = change < 0.05 and change < 0.25 * v.share_start
    assert ("barely moves" in middle) == barely and "in this run" in middle  # an observation, not a law
    said = numbers_in(middle)[-2:]
    assert said == [pytest.approx(100 * v.share_start, abs=0.06), pytest.approx(100 * v.share_end, abs=0.06)]


@pytest.mark.parametrize("key", LECTURES)
def test_bound_sentences_say_only_what_is_proven(key, derived, scenes):
    v, s, lines = derived[key], scenes[key].story, scenes[key].lines
    proven, gap, claim = lines["proven_limit"], lines["open_gap"], lines["tolerance"]
    assert "at least" in proven and numbers_in(proven)[-2] == pytest.approx(s.proven_deg, abs=0.06)
    for overclaim in ("Two theorems", "much better", "RMS", "Welch", "LP"):
        assert overclaim not in " ".join(lines.values())
    if v.end_dev - s.proven_deg > 0.1:
        assert "neither the proof nor this run says where" in gap
        assert numbers_in(gap)[-2:] == [pytest.approx(s.proven_deg, abs=0.06), pytest.approx(v.end_dev, abs=0.06)]
    else:
        assert "reaches the proven limit" in gap
    if v.t < s.proven_deg:
        assert claim.startswith("So no arrangement keeps every pair within")
    elif v.end_dev <= v.t:
        assert "not ruled out, and this run keeps every pair inside it" in claim
    else:
        assert "does not reach it" in claim and "open" in claim
    expected = {"default": "So no", "curie": "So no", "loose": "this run keeps", "between": "does not reach"}
    assert expected.get(key, "") in claim


@pytest.mark.parametrize("key", LECTURES)
def test_classic_sentences(key, derived, scenes):
    v, lines = derived[key], scenes[key].lines
    zoomed, full, lesson = lines["classic_zoomed"], lines["classic_full_range"], lines["whole_axis"]
    perfect = v.classic_share >= 0.9
    assert ("looks perfect" in zoomed) == perfect
    assert numbers_in(zoomed)[-3] == pytest.approx(100 * v.classic_share, abs=0.06)  # "…% of all pairs"
    assert "80° to 100°" in zoomed
    hidden, parallel = numbers_in(full)[:2]
    assert abs(hidden - v.hidden) <= 3 and abs(parallel - v.parallel) <= 3
    assert ("bundles of near copies" in full) == (v.parallel / v.n_pairs >= 0.01)
    assert ("look perfect" in lesson) == (perfect and v.hidden > 0)
    if key in ("default", "curie"):  # converged runs tell the reference video's story
        assert perfect and "bundles" in full


def test_the_edges_take_the_other_branches(scenes):
    assert "do not shrink" in scenes["no_steps"].lines["optimise"]
    assert "looks perfect" not in scenes["no_steps"].lines["classic_zoomed"]
    assert "not ruled out" in scenes["loose"].lines["tolerance"]


# -- scene plumbing ----------------------------------------------------------------------------------------------
def test_zoom_shows_the_run_and_the_tolerance():
    for lecture in LECTURES.values():
        s = lecture.cached(experiment_story)
        span = zoom_span(s)
        assert span % 10 == 0 and span >= s.final_half_width and span >= s.tolerance_deg


def test_describe_follows_the_lecture():
    default = PerpendicularityExperiment.describe(DEFAULT_LECTURE)
    assert default.startswith("10,000 random directions in 100 dimensions")
    welch = math.degrees(math.asin(math.sqrt((10_000 - 100) / (100 * 9_999))))
    assert numbers_in(default)[-1] >= round(welch, 1)
    curie = PerpendicularityExperiment.describe(CURIE)
    assert curie.startswith("3,000 random directions in 60 dimensions") and "10,000" not in curie


def test_fast_path_attributes_shrink_the_lecture():
    fast = type("Fast", (PerpendicularityExperiment,), {"n": 1500, "d": 40, "opt_steps": 60, "classic_steps": 60})
    spec = fast.resolve_lecture().superposition
    assert (spec.n, spec.d, spec.steps, spec.classic_steps) == (1500, 40, 60, 60)
    curie = type("FastCurie", (fast,), {"lecture": CURIE}).resolve_lecture()
    assert curie.superposition.tolerance_deg == 2.0 and curie.superposition.n == 1500
    with pytest.raises(SceneParameterError, match="superposition.n") as error:
        type("Bad", (PerpendicularityExperiment,), {"n": 1}).resolve_lecture()
    assert "\n" not in str(error.value)


def test_runs_and_speaks_its_lines(manim_media_dir, scenes):
    spoken: list[str] = []

    class Small(PerpendicularityExperiment):
        lecture = LECTURES["curie"]

        def narrate(self, text, duration=None, *, speech=None):
            spoken.append(text)
            return super().narrate(text, duration, speech=speech)

    seconds = dry_run(Small, media_dir=manim_media_dir)
    assert spoken == [scenes["curie"].lines[step] for step in PerpendicularityExperiment.steps]
    assert 60 <= seconds <= 240
