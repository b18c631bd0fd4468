"""Nearly perpendicular directions: what the two superposition scenes compute (pure NumPy; no manim).

"Nearly perpendicular within ±t degrees" means every pair of directions makes an angle between ``90 - t``
and ``90 + t`` degrees, i.e. every pair has ``|cos| <= sin t`` (:func:`sin_deg`). Directions are lines
here: a direction and its opposite are the same line.

Low dimensions, counted exactly where that is possible:

* :func:`lines_in_plane` - the most lines of the plane within ±t of each other's perpendicular:
  ``floor(180 / (90 - t))`` (lines ``180/n`` degrees apart do it; any ``n`` lines leave two at most
  ``180/n`` degrees apart). Two for every ``t < 30``.
* :func:`lines_in_space` - in 3-D: the largest of three explicit arrangements (:func:`space_line_sets`:
  the axes, the cube's four diagonals, the icosahedron's six diagonals) that fits, and the upper bound
  of :func:`llmfacts.compute.superposition.max_vectors_in_band`. The two meet (the count is exact) below
  ±19.47° (three), at ±19.47° (four) and at ±26.57° (six): both diagonal sets meet Welch's bound.

Higher dimensions: :func:`best_arrangement` - the largest arrangement known for ``d`` dimensions (a basis,
a regular simplex, the Gauss-sum bases of :mod:`llmfacts.compute.constructions`, all built; or random
directions thinned by deletion, known to exist), kept apart from what random directions give as drawn and
from the proven limit. GPT-3's 12,288 dimensions hold 75,485,186 built directions within ±1°.

The high-dimensional story of :class:`~scenes.superposition_intro.NearlyPerpendicular` is gathered
per lecture by :func:`perpendicular_story` (called through :meth:`~llmfacts.compute.lecture.Lecture.cached`);
every sentence that scene speaks is decided by a field of this record. The experiment's record lives in
:mod:`llmfacts.compute.experiment_story`.

Example::

    >>> lines_in_plane(1.0), lines_in_plane(30.0)
    (2, 3)
    >>> lines_in_space(1.0)[:2], lines_in_space(27.0)[:2]
    ((3, 3), (6, 6))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "sin_deg",
    "deviation_deg",
    "max_abs_cos",
    "lines_in_plane",
    "plane_lines",
    "LineSet",
    "space_line_sets",
    "lines_in_space",
    "pairs_near_parallel",
    "share_within",
    "thin_evenly",
    "bound_deviation_deg",
    "Arrangement",
    "best_arrangement",
    "PerpendicularStory",
    "perpendicular_story",
]

#: Slack for comparisons of cosines computed in floating point (a set "fits" ±t if its |cos| is within it).
_FIT_SLACK = 1e-12


def sin_deg(deg: float) -> float:
    """The largest |cos| of a pair within ±``deg`` of perpendicular: ``sin(deg)`` (``cos(90° - deg)``)."""
    if not 0.0 <= deg <= 90.0:
        raise ValueError(f"deg must be in [0, 90], got {deg!r}")
    return 0.0 if deg == 0.0 else math.sin(math.radians(deg))


def deviation_deg(abs_cos: float) -> float:
    """How many degrees from 90° a pair with this |cos| is: ``asin(|cos|)`` in degrees."""
    return math.degrees(math.asin(min(1.0, abs(float(abs_cos)))))


def max_abs_cos(vectors: Any) -> float:
    """The largest |cos| over all pairs of the rows of ``vectors`` (normalised first), pair by pair."""
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError("need an (N, d) array with N >= 2")
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    g = np.abs(x @ x.T)
    np.fill_diagonal(g, 0.0)
    return float(g.max())


# ------------------------------------------------------------------------------------------------ the plane
def lines_in_plane(tolerance_deg: float) -> int:
    """The most lines through the origin of the plane with every pair within ±``tolerance_deg`` of 90°.

    Two lines make an angle in [0°, 90°]; nearly perpendicular asks for at least ``90 - t``. Lines at
    multiples of ``180/n`` degrees manage ``n`` whenever ``180/n >= 90 - t``; and ``n`` lines always leave
    two neighbours at most ``180/n`` apart. So the count is ``floor(180 / (90 - t))``.
    """
    if not 0.0 <= tolerance_deg < 90.0:
        raise ValueError(f"tolerance_deg must be in [0, 90), got {tolerance_deg!r}")
    return int(math.floor(180.0 / (90.0 - tolerance_deg) + 1e-9))


def plane_lines(count: int, start_deg: float = 0.0) -> np.ndarray:
    """``count`` unit vectors of the plane, ``180/count`` degrees apart starting at ``start_deg``: (count, 2)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    angles = np.radians(start_deg + 180.0 / count * np.arange(count))
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


# ------------------------------------------------------------------------------------------------ space
@dataclass(frozen=True)
class LineSet:
    """An explicit set of lines in 3-D: its name, unit vectors (rows), and the tolerance it needs."""

    name: str
    vectors: np.ndarray
    max_abs_cos: float

    @property
    def count(self) -> int:
        return len(self.vectors)

    @property
    def tolerance_deg(self) -> float:
        """The smallest ±t within which every pair lies."""
        return deviation_deg(self.max_abs_cos)

    def fits(self, tolerance_deg: float) -> bool:
        return self.max_abs_cos <= sin_deg(tolerance_deg) + _FIT_SLACK


def _unit_rows(rows: Sequence[Sequence[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def space_line_sets() -> tuple[LineSet, ...]:
    """Three arrangements of lines in 3-D, fewest first: the 3 axes (exactly perpendicular), the cube's 4
    diagonals (|cos| = 1/3, ±19.47°), the icosahedron's 6 diagonals (|cos| = 1/√5, ±26.57°). Their |cos| are
    measured pair by pair."""
    phi = (1.0 + math.sqrt(5.0)) / 2.0
    sets = {
        "axes": np.eye(3),
        "cube diagonals": _unit_rows([(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)]),
        "icosahedron diagonals": _unit_rows([(0, 1, phi), (0, -1, phi), (1, phi, 0), (-1, phi, 0),
                                             (phi, 0, 1), (phi, 0, -1)]),
    }
    return tuple(LineSet(name, v, max_abs_cos(v)) for name, v in sets.items())


def lines_in_space(tolerance_deg: float) -> tuple[int, int, LineSet]:
    """``(at least, at most, arrangement)`` for lines in 3-D within ±``tolerance_deg`` of perpendicular.

    *At least*: the largest of :func:`space_line_sets` that fits; *at most*: the bounds of
    :func:`~llmfacts.compute.superposition.max_vectors_in_band` (Welch, linear programming, cap packing).
    The count is exact when the two agree.
    """
    from llmfacts.compute.superposition import max_vectors_in_band

    if not 0.0 <= tolerance_deg < 90.0:
        raise ValueError(f"tolerance_deg must be in [0, 90), got {tolerance_deg!r}")
    best = max((s for s in space_line_sets() if s.fits(tolerance_deg)), key=lambda s: s.count)
    upper = max_vectors_in_band(3, sin_deg(tolerance_deg))
    return best.count, max(best.count, upper), best


# ------------------------------------------------------------------------------------------------ histograms
def pairs_near_parallel(counts: np.ndarray, edges_deg: np.ndarray, within_deg: float) -> int:
    """Pairs whose angle is within ``within_deg`` of 0° or of 180° (whole bins only).

    Both limits must fall on bin edges, so the count is exact rather than interpolated.
    """
    e = np.asarray(edges_deg, dtype=float)
    c = np.asarray(counts, dtype=float)
    if not (np.isclose(e, within_deg).any() and np.isclose(e, 180.0 - within_deg).any()):
        raise ValueError(f"{within_deg}° does not fall on a bin edge of the histogram")
    right = e[1:] <= within_deg + 1e-9
    left = e[:-1] >= 180.0 - within_deg - 1e-9
    return int(round(float(c[right | left].sum())))


def share_within(counts: np.ndarray, edges_deg: np.ndarray, deg: float) -> float:
    """Share of the pairs of a histogram whose angle lies within ±``deg`` of 90° (both limits on bin edges)."""
    e = np.asarray(edges_deg, dtype=float)
    c = np.asarray(counts, dtype=float)
    lo, hi = 90.0 - deg, 90.0 + deg
    if not (np.isclose(e, lo).any() and np.isclose(e, hi).any()):
        raise ValueError(f"90° ± {deg}° does not fall on bin edges of the histogram")
    inside = (e[:-1] >= lo - 1e-9) & (e[1:] <= hi + 1e-9)
    total = c.sum()
    return float(c[inside].sum() / total) if total else 0.0


def thin_evenly(items: Sequence[Any], at_most: int) -> list[Any]:
    """At most ``at_most`` of ``items``, evenly spread, always keeping the first and the last."""
    items = list(items)
    if at_most < 2:
        raise ValueError("at_most must be >= 2")
    if len(items) <= at_most:
        return items
    keep = np.unique(np.linspace(0, len(items) - 1, at_most).round().astype(int))
    return [items[k] for k in keep]


def bound_deviation_deg(n: int, d: int) -> tuple[float, float]:
    """``(Welch, linear programming)``: how far from 90° (degrees) some pair of any ``n`` unit vectors in ``d``
    dimensions must be, by :func:`~llmfacts.compute.superposition.welch_bound` and
    :func:`~llmfacts.compute.superposition.levenshtein_bound`."""
    from llmfacts.compute.superposition import levenshtein_bound, welch_bound

    return deviation_deg(welch_bound(n, d)), deviation_deg(levenshtein_bound(n, d))


# ------------------------------------------------------------------------------------------------ best known
@dataclass(frozen=True)
class Arrangement:
    """The largest set of directions known to fit ``d`` dimensions with every pair |cos| <= ``eps``.

    ``kind`` says how it is known: ``"basis"`` (the ``d`` axes), ``"simplex"`` (the ``d + 1`` corners of a
    regular simplex seen from its centre, |cos| = 1/d), ``"gauss"`` (the Gauss-sum mutually unbiased bases of
    :func:`llmfacts.compute.constructions.best_construction`) - all three *built*, counted exactly - or
    ``"random"`` (random directions with one of each pair outside the band deleted,
    :func:`llmfacts.compute.constructions.random_deletion_estimate`: such a set exists, its size is an
    expected value, not a built set).
    """

    d: int
    eps: float
    kind: str
    log10_count: float
    count: int | None  #: exact for the built kinds; ``None`` for ``"random"``

    @property
    def built(self) -> bool:
        return self.kind != "random"

    @property
    def beats_basis(self) -> bool:
        return self.log10_count > math.log10(self.d) + 1e-12


def best_arrangement(d: int, eps: float) -> Arrangement:
    """The largest of the arrangements :class:`Arrangement` knows for ``d`` dimensions and |cos| <= ``eps``
    (ties go to the built one, the simpler one first)."""
    from llmfacts.compute import constructions as cs

    d = int(d)
    if d < 2:
        raise ValueError("d must be >= 2")
    if not 0.0 <= eps < 1.0:
        raise ValueError("eps must be in [0, 1)")
    options = [Arrangement(d, eps, "basis", math.log10(d), d)]
    if 1.0 / d <= eps + _FIT_SLACK:
        options.append(Arrangement(d, eps, "simplex", math.log10(d + 1), d + 1))
    c = cs.best_construction(d, eps)
    if c is not None:
        options.append(Arrangement(d, eps, "gauss", c.log10_count, c.count))
    if eps > 0.0:
        options.append(Arrangement(d, eps, "random", cs.log10_random_deletion_estimate(d, eps), None))
    best = options[0]
    for a in options[1:]:  # strictly larger only: the built one stays ahead of an equal estimate
        if a.log10_count > best.log10_count + 1e-12:
            best = a
    return best


def _directed_count(log10_value: float, up: bool) -> int:
    """``10**log10_value`` rounded up or down to a whole number (below 10^15)."""
    value = 10 ** log10_value
    return int(math.ceil(value - 1e-9)) if up else int(math.floor(value + 1e-9))


# ------------------------------------------------------------------------------------------------ stories
@dataclass(frozen=True)
class PerpendicularStory:
    """The numbers of :class:`~scenes.superposition_intro.NearlyPerpendicular` for one lecture.

    Low dimensions (exact where ``*_lower == *_upper``); the experiment's dimension ``d``; the transformer's
    width ``wide_d``. At both, three things are kept apart: the proven limit (``log10_at_most_*``: no
    arrangement passes it), the best arrangement known (``known_*``: built, or random with deletion) and
    random directions kept as drawn (``log10_random_*``: about how many before a pair leaves the band,
    :func:`~llmfacts.compute.superposition.random_capacity_estimate`). Big counts are kept as log10.
    """

    tolerance_deg: float
    eps: float
    plane: int
    space_lower: int
    space_upper: int
    space_set: LineSet
    crowd: tuple[LineSet, ...]  #: the 3-D arrangements in order of the tolerance they need
    d: int
    log10_at_most_d: float
    known_d: Arrangement
    log10_random_d: float
    inv_eps2: float  #: 1/eps^2: the dimension scale on which random directions take off
    wide_d: int
    wide_name: str
    log10_at_most_wide: float
    known_wide: Arrangement
    log10_random_wide: float

    @property
    def band(self) -> tuple[float, float]:
        return 90.0 - self.tolerance_deg, 90.0 + self.tolerance_deg

    @property
    def space_exact(self) -> bool:
        return self.space_lower == self.space_upper

    @property
    def at_most_d(self) -> int | None:
        """The proven limit in ``d`` dimensions as a whole number (rounded down: counts are whole), or None
        beyond 10^15."""
        return _directed_count(self.log10_at_most_d, up=False) if self.log10_at_most_d < 15 else None

    @property
    def barely_more_at_d(self) -> bool:
        """No arrangement in ``d`` dimensions beats the ``d`` perpendicular directions by 10 % or more."""
        return self.log10_at_most_d < math.log10(1.1 * self.d)

    @property
    def random_below_basis_d(self) -> bool:
        """Random directions kept as drawn fit fewer than the ``d`` of a basis."""
        return self.log10_random_d < math.log10(self.d)

    @property
    def random_below_basis_wide(self) -> bool:
        return self.log10_random_wide < math.log10(self.wide_d)

    @property
    def random_takes_off_below_wide(self) -> bool:
        """The transformer's width is past 1/eps^2, where random directions start to beat a basis."""
        return self.wide_d > self.inv_eps2


def perpendicular_story(lecture: Any, wide_d: int | None = None) -> PerpendicularStory:
    """The story of nearly perpendicular directions for ``lecture`` (its superposition spec's tolerance and
    dimension; the growth at ``wide_d``, by default the width of the lecture's transformer)."""
    from llmfacts.compute import superposition as sp

    spec = lecture.superposition
    t = float(spec.tolerance_deg)
    eps = sin_deg(t)
    lower, upper, best = lines_in_space(t)
    wide = int(wide_d if wide_d is not None else lecture.transformer.d_model)
    d = int(spec.d)
    return PerpendicularStory(
        tolerance_deg=t, eps=eps, plane=lines_in_plane(t), space_lower=lower, space_upper=upper, space_set=best,
        crowd=tuple(sorted(space_line_sets(), key=lambda s: s.max_abs_cos)),
        d=d, log10_at_most_d=float(sp.log10_max_vectors_in_band(d, eps)), known_d=best_arrangement(d, eps),
        log10_random_d=float(sp.log10_random_capacity_estimate(d, eps)),
        inv_eps2=1.0 / (eps * eps),
        wide_d=wide, wide_name=str(lecture.transformer.name),
        log10_at_most_wide=float(sp.log10_max_vectors_in_band(wide, eps)), known_wide=best_arrangement(wide, eps),
        log10_random_wide=float(sp.log10_random_capacity_estimate(wide, eps)),
    )
