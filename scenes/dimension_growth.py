"""Scene 14: how many nearly perpendicular directions fit as the dimension grows, stated right.

For a tolerance of ±θ around 90° (every pair with |cos| ≤ ε = sin θ) the scene draws, against the
dimension d on log axes, where the largest possible count lies:

* **at least** (solid): the larger of d (an orthonormal basis) and the number of random directions that
  fit (:func:`llmfacts.compute.superposition.random_capacity_estimate`, a probabilistic-method lower bound);
* **at most** (dashed): the best upper bound the compute layer knows
  (:func:`~llmfacts.compute.superposition.log10_max_vectors_in_band`); at every tolerance and dimension drawn
  that is Levenshtein's linear-programming bound for lines
  (:func:`~llmfacts.compute.superposition.log_levenshtein_lines_bound`), which contains Welch's relative bound
  and the degree-4 bound as its first two degrees.  It climbs in steps: each steep stretch is where the
  polynomial behind it needs one more degree;
* the band between them, where the true count lies (on the first, zoomed-in chart).

A curve that rises above the top of the chart ends in an arrowhead, and the key says what that means.

Random directions fit about exp(d·ε²/4): exponential in d, at a rate proportional to ε², so for ±1° the
growth only shows once d is far above 1/ε² ≈ 3,300; near that d the proven limit for ±1° shoots up. The scene
shows what that means at 100 dimensions (≈ 100 directions within ±1°; 10,000 of them need at least
:func:`~llmfacts.compute.superposition.min_dimension_for` dimensions), then zooms out to looser tolerances
and to GPT-3's 12,288-dimensional embedding space and 49,152-neuron MLP layer
(:func:`llmfacts.compute.gpt3.count_parameters`), listing both ends of the range at each width: e.g. at ±10° in
12,288 dimensions at least 4 × 10^41 and at most 10^262 (rounded up), a gap the known bounds leave open.
Johnson-Lindenstrauss is the same fact read as a statement about random projections.

Render::

    .venv/bin/manim render -ql scenes/dimension_growth.py DimensionGrowth
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Create,
    DashedLine,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    MathTex,
    Polygon,
    ReplacementTransform,
    RoundedRectangle,
    Text,
    Triangle,
    VGroup,
    VMobject,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import GPT3_175B, GPTHyperparameters, count_parameters
from llmfacts.compute.superposition import (
    log10_max_vectors_in_band,
    max_vectors_in_band,
    min_dimension_for,
    log10_random_capacity_estimate,
)
from llmfacts.formatting import format_int, tex_count_from_log10, tex_int
from llmfacts.story import StoryScene

__all__ = ["DimensionGrowth", "ToleranceCurves", "tolerance_curves", "log10_count", "clip_polyline", "exit_point"]

FONT = 24
SMALL = 20
#: colour of each tolerance, loosest first
TOLERANCE_COLORS = (colors.OTHER_CONCEPT, colors.MLP, colors.GELU, colors.ATTENTION)
AXES_CENTER = np.array([-2.45, -0.35, 0.0])
PANEL_X = 2.25


# ------------------------------------------------------------------------------------------------------
# pure helpers
# ------------------------------------------------------------------------------------------------------


def log10_count(x) -> float:
    """``log10`` of a count that may be a huge Python int, a float, or ``inf`` (returned as ``inf``)."""
    if isinstance(x, (int, np.integer)):
        return math.log10(int(x)) if x > 0 else -math.inf
    x = float(x)
    if x <= 0:
        return -math.inf
    return math.log10(x)


def sin_deg(deg: float) -> float:
    """|cos| allowed by a tolerance of ±``deg`` around 90°."""
    return math.sin(math.radians(deg))


@dataclass(frozen=True)
class ToleranceCurves:
    """log10 of the counts against log10 d for one tolerance."""

    tolerance_deg: float
    max_abs_cos: float
    log_d: np.ndarray
    log_upper: np.ndarray  #: proven upper bound (``inf`` where none is finite)
    log_random: np.ndarray  #: random directions that fit (a lower bound)
    log_lower: np.ndarray  #: max(d, random): what is known to fit


def tolerance_curves(tolerance_deg: float, dims: np.ndarray) -> ToleranceCurves:
    eps = sin_deg(tolerance_deg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's quad warns about round-off deep in the tails
        upper = np.array([log10_max_vectors_in_band(int(d), eps) for d in dims])
        rnd = np.array([log10_random_capacity_estimate(int(d), eps) for d in dims])
    log_d = np.log10(dims.astype(float))
    return ToleranceCurves(tolerance_deg, eps, log_d, upper, rnd, np.maximum(log_d, rnd))


def clip_polyline(xs: np.ndarray, ys: np.ndarray, top: float) -> list[tuple[float, float]]:
    """Points of the polyline ``(xs, ys)`` up to where it first rises above ``top`` (the crossing point is
    interpolated and included); ``inf`` counts as above."""
    pts: list[tuple[float, float]] = []
    for k, (x, y) in enumerate(zip(xs, ys)):
        if y <= top:
            pts.append((float(x), float(y)))
            continue
        if pts and math.isfinite(y):
            x0, y0 = pts[-1]
            t = (top - y0) / (y - y0) if y != y0 else 0.0
            pts.append((x0 + t * (float(x) - x0), top))
        elif pts:
            pts.append((pts[-1][0], top))
        break
    return pts


def exit_point(xs: np.ndarray, ys: np.ndarray, top: float) -> tuple[float, float] | None:
    """Where the polyline ``(xs, ys)`` first rises above ``top`` (on the line ``y = top``), or ``None`` if it
    stays at or below ``top`` throughout."""
    ys = np.asarray(ys, dtype=float)
    if not np.any(~(ys <= top)):
        return None
    pts = clip_polyline(np.asarray(xs), ys, top)
    return pts[-1] if pts else (float(xs[0]), float(top))


# ------------------------------------------------------------------------------------------------------
# the scene
# ------------------------------------------------------------------------------------------------------


class _Plot(VGroup):
    """Log-log axes (d from ``d_range``, count from 1 to 10^top) with the tolerance curves drawn on them.

    A curve that rises above the top of the chart ends there in an arrowhead (:meth:`line`)."""

    def __init__(self, d_range: tuple[int, int], top: int, label_step: int, width: float, height: float):
        super().__init__()
        self.top = top
        lo, hi = (math.log10(x) for x in d_range)
        self.axes = Axes(x_range=[lo, hi, 1], y_range=[0, top, label_step], x_length=width, y_length=height,
                         tips=False, axis_config={"color": colors.TEXT_DIM, "stroke_width": 2})
        self.axes.move_to(AXES_CENTER)
        self.x_labels = VGroup()
        for k in range(int(lo), int(hi) + 1):
            lab = MathTex(f"10^{{{k}}}" if k > 3 else tex_int(10**k), font_size=26,
                          color=colors.TEXT_DIM)
            self.x_labels.add(lab.next_to(self.axes.c2p(k, 0), DOWN, buff=0.15))
        self.y_labels = VGroup()
        for k in range(0, top + 1, label_step):
            lab = MathTex("1" if k == 0 else f"10^{{{k}}}", font_size=26, color=colors.TEXT_DIM)
            self.y_labels.add(lab.next_to(self.axes.c2p(lo, k), LEFT, buff=0.15))
        x_title = Text("dimension d", font_size=SMALL, color=colors.TEXT_DIM).next_to(self.x_labels, DOWN, buff=0.1)
        # the y title sits inside the chart, right of the axis at the top tick, level with the top label (the
        # curves start low at the left); above the label it crowded it
        y_title = Text("directions that fit", font_size=SMALL, color=colors.TEXT_DIM)
        y_title.next_to(self.axes.c2p(lo, top), RIGHT, buff=0.25)
        self.titles = VGroup(x_title, y_title)
        self.add(self.axes, self.x_labels, self.y_labels, self.titles)

    def line(self, xs, ys, color: str, width: float = 4.0, dashed: bool = False) -> VGroup:
        """The curve up to the top of the chart; if it goes on above, an arrowhead at the exit says so."""
        xs, ys = np.asarray(xs), np.asarray(ys)
        pts = [self.axes.c2p(x, y) for x, y in clip_polyline(xs, ys, self.top)]
        line = VMobject(stroke_color=color, stroke_width=width)
        if len(pts) >= 2:
            line.set_points_as_corners(pts)
            if dashed:
                line = DashedVMobject(line, num_dashes=max(8, int(line.get_arc_length() / 0.12)),
                                      dashed_ratio=0.6)
        else:
            line.set_points_as_corners([self.axes.c2p(xs[0], 0)] * 2).set_stroke(opacity=0)
        out = VGroup(line)
        if len(pts) >= 2 and exit_point(xs, ys, self.top) is not None:
            out.add(self.arrowhead(pts[-2], pts[-1], color))
        return out

    @staticmethod
    def arrowhead(start: np.ndarray, end: np.ndarray, color: str, size: float = 0.13) -> Triangle:
        """A filled arrowhead with its point at ``end``, pointing from ``start`` to ``end``."""
        direction = np.asarray(end, dtype=float) - np.asarray(start, dtype=float)
        angle = math.atan2(direction[1], direction[0]) if np.linalg.norm(direction[:2]) > 1e-9 else math.pi / 2
        tip = Triangle(fill_color=color, fill_opacity=1.0, stroke_width=0).stretch_to_fit_width(size)
        tip.stretch_to_fit_height(size * 1.2).rotate(angle - math.pi / 2)
        apex = tip.get_vertices()[0]  # Triangle's first vertex points up before rotating
        return tip.shift(np.asarray(end, dtype=float) - apex)

    def band(self, c: ToleranceCurves, color: str) -> Polygon:
        lower = np.minimum(c.log_lower, self.top)
        upper = np.minimum(np.where(np.isfinite(c.log_upper), c.log_upper, self.top), self.top)
        pts = [self.axes.c2p(x, y) for x, y in zip(c.log_d, lower)]
        pts += [self.axes.c2p(x, y) for x, y in zip(c.log_d[::-1], upper[::-1])]
        return Polygon(*pts, stroke_width=0, fill_color=color, fill_opacity=0.16)

    def curves(self, c: ToleranceCurves, color: str) -> VGroup:
        """band, lower (solid), upper (dashed)."""
        return VGroup(self.band(c, color), self.line(c.log_d, c.log_lower, color, 4),
                      self.line(c.log_d, c.log_upper, color, 3, dashed=True))

    def point(self, d: float, count_log10: float) -> np.ndarray:
        return self.axes.c2p(math.log10(d), count_log10)


class DimensionGrowth(StoryScene):
    """How many nearly perpendicular directions fit in d dimensions, for a few tolerances.

    Parameters (class attributes):

    * ``tolerances_deg`` - tolerances around 90° (loosest first); the last is the reference's ±1°.
    * ``d_range`` - smallest and largest dimension on the x axis (powers of ten).
    * ``near_top``, ``far_top`` - top of the y axis (a power of ten) before and after zooming out.
    * ``example_d``, ``example_n`` - the experiment's dimension and number of directions (100, 10,000).
    * ``hp`` - the model whose widths are marked (GPT-3 175B).
    * ``n_samples`` - dimensions sampled per curve.
    """

    steps = ("axes_and_basis", "one_degree", "hundred_dimensions", "looser_tolerances", "growth_rate",
             "gpt3_sizes", "johnson_lindenstrauss", "takeaway")
    summary = "How many nearly perpendicular vectors fit as the dimension grows, stated right"

    tolerances_deg: tuple[float, ...] = (10.0, 5.0, 1.0)
    d_range: tuple[int, int] = (10, 100_000)
    near_top: int = 5
    far_top: int = 45
    example_d: int = 100
    example_n: int = 10_000
    hp: GPTHyperparameters = GPT3_175B
    n_samples: int = 120

    axes_width: float = 7.2
    axes_height: float = 5.0

    def prepare(self) -> None:
        lo, hi = self.d_range
        dims = np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), self.n_samples)).astype(int))
        self.dims = dims
        self.curves = [tolerance_curves(t, dims) for t in self.tolerances_deg]
        self.tight = self.curves[-1]
        self.tight_deg = self.tolerances_deg[-1]
        self.colors = [TOLERANCE_COLORS[k % len(TOLERANCE_COLORS)] for k in range(len(self.curves))]
        hp = count_parameters(self.hp).hp
        self.d_model, self.d_mlp, self.model_name = int(hp.d_model), int(hp.d_mlp), hp.name
        eps = self.tight.max_abs_cos
        self.example_fit = int(max_vectors_in_band(self.example_d, eps))
        self.example_need_d = int(min_dimension_for(self.example_n, eps))
        self.rate_scale = 1.0 / eps**2  # d at which d·ε² = 1 for the tightest tolerance
        self.rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for t in self.tolerances_deg:
                e = sin_deg(t)
                row = {"tol": t, "eps2": e * e, "one_over_eps2": 1.0 / (e * e)}
                for key, d in (("model", self.d_model), ("mlp", self.d_mlp)):
                    rnd = log10_random_capacity_estimate(d, e)
                    row[key + "_random"] = rnd
                    row[key + "_lower"] = max(math.log10(d), rnd)
                    row[key + "_upper"] = log10_max_vectors_in_band(d, e)
                self.rows.append(row)
        # where the tightest tolerance's proven limit leaves the near chart, and each one leaves the far chart
        near_exit = exit_point(self.tight.log_d, self.tight.log_upper, self.near_top)
        self.near_exit_d = None if near_exit is None else 10 ** near_exit[0]
        self.far_exit_d = []
        for c in self.curves:
            far_exit = exit_point(c.log_d, c.log_upper, self.far_top)
            self.far_exit_d.append(None if far_exit is None else 10 ** far_exit[0])

    # -- helpers ------------------------------------------------------------------------------------------
    def _plot(self, top: int, step: int) -> _Plot:
        return _Plot(self.d_range, top, step, self.axes_width, self.axes_height)

    def _legend_entry(self, k: int) -> Text:
        t = self.tolerances_deg[k]
        return Text(f"±{t:g}°  ({90 - t:g}°–{90 + t:g}°)", font_size=SMALL, color=self.colors[k])

    def _key(self) -> VGroup:
        solid = Line(LEFT * 0.3, RIGHT * 0.3, color=colors.TEXT_DIM, stroke_width=4)
        dashed = DashedLine(LEFT * 0.3, RIGHT * 0.3, color=colors.TEXT_DIM, stroke_width=3, dash_length=0.1)
        return VGroup(
            VGroup(solid, Text("at least (basis or random)", font_size=SMALL, color=colors.TEXT_DIM)
                   ).arrange(RIGHT, buff=0.15),
            VGroup(dashed, Text("at most (proven bound)", font_size=SMALL, color=colors.TEXT_DIM)
                   ).arrange(RIGHT, buff=0.15),
            VGroup(VGroup(Line(LEFT * 0.3, RIGHT * 0.3).set_opacity(0),
                          _Plot.arrowhead(DOWN, ORIGIN, colors.TEXT_DIM)),
                   Text("goes on above the chart", font_size=SMALL, color=colors.TEXT_DIM)
                   ).arrange(RIGHT, buff=0.15),
        ).arrange(DOWN, buff=0.15, aligned_edge=LEFT)

    @staticmethod
    def _far_lines(plot: _Plot, c: ToleranceCurves, color: str) -> VGroup:
        """lower (solid) and upper (dashed), without the band: on the far chart three bands would pile up."""
        return VGroup(plot.line(c.log_d, c.log_lower, color, 4), plot.line(c.log_d, c.log_upper, color, 3, dashed=True))

    def _label(self, tex: str, color: str = colors.HIGHLIGHT, font_size: float = 28) -> MathTex:
        lab = MathTex(tex, font_size=font_size, color=color)
        lab.add_background_rectangle(color=colors.BACKGROUND, opacity=0.85, buff=0.05)
        return lab

    # -- steps --------------------------------------------------------------------------------------------
    def axes_and_basis(self):
        t = self.narrate("How many directions fit if every pair must stay nearly perpendicular? Exactly "
                         "perpendicular: d of them, the dimension itself.")
        title = Text("How many nearly perpendicular directions fit?", font_size=30).to_edge(UP, buff=0.25)
        plot = self._plot(self.near_top, 1)
        log_d = np.log10(self.dims.astype(float))
        basis = plot.line(log_d, log_d, colors.TEXT, 3)
        basis_label = Text("exactly 90°: d", font_size=SMALL, color=colors.TEXT)
        basis_label.next_to(plot.point(10 ** 3.3, 3.3), DOWN + RIGHT * 0.5, buff=0.15)
        self.play(Write(title), Create(plot.axes), FadeIn(plot.x_labels), FadeIn(plot.y_labels),
                  FadeIn(plot.titles), run_time=1.5)
        self.play(Create(basis), FadeIn(basis_label), run_time=1.5)
        self.wait(max(0.5, t - 3.0))
        self.title, self.plot, self.basis, self.basis_label = title, plot, basis, basis_label

    def one_degree(self):
        c, color = self.tight, self.colors[-1]
        exit_text = ("" if self.near_exit_d is None else
                     f" Near d = 1/ε², about {format_int(self.rate_scale)}, the proven limit shoots up and leaves "
                     f"the chart, while the solid curve stays at d.")
        t = self.narrate(f"Allow ±{self.tight_deg:g} degree. Dashed: a proven limit; solid: what a basis or random "
                         f"directions achieve; the truth lies between. At first both stay close to d."
                         + exit_text)
        legend = VGroup(self._legend_entry(len(self.curves) - 1))
        key = self._key()
        panel = VGroup(legend, key).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        panel.move_to([PANEL_X, 2.3, 0], aligned_edge=UP + LEFT)
        curves = self.plot.curves(c, color)
        self.play(FadeIn(panel), run_time=0.8)
        self.play(FadeIn(curves[0]), Create(curves[1]), Create(curves[2]), run_time=2.0)
        self.wait(max(0.5, t - 2.8))
        self.legend, self.key, self.tight_curves = legend, key, curves

    def hundred_dimensions(self):
        t = self.narrate(f"In the experiment's {self.example_d} dimensions, at most {self.example_fit} directions "
                         f"fit within ±{self.tight_deg:g} degree, barely more than {self.example_d}. Squeezing "
                         f"{self.example_n:,} that tightly would take at least {self.example_need_d:,} "
                         f"dimensions.")
        plot = self.plot
        p1 = plot.point(self.example_d, math.log10(self.example_fit))
        p2 = plot.point(self.example_need_d, math.log10(self.example_n))
        d1, d2 = Dot(p1, color=colors.HIGHLIGHT, radius=0.07), Dot(p2, color=colors.HIGHLIGHT, radius=0.07)
        l1 = self._label(rf"d={self.example_d}:\ \text{{at most}}\ {self.example_fit}")
        l1.next_to(d1, RIGHT, buff=0.2).shift(DOWN * 0.4)  # below the lines: nothing is drawn there
        l2 = self._label(rf"{tex_int(self.example_n)}\ \text{{need}}\ d\ge {tex_int(self.example_need_d)}")
        l2.next_to(d2, LEFT, buff=0.2)  # left of the curves
        self.play(FadeIn(d1), FadeIn(l1), run_time=1.0)
        self.play(FadeIn(d2), FadeIn(l2), run_time=1.0)
        self.wait(max(0.5, t - 2.0))
        self.hundred = VGroup(d1, l1, d2, l2)

    def looser_tolerances(self):
        looser = sorted(t for t in self.tolerances_deg if t != self.tight_deg)
        named = " and ".join(f"±{t:g}" for t in looser)
        off_chart = all(c.log_lower.max() > self.far_top
                        for c, t in zip(self.curves, self.tolerances_deg) if t != self.tight_deg)
        rise = f"past ten to the {self.far_top}, off the chart" if off_chart else "steeply"
        t = self.narrate(f"Looser tolerances change everything. Zoomed far out, at {named} degrees what is known "
                         f"to fit takes off, {rise}, and the proven limits climb faster still: an arrowhead marks "
                         "where a curve leaves the chart.")
        far = self._plot(self.far_top, 15)
        log_d = np.log10(self.dims.astype(float))
        basis = far.line(log_d, log_d, colors.TEXT, 3)
        basis_label = Text("d", font_size=SMALL, color=colors.TEXT).next_to(far.point(10 ** 4.9, 4.9), UP, buff=0.1)
        tight = self._far_lines(far, self.tight, self.colors[-1])
        band, solid, dashed = self.tight_curves
        self.play(FadeOut(self.hundred), FadeOut(band), run_time=0.8)
        self.play(ReplacementTransform(self.plot, far), ReplacementTransform(self.basis, basis),
                  ReplacementTransform(self.basis_label, basis_label), ReplacementTransform(solid, tight[0]),
                  ReplacementTransform(dashed, tight[1]), run_time=1.8)
        self.plot, self.basis, self.basis_label = far, basis, basis_label
        legend = VGroup(*(self._legend_entry(k) for k in range(len(self.curves))))
        legend.arrange(DOWN, buff=0.12, aligned_edge=LEFT).move_to(self.legend, aligned_edge=UP + LEFT)
        self.play(self.key.animate.next_to(legend, DOWN, buff=0.25, aligned_edge=LEFT),
                  ReplacementTransform(self.legend, legend[-1]), run_time=0.6)
        self.legend = legend
        others = VGroup()
        for k, c in enumerate(self.curves[:-1]):
            lines = self._far_lines(far, c, self.colors[k])
            others.add(lines)
            self.play(Create(lines[0]), Create(lines[1]), FadeIn(legend[k]), run_time=1.3)
        self.far_curves = VGroup(*others, tight)
        self.wait(max(0.5, t - 3.2 - 1.3 * len(others)))

    def growth_rate(self):
        t = self.narrate(f"Random directions fit about e to the d epsilon squared over four: exponential in d, at "
                         f"a rate set by epsilon squared. At ±{self.tight_deg:g} degree the growth only shows far "
                         f"above d = {self.rate_scale:,.0f}.")
        formula = MathTex(r"N_{\text{random}} \approx e^{\,d\,\varepsilon^{2}/4}", font_size=34)
        eps_def = MathTex(r"\varepsilon = \sin(\text{tolerance})", font_size=28, color=colors.TEXT_DIM)
        rows = VGroup(*(MathTex(rf"\pm{r['tol']:g}^\circ:\ 1/\varepsilon^2 \approx {tex_int(r['one_over_eps2'])}",
                                font_size=28, color=self.colors[k]) for k, r in enumerate(self.rows)))
        rows.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        box = VGroup(formula, eps_def, rows).arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        box.next_to(self.key, DOWN, buff=0.35, aligned_edge=LEFT)
        self.play(Write(formula), FadeIn(eps_def), run_time=1.2)
        self.play(FadeIn(rows), run_time=1.0)
        self.wait(max(0.5, t - 2.2))
        self.rate = box

    def gpt3_sizes(self):
        r = {row["tol"]: row for row in self.rows}
        tight, loose = r[self.tight_deg], self.rows[0]
        basis_wins = tight["model_random"] < math.log10(self.d_model)
        t = self.narrate(
            f"{self.model_name} has {format_int(self.d_model)} dimensions and {format_int(self.d_mlp)} neurons per "
            f"MLP. At ±{self.tight_deg:g} degree random directions there fit only about "
            f"{format_int(10 ** tight['model_random'])}"
            + (", so a basis does far better" if basis_wins else "")
            + f", and no arrangement can pass 10 to the {math.ceil(tight['model_upper'])}. At ±{loose['tol']:g} "
            f"degrees at least 10 to the {math.floor(loose['model_lower'])} fit and at most 10 to the "
            f"{math.ceil(loose['model_upper'])}: somewhere in that enormous gap lies the true count.")
        plot = self.plot
        marks = VGroup()
        for d in (self.d_model, self.d_mlp):
            line = DashedLine(plot.point(d, 0), plot.point(d, self.far_top), color=colors.TEXT, stroke_width=2,
                              dash_length=0.1)
            lab = MathTex(tex_int(d), font_size=24, color=colors.TEXT)
            lab.next_to(line.get_end(), UP, buff=0.22)  # clear of the arrowheads at the top
            marks.add(VGroup(line, lab))
        blocks = VGroup()
        for key, d, what in (("model", self.d_model, "embedding"), ("mlp", self.d_mlp, "MLP neurons")):
            block = VGroup(Text(f"{format_int(d)} dims ({what})", font_size=SMALL, color=colors.TEXT_DIM))
            for k, row in enumerate(self.rows):
                # "at most" rounded *up* to a power of ten, so it stays a true upper bound
                block.add(MathTex(rf"\pm{row['tol']:g}^\circ:\ {tex_count_from_log10(row[key + '_lower'])}"
                                  rf"\ \dots\ {tex_count_from_log10(math.ceil(row[key + '_upper']))}",
                                  font_size=26, color=self.colors[k]))
            blocks.add(block.arrange(DOWN, buff=0.08, aligned_edge=LEFT))
        header = Text("at least … at most, in", font_size=SMALL, color=colors.TEXT)
        table = VGroup(header, blocks.arrange(DOWN, buff=0.18, aligned_edge=LEFT))
        table.arrange(DOWN, buff=0.1, aligned_edge=LEFT).move_to(self.rate, aligned_edge=UP + LEFT)
        self.play(FadeOut(self.rate), Create(marks), run_time=1.2)
        self.play(FadeIn(table), run_time=1.2)
        self.wait(max(0.5, t - 2.4))
        self.gpt = VGroup(marks, table)

    def johnson_lindenstrauss(self):
        t = self.narrate("The Johnson–Lindenstrauss lemma is the same fact turned around: about log N over "
                         "epsilon squared random directions keep all distances among N points within a factor "
                         "of one plus or minus epsilon.")
        card = VGroup(
            Text("Johnson–Lindenstrauss", font_size=FONT, color=colors.HIGHLIGHT),
            MathTex(r"k \sim \frac{\log N}{\varepsilon^{2}}\ \text{random directions keep}", font_size=30),
            MathTex(r"\text{all distances of } N \text{ points within } 1\pm\varepsilon", font_size=30),
        ).arrange(DOWN, buff=0.18)
        box = RoundedRectangle(width=card.width + 0.5, height=card.height + 0.4, corner_radius=0.15,
                               stroke_color=colors.HIGHLIGHT, fill_color=colors.BACKGROUND, fill_opacity=0.92)
        group = VGroup(box, card).scale(0.9)  # narrow enough to leave the GPT-3 marks in view
        group.move_to(self.plot.axes.c2p(2.45, self.far_top * 0.72))
        group.align_to(self.plot.axes, LEFT).shift(RIGHT * 0.25)  # clear of the y labels
        card.move_to(box)
        self.play(FadeIn(group), run_time=1.0)
        self.wait(max(0.5, t - 1.0))
        self.jl = group

    def takeaway(self):
        r = {row["tol"]: row for row in self.rows}
        tight = r[self.tight_deg]
        only_basis = tight["mlp_random"] < math.log10(self.d_mlp)
        t = self.narrate(
            "So far more nearly perpendicular directions than dimensions fit, and their number grows exponentially "
            f"with d, but at ±{self.tight_deg:g} degree so slowly that"
            + (f" up to {format_int(self.d_mlp)} dimensions random directions do no better than a basis."
               if only_basis else " it takes tens of thousands of dimensions to show.")
            + " The proven limits leave room for far more; where the true counts lie is not known.")
        self.play(FadeOut(self.jl), run_time=0.6)
        self.play(Indicate(self.gpt[1], color=colors.HIGHLIGHT, scale_factor=1.05), run_time=1.4)
        self.wait(max(0.5, t - 2.0))
