"""DimensionGrowth: its chart helpers, and every factual sentence of its narration checked as a predicate on
numbers derived here independently, for the default lecture and for others (another tolerance, n, d and
transformer), so that no lecture can make the scene say what the computation contradicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmfacts.compute import constructions as C
from llmfacts.compute.gpt3 import GPTHyperparameters
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.compute.superposition import log10_max_vectors_in_band
from llmfacts.formatting import format_int
from llmfacts.story import SceneParameterError
from llmfacts.testing import prepared_scene
from scenes.dimension_growth import (
    DimensionGrowth,
    clip_polyline,
    count_phrase,
    exit_point,
    magnitude_words,
    upper_phrase,
)

MARIE = load_lecture("examples/marie_curie.py")
SMALL = DEFAULT_LECTURE.replace(name="small-model",
                                transformer=GPTHyperparameters(d_model=2048, d_mlp=8192, name="a small model"),
                                superposition={"tolerance_deg": 5.0, "n": 2000, "d": 50})
LECTURES = {"default": DEFAULT_LECTURE, "marie-curie": MARIE, "small": SMALL}
#: what the narration's size words mean: "tens of millions" is 10^7 <= n < 10^8
WORD_POWERS = {"thousands": 3, "tens of thousands": 4, "hundreds of thousands": 5, "millions": 6,
               "tens of millions": 7, "hundreds of millions": 8, "billions": 9}


# -- helpers -------------------------------------------------------------------------------------------------


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


def test_magnitude_words_and_count_phrases():
    assert magnitude_words(75_485_186) == "tens of millions"
    assert magnitude_words(21_773_400) == "tens of millions"
    assert magnitude_words(9_999_999) == "millions" and magnitude_words(10_000_000) == "tens of millions"
    assert magnitude_words(999) is None and magnitude_words(1e12) is None
    assert count_phrase(math.log10(75_485_186), 75_485_186) == "75,485,186"
    assert count_phrase(82.77) == "5 × 10^82"  # 10^0.77 = 5.9, rounded down: an "at least" figure
    assert count_phrase(41.05) == "10^41"
    assert upper_phrase(261.7) == "10^262" and upper_phrase(12.0) == "10^12"


# -- the narration's claims, as predicates --------------------------------------------------------------------


def _eps(deg: float) -> float:
    return math.sin(math.radians(deg))


def _log10_random(d: int, eps: float) -> float:
    return C.log10_random_deletion_estimate(d, eps)


def _built_count(d: int, eps: float) -> int:
    """The best Gauss-sum set, found here by walking down the primes (independent of best_construction)."""
    for p in range(d // 2, 2, -1):
        if all(p % f for f in range(2, int(p**0.5) + 1)):
            return 2 * p * (p + 1) + d - 2 * p if 1 / math.sqrt(p) <= eps else d
    return d


@pytest.fixture(scope="module", params=list(LECTURES), ids=list(LECTURES))
def scene(request):
    return prepared_scene(DimensionGrowth, lecture=LECTURES[request.param])


def test_the_scene_reads_its_numbers_from_the_lecture(scene):
    sup, hp = scene.lecture.superposition, scene.lecture.transformer
    s = scene.story
    assert (s.tolerance_deg, s.example_n, s.example_d) == (sup.tolerance_deg, sup.n, sup.d)
    assert (s.d_model, s.d_mlp, s.model_name) == (hp.d_model, hp.d_mlp, hp.name)
    assert scene.main.tolerance_deg == sup.tolerance_deg
    assert all(t > sup.tolerance_deg for t in scene.looser)


def test_proven_limit_sentence(scene):
    s, line = scene.story, scene.lines["proven_limit"]
    eps = _eps(s.tolerance_deg)
    # Welch's relative bound N <= d(1 - eps^2)/(1 - d eps^2) caps the count; a regular simplex (d + 1 vectors,
    # |cos| = 1/d) fits whenever 1/d <= eps
    assert s.example_d * eps**2 < 1
    assert s.example_fit <= math.floor(s.example_d * (1 - eps**2) / (1 - s.example_d * eps**2))
    if 1 / s.example_d <= eps:
        assert s.example_fit >= s.example_d + 1
    assert f"at most {format_int(s.example_fit)} directions" in line
    if "barely more than" in line:
        assert s.example_fit <= 1.1 * s.example_d
    # n vectors within the band need d >= n / (1 - eps^2 + n eps^2) by the same bound
    welch_need = math.ceil(s.example_n / (1 - eps**2 + s.example_n * eps**2))
    assert s.example_need_d >= welch_need
    assert log10_max_vectors_in_band(s.example_need_d - 1, eps) < math.log10(s.example_n)
    assert f"at least {format_int(s.example_need_d)} dimensions" in line


def test_random_sentence(scene):
    s, line = scene.story, scene.lines["random_directions"]
    eps = _eps(s.tolerance_deg)
    beats = s.random_beats_basis_d
    if beats is None:
        assert "never beat a basis" in line
        assert _log10_random(scene.d_range[1], eps) <= math.log10(scene.d_range[1])
        return
    assert f"beyond {format_int(beats)} dimensions" in line
    assert _log10_random(beats - 1, eps) <= math.log10(beats - 1)
    for d in np.unique(np.geomspace(beats, scene.d_range[1], 60).astype(int)):
        assert _log10_random(int(d), eps) > math.log10(d)
    assert "e to the power d ε²/4" in line and "e to the power d ε²/2" in line


def test_built_sentence(scene):
    s, line = scene.story, scene.lines["built_directions"]
    eps = _eps(s.tolerance_deg)
    p = s.first_built_d // 2
    # p is the smallest prime with 1/sqrt(p) <= eps, i.e. p >= 1/eps^2
    assert all(p % f for f in range(2, int(p**0.5) + 1)) and p >= 1 / eps**2
    assert not any(all(q % f for f in range(2, int(q**0.5) + 1)) for q in range(math.ceil(1 / eps**2), p))
    count = 2 * p * (p + 1)
    assert f"With p = {format_int(p)}: {format_int(count)} directions in {format_int(2 * p)} dimensions" in line
    assert math.degrees(math.asin(1 / math.sqrt(p))) <= s.tolerance_deg  # "all within ±tol"
    ratio = 10 ** log10_max_vectors_in_band(2 * p, eps) / count
    assert ratio >= 1  # a theorem is never beaten
    if "only" in line:
        assert f"only {ratio:.1f} times larger" in line and ratio < 10
    if line.startswith("Random is not the best"):
        assert _log10_random(2 * p, eps) < math.log10(count)


def test_looser_sentence(scene):
    line = scene.lines["looser_tolerances"]
    if not scene.looser:
        return
    loose = scene.looser[-1]
    eps = _eps(loose)
    cross = scene.overtake_d[loose]
    if cross is None:
        assert "stay ahead" in line
        return
    assert f"from {format_int(cross)} dimensions on" in line
    # the built set is at least as large just before, the random one larger from there on
    assert _log10_random(cross - 1, eps) <= math.log10(_built_count(cross - 1, eps))
    for d in list(range(cross, cross + 400)) + [int(x) for x in np.geomspace(cross + 400, scene.d_range[1], 40)]:
        assert _log10_random(d, eps) > math.log10(_built_count(d, eps)), d


def test_transformer_sentence(scene):
    s, line = scene.story, scene.lines["gpt3_sizes"]
    eps = _eps(s.tolerance_deg)
    built = _built_count(s.d_model, eps)
    log_random = _log10_random(s.d_model, eps)
    assert f"{format_int(s.d_model)} dimensions per token vector and {format_int(s.d_mlp)} neurons" in line
    if math.log10(built) >= log_random:
        assert f"at least {format_int(built)} built directions" in line
        takeaway = scene.lines["takeaway"]
        for words, power in WORD_POWERS.items():
            if f": {words}." in line or f"hold {words} of directions" in takeaway:
                assert 10**power <= built < 10 ** (power + 1), words
        dev = re_float(line, r"each pair within ±([0-9.]+)°")
        c = C.best_construction(s.d_model, eps)
        assert abs(dev - math.degrees(math.asin(1 / math.sqrt(c.p)))) < 0.005 and dev <= s.tolerance_deg
    else:
        assert "random directions" in line
    top = int(re_float(line, r"No arrangement can pass 10\^(\d+)"))
    assert log10_max_vectors_in_band(s.d_model, eps) <= top
    if "room for more" in line:
        assert max(_log10_random(s.d_mlp, eps), math.log10(_built_count(s.d_mlp, eps))) > \
            max(log_random, math.log10(built))


def test_default_lecture_tells_the_gpt3_figures():
    s = prepared_scene(DimensionGrowth)
    line = s.lines["gpt3_sizes"]
    assert "75,485,186 built directions" in line and ": tens of millions" in line and "±0.73°" in line
    assert 10**7 <= 2 * 6143 * 6144 + 2 < 10**8
    assert "21,773,400 directions in 6,598 dimensions" in s.lines["built_directions"]
    assert "tens of millions of directions within ±1°" in s.lines["takeaway"]
    assert "at most 103 directions" in s.lines["proven_limit"] and "2,472" in s.lines["proven_limit"]


def re_float(text: str, pattern: str) -> float:
    import re

    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return float(match.group(1))


def test_curves_on_the_chart(scene):
    c = scene.main
    assert np.all(np.isfinite(c.log_upper))
    assert np.all(c.log_lower >= c.log_d - 1e-12)  # never below a basis
    assert np.all(c.log_upper >= c.log_lower - 1e-9)  # the band is never empty: nothing beats a theorem
    assert np.all(np.diff(c.log_upper) >= -1e-9)
    # the jump of the built curve is drawn upright: the dimension below the first built set is sampled too
    assert scene.story.first_built_d in c.dims or scene.story.first_built_d > c.dims[-1]
    # the lecture's widths lie on the sampled curves
    assert scene.story.d_model in c.dims and scene.story.d_mlp in c.dims
    # the chart is tall enough for what is known to fit at its right end and for the experiment's n
    assert scene.near_top_used >= max(c.log_lower[-1], math.log10(scene.story.example_n))


def test_describe_builds_its_line_from_the_lecture():
    assert "±1°" in DimensionGrowth.describe(DEFAULT_LECTURE) and "75,485,186" in DimensionGrowth.describe(
        DEFAULT_LECTURE)
    assert "±2°" in DimensionGrowth.describe(MARIE)
    assert "a small model" in DimensionGrowth.describe(SMALL) and "±5°" in DimensionGrowth.describe(SMALL)


def test_bad_layout_parameter_is_named():
    with pytest.raises(SceneParameterError, match=r"DimensionGrowth\.n_samples"):
        prepared_scene(DimensionGrowth, n_samples=5)
