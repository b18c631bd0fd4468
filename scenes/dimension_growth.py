"""Scene 14: how many nearly perpendicular directions fit as the dimension grows, stated right.

For a tolerance of ±θ around 90° (every pair with |cos| ≤ ε = sin θ) the scene draws, against the
dimension d on log axes, where the largest possible count lies:

* **at least** (solid): the larger of d (an orthonormal basis) and the number of random directions that
  fit (:func:`llmfacts.compute.superposition.random_capacity_estimate`, a probabilistic-method lower bound);
* **at most** (dashed): the best upper bound the compute layer knows
  (:func:`~llmfacts.compute.superposition.max_vectors_in_band`: Welch, degree-4 LP and cap packing);
* the band between them, where the true count lies.

Random directions fit about exp(d·ε²/4): exponential in d, at a rate proportional to ε², so for ±1° the
growth only shows once d is far above 1/ε² ≈ 3,300. The scene shows what that means at 100 dimensions
(≈ 100 directions within ±1°; 10,000 of them need at least
:func:`~llmfacts.compute.superposition.min_dimension_for` dimensions), then zooms out to looser tolerances
and to GPT-3's 12,288-dimensional embedding space and 49,152-neuron MLP layer
(:func:`llmfacts.compute.gpt3.count_parameters`). Johnson-Lindenstrauss is the same fact read as a
statement about random projections.

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
    VGroup,
    VMobject,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import GPT3_175B, GPTHyperparameters, count_parameters
from llmfacts.compute.superposition import (
    max_vectors_in_band,
    min_dimension_for,
    random_capacity_estimate,
)
from llmfacts.formatting import tex_count_from_log10, tex_int
from llmfacts.story import StoryScene

__all__ = ["DimensionGrowth", "ToleranceCurves", "tolerance_curves", "log10_count", "clip_polyline"]

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


def _upper(d: int, eps: float) -> float:
    try:
        return float(max_vectors_in_band(d, eps))
    except OverflowError:  # no finite bound: off any chart
        return math.inf


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
        upper = np.array([log10_count(_upper(int(d), eps)) for d in dims])
        rnd = np.array([log10_count(random_capacity_estimate(int(d), eps)) for d in dims])
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


# ------------------------------------------------------------------------------------------------------
# the scene
# ------------------------------------------------------------------------------------------------------


class _Plot(VGroup):
    """Log-log axes (d from ``d_range``, count from 1 to 10^top) with the tolerance curves drawn on them."""

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
        y_title = Text("directions that fit", font_size=SMALL, color=colors.TEXT_DIM)
        y_title.next_to(self.axes.c2p(lo, top), UP, buff=0.15).align_to(self.y_labels, LEFT)
        self.titles = VGroup(x_title, y_title)
        self.add(self.axes, self.x_labels, self.y_labels, self.titles)

    def line(self, xs, ys, color: str, width: float = 4.0, dashed: bool = False) -> VMobject:
        pts = [self.axes.c2p(x, y) for x, y in clip_polyline(np.asarray(xs), np.asarray(ys), self.top)]
        line = VMobject(stroke_color=color, stroke_width=width)
        if len(pts) >= 2:
            line.set_points_as_corners(pts)
            if dashed:
                line = DashedVMobject(line, num_dashes=max(8, int(line.get_arc_length() / 0.12)),
                                      dashed_ratio=0.6)
        else:
            line.set_points_as_corners([self.axes.c2p(xs[0], 0)] * 2).set_stroke(opacity=0)
        return line

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
                    rnd = log10_count(random_capacity_estimate(d, e))
                    row[key + "_random"] = rnd
                    row[key + "_lower"] = max(math.log10(d), rnd)
                    row[key + "_upper"] = log10_count(_upper(d, e))
                self.rows.append(row)

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
        ).arrange(DOWN, buff=0.15, aligned_edge=LEFT)

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
        t = self.narrate(f"Allow ±{self.tight_deg:g} degree. Dashed: a proven limit; solid: what is known to fit; "
                         f"the truth lies between. Up to thousands of dimensions both hug d, and beyond about "
                         f"{self.rate_scale:,.0f} the limits stop saying anything useful.")
        legend = VGroup(self._legend_entry(len(self.curves) - 1))
        key = self._key()
        panel = VGroup(legend, key).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
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
        l1.next_to(d1, UP, buff=0.25).shift(RIGHT * 0.6)
        l2 = self._label(rf"{tex_int(self.example_n)}\ \text{{need}}\ d\ge {tex_int(self.example_need_d)}")
        l2.next_to(d2, UP, buff=0.3).shift(LEFT * 0.9)
        self.play(FadeIn(d1), FadeIn(l1), run_time=1.0)
        self.play(FadeIn(d2), FadeIn(l2), run_time=1.0)
        self.wait(max(0.5, t - 2.0))
        self.hundred = VGroup(d1, l1, d2, l2)

    def looser_tolerances(self):
        t = self.narrate("Looser tolerances change everything. Zooming far out, with the proven limits now off "
                         "the chart: at ±5 and ±10 degrees what fits takes off, to numbers with dozens of digits.")
        far = self._plot(self.far_top, 15)
        log_d = np.log10(self.dims.astype(float))
        basis = far.line(log_d, log_d, colors.TEXT, 3)
        basis_label = Text("d", font_size=SMALL, color=colors.TEXT).next_to(far.point(10 ** 4.9, 4.9), UP, buff=0.1)
        tight = far.line(self.tight.log_d, self.tight.log_lower, self.colors[-1], 4)
        band, solid, dashed = self.tight_curves
        self.play(FadeOut(self.hundred), FadeOut(band), FadeOut(dashed), FadeOut(self.key[1]), run_time=0.8)
        self.play(ReplacementTransform(self.plot, far), ReplacementTransform(self.basis, basis),
                  ReplacementTransform(self.basis_label, basis_label), ReplacementTransform(solid, tight),
                  run_time=1.8)
        self.plot, self.basis, self.basis_label, self.tight_line = far, basis, basis_label, tight
        self.key = VGroup(self.key[0])
        legend = VGroup(*(self._legend_entry(k) for k in range(len(self.curves))))
        legend.arrange(DOWN, buff=0.12, aligned_edge=LEFT).move_to(self.legend, aligned_edge=UP + LEFT)
        self.play(self.key.animate.next_to(legend, DOWN, buff=0.3, aligned_edge=LEFT),
                  ReplacementTransform(self.legend, legend[-1]), run_time=0.6)
        self.legend = legend
        others = VGroup()
        for k, c in enumerate(self.curves[:-1]):
            line = far.line(c.log_d, c.log_lower, self.colors[k], 4)
            others.add(line)
            self.play(Create(line), FadeIn(legend[k]), run_time=1.3)
        self.others = others
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
        box.next_to(self.key, DOWN, buff=0.4, aligned_edge=LEFT)
        self.play(Write(formula), FadeIn(eps_def), run_time=1.2)
        self.play(FadeIn(rows), run_time=1.0)
        self.wait(max(0.5, t - 2.2))
        self.rate = box

    def gpt3_sizes(self):
        r = {row["tol"]: row for row in self.rows}
        tight = r[self.tight_deg]
        t = self.narrate(f"{self.model_name} has {self.d_model:,} dimensions and {self.d_mlp:,} neurons per MLP. At "
                         f"±{self.tight_deg:g} degree random directions there fit only about "
                         f"{10 ** tight['model_random']:.0f}, so a basis does far better; at ±5 or ±10 degrees, "
                         f"astronomically many fit.")
        plot = self.plot
        marks = VGroup()
        for d, align in ((self.d_model, RIGHT), (self.d_mlp, LEFT)):
            line = DashedLine(plot.point(d, 0), plot.point(d, self.far_top), color=colors.TEXT, stroke_width=2,
                              dash_length=0.1)
            lab = MathTex(tex_int(d), font_size=24, color=colors.TEXT)
            lab.next_to(line.get_end(), UP, buff=0.08).shift(-align * 0.35)
            marks.add(VGroup(line, lab))
        header = Text(f"at least, in {self.d_model:,} / {self.d_mlp:,} dims", font_size=SMALL, color=colors.TEXT)
        table = VGroup(header)
        for k, row in enumerate(self.rows):
            table.add(MathTex(rf"\pm{row['tol']:g}^\circ:\ {tex_count_from_log10(row['model_lower'])}\ /\ "
                              rf"{tex_count_from_log10(row['mlp_lower'])}", font_size=28, color=self.colors[k]))
        table.arrange(DOWN, buff=0.12, aligned_edge=LEFT).move_to(self.rate, aligned_edge=UP + LEFT)
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
        group = VGroup(box, card)
        group.move_to(self.plot.axes.c2p(2.45, self.far_top * 0.74))
        card.move_to(box)
        self.play(FadeIn(group), run_time=1.0)
        self.wait(max(0.5, t - 1.0))
        self.jl = group

    def takeaway(self):
        t = self.narrate("So far more nearly perpendicular directions than dimensions do fit, and their number "
                         "grows exponentially, but only with tolerances well beyond one degree.")
        self.play(FadeOut(self.jl), run_time=0.6)
        self.play(Indicate(self.gpt[1], color=colors.HIGHLIGHT, scale_factor=1.05), run_time=1.4)
        self.wait(max(0.5, t - 2.0))

