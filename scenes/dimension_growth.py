"""Scene 14: how many nearly perpendicular directions fit as the dimension grows: what random directions
give, what can be built, and what a theorem allows.

For the lecture's tolerance of ±θ around 90° (every pair with |cos| ≤ ε = sin θ; ±1° by default) the scene
draws, against the dimension d on log-log axes (ManimCE ``Axes`` with ``LogBase`` scaling):

* **basis**: d directions, exactly perpendicular;
* **proven limit** (dashed): Levenshtein's linear-programming bound
  (:func:`~llmfacts.compute.superposition.log10_max_vectors_in_band`): no arrangement can do better;
* **random**: random directions, thinned by deleting one of each pair outside the band
  (:func:`~llmfacts.compute.constructions.random_deletion_estimate`, about e^(dε²/2));
* **built**: the Gauss-sum mutually unbiased bases written as real vectors
  (:func:`~llmfacts.compute.constructions.best_construction`, 2p(p+1) directions in 2p dims, every pair
  within arcsin(1/√p) of 90°);

and shades the band between the best of basis, random and built and the proven limit: where the count of the
*best arrangement* lies. The narration keeps apart what is said about random directions and what about the
best arrangement. Then the chart loosens the tolerance (random sets overtake the built ones: they grow
exponentially in dε², the built ones like d²), marks the transformer's widths
(``lecture.transformer``: GPT-3's 12,288 and 49,152) with a table of both ends of the range, reads the
Johnson-Lindenstrauss lemma as the same fact, and comes back to the lecture's tolerance: GPT-3's
12,288 dimensions hold tens of millions of built directions within a degree.

Every number comes from :mod:`llmfacts.compute.constructions` through ``self.lecture.cached``; the
narration's sentences are built from them (:meth:`DimensionGrowth.lines`).

Render::

    .venv/bin/manim render -ql scenes/dimension_growth.py DimensionGrowth
"""

from __future__ import annotations

import math

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
    Line,
    LogBase,
    Polygon,
    ReplacementTransform,
    SurroundingRectangle,
    Triangle,
    VGroup,
    VMobject,
    Write,
)

from llmfacts import colors, style
from llmfacts.compute.constructions import (
    ToleranceCurves,
    growth_curves,
    growth_story,
    growth_table,
    random_beats_built_from,
)
from llmfacts.compute.lecture import Lecture
from llmfacts.formatting import format_int, tex_count_from_log10, tex_int
from llmfacts.mobjects import boxes_meet
from llmfacts.story import Int, StoryScene

__all__ = ["DimensionGrowth", "clip_polyline", "exit_point", "magnitude_words", "count_phrase",
           "upper_phrase", "degrees_text"]

BASIS_COLOR = colors.VECTOR
BAND_COLOR = colors.TEXT_DIM


# ------------------------------------------------------------------------------------------------------
# pure helpers
# ------------------------------------------------------------------------------------------------------


def clip_polyline(xs: np.ndarray, ys: np.ndarray, top: float) -> list[tuple[float, float]]:
    """Points of the polyline ``(xs, ys)`` up to where it first rises above ``top`` (the crossing point is
    interpolated and included); ``inf`` counts as above."""
    pts: list[tuple[float, float]] = []
    for x, y in zip(xs, ys):
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


#: Words for the size of a count, by its power of ten (``magnitude_words``).
_MAGNITUDES = ((3, "thousands"), (4, "tens of thousands"), (5, "hundreds of thousands"), (6, "millions"),
               (7, "tens of millions"), (8, "hundreds of millions"), (9, "billions"), (10, "tens of billions"),
               (11, "hundreds of billions"))


def magnitude_words(n: float) -> str | None:
    """``"tens of millions"`` for 10^7 <= n < 10^8, and so on from thousands to hundreds of billions; ``None``
    outside that range."""
    if not n >= 1000:
        return None
    k = math.floor(math.log10(n) + 1e-12)
    return dict(_MAGNITUDES).get(k)


def count_phrase(log10_value: float, exact: int | None = None) -> str:
    """A count known by its log10 (or ``exact``ly), as the subtitles write an "at least" figure: exact below
    10^9 (``'75,485,186'``), else rounded *down* to one digit times a power of ten (``'7 × 10^82'``)."""
    if exact is not None and exact < 10**9:
        return format_int(exact)
    if log10_value < 9:
        return format_int(math.floor(10 ** log10_value + 1e-9))
    exp = math.floor(log10_value)
    mant = int(10 ** (log10_value - exp) + 1e-9)
    return f"10^{exp}" if mant < 2 else f"{mant} × 10^{exp}"


def upper_phrase(log10_value: float) -> str:
    """An "at most" figure: the power of ten rounded *up* (``'10^262'``), so it stays a true upper bound."""
    return f"10^{math.ceil(log10_value)}"


def degrees_text(deg: float) -> str:
    """``'1'``, ``'2.5'``: a tolerance as the narration writes it."""
    return f"{deg:g}"


def _nice_step(top: int) -> int:
    for step in (1, 2, 3, 5, 10, 15, 20, 25, 50, 100):
        if top / step <= 5:
            return step
    return max(1, top // 4)


# ------------------------------------------------------------------------------------------------------
# the chart
# ------------------------------------------------------------------------------------------------------


class _Plot(VGroup):
    """Log-log axes (d over ``d_range``, count from 1 to 10^top) built on ManimCE's ``Axes`` with
    ``LogBase`` scaling, with tick labels and axis titles; curves are drawn by :meth:`line` in log10 space
    and clipped at the top, where a curve that goes on ends in an arrowhead."""

    def __init__(self, d_range: tuple[int, int], top: int, width: float, height: float, center: np.ndarray):
        super().__init__()
        self.top = top
        lo, hi = (round(math.log10(x)) for x in d_range)
        self.lo, self.hi = lo, hi
        step = _nice_step(top)
        self.axes = Axes(x_range=[lo, hi, 1], y_range=[0, top, step], x_length=width, y_length=height, tips=False,
                         x_axis_config={"scaling": LogBase()}, y_axis_config={"scaling": LogBase()},
                         axis_config={"color": colors.TEXT_DIM, "stroke_width": 2})
        self.axes.move_to(center)
        self.x_labels = VGroup()
        for k in range(lo, hi + 1):
            lab = style.math(f"10^{{{k}}}" if k > 3 else tex_int(10**k), style.CAPTION, colors.TEXT_DIM)
            self.x_labels.add(lab.next_to(self.axes.c2p(10.0**k, 1.0), DOWN, buff=0.15))
        self.y_labels = VGroup()
        for k in range(0, top + 1, step):
            lab = style.math("1" if k == 0 else f"10^{{{k}}}", style.CAPTION, colors.TEXT_DIM)
            self.y_labels.add(lab.next_to(self.axes.c2p(10.0**lo, 10.0**k), LEFT, buff=0.15))
        x_title = style.text("dimension d", style.CAPTION, colors.TEXT_DIM)
        x_title.next_to(self.x_labels, DOWN, buff=0.12)
        y_title = style.text("directions that fit", style.CAPTION, colors.TEXT_DIM)
        y_title.next_to(self.axes.c2p(10.0**lo, 10.0**top), UP, buff=0.2).align_to(self.y_labels, LEFT)
        self.titles = VGroup(x_title, y_title)
        self.add(self.axes, self.x_labels, self.y_labels, self.titles)

    def p(self, log_d: float, log_y: float) -> np.ndarray:
        """The point at log10 d, log10 count (the count clipped to the chart)."""
        return self.axes.c2p(10 ** float(log_d), 10 ** float(min(max(log_y, 0.0), self.top)))

    def point(self, d: float, log_y: float) -> np.ndarray:
        return self.p(math.log10(d), log_y)

    def line(self, xs, ys, color: str, width: float = 4.0, dashed: bool = False) -> VGroup:
        """The curve up to the top of the chart; if it goes on above, an arrowhead at the exit says so."""
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        pts = [self.p(x, y) for x, y in clip_polyline(xs, ys, self.top)]
        line = VMobject(stroke_color=color, stroke_width=width)
        if len(pts) >= 2:
            line.set_points_as_corners(pts)
            if dashed:
                line = DashedVMobject(line, num_dashes=max(8, int(line.get_arc_length() / 0.12)),
                                      dashed_ratio=0.6)
        else:
            line.set_points_as_corners([self.p(xs[0], 0.0)] * 2).set_stroke(opacity=0)
        out = VGroup(line)
        if len(pts) >= 2 and exit_point(xs, ys, self.top) is not None:
            out.add(self.arrowhead(pts[-2], pts[-1], color))
        return out

    @staticmethod
    def arrowhead(start: np.ndarray, end: np.ndarray, color: str, size: float = 0.16) -> Triangle:
        """A filled arrowhead with its point at ``end``, pointing from ``start`` to ``end``."""
        direction = np.asarray(end, dtype=float) - np.asarray(start, dtype=float)
        angle = math.atan2(direction[1], direction[0]) if np.linalg.norm(direction[:2]) > 1e-9 else math.pi / 2
        tip = Triangle(fill_color=color, fill_opacity=1.0, stroke_width=0).stretch_to_fit_width(size)
        tip.stretch_to_fit_height(size * 1.2).rotate(angle - math.pi / 2)
        apex = tip.get_vertices()[0]  # Triangle's first vertex points up before rotating
        return tip.shift(np.asarray(end, dtype=float) - apex)

    def band(self, c: ToleranceCurves) -> Polygon:
        """The region between what is known to fit and the proven limit (clipped to the chart)."""
        lower = np.minimum(np.maximum(c.log_lower, c.log_d), self.top)
        upper = np.minimum(np.where(np.isfinite(c.log_upper), c.log_upper, self.top), self.top)
        pts = [self.p(x, y) for x, y in zip(c.log_d, lower)]
        pts += [self.p(x, y) for x, y in zip(c.log_d[::-1], upper[::-1])]
        return Polygon(*pts, stroke_width=0, fill_color=BAND_COLOR, fill_opacity=0.15)

    def curves(self, c: ToleranceCurves) -> dict[str, VGroup]:
        """basis, proven limit (dashed), random, built for one tolerance."""
        return {
            "basis": self.line(c.log_d, c.log_d, BASIS_COLOR, 3),
            "limit": self.line(c.log_d, c.log_upper, colors.CURVE_BOUND, 3, dashed=True),
            "random": self.line(c.log_d, c.log_random, colors.CURVE_RANDOM, 4),
            "built": self.built_line(c),
        }

    def built_line(self, c: ToleranceCurves) -> VGroup:
        """The built sets from the first dimension where one meets the tolerance (below it, only a basis),
        rising from the basis line there; an invisible stub at the right end if none fits on the chart."""
        built = c.log_built > c.log_d + 1e-12
        if not built.any():
            return self.line(c.log_d[-1:].repeat(2), c.log_d[-1:].repeat(2), colors.CURVE_BUILT, 0)
        k = max(0, int(np.argmax(built)) - 1)  # the dimension just below the first built set: the jump
        ys = np.maximum(c.log_built, c.log_d)[k:]
        return self.line(c.log_d[k:], ys, colors.CURVE_BUILT, 4)

    def width_mark(self, d: int, level: int = 0) -> VGroup:
        """A dashed vertical at dimension ``d`` with its value above the chart (``level`` 1 sets the value one
        line higher, for a second mark close by)."""
        line = DashedLine(self.point(d, 0.0), self.point(d, self.top), color=colors.TEXT_DIM, stroke_width=2,
                          dash_length=0.1)
        lab = style.math(tex_int(d), style.CAPTION, colors.TEXT)
        lab.next_to(line.get_end(), UP, buff=0.12 + 0.45 * level)
        tick = Line(line.get_end(), lab.get_bottom() + DOWN * 0.05, color=colors.TEXT_DIM, stroke_width=2)
        return VGroup(line, tick, lab) if level else VGroup(line, lab)

    def width_marks(self, widths: tuple[int, ...]) -> VGroup:
        """:meth:`width_mark` for each width, values staggered where two would touch."""
        marks, last_right, level = VGroup(), -math.inf, 0
        for d in sorted(widths):
            probe = self.width_mark(d)
            level = 1 - level if probe[-1].get_left()[0] < last_right + 0.2 else 0
            mark = self.width_mark(d, level)
            last_right = mark[-1].get_right()[0]
            marks.add(mark)
        return marks


# ------------------------------------------------------------------------------------------------------
# the scene
# ------------------------------------------------------------------------------------------------------


def _crossings(lecture: Lecture, tolerances: tuple[float, ...], d_max: int) -> tuple[int | None, ...]:
    """For each tolerance, from which dimension random sets stay ahead of the built ones (cached per lecture)."""
    return tuple(random_beats_built_from(t, d_max) for t in tolerances)


class DimensionGrowth(StoryScene):
    """How many nearly perpendicular directions fit in d dimensions: random, built, and the proven limit.

    The tolerance, the experiment's n and d and the transformer's widths come from ``self.lecture``
    (``superposition.tolerance_deg``, ``.n``, ``.d``; ``transformer.d_model``, ``.d_mlp``). Layout parameters
    (class attributes):

    * ``looser_deg`` - the looser tolerances the chart moves on to (those above the lecture's are used).
    * ``d_range`` - smallest and largest dimension on the x axis (powers of ten).
    * ``near_top`` - top of the y axis (a power of ten) at the lecture's tolerance; ``None``: from the curves.
    * ``far_top`` - top of the y axis at the looser tolerances.
    * ``n_samples`` - dimensions sampled per curve.
    """

    steps = ("axes_and_basis", "proven_limit", "random_directions", "built_directions", "looser_tolerances",
             "gpt3_sizes", "johnson_lindenstrauss", "takeaway")
    parameter_rules = {"n_samples": Int(20, 400), "far_top": Int(6, 300), "near_top": Int(3, 300, optional=True)}

    looser_deg: tuple[float, ...] = (5.0, 10.0)
    d_range: tuple[int, int] = (10, 100_000)
    near_top: int | None = None
    far_top: int = 45
    n_samples: int = 120

    axes_width: float = 6.6
    axes_height: float = 4.6
    axes_center = np.array([-2.2, -0.4, 0.0])
    column_left: float = 1.65  # left edge of the right-hand column (key, formulas, table)

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        from llmfacts.compute.constructions import best_construction, tolerance_cos

        tol = lecture.superposition.tolerance_deg
        hp = lecture.transformer
        built = best_construction(hp.d_model, tolerance_cos(tol))
        tail = (f"{format_int(built.count)} built in {hp.name}'s {format_int(hp.d_model)} dims" if built
                else f"a basis of {format_int(hp.d_model)} in {hp.name}")
        return f"How many directions fit within ±{degrees_text(tol)}° as d grows: random, built, proven; {tail}"

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        lecture = self.lecture
        d_max = int(self.d_range[1])
        self.story = lecture.cached(growth_story, d_max)
        self.tol = self.story.tolerance_deg
        self.looser = tuple(sorted(t for t in self.looser_deg if t > self.tol))
        curves = lecture.cached(growth_curves, (self.tol, *self.looser), tuple(self.d_range), int(self.n_samples))
        self.main, self.loose_curves = curves[0], curves[1:]
        self.table_tols = tuple(sorted({self.tol, *self.looser}, reverse=True))  # loosest first
        self.table = lecture.cached(growth_table, self.table_tols)  # rows: d_model, d_mlp; columns: tolerances
        self.model_row = {g.tolerance_deg: g for g in self.table[0]}
        self.mlp_row = {g.tolerance_deg: g for g in self.table[1]}
        self.overtake_d = dict(zip(self.looser, lecture.cached(_crossings, self.looser, d_max)))
        if self.near_top is None:
            highest = max(float(np.max(np.minimum(self.main.log_lower, 1e6))), math.log10(self.story.example_n))
            self.near_top_used = 3 * math.ceil((highest + 1.0) / 3)
        else:
            self.near_top_used = int(self.near_top)
        self.lines = self.narration()

    def narration(self) -> dict[str, str]:
        """Every sentence the scene says, built from the computed values (one entry per step)."""
        s, tol = self.story, degrees_text(self.tol)
        fit, d, n, need = s.example_fit, s.example_d, s.example_n, s.example_need_d
        lines: dict[str, str] = {}
        lines["axes_and_basis"] = ("How many directions fit in d dimensions if every pair must stay nearly "
                                   "perpendicular? Exactly perpendicular, one per axis: d of them.")
        closeness = "barely more than" if fit <= 1.1 * d else "more than"
        if need > d:
            need_clause = (f"; {format_int(n)} of them within ±{tol}° would need at least {format_int(need)} "
                           "dimensions")
        else:
            need_clause = f"; the limit does not rule out {format_int(n)} of them"
        lines["proven_limit"] = (f"Allow ±{tol}°. A theorem caps the count for any arrangement: the dashed "
                                 f"proven limit. In the experiment's {format_int(d)} dimensions it allows at most "
                                 f"{format_int(fit)} directions, {closeness} {format_int(d)}{need_clause}.")
        beats = s.random_beats_basis_d
        where = (f"they beat a basis only beyond {format_int(beats)} dimensions" if beats is not None
                 else f"up to {format_int(self.d_range[1])} dimensions they never beat a basis")
        lines["random_directions"] = (
            "Random directions, kept as they are, fit about e to the power d ε²/4, with ε the sine of the "
            "tolerance. Delete one of each pair that strays too far and about e to the power d ε²/2 remain: "
            f"exponential in d, yet at ±{tol}° {where}.")
        fb = s.first_built
        ratio = 10 ** (fb.log_upper - fb.log_built)
        if ratio < 10:
            room = f"only {ratio:.1f} times larger"
        elif ratio < 1000:
            room = f"{ratio:.0f} times larger"
        else:
            room = f"about 10^{math.floor(math.log10(ratio))} times larger"
        opening = ("Random is not the best one can do." if fb.log_built > fb.log_random
                   else "Directions can also be built.")
        lines["built_directions"] = (
            f"{opening} Gauss sums build p + 1 bases of complex p-space, each tilted "
            "against the others by the same small angle; as real vectors, with their multiples by i, that is "
            "2p(p + 1) directions in 2p dimensions, every pair within arcsin(1/√p) of perpendicular. "
            f"With p = {format_int(fb.construction.p)}: {format_int(fb.construction.count)} directions in "
            f"{format_int(s.first_built_d)} dimensions, all within ±{tol}°, and the proven limit there is {room}. "
            "The best arrangement lies in the shaded band.")
        if self.looser:
            loose = self.looser[-1]
            cross = self.overtake_d[loose]
            if cross is None:
                turn = (f"at ±{degrees_text(loose)}° the built sets stay ahead up to "
                        f"{format_int(self.d_range[1])} dimensions")
            elif cross <= 2:
                turn = f"at ±{degrees_text(loose)}° random sets are ahead from the start"
            else:
                turn = (f"at ±{degrees_text(loose)}° random sets overtake the built ones from "
                        f"{format_int(cross)} dimensions on")
            lines["looser_tolerances"] = (
                f"Loosen the tolerance and the picture turns: {turn}. Built sets grow like d², random ones "
                "exponentially in d ε². An arrowhead marks a curve that leaves the chart.")
        else:
            lines["looser_tolerances"] = ("An arrowhead marks a curve that leaves the chart: the proven limit "
                                          "climbs far faster than anything built.")
        m = s.model
        words = magnitude_words(10 ** m.log_lower) if m.log_lower < 12 else None
        source = ("built" if m.best == "built" else "random") + " directions"
        dev = (f", each pair within ±{m.construction.max_deviation_deg:.2f}°"
               if m.best == "built" and m.construction is not None else "")
        mlp_more = self.mlp_row[self.tol].log_lower > m.log_lower
        name = s.model_name[:1].upper() + s.model_name[1:]
        lines["gpt3_sizes"] = (
            f"{name} has {format_int(s.d_model)} dimensions per token vector and {format_int(s.d_mlp)} "
            f"neurons per MLP layer. Within ±{tol}° its {format_int(s.d_model)} dimensions hold at least "
            f"{self._lower_text(m)} {source}{dev}"
            + (f": {words}" if words else "")
            + f". No arrangement can pass {upper_phrase(m.log_upper)}"
            + (f", and the {format_int(s.d_mlp)} neurons leave room for more still." if mlp_more else ".")
        )
        lines["johnson_lindenstrauss"] = (
            "The Johnson–Lindenstrauss lemma reads the same fact the other way: a number of random directions "
            "proportional to log N / ε² keeps all distances among N points within a factor 1 ± ε.")
        if m.best == "built":
            best = (f"arranged with care, {format_int(s.d_model)} dimensions hold "
                    + (f"{words} of" if words else self._lower_text(m)) + f" directions within ±{tol}°")
        else:
            best = (f"at ±{tol}° random sets already give {self._lower_text(m)} directions in "
                    f"{format_int(s.d_model)} dimensions")
        lines["takeaway"] = (
            f"So: for random directions the count grows exponentially in d ε²; {best}. "
            "The proven limits allow more; where the best arrangement lies between the two, this computation "
            "leaves open.")
        return lines

    # -- pieces -----------------------------------------------------------------------------------------
    def _plot(self, top: int) -> _Plot:
        return _Plot(tuple(self.d_range), top, self.axes_width, self.axes_height, self.axes_center)

    def _tolerance_tag(self, deg: float) -> VGroup:
        tag = VGroup(style.math(rf"\pm {degrees_text(deg)}^\circ", style.HEADING, colors.HIGHLIGHT),
                     style.math(rf"{degrees_text(90 - deg)}^\circ \text{{ to }} {degrees_text(90 + deg)}^\circ",
                                style.CAPTION, colors.TEXT_DIM))
        tag.arrange(RIGHT, buff=0.3, aligned_edge=DOWN)
        return tag.move_to([self.column_left, 2.45, 0], aligned_edge=LEFT)

    @staticmethod
    def _key_entry(kind: str) -> VGroup:
        color, label, dashed = {
            "basis": (BASIS_COLOR, "basis: d", False),
            "limit": (colors.CURVE_BOUND, "proven limit", True),
            "random": (colors.CURVE_RANDOM, "random", False),
            "built": (colors.CURVE_BUILT, "built", False),
        }[kind]
        sample = (DashedLine(LEFT * 0.3, RIGHT * 0.3, color=color, stroke_width=3, dash_length=0.1) if dashed
                  else Line(LEFT * 0.3, RIGHT * 0.3, color=color, stroke_width=4))
        return VGroup(sample, style.text(label, style.CAPTION, color)).arrange(RIGHT, buff=0.18)

    def _key_position(self, k: int) -> np.ndarray:
        return np.array([self.column_left, 1.75 - 0.48 * k, 0.0])

    def _add_key(self, kind: str) -> VGroup:
        entry = self._key_entry(kind)
        entry.move_to(self._key_position(len(self.key)), aligned_edge=LEFT)
        self.key.add(entry)
        return entry

    @staticmethod
    def _lower_tex(g) -> str:
        """The lower end at a growth point as TeX: the built count exactly, a random one rounded down."""
        if g.best == "built" and g.built_count < 10**9:
            return tex_int(g.built_count)
        return tex_count_from_log10(g.log_lower, exact_below=6.0)

    def _lower_text(self, g) -> str:
        return count_phrase(g.log_lower, g.built_count if g.best == "built" else None)

    def _label(self, tex: str, color: str = colors.TEXT) -> VGroup:
        lab = style.math(tex, style.CAPTION, color)
        lab.add_background_rectangle(color=colors.BACKGROUND, opacity=0.85, buff=0.05)
        return lab

    def _table(self) -> VGroup:
        """At least (with its source) and at most at the transformer's embedding width, per tolerance: a title
        row (the width), column heads, one row per tolerance."""
        s = self.story
        title = style.math(rf"{tex_int(s.d_model)}\ \text{{dims}}", style.CAPTION, colors.TEXT)
        heads = [VGroup(), style.text("at least", style.CAPTION, colors.TEXT_DIM),
                 style.text("at most", style.CAPTION, colors.TEXT_DIM)]
        rows = [heads]
        for t in self.table_tols:
            g = self.model_row[t]
            color = colors.CURVE_BUILT if g.best == "built" else colors.CURVE_RANDOM
            rows.append([
                style.math(rf"\pm {degrees_text(t)}^\circ", style.CAPTION,
                           colors.HIGHLIGHT if t == self.tol else colors.TEXT),
                VGroup(style.math(self._lower_tex(g), style.CAPTION, color),
                       style.text(g.best, style.CAPTION, color)).arrange(RIGHT, buff=0.15, aligned_edge=DOWN),
                style.math(f"10^{{{math.ceil(g.log_upper)}}}", style.CAPTION, colors.CURVE_BOUND),
            ])
        widths = [max(r[c].width for r in rows) for c in range(3)]
        gap = 0.24
        top = self._key_position(4)[1] - 0.45
        title.move_to([self.column_left, top, 0], aligned_edge=LEFT)
        for k, r in enumerate(rows):
            y = top - 0.52 * (k + 1)
            x = self.column_left
            for c in range(3):
                if len(r[c].submobjects) or r[c].width:
                    r[c].move_to([x, y, 0], aligned_edge=LEFT)
                x += widths[c] + gap
        return VGroup(title, *(VGroup(*r) for r in rows))

    # -- steps ------------------------------------------------------------------------------------------
    def axes_and_basis(self):
        with self.beat(self.lines["axes_and_basis"]) as beat:
            self.title = style.text("How many nearly perpendicular directions fit?", style.HEADING)
            self.title.to_edge(UP, buff=0.45)
            self.plot = self._plot(self.near_top_used)
            self.key = VGroup()
            self.curves = self.plot.curves(self.main)
            self.play(Write(self.title), Create(self.plot.axes), FadeIn(self.plot.x_labels),
                      FadeIn(self.plot.y_labels), FadeIn(self.plot.titles), run_time=1.5)
            entry = self._add_key("basis")
            self.play(Create(self.curves["basis"]), FadeIn(entry), run_time=beat.fit(0.5, 1.0))

    def proven_limit(self):
        s = self.story
        with self.beat(self.lines["proven_limit"]) as beat:
            self.tag = self._tolerance_tag(self.tol)
            entry = self._add_key("limit")
            self.play(FadeIn(self.tag), FadeIn(entry), Create(self.curves["limit"]), run_time=2.0)
            beat.wait_until("experiment's")
            plot = self.plot
            d1 = Dot(plot.point(s.example_d, math.log10(s.example_fit)), color=colors.HIGHLIGHT, radius=0.06)
            l1 = self._label(rf"\le {tex_int(s.example_fit)}\ \text{{in}}\ d = {tex_int(s.example_d)}")
            room_below = d1.get_center()[1] - plot.axes.c2p(10.0 ** plot.lo, 1.0)[1]
            l1.next_to(d1, RIGHT + (DOWN if room_below > 0.6 else UP), buff=0.12)  # clear of the x labels
            marks = VGroup(d1, l1)
            if s.example_need_d > s.example_d:
                d2 = Dot(plot.point(s.example_need_d, math.log10(s.example_n)), color=colors.HIGHLIGHT, radius=0.06)
                l2 = self._label(rf"{tex_int(s.example_n)}\ \text{{need}}\ d \ge {tex_int(s.example_need_d)}")
                l2.next_to(d2, LEFT, buff=0.15)
                if boxes_meet(l1, l2):  # dots close together (a small d, a tall chart): lift it above
                    l2.next_to(d2, UP + LEFT, buff=0.12)
                    if boxes_meet(l1, l2):
                        l2.shift(UP * (l1.get_top()[1] - l2.get_bottom()[1] + 0.12))
                marks.add(d2, l2)
            self.play(FadeIn(marks), run_time=1.0)
            self.example_marks = marks

    def random_directions(self):
        with self.beat(self.lines["random_directions"]) as beat:
            self.play(FadeOut(self.example_marks), run_time=0.6)
            entry = self._add_key("random")
            formula = VGroup(
                style.math(r"N_{\text{random}} \approx e^{\,d\,\varepsilon^{2}/2}", style.BODY, colors.CURVE_RANDOM),
                style.math(rf"\varepsilon = \sin {degrees_text(self.tol)}^\circ", style.CAPTION, colors.TEXT_DIM),
            ).arrange(DOWN, buff=0.15, aligned_edge=LEFT)
            formula.move_to([self.column_left, -0.15, 0], aligned_edge=UP + LEFT)
            self.play(FadeIn(entry), Create(self.curves["random"]), run_time=2.0)
            beat.wait_until("Delete")
            self.play(Write(formula), run_time=1.2)
            self.formulas = VGroup(formula)

    def built_directions(self):
        s = self.story
        fb = s.first_built
        with self.beat(self.lines["built_directions"]) as beat:
            entry = self._add_key("built")
            formula = VGroup(
                style.math(r"N_{\text{built}} = 2p(p+1)", style.BODY, colors.CURVE_BUILT),
                style.math(r"d = 2p,\ \ |\cos| \le 1/\sqrt{p}", style.CAPTION, colors.TEXT_DIM),
            ).arrange(DOWN, buff=0.15, aligned_edge=LEFT)
            formula.next_to(self.formulas, DOWN, buff=0.4, aligned_edge=LEFT)
            self.play(FadeIn(entry), Write(formula), run_time=1.5)
            beat.wait_until("With p")
            self.play(Create(self.curves["built"]), run_time=1.5)
            dot = Dot(self.plot.point(s.first_built_d, fb.log_built), color=colors.HIGHLIGHT, radius=0.06)
            lab = self._label(rf"{tex_int(fb.construction.count)}\ \text{{in}}\ d={tex_int(s.first_built_d)}",
                              colors.CURVE_BUILT)
            lab.next_to(dot, LEFT, buff=0.15)
            self.play(FadeIn(dot), FadeIn(lab), run_time=0.8)
            beat.wait_until("shaded")
            self.band = self.plot.band(self.main)
            self.play(FadeIn(self.band), run_time=1.0)
            self.built_mark = VGroup(dot, lab)
            self.formulas.add(formula)

    def _move_to(self, curves: ToleranceCurves, plot: _Plot, run_time: float) -> None:
        """Re-draw every curve (and the band and tag) for another tolerance on ``plot``."""
        new = plot.curves(curves)
        band = plot.band(curves)
        tag = self._tolerance_tag(curves.tolerance_deg)
        anims = [ReplacementTransform(self.curves[k], new[k]) for k in new]
        anims += [ReplacementTransform(self.band, band), ReplacementTransform(self.tag, tag)]
        if plot is not self.plot:
            anims.append(ReplacementTransform(self.plot, plot))
        self.play(*anims, run_time=run_time)
        self.curves, self.band, self.tag, self.plot = new, band, tag, plot

    def looser_tolerances(self):
        with self.beat(self.lines["looser_tolerances"]) as beat:
            self.play(FadeOut(self.built_mark), FadeOut(self.formulas), run_time=0.5)  # said once
            if self.looser:
                far = self._plot(self.far_top)
                for k, c in enumerate(self.loose_curves):
                    self._move_to(c, far if k == 0 else self.plot, 2.0)
                    if k < len(self.loose_curves) - 1:
                        self.wait(0.6)
            beat.wait_until("Built sets" if self.looser else "arrowhead")

    def gpt3_sizes(self):
        s = self.story
        with self.beat(self.lines["gpt3_sizes"]) as beat:
            self.marks = self.plot.width_marks((s.d_model, s.d_mlp))
            self.play(Create(self.marks), run_time=1.2)
            beat.wait_until("Within")
            self.table_mob = self._table()
            self.play(FadeIn(self.table_mob), run_time=1.2)

    def johnson_lindenstrauss(self):
        with self.beat(self.lines["johnson_lindenstrauss"]):
            jl = VGroup(style.text("Johnson–Lindenstrauss", style.CAPTION, colors.TEXT_DIM),
                        style.math(r"k \propto \frac{\log N}{\varepsilon^{2}}", style.BODY))
            jl.arrange(DOWN, buff=0.25, aligned_edge=LEFT)
            jl.move_to(self.key, aligned_edge=UP + LEFT)  # the key steps aside while the lemma is on
            self.play(FadeOut(self.key), FadeIn(jl), run_time=1.0)
            self.jl = jl

    def takeaway(self):
        s = self.story
        m = s.model
        with self.beat(self.lines["takeaway"]) as beat:
            self.play(FadeOut(self.jl), FadeIn(self.key), run_time=0.5)
            if self.looser:  # back to the lecture's tolerance
                near = self._plot(self.near_top_used)
                marks = near.width_marks((s.d_model, s.d_mlp))
                self.play(ReplacementTransform(self.marks, marks), run_time=0.1)
                self.marks = marks
                self._move_to(self.main, near, 2.0)
            row = self.table_mob[2 + self.table_tols.index(self.tol)]
            box = SurroundingRectangle(row, color=colors.HIGHLIGHT, buff=0.1, stroke_width=2)
            color = colors.CURVE_BUILT if m.best == "built" else colors.CURVE_RANDOM
            dot = Dot(self.plot.point(s.d_model, m.log_lower), color=colors.HIGHLIGHT, radius=0.07)
            lab = self._label(self._lower_tex(m), color)
            lab.next_to(dot, LEFT, buff=0.15)
            beat.wait_until("arranged" if m.best == "built" else "random sets already")
            self.play(Create(box), FadeIn(dot), FadeIn(lab), run_time=1.2)
