"""How many nearly perpendicular directions fit: what can be *built*, what *random* sets give, and the curves
and tables the growth story draws from them.

Two ways to show that many directions with every pair |cos| <= eps exist in d dimensions:

* **built** - an explicit arrangement: the ``p + 1`` mutually unbiased bases of C^p that Gauss sums give for
  an odd prime p (:func:`gauss_mub_complex`), written as real vectors of length 2p together with their
  i-multiples (:func:`gauss_mub_real`): ``2 p (p + 1)`` unit vectors in R^2p whose pairwise |cos| is at most
  ``1/sqrt(p)``.  :func:`best_construction` picks the largest prime that fits a dimension and a tolerance;
  p = 3,299 gives over 21 million directions in 6,598 dims, all within ±1 degree of perpendicular.
* **random** - the probabilistic method with deletion (:func:`random_deletion_estimate`): m random unit
  vectors have on average ``m (m - 1) / 2 * q`` pairs outside the band (q = :func:`~llmfacts.compute.
  superposition.random_pair_tail`); deleting one vector of each such pair leaves a set with none, and
  choosing m near 1/q keeps about ``1 / (2 q)`` - roughly ``e^(d eps^2 / 2)``.  (Random vectors kept as
  they are fit only about ``e^(d eps^2 / 4)``: :func:`~llmfacts.compute.superposition.random_capacity_estimate`.)

The built sets grow like d^2 / 2 once d is past about 2 / eps^2, the random ones exponentially in d eps^2,
so which is larger depends on the tolerance and the dimension (:func:`growth_point`).  Neither is known to be
the best arrangement; the proven limit above both is Levenshtein's bound
(:func:`~llmfacts.compute.superposition.log10_max_vectors_in_band`).

:func:`growth_curves`, :func:`growth_table` and :func:`growth_story` take a
:class:`~llmfacts.compute.lecture.Lecture` first so that scenes call them through ``lecture.cached(...)``.

This module never imports manim.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmfacts.compute.superposition import (
    log10_max_vectors_in_band,
    log10_random_capacity_estimate,
    log_random_pair_tail,
    max_vectors_in_band,
    min_dimension_for,
)

__all__ = [
    "is_prime",
    "largest_prime_at_most",
    "smallest_prime_at_least",
    "gauss_mub_complex",
    "gauss_mub_real",
    "mub_count",
    "mub_max_abs_cos",
    "Construction",
    "best_construction",
    "build_construction",
    "random_deletion_estimate",
    "log10_random_deletion_estimate",
    "tolerance_cos",
    "ToleranceCurves",
    "tolerance_curves",
    "GrowthPoint",
    "growth_point",
    "GrowthStory",
    "first_built_dimension",
    "random_beats_basis_from",
    "random_beats_built_from",
    "growth_curves",
    "growth_table",
    "growth_story",
]


# ------------------------------------------------------------------------------------------------------
# primes
# ------------------------------------------------------------------------------------------------------


def is_prime(n: int) -> bool:
    """Whether ``n`` is prime (trial division: the primes used here are below a million)."""
    n = int(n)
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    f = 3
    while f * f <= n:
        if n % f == 0:
            return False
        f += 2
    return True


def largest_prime_at_most(n: int, *, odd: bool = True) -> int | None:
    """The largest prime ``<= n`` (odd primes only unless ``odd=False``), or ``None`` if there is none."""
    lowest = 3 if odd else 2
    for k in range(int(n), lowest - 1, -1):
        if is_prime(k):
            return k
    return None


def smallest_prime_at_least(n: float, *, odd: bool = True) -> int:
    """The smallest prime ``>= n`` (odd primes only unless ``odd=False``)."""
    k = max(3 if odd else 2, math.ceil(n))
    while not is_prime(k):
        k += 1
    return k


# ------------------------------------------------------------------------------------------------------
# the Gauss-sum mutually unbiased bases
# ------------------------------------------------------------------------------------------------------


def _check_odd_prime(p: int) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not is_prime(int(p)) or int(p) == 2:
        raise ValueError(f"p must be an odd prime, got {p!r}")
    return int(p)


def gauss_mub_complex(p: int) -> np.ndarray:
    """The ``p + 1`` mutually unbiased bases of C^p for an odd prime ``p``, shape ``(p + 1, p, p)``
    (basis, vector, coordinate).

    Basis 0 is the standard basis; basis ``1 + a`` (a = 0 .. p-1) holds the quadratic-phase vectors
    ``u_ab(k) = w^(a k^2 + b k) / sqrt(p)``, ``w = e^(2 pi i / p)``, b = 0 .. p-1.  Within a basis the vectors
    are orthonormal; across bases ``|<u, v>| = 1/sqrt(p)`` exactly: against the standard basis every
    coordinate has modulus ``1/sqrt(p)``, and for ``a != a'`` the inner product is a Gauss sum
    ``(1/p) sum_k w^((a' - a) k^2 + (b' - b) k)`` of modulus ``sqrt(p) / p``.
    """
    p = _check_odd_prime(p)
    k = np.arange(p)
    out = np.zeros((p + 1, p, p), dtype=np.complex128)
    out[0] = np.eye(p)
    a = k[:, None, None]
    b = k[None, :, None]
    kk = k[None, None, :]
    phase = (a * kk * kk + b * kk) % p  # exact integers before the exponential
    out[1:] = np.exp(2j * np.pi * phase / p) / math.sqrt(p)
    return out


def gauss_mub_real(p: int, *, i_multiples: bool = True) -> np.ndarray:
    """The vectors of :func:`gauss_mub_complex` as real unit vectors of length ``2p``: ``u -> (Re u, Im u)``,
    and, with ``i_multiples``, also ``i u -> (-Im u, Re u)``; shape ``(mub_count(p, i_multiples), 2p)``.

    The real inner product of two such vectors is ``Re <u, v>``: at most ``|<u, v>| <= 1/sqrt(p)`` for vectors
    of different bases, and 0 within a basis (``<u, v> = 0``, so also ``Re <u, i v> = 0``) and between ``u``
    and ``i u`` (``Re i = 0``).  So every pair has ``|cos| <= 1/sqrt(p)``.
    """
    z = gauss_mub_complex(p).reshape(-1, p)
    parts = [np.concatenate([z.real, z.imag], axis=1)]
    if i_multiples:
        parts.append(np.concatenate([-z.imag, z.real], axis=1))
    return np.concatenate(parts, axis=0)


def mub_count(p: int, *, i_multiples: bool = True) -> int:
    """Number of real directions :func:`gauss_mub_real` gives: ``p (p + 1)``, doubled with the i-multiples."""
    p = _check_odd_prime(p)
    return (2 if i_multiples else 1) * p * (p + 1)


def mub_max_abs_cos(p: int) -> float:
    """The largest |cos| between two vectors of :func:`gauss_mub_real`: ``1/sqrt(p)``."""
    return 1.0 / math.sqrt(_check_odd_prime(p))


def tolerance_cos(tolerance_deg: float) -> float:
    """The largest |cos| a tolerance of ±``tolerance_deg`` around 90 degrees allows: ``sin(tolerance)``."""
    if not 0.0 <= tolerance_deg < 90.0:
        raise ValueError(f"tolerance_deg must be in [0, 90), got {tolerance_deg!r}")
    return math.sin(math.radians(tolerance_deg))


@dataclass(frozen=True)
class Construction:
    """A built set of directions in ``d`` dims: the Gauss-sum set for prime ``p`` in the first ``2p``
    coordinates, plus one basis vector of each of the ``d - 2p`` coordinates left over (perpendicular to
    everything else)."""

    d: int
    p: int

    @property
    def count(self) -> int:
        """``2 p (p + 1) + (d - 2p)`` directions."""
        return mub_count(self.p) + self.d - 2 * self.p

    @property
    def max_abs_cos(self) -> float:
        """The largest |cos| of any pair: ``1/sqrt(p)``."""
        return mub_max_abs_cos(self.p)

    @property
    def max_deviation_deg(self) -> float:
        """How far from 90 degrees the worst pair can be: ``arcsin(1/sqrt(p))``."""
        return math.degrees(math.asin(self.max_abs_cos))

    @property
    def log10_count(self) -> float:
        return math.log10(self.count)


def best_construction(d: int, max_abs_cos: float) -> Construction | None:
    """The largest Gauss-sum set that fits ``d`` dims with every |cos| <= ``max_abs_cos``: the largest odd
    prime p with ``2p <= d`` (more vectors *and* a smaller |cos| the larger p is), provided
    ``1/sqrt(p) <= max_abs_cos``; ``None`` if that prime is too small (or there is none).  A basis of the
    ``d`` coordinates is always there too; :meth:`Construction.count` already adds the coordinates left over."""
    if int(d) < 1:
        raise ValueError("d must be >= 1")
    if not 0.0 <= max_abs_cos < 1.0:
        raise ValueError("max_abs_cos must be in [0, 1)")
    p = largest_prime_at_most(int(d) // 2)
    if p is None or 1.0 / math.sqrt(p) > max_abs_cos:
        return None
    return Construction(int(d), p)


def build_construction(c: Construction) -> np.ndarray:
    """The vectors of ``c`` as a ``(c.count, c.d)`` float64 array (unit rows)."""
    core = gauss_mub_real(c.p)
    out = np.zeros((c.count, c.d))
    out[: len(core), : 2 * c.p] = core
    extra = c.d - 2 * c.p
    out[len(core):, 2 * c.p:] = np.eye(extra)
    return out


# ------------------------------------------------------------------------------------------------------
# random sets with deletion
# ------------------------------------------------------------------------------------------------------


def _deletion(d: int, max_abs_cos: float) -> tuple[float | None, float]:
    """``(value, ln value)`` of :func:`random_deletion_estimate` (value None beyond float's range)."""
    if int(d) < 1:
        raise ValueError("d must be >= 1")
    if not 0.0 <= max_abs_cos < 1.0:
        raise ValueError("max_abs_cos must be in [0, 1)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's quad warns about round-off deep in the tails
        log_q = log_random_pair_tail(int(d), max_abs_cos)
    if log_q > -30.0:
        q = math.exp(log_q)
        best = 1.0  # m = 1: a single vector, no pair
        centre = 1.0 / q + 0.5  # where m - m (m - 1) q / 2 peaks
        for m in {max(1, math.floor(centre)), max(1, math.ceil(centre))}:
            best = max(best, m - m * (m - 1) * q / 2.0)
        return best, math.log(best)
    # 1/(2q) + 1/2 + q/8: the last two terms are below 1e-13 of the first here
    log_v = -math.log(2.0) - log_q
    return (math.exp(log_v) if log_v < 700.0 else None), log_v


def random_deletion_estimate(d: int, max_abs_cos: float) -> float:
    """How many directions with every |cos| <= ``max_abs_cos`` a random set gives after deletion.

    Take m independent uniformly random unit vectors in ``d`` dims; a pair is *bad* with probability
    ``q = random_pair_tail(d, eps)``, so the expected number of bad pairs is ``m (m - 1) / 2 * q``.  Deleting
    one vector of each bad pair leaves a set with no bad pair and, on average, at least
    ``f(m) = m - m (m - 1) q / 2`` vectors; so *some* set of at least ``f(m)`` vectors exists.  Returned:
    the largest ``f(m)`` over whole m (m near ``1/q + 1/2``), about ``1 / (2 q) + 1/2``.  Since
    ``q <= 2 e^(-d eps^2 / 2)``, this grows at least like ``e^(d eps^2 / 2) / 4``: the square of what random
    vectors give without deletion (:func:`~llmfacts.compute.superposition.random_capacity_estimate`, about
    ``sqrt(2 / q)``).  ``inf`` beyond float's range; :func:`log10_random_deletion_estimate` never overflows.
    """
    v, _ = _deletion(d, max_abs_cos)
    return math.inf if v is None else v


def log10_random_deletion_estimate(d: int, max_abs_cos: float) -> float:
    """``log10`` of :func:`random_deletion_estimate`, computed in logs (finite at any size)."""
    return _deletion(d, max_abs_cos)[1] / math.log(10.0)


# ------------------------------------------------------------------------------------------------------
# the growth story: curves and tables
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToleranceCurves:
    """log10 of the counts against the dimension for one tolerance (arrays over ``dims``)."""

    tolerance_deg: float
    max_abs_cos: float
    dims: np.ndarray
    log_d: np.ndarray
    log_upper: np.ndarray  #: proven upper bound (Levenshtein's; ``inf`` where none is finite)
    log_built: np.ndarray  #: the larger of a basis (d) and the best Gauss-sum set
    log_random: np.ndarray  #: random set with deletion
    log_random_plain: np.ndarray  #: random vectors kept as they are (no deletion)

    @property
    def log_lower(self) -> np.ndarray:
        """What is known to fit: the larger of built and random."""
        return np.maximum(self.log_built, self.log_random)

    @property
    def built_wins(self) -> np.ndarray:
        """Where the built set is at least as large as the random one."""
        return self.log_built >= self.log_random


def _log10_built(d: int, eps: float) -> float:
    c = best_construction(d, eps)
    return max(math.log10(d), c.log10_count if c is not None else -math.inf)


def tolerance_curves(tolerance_deg: float, dims: Any) -> ToleranceCurves:
    """The counts of :class:`ToleranceCurves` for ±``tolerance_deg`` at each dimension of ``dims``."""
    eps = tolerance_cos(tolerance_deg)
    dims = np.asarray(dims, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's quad warns about round-off deep in the tails
        upper = np.array([log10_max_vectors_in_band(int(d), eps) for d in dims])
        rnd = np.array([log10_random_deletion_estimate(int(d), eps) for d in dims])
        plain = np.array([log10_random_capacity_estimate(int(d), eps) for d in dims])
    built = np.array([_log10_built(int(d), eps) for d in dims])
    return ToleranceCurves(float(tolerance_deg), eps, dims, np.log10(dims.astype(float)), upper, built, rnd, plain)


@dataclass(frozen=True)
class GrowthPoint:
    """Both ends of the range at one dimension and tolerance."""

    d: int
    tolerance_deg: float
    construction: Construction | None
    log_built: float  #: log10 of the larger of d and the construction's count
    log_random: float  #: log10 of :func:`random_deletion_estimate`
    log_random_plain: float  #: log10 of random vectors without deletion
    log_upper: float  #: log10 of the proven limit (Levenshtein's bound)

    @property
    def log_lower(self) -> float:
        return max(self.log_built, self.log_random)

    @property
    def best(self) -> str:
        """``"built"`` or ``"random"``: which gives the lower end."""
        return "built" if self.log_built >= self.log_random else "random"

    @property
    def built_count(self) -> int:
        """The built count exactly: the larger of d (a basis) and the construction's count."""
        return max(self.d, self.construction.count if self.construction is not None else 0)


def growth_point(d: int, tolerance_deg: float) -> GrowthPoint:
    eps = tolerance_cos(tolerance_deg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        upper = log10_max_vectors_in_band(int(d), eps)
        rnd = log10_random_deletion_estimate(int(d), eps)
        plain = log10_random_capacity_estimate(int(d), eps)
    return GrowthPoint(int(d), float(tolerance_deg), best_construction(d, eps), _log10_built(int(d), eps), rnd,
                       plain, upper)


def _dims(d_range: tuple[int, int], n_samples: int) -> np.ndarray:
    lo, hi = d_range
    return np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), n_samples)).astype(np.int64))


def growth_curves(lecture: Any, tolerances_deg: tuple[float, ...], d_range: tuple[int, int],
                  n_samples: int) -> tuple[ToleranceCurves, ...]:
    """The curves for each tolerance over ``n_samples`` dimensions spread evenly in log over ``d_range``, plus
    the dimensions where the curves jump or the story looks (the first built set of each tolerance and the
    one below it, the lecture's experiment and transformer widths), so that jumps are drawn upright and the
    marked points lie on the curves.  ``lecture`` is the first argument so that scenes can call this through
    ``lecture.cached``."""
    lo, hi = d_range
    extra = {lecture.superposition.d, lecture.transformer.d_model, lecture.transformer.d_mlp}
    for t in tolerances_deg:
        first = first_built_dimension(tolerance_cos(t))
        extra |= {first - 1, first}
    dims = np.union1d(_dims(d_range, n_samples), [d for d in extra if lo <= d <= hi])
    return tuple(tolerance_curves(t, dims) for t in tolerances_deg)


def first_built_dimension(max_abs_cos: float) -> int:
    """The smallest dimension in which a Gauss-sum set meets the tolerance: ``2p`` for the smallest odd prime
    ``p >= 1/eps^2`` (``1/sqrt(p) <= eps``)."""
    if not 0.0 < max_abs_cos < 1.0:
        raise ValueError("max_abs_cos must be in (0, 1)")
    p = smallest_prime_at_least(1.0 / max_abs_cos**2)
    while 1.0 / math.sqrt(p) > max_abs_cos:  # rounding right at the boundary
        p = smallest_prime_at_least(p + 1)
    return 2 * p


def _stays_ahead_from(gap, d_lo: int, d_hi: int, n_grid: int = 200) -> int | None:
    """The smallest d in [d_lo, d_hi] such that ``gap(d') > 0`` for every whole d' from d to the next of
    ``n_grid`` log-spaced checkpoints after the last checkpoint where ``gap <= 0`` (and at every later
    checkpoint); ``None`` if the last checkpoint has ``gap <= 0``.  The stretch between the two checkpoints
    is scanned d by d, so jumps inside it are found exactly."""
    grid = [int(g) for g in np.unique(np.round(np.logspace(math.log10(d_lo), math.log10(d_hi), n_grid)))]
    values = [gap(g) for g in grid]
    behind = [k for k, v in enumerate(values) if not v > 0]
    if not behind:
        return grid[0]
    k = behind[-1]
    if k == len(grid) - 1:
        return None
    for d in range(grid[k + 1] - 1, grid[k], -1):
        if not gap(d) > 0:
            return d + 1
    return grid[k] + 1


def random_beats_basis_from(tolerance_deg: float, d_max: int) -> int | None:
    """From which dimension (up to ``d_max``) the random set with deletion stays larger than a basis
    (:func:`log10_random_deletion_estimate` > log10 d), by :func:`_stays_ahead_from`; ``None`` if not by
    ``d_max``."""
    eps = tolerance_cos(tolerance_deg)
    return _stays_ahead_from(lambda d: log10_random_deletion_estimate(d, eps) - math.log10(d), 2, int(d_max))


def random_beats_built_from(tolerance_deg: float, d_max: int) -> int | None:
    """From which dimension (up to ``d_max``) the random set with deletion stays larger than the built one
    (the larger of a basis and :func:`best_construction`); ``None`` if not by ``d_max``."""
    eps = tolerance_cos(tolerance_deg)
    return _stays_ahead_from(lambda d: log10_random_deletion_estimate(d, eps) - _log10_built(d, eps), 2,
                             int(d_max))


def growth_table(lecture: Any, tolerances_deg: tuple[float, ...]) -> tuple[tuple[GrowthPoint, ...], ...]:
    """:func:`growth_point` at the lecture's transformer's embedding width and MLP width (rows), for each
    tolerance (columns)."""
    hp = lecture.transformer
    return tuple(tuple(growth_point(d, t) for t in tolerances_deg) for d in (hp.d_model, hp.d_mlp))


@dataclass(frozen=True)
class GrowthStory:
    """The numbers the growth story tells about the lecture's experiment and transformer."""

    tolerance_deg: float  #: the lecture's "nearly perpendicular"
    max_abs_cos: float
    example_d: int  #: the experiment's dimension
    example_n: int  #: and number of vectors
    example_fit: int  #: at most this many fit in example_d within the tolerance (proven limit)
    example_need_d: int  #: example_n vectors need at least this many dimensions within the tolerance
    rate_scale: float  #: 1 / eps^2
    first_built_d: int  #: smallest d where a Gauss-sum set meets the tolerance (2 p, p prime >= 1/eps^2)
    first_built: GrowthPoint  #: there
    random_beats_basis_d: int | None  #: from here on (up to d_max) random sets beat a basis
    model: GrowthPoint  #: at the transformer's embedding width, the lecture's tolerance
    mlp: GrowthPoint  #: at its MLP width
    model_name: str
    d_model: int
    d_mlp: int


def growth_story(lecture: Any, d_max: int = 100_000) -> GrowthStory:
    """The experiment's numbers (``lecture.superposition``: n, d, tolerance_deg) and the transformer's
    (``lecture.transformer``: d_model, d_mlp) for the growth story; crossings are looked for up to ``d_max``."""
    sup, hp = lecture.superposition, lecture.transformer
    eps = tolerance_cos(sup.tolerance_deg)
    first = first_built_dimension(eps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = int(max_vectors_in_band(sup.d, eps))
        need = int(min_dimension_for(sup.n, eps))
    return GrowthStory(
        tolerance_deg=float(sup.tolerance_deg), max_abs_cos=eps, example_d=int(sup.d), example_n=int(sup.n),
        example_fit=fit, example_need_d=need, rate_scale=1.0 / eps**2,
        first_built_d=first, first_built=growth_point(first, sup.tolerance_deg),
        random_beats_basis_d=random_beats_basis_from(sup.tolerance_deg, d_max),
        model=growth_point(hp.d_model, sup.tolerance_deg), mlp=growth_point(hp.d_mlp, sup.tolerance_deg),
        model_name=hp.name, d_model=int(hp.d_model), d_mlp=int(hp.d_mlp),
    )
