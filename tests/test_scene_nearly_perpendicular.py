"""NearlyPerpendicular: what it says follows the lecture's tolerance and is true, for the default lecture
(±1°), Marie Curie (±2°, 60-D) and lectures with looser slack (±22°: the cube's diagonals; ±30°: three lines
in the plane, six in space), checked against values derived here (brute force over line sets, the relative
bound written out, the probability that two random directions leave the band integrated here, the regular
simplex and the Gauss-sum count from a prime sieve of this file)."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.superposition_intro import NearlyPerpendicular, count_tex, count_words

CURIE = load_lecture("examples/marie_curie.py")
LECTURES = {
    "default": DEFAULT_LECTURE,
    "curie": CURIE,
    "loose22": DEFAULT_LECTURE.replace(superposition={"tolerance_deg": 22.0}),
    "loose30": DEFAULT_LECTURE.replace(superposition={"tolerance_deg": 30.0}),
}

PHI = (1 + math.sqrt(5)) / 2
SOLIDS = {  # the 3-D line sets, written out here
    "axes": [(1, 0, 0), (0, 1, 0), (0, 0, 1)],
    "cube diagonals": [(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)],
    "icosahedron diagonals": [(0, 1, PHI), (0, -1, PHI), (1, PHI, 0), (-1, PHI, 0), (PHI, 0, 1), (PHI, 0, -1)],
}


def worst_deviation(vectors) -> float:
    """How far from 90° the worst pair of lines is, pair by pair."""
    out = 0.0
    for u, v in itertools.combinations(vectors, 2):
        c = abs(sum(a * b for a, b in zip(u, v))) / math.sqrt(sum(a * a for a in u) * sum(b * b for b in v))
        out = max(out, math.degrees(math.asin(min(1.0, c))))
    return out


def plane_count(t: float) -> int:
    """Most evenly spaced lines of the plane whose closest pair is at least 90 - t apart (brute force)."""
    n = 2
    while 180.0 / (n + 1) >= 90.0 - t - 1e-9:
        n += 1
    return n


def space_count(t: float) -> int:
    """Most lines of the written-out solids that fit ±t (a lower end; exact below ±19.47° and at the solids)."""
    return max(len(v) for v in SOLIDS.values() if worst_deviation(v) <= t + 1e-9)


def relative_bound(d: int, t: float) -> int:
    """The relative (Welch) bound d (1 - e^2) / (1 - d e^2), rounded down to a whole count."""
    e2 = math.sin(math.radians(t)) ** 2
    assert d * e2 < 1
    return math.floor(d * (1 - e2) / (1 - d * e2) + 1e-12)


def random_bad_pair(d: int, t: float) -> float:
    """P(|cos| > sin t) for two random directions in d dims: the density of cos is (1 - x^2)^((d - 3) / 2),
    integrated on a fine grid here (in logs, so that large d does not underflow)."""
    x = np.linspace(-1, 1, 400_001)[1:-1]
    log_density = (d - 3) / 2 * np.log1p(-x * x)
    w = np.exp(log_density - log_density.max())
    return float(w[np.abs(x) > math.sin(math.radians(t))].sum() / w.sum())


def random_count(d: int, t: float) -> float:
    """How many random directions go in before one pair is expected to leave the band: N (N - 1) / 2 q = 1."""
    q = random_bad_pair(d, t)
    return 0.5 + math.sqrt(0.25 + 2 / q)


def largest_odd_prime_at_most(n: int) -> int:
    return max(k for k in range(3, n + 1) if all(k % f for f in range(2, int(k ** 0.5) + 1)))


def numbers(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


@pytest.fixture(scope="module", params=list(LECTURES))
def case(request):
    lecture = LECTURES[request.param]
    return request.param, lecture, prepared_scene(NearlyPerpendicular, lecture=lecture).lines


# -- low dimensions -----------------------------------------------------------------------------------------
def test_plane_and_space_follow_the_tolerance(case):
    key, lecture, lines = case
    t = lecture.superposition.tolerance_deg
    plane, space = plane_count(t), space_count(t)
    text = lines["allow_slack"]
    assert f"from {90 - t:g}° to {90 + t:g}°" in text and f"within {t:g}° of perpendicular" in text
    if plane == 2 and space == 3:
        assert "buys nothing: the counts stay at 2 and 3." in text
    elif plane == 2:
        assert f"The plane still holds only 2, but space now holds {space}." in text
    else:
        assert f"the plane now holds {plane} lines, and space {space}." in text
    assert {"default": (2, 3), "curie": (2, 3), "loose22": (2, 4), "loose30": (3, 6)}[key] == (plane, space)


def test_the_crowd_needs_more_slack_than_the_lecture(case):
    key, lecture, lines = case
    t = lecture.superposition.tolerance_deg
    text = lines["crowd_in"]
    later = {name: worst_deviation(v) for name, v in SOLIDS.items() if worst_deviation(v) > t + 1e-9}
    if not later:
        assert text == f"With slack this loose, space already holds {space_count(t)} of them."
        return
    for name, dev in later.items():
        # at the slack it needs, each solid is the most that fits (the relative bound in 3-D says so)
        assert f"within {dev:.1f} degrees the {len(SOLIDS[name])} {name} fit, and no more" in text
        assert relative_bound(3, dev + 1e-6) == len(SOLIDS[name])
    ico = worst_deviation(SOLIDS["icosahedron diagonals"])
    assert relative_bound(3, ico - 0.01) < 6  # so doubling the axes does take the icosahedron's slack
    assert f"Doubling space's 3 perpendicular arrows takes {ico:.1f} degrees of slack." in text
    assert "cube" in text if key in ("default", "curie") else "cube" not in text


# -- the experiment's dimension --------------------------------------------------------------------------------
def test_many_dimensions_says_the_limit_the_best_known_and_random(case):
    key, lecture, lines = case
    d, t = lecture.superposition.d, lecture.superposition.tolerance_deg
    eps = math.sin(math.radians(t))
    text = lines["many_dimensions"]
    rnd = random_count(d, t)
    if key in ("default", "curie"):
        limit = relative_bound(d, t)
        assert limit < 1.1 * d
        assert f"no arrangement of directions in {d} dimensions can pass {limit}, barely more than the {d}" in text
        # a regular simplex: d + 1 corners, |cos| 1/d, within the tolerance
        assert 1 / d <= eps
        assert f"the {d + 1} corners of a regular simplex" in text
        assert rnd < d
        assert f"do worse than perpendicular ones: about {round(rnd)} go in" in text
    else:
        assert "The computation says no" not in text
        assert f"reach about {count_words(math.log10(rnd))} before" in text
    if key == "loose22":  # Gauss-sum set for p = 47 (2p <= 100, 1/sqrt(47) <= sin 22°) plus 6 left-over axes
        p = largest_odd_prime_at_most(d // 2)
        assert 1 / math.sqrt(p) <= eps
        assert f"an explicit construction fits {format(2 * p * (p + 1) + d - 2 * p, ',')} directions" in text
    if key == "loose30":  # random directions thinned beat it: with q = P(bad pair), about 1/(2q) are left
        q = random_bad_pair(d, t)
        assert f"one of each bad pair thrown out: about {count_words(math.log10(1 / (2 * q) + 0.5), 'down')}" in text


def test_growth_keeps_random_and_best_arrangement_apart(case):
    key, lecture, lines = case
    t = lecture.superposition.tolerance_deg
    eps = math.sin(math.radians(t))
    wide = lecture.transformer.d_model
    text = lines["growth"]
    assert f"about {round(1 / eps ** 2):,} dimensions for {t:g}°" in text
    p = largest_odd_prime_at_most(wide // 2)
    built = 2 * p * (p + 1) + wide - 2 * p
    if key in ("default", "curie"):
        rnd = random_count(wide, t)
        assert rnd < wide
        assert f"random directions within {t:g}° number only about {round(rnd)}." in text
        assert 1 / math.sqrt(p) <= eps and 10_000_000 <= built < 100_000_000  # tens of millions, built
        assert f"explicit construction fits {built // 1_000_000} million directions within {t:g}°" in text
        said = numbers(text.split("can pass")[1])
        assert said and said[0] * 1e9 > built  # the proven limit lies above what is built
    else:
        # random directions thinned: at least e^(d eps^2 / 2) / 4 of them (q <= 2 e^(-d eps^2 / 2)), far past
        # the built set
        assert wide * eps * eps / 2 / math.log(10) - math.log10(4) > math.log10(built)
        assert "one of each bad pair thrown out" in text and "explicit construction" not in text
    first_random = text.index("Directions picked at random")
    assert first_random < text.index("The best arrangement known") < text.index("No arrangement at all can pass")


def test_describe_follows_the_lecture():
    line = NearlyPerpendicular.describe(DEFAULT_LECTURE)
    assert "within ±1°: 2 in the plane, 3 in space, at most 103 in 100-D" in line
    assert "75 million built in 12,288-D" in line
    loose = NearlyPerpendicular.describe(LECTURES["loose30"])
    assert "within ±30°: 3 in the plane, 6 in space" in loose and "random, thinned" in loose
    assert "±2°" in NearlyPerpendicular.describe(CURIE) and "in 60-D" in NearlyPerpendicular.describe(CURIE)


def test_count_formats_round_the_right_way():
    assert count_words(math.log10(103.11), "up") == "103"  # a whole count under a bound of 103.11
    assert count_words(math.log10(4.671e11), "up") == "468 billion"
    assert count_words(math.log10(7.548e7), "down") == "75 million"
    assert count_words(math.log10(9.33e15), "up") == "9.4 × 10^15"
    assert count_words(math.log10(4_518)) == "4,518"
    assert count_tex(math.log10(75_485_186), "down", 75_485_186) == "75{,}485{,}186"
    assert count_tex(math.log10(4.671e11), "up") == r"4.7 \times 10^{11}"
    assert count_tex(1510.36, "up") == r"2.3 \times 10^{1510}"


@pytest.mark.parametrize("key", ["loose22", "loose30"])
def test_runs_for_looser_lectures(key):
    assert dry_run(type("Loose", (NearlyPerpendicular,), {"lecture": LECTURES[key]})) > 10.0


@pytest.mark.parametrize(("attribute", "value"), [("radius", 3.0), ("tilt_deg", 10.0), ("turn_deg", -5.0)])
def test_layout_parameters_are_checked(attribute, value):
    with pytest.raises(SceneParameterError):
        prepared_scene(NearlyPerpendicular, **{attribute: value})
