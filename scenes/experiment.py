"""Scene 13: 10,000 random 100-D vectors pushed apart; what the angle histogram really shows, and the bound.

Every figure comes from :mod:`llmfacts.compute.superposition`: the random vectors' angle statistics, the
snapshots of the optimisation (read from the cache :func:`~llmfacts.compute.superposition.run_experiment`
wrote; the parameters below are the ones it was run with, so the cache is hit), the Welch and
linear-programming (Levenshtein) bounds, and the outcome of the "classic" loss.

The story, beat by beat:

1. random directions already bunch up near 90°, but their worst pair is far from it;
2. an optimiser that targets the worst pair cuts the tails; the bulk cannot get narrower (its RMS cosine
   is held up by a bound), so the share of pairs within ±1° barely moves;
3. no arrangement at all can keep every pair within the Welch / LP limits, let alone within 89°-91°;
4. a loss that looks perfect on an 80°-100° plot gets there by collapsing many pairs to nearly
   parallel, which only the full 0°-180° axis (log scale) shows.

Render::

    .venv/bin/manim render -ql scenes/experiment.py PerpendicularityExperiment
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    ReplacementTransform,
    Text,
    Transform,
    VGroup,
    Write,
    linear,
)

from llmfacts import colors
from llmfacts.compute.superposition import (
    cos_to_deg,
    levenshtein_bound,
    run_experiment,
    welch_bound,
)
from llmfacts.formatting import format_degrees, format_int, format_percent
from llmfacts.mobjects import AngleHistogram
from llmfacts.mobjects.charts import nice_ceiling, rebin_counts
from llmfacts.story import StoryScene

__all__ = ["PerpendicularityExperiment", "pairs_near_parallel"]

FONT = 24
SMALL = 20
PANEL_X = 2.45  # left edge of the text at the right of the plot
PLOT_LEFT, PLOT_RIGHT = -5.75, 1.95  # x extent of the plotting area
PLOT_BOTTOM = -2.75  # y of the x axis
TALL, SHORT = 4.6, 3.55  # plot heights: alone, and with the ladder of intervals above it
LADDER_TOP, LADDER_GAP = 2.75, 0.42


# ------------------------------------------------------------------------------------------------------
# small pure helpers
# ------------------------------------------------------------------------------------------------------


def pairs_near_parallel(counts: np.ndarray, edges_deg: np.ndarray, within_deg: float) -> int:
    """Pairs whose angle is within ``within_deg`` of 0° or of 180° (whole fine bins only).

    Both limits must fall on bin edges, so the count is exact rather than interpolated.
    """
    e = np.asarray(edges_deg, dtype=float)
    c = np.asarray(counts, dtype=float)
    lo_edge = np.isclose(e, within_deg).any()
    hi_edge = np.isclose(e, 180.0 - within_deg).any()
    if not (lo_edge and hi_edge):
        raise ValueError(f"{within_deg}° does not fall on a bin edge of the histogram")
    right = e[1:] <= within_deg + 1e-9
    left = e[:-1] >= 180.0 - within_deg - 1e-9
    return int(round(float(c[right | left].sum())))


def _text(s: str, font_size: float = FONT, color: str = colors.TEXT) -> Text:
    return Text(s, font_size=font_size, color=color)


class _Panel(VGroup):
    """Rows of ``label`` over ``value`` at the right of the plot; a value can be replaced in place."""

    def __init__(self, rows: list[tuple[str, str, str]], top: float = 1.7, gap: float = 0.8):
        super().__init__()
        self.labels: list[Text] = []
        self.values: list[Text] = []
        self.rows: list[VGroup] = []
        for k, (label, value, color) in enumerate(rows):
            lab = _text(label, SMALL, colors.TEXT_DIM).move_to([PANEL_X, top - k * gap, 0], aligned_edge=LEFT)
            val = _text(value, FONT, color).next_to(lab, DOWN, buff=0.08, aligned_edge=LEFT)
            self.labels.append(lab)
            self.values.append(val)
            self.rows.append(VGroup(lab, val))
            self.add(lab, val)

    def set_value(self, k: int, value: str) -> None:
        old = self.values[k]
        old.become(_text(value, FONT, old.get_color()).move_to(old, aligned_edge=LEFT))


def _interval(hist: AngleHistogram, lo: float, hi: float, y: float, color: str, label: str) -> VGroup:
    """One rung of the ladder above the plot: a bar from ``lo`` to ``hi`` degrees with end ticks, faint
    guides down to the x axis, and a label at the right of the plot."""
    x0, x1 = hist.angle_to_point(lo)[0], hist.angle_to_point(hi)[0]
    bar = Line([x0, y, 0], [x1, y, 0], color=color, stroke_width=4)
    ticks = VGroup(*(Line([x, y - 0.1, 0], [x, y + 0.1, 0], color=color, stroke_width=4) for x in (x0, x1)))
    base = hist.angle_to_point(lo)[1]
    guides = VGroup(*(DashedLine([x, y - 0.1, 0], [x, base, 0], color=color, stroke_width=1.5,
                                 stroke_opacity=0.6, dash_length=0.08) for x in (x0, x1)))
    text = _text(label, SMALL, color).move_to([PANEL_X, y, 0], aligned_edge=LEFT)
    group = VGroup(guides, bar, ticks, text)
    group.bar, group.text = VGroup(bar, ticks), text  # type: ignore[attr-defined]
    return group


class PerpendicularityExperiment(StoryScene):
    """The angle histogram of many random unit vectors, its optimisation, the bounds, and a misleading plot.

    Parameters (class attributes; the run is cached by :func:`run_experiment` under exactly these):

    * ``n``, ``d`` - how many vectors, and their dimension (10,000 in 100-D).
    * ``method`` - optimiser that pushes the worst pairs apart (``"spherical"``).
    * ``opt_steps`` - its number of steps (``None``: the compute module's default).
    * ``seed`` - seed of the random start (shared by both runs).
    * ``snapshot_every`` - steps between stored histograms of the run (what the animation plays).
    * ``classic_method``, ``classic_steps``, ``classic_snapshot_every`` - the simple "penalise every
      cosine" loss shown at the end (its snapshots are not shown; the setting only has to match the
      cached run).
    * ``display_bin_deg`` - width of the drawn bars over 0°-180°.
    * ``zoom_range_deg``, ``zoom_bin_deg`` - the narrow x range on which the classic loss looks perfect,
      and its bar width.
    * ``device`` - where the spherical run is computed (``None``: CUDA when present); part of the cache key,
      so "cpu" matches the cached run whatever machine renders.
    * ``near_parallel_deg`` - how close to 0° or 180° counts as "nearly parallel" (on a 0.5° bin edge).
    * ``max_snapshots`` - at most this many snapshots are animated (evenly thinned).
    """

    steps = ("random_vectors", "random_extremes", "optimise", "final_and_bounds", "the_claim",
             "classic_zoomed", "classic_full_range", "lesson")
    summary = "10,000 random 100-D vectors optimised: the angle histogram, its real extremes and the bound"

    n: int = 10_000
    d: int = 100
    method: str = "spherical"
    opt_steps: int | None = None  # (``steps`` is the list of beats)
    seed: int = 0
    snapshot_every: int | None = 10
    classic_method: str = "classic"
    classic_steps: int | None = None
    classic_snapshot_every: int | None = 10
    display_bin_deg: float = 1.0
    zoom_range_deg: tuple[float, float] = (80.0, 100.0)
    zoom_bin_deg: float = 0.25
    device: str | None = "cpu"
    near_parallel_deg: float = 10.0
    max_snapshots: int = 30
    claim_band_deg: tuple[float, float] = (89.0, 91.0)

    # -- computation --------------------------------------------------------------------------------------
    def prepare(self) -> None:
        run = run_experiment(n=self.n, d=self.d, method=self.method, steps=self.opt_steps, seed=self.seed,
                             snapshot_every=self.snapshot_every, cache=True, progress=True,
                             device=self.device)
        self.run = run
        self.initial, self.final = run.initial, run.final
        snaps = list(run.snapshots)
        if len(snaps) > self.max_snapshots:
            keep = np.unique(np.linspace(0, len(snaps) - 1, self.max_snapshots).round().astype(int))
            snaps = [snaps[k] for k in keep]
        self.snapshots = snaps
        self.total_steps = max([s.step for s in run.snapshots] + [0])
        self.edges = np.asarray(self.initial.edges_deg, dtype=float)

        self.welch_cos = float(welch_bound(self.n, self.d))
        self.lp_cos = float(levenshtein_bound(self.n, self.d))
        self.welch_deg = float(90.0 - cos_to_deg(self.welch_cos))  # some pair is at least this far from 90°
        self.lp_deg = float(90.0 - cos_to_deg(self.lp_cos))
        self.best_bound_deg = max(self.welch_deg, self.lp_deg)
        self.final_half_width = max(90.0 - self.final.min_angle_deg, self.final.max_angle_deg - 90.0)
        self.claim_half_width = (self.claim_band_deg[1] - self.claim_band_deg[0]) / 2
        self.claim_share_initial = float(self.initial.share_within(self.claim_half_width))
        self.claim_share_final = float(self.final.share_within(self.claim_half_width))
        # the bulk cannot get narrower: sum of cos^2 over pairs >= N^2/d - N, i.e. RMS cos >= the Welch value
        self.rms_initial, self.rms_final = float(self.initial.rms_cos), float(self.final.rms_cos)

        classic = run_experiment(n=self.n, d=self.d, method=self.classic_method, steps=self.classic_steps,
                                 seed=self.seed, snapshot_every=self.classic_snapshot_every, cache=True,
                                 progress=True)
        self.classic = classic.final
        self.classic_share = float(self.classic.share_within(self.claim_half_width))
        self.classic_parallel = pairs_near_parallel(self.classic.counts, self.classic.edges_deg,
                                                    self.near_parallel_deg)
        self.classic_parallel_share = self.classic_parallel / float(self.classic.n_pairs)
        lo, hi = self.zoom_range_deg
        self.classic_zoom_edges, self.classic_zoom_counts = self.classic.histogram(lo, hi, self.zoom_bin_deg)
        self.classic_hidden = self.classic.n_pairs - int(self.classic_zoom_counts.sum())  # left out by the zoom
        self.classic_zoom_top = float(self.classic_zoom_counts.max())

        # y axes fixed for the whole optimisation
        all_counts = [self.initial.counts, self.final.counts] + [s.counts for s in self.snapshots]
        top = max(float(rebin_counts(c, self.edges, display_bin_deg=self.display_bin_deg)[0].max())
                  for c in all_counts)
        self.y_max_linear = nice_ceiling(top * 1.05)
        self.y_max_log = 10.0 ** math.ceil(math.log10(top + 1))

    # -- helpers ------------------------------------------------------------------------------------------
    def _hist(self, counts, *, x_range=(0.0, 180.0), log_scale=False, y_max=None, display_bin_deg=None,
              x_step=30, height=TALL, bar_color=colors.OTHER_CONCEPT, edges=None) -> AngleHistogram:
        if y_max is None:
            y_max = self.y_max_log if log_scale else self.y_max_linear
        h = AngleHistogram(counts, self.edges if edges is None else edges, x_range=x_range, log_scale=log_scale,
                           y_max=y_max,
                           display_bin_deg=display_bin_deg if display_bin_deg is not None else self.display_bin_deg,
                           width=PLOT_RIGHT - PLOT_LEFT, height=height, x_step=x_step,
                           y_label="pairs (log scale)" if log_scale else "pairs of vectors",
                           bar_color=bar_color, font_size=18)
        h.shift(np.array([PLOT_LEFT, PLOT_BOTTOM, 0.0]) - h.angle_to_point(x_range[0]))
        return h

    def _extreme_marks(self, hist: AngleHistogram, lo: float, hi: float, labels: bool = True,
                       color: str = colors.HIGHLIGHT, height: float = 0.55) -> VGroup:
        return VGroup(
            hist.mark_angle(lo, format_degrees(lo) if labels else None, color, label_height=height, font_size=SMALL),
            hist.mark_angle(hi, format_degrees(hi) if labels else None, color, label_height=height, font_size=SMALL),
        )

    def _title(self, s: str) -> Text:
        return _text(s, 30).to_edge(UP, buff=0.3)

    def _rung(self, k: int) -> float:
        return LADDER_TOP - k * LADDER_GAP

    # -- steps --------------------------------------------------------------------------------------------
    def random_vectors(self):
        s = self.initial
        t = self.narrate(f"Draw {s.n:,} random directions in {s.d} dimensions and measure the angle between "
                         f"every pair: {s.n_pairs:,} angles. Chance alone piles them up around 90 degrees.")
        title = self._title(f"{s.n:,} random directions in {s.d} dimensions")
        hist = self._hist(s.counts)
        panel = _Panel([
            ("pairs", format_int(s.n_pairs), colors.TEXT),
            (f"within {self.claim_band_deg[0]:g}°–{self.claim_band_deg[1]:g}°",
             format_percent(self.claim_share_initial), colors.TEXT),
            ("worst pair", f"{format_degrees(s.min_angle_deg)} / {format_degrees(s.max_angle_deg)}", colors.HIGHLIGHT),
            ("optimiser step", f"0 of {self.total_steps:,}", colors.TEXT),
        ])
        self.play(Write(title), Create(hist.axes), FadeIn(hist.x_labels), FadeIn(hist.y_labels),
                  FadeIn(hist.titles), run_time=1.5)
        self.play(FadeIn(hist.bars, shift=UP * 0.3), run_time=1.5)
        self.play(FadeIn(panel.rows[0]), FadeIn(panel.rows[1]), run_time=1.0)
        self.wait(max(0.5, t - 4.0))
        self.title, self.hist, self.panel = title, hist, panel

    def random_extremes(self):
        s = self.initial
        t = self.narrate(f"Yet the worst pairs are far from perpendicular, at {s.min_angle_deg:.0f} and "
                         f"{s.max_angle_deg:.0f} degrees. One pair is far too few to show up as a bar.")
        marks = self._extreme_marks(self.hist, s.min_angle_deg, s.max_angle_deg)
        self.play(Create(marks[0][0]), Create(marks[1][0]), run_time=1.0)
        self.play(FadeIn(marks[0][1]), FadeIn(marks[1][1]), FadeIn(self.panel.rows[2]), run_time=1.0)
        self.wait(max(0.5, t - 2.0))
        self.marks = marks

    def optimise(self):
        t = self.narrate("Now an optimiser nudges all the vectors to push the worst pairs apart. On a log "
                         "scale the rare pairs in the tails show up, and they shrink away, while the bulk in "
                         "the middle hardly changes.")
        first = self.snapshots[0] if self.snapshots else None
        log_hist = self._hist(first.counts if first is not None else self.initial.counts, log_scale=True)
        marks = self._extreme_marks(log_hist, self.initial.min_angle_deg, self.initial.max_angle_deg, labels=False)
        title = self._title("pushing the worst pairs apart")
        self.play(ReplacementTransform(self.hist, log_hist), ReplacementTransform(self.marks, marks),
                  FadeIn(self.panel.rows[3]), ReplacementTransform(self.title, title), run_time=1.5)
        self.hist, self.marks, self.title = log_hist, marks, title
        panel = self.panel
        per_snapshot = max(0.15, min(0.4, (t - 2.5) / max(1, len(self.snapshots))))
        for snap in self.snapshots:
            new_marks = self._extreme_marks(log_hist, snap.min_angle_deg, snap.max_angle_deg, labels=False)
            panel.set_value(3, f"{snap.step:,} of {self.total_steps:,}")
            panel.set_value(1, format_percent(snap.share_within_1deg))
            panel.set_value(2, f"{format_degrees(snap.min_angle_deg)} / {format_degrees(snap.max_angle_deg)}")
            self.play(log_hist.update_counts(snap.counts), Transform(marks, new_marks),
                      run_time=per_snapshot, rate_func=linear)
        self.wait(max(0.5, t - 1.5 - per_snapshot * len(self.snapshots)))

    def final_and_bounds(self):
        f = self.final
        t = self.narrate(f"After the run every pair lies within {self.final_half_width:.1f} degrees of 90. Can "
                         f"any arrangement do much better? Two theorems say no: some pair must be "
                         f"{self.welch_deg:.1f} degrees off (Welch), in fact {self.lp_deg:.1f} (a "
                         f"linear-programming bound).")
        span = 30.0
        zoom = self._hist(f.counts, x_range=(90.0 - span, 90.0 + span), log_scale=True, display_bin_deg=0.5,
                          x_step=10, height=SHORT)
        run_rung = _interval(zoom, f.min_angle_deg, f.max_angle_deg, self._rung(0), colors.HIGHLIGHT,
                             f"this run: all within ±{self.final_half_width:.1f}°")
        lp_rung = _interval(zoom, 90 - self.lp_deg, 90 + self.lp_deg, self._rung(1), colors.WARNING,
                            f"LP: some pair ≥ {self.lp_deg:.2f}° off")
        welch_rung = _interval(zoom, 90 - self.welch_deg, 90 + self.welch_deg, self._rung(2), colors.WARNING,
                               f"Welch: some pair ≥ {self.welch_deg:.2f}° off")
        bulk = _Panel([
            (f"within {self.claim_band_deg[0]:g}°–{self.claim_band_deg[1]:g}°",
             f"{format_percent(self.claim_share_final)}  (start: {format_percent(self.claim_share_initial)})",
             colors.TEXT),
            ("RMS cosine (bulk width)", f"{self.rms_final:.4f}  (start: {self.rms_initial:.4f})", colors.TEXT),
            ("no arrangement gets below", f"{self.welch_cos:.4f}", colors.WARNING),
        ], top=0.5, gap=0.8)
        title = self._title(f"how close to 90° can {self.n:,} directions stay?")
        self.play(FadeOut(self.marks), FadeOut(self.panel), ReplacementTransform(self.title, title),
                  ReplacementTransform(self.hist, zoom), run_time=1.5)
        self.title = title
        self.play(FadeIn(run_rung), run_time=1.0)
        self.play(FadeIn(welch_rung), run_time=1.0)
        self.play(FadeIn(lp_rung), run_time=1.0)
        self.play(FadeIn(bulk), run_time=1.0)
        self.wait(max(0.5, t - 5.5))
        self.hist, self.rungs, self.bulk = zoom, VGroup(run_rung, lp_rung, welch_rung), bulk

    def the_claim(self):
        lo, hi = self.claim_band_deg
        t = self.narrate(f"So every pair between {lo:g} and {hi:g} degrees is impossible here. The computation "
                         f"gives {format_percent(self.claim_share_final)} of pairs in that band, and a worst pair "
                         f"{self.final_half_width:.1f} degrees off.")
        claim = _interval(self.hist, lo, hi, self._rung(3), colors.WARNING, f"claimed: all within ±{(hi - lo) / 2:g}°")
        cross = Line(claim.text.get_left() + LEFT * 0.05, claim.text.get_right() + RIGHT * 0.05,
                     color=colors.WARNING, stroke_width=3)
        verdict = _text("impossible", SMALL, colors.WARNING).next_to(claim.text, DOWN, buff=0.1, aligned_edge=LEFT)
        self.play(FadeIn(claim), run_time=1.0)
        self.play(Create(cross), FadeIn(verdict), run_time=1.0)
        self.play(Indicate(self.bulk.values[0], color=colors.HIGHLIGHT), run_time=1.0)
        self.wait(max(0.5, t - 3.0))
        self.claim = VGroup(claim, cross, verdict)

    def classic_zoomed(self):
        lo, hi = self.zoom_range_deg
        t = self.narrate(f"Where could that picture come from? A simpler loss, penalising every cosine above a "
                         f"small threshold, puts {format_percent(self.classic_share)} of pairs between "
                         f"{self.claim_band_deg[0]:g} and {self.claim_band_deg[1]:g} degrees. On a plot from "
                         f"{lo:g} to {hi:g} degrees it looks perfect.")
        zoom = self._hist(self.classic_zoom_counts, x_range=self.zoom_range_deg, log_scale=False,
                          y_max=nice_ceiling(self.classic_zoom_top * 1.05), display_bin_deg=self.zoom_bin_deg,
                          x_step=5, bar_color=colors.DATA, edges=self.classic_zoom_edges)
        title = self._title(f"another loss, drawn from {lo:g}° to {hi:g}°")
        share = _Panel([(f"within {self.claim_band_deg[0]:g}°–{self.claim_band_deg[1]:g}°",
                         format_percent(self.classic_share), colors.TEXT)], top=1.2)
        self.play(FadeOut(self.claim), FadeOut(self.rungs), FadeOut(self.bulk), FadeOut(self.hist),
                  FadeOut(self.title), run_time=1.0)
        self.play(Write(title), FadeIn(zoom), run_time=1.5)
        self.play(FadeIn(share), run_time=0.8)
        self.wait(max(0.5, t - 3.3))
        self.hist, self.title, self.share = zoom, title, share

    def classic_full_range(self):
        c = self.classic
        t = self.narrate(f"On the full axis, with a log scale: {format_int(self.classic_parallel)} pairs are within "
                         f"{self.near_parallel_deg:g} degrees of parallel or opposite. The vectors clumped into "
                         f"bundles of near copies, which the narrow plot left out.")
        full = self._hist(c.counts, log_scale=True, bar_color=colors.DATA, edges=c.edges_deg,
                          y_max=10.0 ** math.ceil(math.log10(float(np.max(c.counts)) + 1)))
        edges = full.display_edges
        near = VGroup(*(bar for k, bar in enumerate(full.bars)
                        if edges[k + 1] <= self.near_parallel_deg + 1e-9
                        or edges[k] >= 180.0 - self.near_parallel_deg - 1e-9))
        left = full.shade_band(0.0, self.near_parallel_deg, colors.WARNING, opacity=0.15)
        right = full.shade_band(180.0 - self.near_parallel_deg, 180.0, colors.WARNING, opacity=0.15)
        title = self._title("the same result, 0° to 180°, log scale")
        lo, hi = self.zoom_range_deg
        hidden = _Panel([(f"pairs ≤ {self.near_parallel_deg:g}° from 0° or 180°",
                          format_int(self.classic_parallel), colors.WARNING),
                         (f"pairs the {lo:g}°–{hi:g}° plot left out", format_int(self.classic_hidden),
                          colors.WARNING)],
                        top=1.2 - 0.8)
        self.play(ReplacementTransform(self.hist, full), ReplacementTransform(self.title, title), run_time=2.0)
        bands = VGroup(left, right).set_fill(opacity=0.0)
        self.add(bands)
        self.bring_to_back(bands)  # behind the bars
        self.play(bands.animate.set_fill(opacity=0.15), near.animate.set_fill(colors.WARNING), run_time=0.8)
        self.play(FadeIn(hidden), run_time=0.8)
        self.play(Indicate(hidden.values[0], color=colors.WARNING), run_time=1.0)
        self.wait(max(0.5, t - 4.6))
        self.hist, self.title, self.hidden = full, title, VGroup(left, right, hidden)

    def lesson(self):
        t = self.narrate("A lesson in reading plots: before trusting the middle of a histogram, look at the "
                         "whole axis.")
        card = _text("check the whole axis before trusting the middle", FONT, colors.HIGHLIGHT)
        card.next_to(self.title, DOWN, buff=0.25)
        self.play(FadeIn(card, shift=DOWN * 0.2), run_time=1.0)
        self.wait(max(0.5, t - 1.0))
