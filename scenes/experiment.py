"""Scene 13: many random directions pushed toward perpendicular; what the angle histogram really shows, what
is proven, and what a zoomed plot hides.

Every number comes from :func:`llmfacts.compute.experiment_story.experiment_story` (through
``self.lecture.cached``): the lecture's two optimiser runs (``lecture.experiment_run``, read from the disk
cache when present), the bounds, and what they show. The sentences are built from those values and branched
on the story's predicates (:meth:`PerpendicularityExperiment.narration`).

The story, one idea a beat:

1. random directions pile up near 90°; 2. on a log scale single pairs show, and the worst are far off;
3. an optimiser that targets the worst pair cuts the tails; 4. the middle barely moves (an observation of
this run); 5. a proof forces some pair at least the proven limit off 90°; 6. between that limit and this
run's worst pair is open; 7. so the lecture's tolerance is ruled out (or not); 8. the reference video's
"classic" loss looks perfect from 80° to 100°; 9. the whole axis shows its near-parallel bundles; 10. read
the whole axis.

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
    DashedVMobject,
    FadeIn,
    FadeOut,
    Line,
    Rectangle,
    ReplacementTransform,
    Transform,
    VGroup,
    Write,
    linear,
)

from llmfacts import colors, style
from llmfacts.compute.experiment_story import ExperimentStory, experiment_story
from llmfacts.compute.lecture import Lecture, LectureError
from llmfacts.compute.perpendicular import bound_deviation_deg
from llmfacts.formatting import format_degrees, format_int, format_percent
from llmfacts.mobjects import AngleHistogram
from llmfacts.mobjects.charts import rebin_counts
from llmfacts.story import Float, Int, SceneParameterError, StoryScene

__all__ = ["PerpendicularityExperiment", "EXPERIMENT_ATTRIBUTES", "zoom_span"]

#: Class attributes a subclass may set to shrink the experiment (tests) -> the superposition field they set.
EXPERIMENT_ATTRIBUTES = {"n": "n", "d": "d", "opt_steps": "steps", "classic_steps": "classic_steps"}

PLOT_LEFT, PLOT_WIDTH = -5.3, 10.6
PLOT_BOTTOM, PLOT_HEIGHT = -2.2, 4.2
TAG_Y = 2.45  # labels above the plot
RUN_COLOR = colors.HIGHLIGHT  # the worst pair of the run shown
BAND_COLOR = colors.TEXT  # the lecture's tolerance band
BOUND_COLOR = colors.CURVE_BOUND


def _deg(value: float) -> str:
    """Degrees with one decimal, none for a whole number the lecture sets (``1°``, ``12.1°``)."""
    return format_degrees(value, 0 if abs(value - round(value)) < 1e-9 else 1)


def _pairs(count: int) -> str:
    return f"{format_int(count)} pair" + ("" if count == 1 else "s")


def _behind(*mobjects):
    """Shaded bands go behind the bars."""
    for mob in mobjects:
        mob.set_z_index(-1)
    return mobjects[0] if len(mobjects) == 1 else VGroup(*mobjects)


def zoom_span(story: ExperimentStory) -> float:
    """Half width (a multiple of 10°) of the x range around 90° that shows the run's worst pair, the proven
    limit and the tolerance band with room to spare."""
    need = max(1.5 * story.final_half_width, 1.2 * story.tolerance_deg, 10.0)
    return float(min(90.0, 10.0 * math.ceil(need / 10.0)))


class PerpendicularityExperiment(StoryScene):
    """The angle histogram of many random unit vectors, its optimisation, the proven limit, and a misleading
    plot.

    Layout parameters (class attributes; the experiment itself is the lecture's ``superposition`` spec):

    * ``display_bin_deg`` (1.0) - width of the drawn bars over 0°-180°;
    * ``zoom_bin_deg`` (0.5) - bar width of the zoomed views;
    * ``max_snapshots`` (30) - at most this many snapshots of the run are animated.

    ``n``, ``d``, ``opt_steps``, ``classic_steps`` (default ``None``) set on a subclass shrink the lecture's
    experiment (:data:`EXPERIMENT_ATTRIBUTES`): the tests' fast path.
    """

    steps = ("random_start", "log_scale", "optimise", "middle", "proven_limit", "open_gap", "tolerance",
             "classic_zoomed", "classic_full_range", "whole_axis")

    display_bin_deg: float = 1.0
    zoom_bin_deg: float = 0.5
    max_snapshots: int = 30
    n: int | None = None
    d: int | None = None
    opt_steps: int | None = None
    classic_steps: int | None = None
    parameter_rules = {"display_bin_deg": Float(0.5, 5.0), "zoom_bin_deg": Float(0.25, 2.0),
                       "max_snapshots": Int(2, 200)}

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        spec = lecture.superposition
        proven = max(bound_deviation_deg(spec.n, spec.d))
        return (f"{format_int(spec.n)} random directions in {spec.d} dimensions pushed toward perpendicular: the "
                f"worst pair against the proven limit of {_deg(proven)}, and what a zoomed histogram leaves out")

    @classmethod
    def resolve_lecture(cls) -> Lecture:
        base = super().resolve_lecture()
        changes = {field: getattr(cls, attribute) for attribute, field in EXPERIMENT_ATTRIBUTES.items()
                   if getattr(cls, attribute, None) is not None}
        if not changes:
            return base
        try:
            return base.replace(superposition=changes)
        except LectureError as error:
            raise SceneParameterError(f"{cls.__name__}: {error}") from None

    # -- numbers and sentences -------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.story = self.lecture.cached(experiment_story, max_snapshots=self.max_snapshots)
        self.span = zoom_span(self.story)
        self.lines = self.narration()

    def narration(self) -> dict[str, str]:
        """The sentence of every step, built from the story's values and predicates."""
        return {**self._run_lines(), **self._bound_lines(), **self._classic_lines()}

    def _run_lines(self) -> dict[str, str]:
        s, t = self.story, _deg(self.story.tolerance_deg)
        if abs(s.mode_deg - 90.0) <= s.initial.bin_width_deg:
            pile = f"They pile up around 90°: half of them lie within {_deg(s.half_width_initial)} of it."
        else:
            pile = (f"The most common angle is about {_deg(s.mode_deg)}; half of them lie within "
                    f"{_deg(s.half_width_initial)} of 90°.")
        start = (f"Draw {format_int(s.n)} random directions in {s.d} dimensions and measure the angle of every "
                 f"pair: {format_int(s.n_pairs)} angles. {pile}")
        log = (f"On a log scale even a single pair shows. The most extreme pairs sit at "
               f"{_deg(s.initial.min_angle_deg)} and {_deg(s.initial.max_angle_deg)}: the worst is "
               f"{_deg(s.initial_half_width)} from perpendicular.")
        moved = f"the worst pair goes from {_deg(s.initial_half_width)} to {_deg(s.final_half_width)} off 90°"
        optimise = (f"Now an optimiser that pushes on the worst pair nudges all {format_int(s.n)} directions for "
                    f"{format_int(s.total_steps)} steps. "
                    + (f"The tails shrink: {moved}." if s.tails_cut else f"The tails do not shrink: {moved}."))
        shares = f"from {format_percent(s.share_initial)} to {format_percent(s.share_final)}"
        if s.bulk_barely_moves:
            middle = f"The middle barely moves: in this run the share of pairs within {t} of 90° goes {shares}."
        else:
            middle = f"The middle moves too: in this run the share of pairs within {t} of 90° goes {shares}."
        return {"random_start": start, "log_scale": log, "optimise": optimise, "middle": middle}

    def _bound_lines(self) -> dict[str, str]:
        s, t = self.story, _deg(self.story.tolerance_deg)
        proven = (f"Could a better arrangement keep every pair closer? A theorem says no arrangement of "
                  f"{format_int(s.n)} directions in {s.d} dimensions can keep every pair within "
                  f"{_deg(s.proven_deg)} of 90°: some pair is at least that far off.")
        if s.open_gap:
            gap = (f"This run's worst pair is {_deg(s.final_half_width)} off. The best arrangement lies somewhere "
                   f"from {_deg(s.proven_deg)} to {_deg(s.final_half_width)}: neither the proof nor this run "
                   f"says where.")
        else:
            gap = (f"This run's worst pair is {_deg(s.final_half_width)} off: it reaches the proven limit, so no "
                   f"arrangement does noticeably better.")
        if s.claim_excluded:
            claim = (f"So no arrangement keeps every pair within {t} of 90°: the proof rules it out, whatever "
                     f"the optimiser.")
        elif s.run_meets_tolerance:
            claim = f"A tolerance of {t} is not ruled out, and this run keeps every pair inside it."
        else:
            claim = (f"The proof does not rule out a tolerance of {t}; this run does not reach it, and whether "
                     f"some arrangement does is open.")
        return {"proven_limit": proven, "open_gap": gap, "tolerance": claim}

    def _classic_lines(self) -> dict[str, str]:
        s, t = self.story, _deg(self.story.tolerance_deg)
        lo, hi = (_deg(v).replace(".0°", "°") for v in s.zoom_range_deg)
        share = f"{format_percent(s.classic_share)} of all pairs end within {t} of 90°"
        looks = "looks perfect" if s.classic_looks_perfect else "looks like this"
        zoomed = (f"The reference video used a simpler loss that penalises every cosine above a small "
                  f"threshold. Drawn from {lo} to {hi}, its result {looks}: {share}.")
        near = (f"{format_int(s.classic_parallel)} of them within {_deg(s.near_parallel_deg)} of parallel or "
                f"opposite")
        full = f"The whole axis, on a log scale, shows what that plot left out: {_pairs(s.classic_hidden)}, {near}."
        if s.classic_bundles:
            full += " The vectors gathered into bundles of near copies."
        if s.classic_looks_perfect and s.classic_hidden:
            lesson = "A histogram's middle can look perfect while its tails hide the failures: read the whole axis."
        else:
            lesson = "Before trusting the middle of a histogram, read the whole axis."
        return {"classic_zoomed": zoomed, "classic_full_range": full, "whole_axis": lesson}

    # -- pictures --------------------------------------------------------------------------------------------
    def _hist(self, counts, edges, *, x_range=(0.0, 180.0), log_scale=True, y_max=None, bin_deg=None,
              x_step=30, color=colors.CURVE_RANDOM) -> AngleHistogram:
        h = AngleHistogram(counts, edges, x_range=x_range, log_scale=log_scale, y_max=y_max,
                           display_bin_deg=bin_deg or self.display_bin_deg, width=PLOT_WIDTH, height=PLOT_HEIGHT,
                           x_step=x_step, y_label="pairs (log scale)" if log_scale else "pairs", bar_color=color,
                           font_size=style.CAPTION)
        h.shift(np.array([PLOT_LEFT, PLOT_BOTTOM, 0.0]) - h.angle_to_point(x_range[0]))
        return h

    def _y_max_log(self, bin_deg: float, x_range=(0.0, 180.0)) -> float:
        """A log axis top fixed for the whole run (start, snapshots, end)."""
        s = self.story
        edges = np.asarray(s.initial.edges_deg, dtype=float)
        top = max(float(rebin_counts(c, edges, display_bin_deg=bin_deg, x_range=x_range)[0].max())
                  for c in [s.initial.counts, s.final.counts, *(snap.counts for snap in s.snapshots)])
        return 10.0 ** math.ceil(math.log10(top + 1))

    def _marks(self, hist: AngleHistogram, lo: float, hi: float, *, labels: bool = True,
               height: float = 0.8, color: str = RUN_COLOR, beside: bool = False) -> VGroup:
        """Marks at the extremes ``lo`` and ``hi``, labelled above (or ``beside``: outside) their tops."""
        return VGroup(*(hist.mark_angle(a, _deg(a) if labels else None, color, label_height=height,
                                        font_size=style.CAPTION, label_side=side if beside else UP)
                        for a, side in ((lo, LEFT), (hi, RIGHT))))

    def _tag(self, text: str, color: str = colors.TEXT, size: float = style.CAPTION):
        return style.text(text, size, color)

    def _title(self, text: str):
        return style.text(text, style.BODY).move_to([0, 3.1, 0])

    def _corner(self, mob, y: float = TAG_Y):
        return mob.move_to([PLOT_LEFT + PLOT_WIDTH, y, 0], aligned_edge=RIGHT)

    # -- steps -----------------------------------------------------------------------------------------------
    def random_start(self) -> None:
        s = self.story
        self.title = self._title(f"{format_int(s.n)} random directions in {s.d} dimensions")
        self.hist = self._hist(s.initial.counts, s.initial.edges_deg, log_scale=False)
        self.band = _behind(self.hist.shade_band(90 - s.half_width_initial, 90 + s.half_width_initial,
                                                 colors.CURVE_RANDOM, opacity=0.25))
        self.tag = self._corner(self._tag(_pairs(s.n_pairs)))
        half = self._tag("half the pairs", colors.CURVE_RANDOM).next_to(self.band, UP, buff=0.1)
        self.band_label = half
        with self.beat(self.lines["random_start"]) as beat:
            self.play(Write(self.title), Create(self.hist.axes), FadeIn(self.hist.x_labels),
                      FadeIn(self.hist.y_labels), FadeIn(self.hist.titles), run_time=1.2)
            self.play(FadeIn(self.hist.bars, shift=UP * 0.3), FadeIn(self.tag), run_time=1.2)
            beat.wait_until("half")
            self.play(FadeIn(self.band), FadeIn(half), run_time=0.8)

    def log_scale(self) -> None:
        s = self.story
        self.y_max = self._y_max_log(self.display_bin_deg)
        log_hist = self._hist(s.initial.counts, s.initial.edges_deg, y_max=self.y_max)
        self.marks = self._marks(log_hist, s.initial.min_angle_deg, s.initial.max_angle_deg)
        with self.beat(self.lines["log_scale"]) as beat:
            self.play(FadeOut(self.band), FadeOut(self.band_label), ReplacementTransform(self.hist, log_hist),
                      run_time=1.5)
            self.hist = log_hist
            beat.wait_until("extreme")
            self.play(*(Create(m[0]) for m in self.marks), run_time=0.8)
            self.play(*(FadeIn(m[1]) for m in self.marks), run_time=0.6)

    def optimise(self) -> None:
        s, hist = self.story, self.hist
        snaps = list(s.snapshots)
        counter = self._corner(self._tag(f"step 0 of {format_int(s.total_steps)}"))
        hist.bar_color = colors.CURVE_BUILT  # the bars become an arrangement built on purpose
        title = self._title("pushing on the worst pair")
        with self.beat(self.lines["optimise"]) as beat:
            self.play(FadeOut(VGroup(*(m[1] for m in self.marks))), FadeOut(self.tag), FadeIn(counter),
                      ReplacementTransform(self.title, title), run_time=0.6)
            self.title = title
            self.marks = VGroup(*(m[0] for m in self.marks))
            per = max(0.1, min(0.5, (beat.remaining - 1.5) / max(1, len(snaps))))
            for snap in snaps:
                new = VGroup(*(m[0] for m in self._marks(hist, snap.min_angle_deg, snap.max_angle_deg,
                                                         labels=False)))
                step = self._corner(self._tag(f"step {format_int(snap.step)} of {format_int(s.total_steps)}"))
                self.play(hist.update_counts(snap.counts), Transform(self.marks, new), Transform(counter, step),
                          run_time=per, rate_func=linear)
            self.play(hist.update_counts(s.final.counts), run_time=0.3)
            final = self._marks(hist, s.final.min_angle_deg, s.final.max_angle_deg, height=0.93, beside=True)
            tails = _behind(hist.shade_band(0.0, 90 - s.final_half_width, RUN_COLOR, opacity=0.1),
                            hist.shade_band(90 + s.final_half_width, 180.0, RUN_COLOR, opacity=0.1))
            self.play(ReplacementTransform(self.marks, final), FadeIn(tails), run_time=0.8)
        self.marks, self.tails, self.counter = final, tails, counter

    def middle(self) -> None:
        s, hist = self.story, self.hist
        t = s.tolerance_deg
        band = hist.shade_band(90 - t, 90 + t, BAND_COLOR, opacity=0.35)  # in front: it marks bars
        label = VGroup(self._tag(f"within ±{_deg(t)}"),
                       self._tag(f"{format_percent(s.share_initial)} → {format_percent(s.share_final)}"))
        label.arrange(DOWN, buff=0.12, aligned_edge=RIGHT)
        self._corner(label, TAG_Y - 0.2)
        pointer = Line(label.get_left() + LEFT * 0.1, band.get_top(), color=BAND_COLOR, stroke_width=2)
        with self.beat(self.lines["middle"]):
            self.play(FadeOut(self.counter), FadeOut(self.tails), FadeIn(band), run_time=0.8)
            self.play(Create(pointer), FadeIn(label), run_time=0.8)
        self.band, self.band_label = band, VGroup(label, pointer)

    def _zoomed_final(self) -> AngleHistogram:
        s, span = self.story, self.span
        x_range = (90.0 - span, 90.0 + span)
        return self._hist(s.final.counts, s.final.edges_deg, x_range=x_range, bin_deg=self.zoom_bin_deg,
                          y_max=self._y_max_log(self.zoom_bin_deg, x_range), x_step=span / 2,
                          color=colors.CURVE_BUILT)

    def proven_limit(self) -> None:
        s = self.story
        zoom = self._zoomed_final()
        marks = self._marks(zoom, s.final.min_angle_deg, s.final.max_angle_deg, height=0.93, beside=True)
        limit = VGroup(*(zoom.mark_angle(a, None, BOUND_COLOR, label_height=1.0)
                         for a in (90 - s.proven_deg, 90 + s.proven_deg)))
        label = self._tag(f"proven limit ±{_deg(s.proven_deg)}", BOUND_COLOR).move_to([0, TAG_Y, 0])
        title = self._title("how close to 90° can they all stay?")
        with self.beat(self.lines["proven_limit"]) as beat:
            self.play(FadeOut(self.band), FadeOut(self.band_label), ReplacementTransform(self.hist, zoom),
                      ReplacementTransform(self.marks, marks), ReplacementTransform(self.title, title), run_time=1.5)
            beat.wait_until("theorem")
            self.play(*(Create(m) for m in limit), FadeIn(label), run_time=1.0)
        self.hist, self.marks, self.title, self.limit, self.limit_label = zoom, marks, title, limit, label

    def open_gap(self) -> None:
        s, hist = self.story, self.hist
        p, f = s.proven_deg, s.final_half_width
        gaps = _behind(hist.shade_band(90 - f, 90 - p, colors.TEXT_DIM, opacity=0.35),
                       hist.shade_band(90 + p, 90 + f, colors.TEXT_DIM, opacity=0.35))
        words = VGroup(*(self._tag("open", colors.TEXT).move_to([g.get_x(), PLOT_BOTTOM + PLOT_HEIGHT - 0.25, 0])
                         for g in gaps))
        with self.beat(self.lines["open_gap"]) as beat:
            self.play(*(m.animate.scale(1.15) for m in self.marks), run_time=0.6)
            self.play(*(m.animate.scale(1 / 1.15) for m in self.marks), run_time=0.4)
            if s.open_gap:
                beat.wait_until("somewhere")
                self.play(FadeIn(gaps), FadeIn(words), run_time=1.0)
                self.gaps = VGroup(gaps, words)
            else:
                self.gaps = VGroup()

    def tolerance(self) -> None:
        s, hist = self.story, self.hist
        t = s.tolerance_deg
        band = hist.shade_band(90 - t, 90 + t, BAND_COLOR, opacity=0.35)
        verdict = "ruled out" if s.claim_excluded else "not ruled out"
        label = self._tag(f"every pair within ±{_deg(t)}: {verdict}", BAND_COLOR).move_to([0, TAG_Y, 0])
        words = self.gaps[1] if len(self.gaps) else VGroup()
        with self.beat(self.lines["tolerance"]):
            self.play(FadeOut(self.limit_label), FadeOut(words), FadeIn(band), run_time=0.8)
            self.play(FadeIn(label, shift=DOWN * 0.2), run_time=0.8)
        self.band, self.band_label = band, label

    def classic_zoomed(self) -> None:
        s = self.story
        lo, hi = s.zoom_range_deg
        zoom = AngleHistogram(s.classic_zoom_counts, s.classic_zoom_edges, x_range=(lo, hi), log_scale=False,
                              display_bin_deg=None, width=PLOT_WIDTH, height=PLOT_HEIGHT, x_step=5,
                              y_label="pairs", bar_color=colors.DATA, font_size=style.CAPTION)
        zoom.shift(np.array([PLOT_LEFT, PLOT_BOTTOM, 0.0]) - zoom.angle_to_point(lo))
        t = s.tolerance_deg
        band = _behind(zoom.shade_band(max(lo, 90 - t), min(hi, 90 + t), BAND_COLOR, opacity=0.2))
        share = self._corner(self._tag(f"within ±{_deg(t)}: {format_percent(s.classic_share)}"))
        title = self._title(f"another loss, drawn from {lo:g}° to {hi:g}°")
        old = VGroup(self.hist, self.marks, self.limit, self.gaps, self.band, self.band_label)
        with self.beat(self.lines["classic_zoomed"]) as beat:
            self.play(FadeOut(old), ReplacementTransform(self.title, title), run_time=1.0)
            beat.wait_until("drawn")
            self.play(FadeIn(zoom), FadeIn(band), run_time=1.2)
            self.play(FadeIn(share), run_time=0.6)
        self.hist, self.title, self.band, self.share = zoom, title, band, share

    def classic_full_range(self) -> None:
        s = self.story
        c = s.classic
        full = self._hist(c.counts, c.edges_deg, color=colors.DATA)
        near = s.near_parallel_deg
        edges = full.display_edges
        bundle_bars = [bar for k, bar in enumerate(full.bars)
                       if edges[k + 1] <= near + 1e-9 or edges[k] >= 180.0 - near - 1e-9]
        bands = _behind(full.shade_band(0.0, near, RUN_COLOR, opacity=0.15),
                        full.shade_band(180.0 - near, 180.0, RUN_COLOR, opacity=0.15))
        tag = self._corner(VGroup(self._tag(f"within {_deg(near)} of parallel", RUN_COLOR),
                                  self._tag(_pairs(s.classic_parallel), RUN_COLOR))
                           .arrange(DOWN, buff=0.12, aligned_edge=RIGHT), TAG_Y - 0.2)
        title = self._title("the same result, 0° to 180°, log scale")
        with self.beat(self.lines["classic_full_range"]) as beat:
            self.play(FadeOut(self.band), FadeOut(self.share), ReplacementTransform(self.hist, full),
                      ReplacementTransform(self.title, title), run_time=1.5)
            beat.wait_until("of them")
            self.play(FadeIn(bands), *(bar.animate.set_fill(RUN_COLOR) for bar in bundle_bars), FadeIn(tag),
                      run_time=1.0)
        self.hist, self.title, self.bundles = full, title, VGroup(bands, tag)

    def whole_axis(self) -> None:
        s = self.story
        lo, hi = s.zoom_range_deg
        left, right = self.hist.angle_to_point(lo), self.hist.angle_to_point(hi)
        window = Rectangle(width=right[0] - left[0], height=PLOT_HEIGHT, color=colors.TEXT_DIM, stroke_width=2)
        window.move_to((left + right) / 2 + UP * PLOT_HEIGHT / 2)
        window = DashedVMobject(window, num_dashes=40)
        label = self._tag("the zoomed view", colors.TEXT_DIM).next_to(window, UP, buff=0.1)
        title = self._title("read the whole axis")
        with self.beat(self.lines["whole_axis"]):
            self.play(Create(window), FadeIn(label), run_time=1.0)
            self.play(ReplacementTransform(self.title, title), run_time=0.8)
