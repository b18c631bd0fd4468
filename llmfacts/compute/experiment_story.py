"""The numbers of the superposition experiment's scene, per lecture (pure NumPy; no manim).

:func:`experiment_story` gathers, for one lecture, the two optimiser runs of
:class:`~scenes.experiment.PerpendicularityExperiment` (``lecture.experiment_run``: read from the disk cache
when present) and what they show; every sentence that scene speaks is decided by a field or predicate of
:class:`ExperimentStory` (called through :meth:`~llmfacts.compute.lecture.Lecture.cached`).

What is *proven* and what is *observed* are kept apart:

* proven: some pair of any ``n`` directions in ``d`` dimensions is at least :attr:`ExperimentStory.proven_deg`
  from 90° (the larger of the Welch and linear-programming bounds); so a tolerance below it is ruled out
  (:attr:`ExperimentStory.claim_excluded`);
* observed in this run: the optimiser's worst pair ends :attr:`ExperimentStory.final_half_width` from 90°;
  the share of pairs near 90° moves little (:attr:`ExperimentStory.bulk_barely_moves`); whether a better
  arrangement exists between the two numbers is open (:attr:`ExperimentStory.open_gap`);
* the classic loss: its share within the tolerance (:attr:`ExperimentStory.classic_looks_perfect`) and its
  nearly parallel pairs (:attr:`ExperimentStory.classic_bundles`), which a zoomed plot leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llmfacts.compute.perpendicular import bound_deviation_deg, pairs_near_parallel, thin_evenly

__all__ = ["ExperimentStory", "experiment_story", "half_within_deg", "GAP_SLACK_DEG"]

#: The run "reaches" the proven limit when its worst pair is within this many degrees of it.
GAP_SLACK_DEG = 0.05


def half_within_deg(stats: Any) -> float:
    """The half width of the narrowest band ``90° ± w`` (whole fine bins each side) that holds at least half
    of the pairs of ``stats`` (an :class:`~llmfacts.compute.superposition.AngleStats`): the median distance
    from 90°, rounded up to a fine bin."""
    fine = np.asarray(stats.fine_counts, dtype=np.int64)
    width = float(stats.fine_bin_deg)
    centre = int(round(90.0 / width))
    if fine.size != 2 * centre:
        raise ValueError("the fine histogram must cover 0°-180° symmetrically about 90°")
    left = np.cumsum(fine[:centre][::-1])  # pairs within k + 1 fine bins below 90°
    right = np.cumsum(fine[centre:])
    k = int(np.argmax(left + right >= stats.n_pairs / 2.0))
    return (k + 1) * width


@dataclass(frozen=True)
class ExperimentStory:
    """The numbers of :class:`~scenes.experiment.PerpendicularityExperiment` for one lecture."""

    n: int
    d: int
    tolerance_deg: float
    initial: Any  #: :class:`~llmfacts.compute.superposition.AngleStats` of the random start
    final: Any  #: ... after the optimiser that targets the worst pair
    snapshots: tuple[Any, ...]  #: thinned snapshots of that run (the first is the start, the last the end)
    total_steps: int
    welch_deg: float
    lp_deg: float
    share_initial: float  #: share of pairs within ±tolerance at the start
    share_final: float
    classic: Any  #: AngleStats after the classic loss
    classic_steps: int
    classic_share: float
    near_parallel_deg: float
    classic_parallel: int  #: pairs of the classic result within ``near_parallel_deg`` of 0° or 180°
    zoom_range_deg: tuple[float, float]
    classic_zoom_edges: np.ndarray
    classic_zoom_counts: np.ndarray
    half_width_initial: float  #: half of the random start's pairs lie within this many degrees of 90°

    # -- the bound and the run ------------------------------------------------------------------------------
    @property
    def n_pairs(self) -> int:
        return int(self.initial.n_pairs)

    @property
    def proven_deg(self) -> float:
        """Some pair of any ``n`` directions in ``d`` dimensions is at least this far from 90°."""
        return max(self.welch_deg, self.lp_deg)

    @property
    def proven_by(self) -> str:
        return "linear programming" if self.lp_deg >= self.welch_deg else "Welch"

    @property
    def initial_half_width(self) -> float:
        """How far from 90° the random start's worst pair is."""
        return float(self.initial.worst_deviation_deg)

    @property
    def final_half_width(self) -> float:
        """How far from 90° the optimised worst pair is."""
        return float(self.final.worst_deviation_deg)

    @property
    def gap_deg(self) -> float:
        """Degrees between the proven limit and this run's worst pair."""
        return self.final_half_width - self.proven_deg

    @property
    def open_gap(self) -> bool:
        """The run stops short of the proven limit: what lies between is not settled by these numbers."""
        return self.gap_deg > GAP_SLACK_DEG

    @property
    def claim_excluded(self) -> bool:
        """"Every pair within ±tolerance" is ruled out by the bounds."""
        return self.tolerance_deg < self.proven_deg

    @property
    def run_meets_tolerance(self) -> bool:
        """This run keeps every pair within ±tolerance."""
        return self.final_half_width <= self.tolerance_deg

    @property
    def tails_cut(self) -> bool:
        return self.final_half_width < self.initial_half_width

    @property
    def bulk_barely_moves(self) -> bool:
        """The share within ±tolerance changes by less than a quarter of itself (and 5 points)."""
        change = abs(self.share_final - self.share_initial)
        return change < 0.05 and change < 0.25 * max(self.share_initial, 1e-12)

    @property
    def mode_deg(self) -> float:
        """The centre of the fullest bin of the random start's histogram."""
        e = np.asarray(self.initial.edges_deg, dtype=float)
        k = int(np.argmax(self.initial.counts))
        return float((e[k] + e[k + 1]) / 2)

    # -- the classic loss -----------------------------------------------------------------------------------
    @property
    def classic_looks_perfect(self) -> bool:
        """The classic loss puts at least nine pairs in ten (of all pairs) within ±tolerance."""
        return self.classic_share >= 0.9

    @property
    def classic_parallel_share(self) -> float:
        return self.classic_parallel / float(self.classic.n_pairs)

    @property
    def classic_bundles(self) -> bool:
        """At least one pair in a hundred nearly parallel: the vectors gathered into bundles of near copies."""
        return self.classic_parallel_share >= 0.01

    @property
    def classic_shown(self) -> int:
        """Pairs the zoomed plot shows."""
        return int(np.asarray(self.classic_zoom_counts).sum())

    @property
    def classic_hidden(self) -> int:
        """Pairs the zoomed plot leaves out."""
        return int(self.classic.n_pairs) - self.classic_shown

    @property
    def classic_worst_deg(self) -> float:
        """How far from 90° the classic loss's worst pair is."""
        return float(self.classic.worst_deviation_deg)


def experiment_story(lecture: Any, near_parallel_deg: float = 10.0, zoom_range_deg: tuple[float, float] = (80.0, 100.0),
                     zoom_bin_deg: float = 0.25, max_snapshots: int = 30) -> ExperimentStory:
    """The experiment of ``lecture`` (its two runs, from the disk cache when present) and what they show."""
    spec = lecture.superposition
    run = lecture.experiment_run(spec.method)
    classic_run = lecture.experiment_run(spec.classic_method)
    classic = classic_run.final
    t = float(spec.tolerance_deg)
    welch_deg, lp_deg = bound_deviation_deg(spec.n, spec.d)
    lo, hi = zoom_range_deg
    zoom_edges, zoom_counts = classic.histogram(lo, hi, zoom_bin_deg)
    return ExperimentStory(
        n=int(spec.n), d=int(spec.d), tolerance_deg=t, initial=run.initial, final=run.final,
        snapshots=tuple(thin_evenly(run.snapshots, max_snapshots)) if run.snapshots else (),
        total_steps=max([s.step for s in run.snapshots] + [int(run.steps)]),
        welch_deg=welch_deg, lp_deg=lp_deg,
        share_initial=float(run.initial.share_within(t)), share_final=float(run.final.share_within(t)),
        classic=classic, classic_steps=int(classic_run.steps), classic_share=float(classic.share_within(t)),
        near_parallel_deg=float(near_parallel_deg),
        classic_parallel=pairs_near_parallel(classic.counts, classic.edges_deg, near_parallel_deg),
        zoom_range_deg=(float(lo), float(hi)), classic_zoom_edges=zoom_edges, classic_zoom_counts=zoom_counts,
        half_width_initial=half_within_deg(run.initial),
    )
