"""Scene 12: perpendicular vs nearly perpendicular directions, and how many of each fit.

In ``d`` dimensions exactly ``d`` directions can be mutually perpendicular. Allowing every pair a small
slack around 90° lets more fit, but geometry limits how many: for 100 dimensions and 89°-91° the bound
is barely above 100. The count does grow exponentially with the dimension for a fixed tolerance, yet
with the tiny rate ``ε²``: it only takes off once ``d`` is far beyond ``1/ε²``. Detailed growth curves are
the job of a later scene (DimensionGrowth); this one stays introductory.

Every number comes from :mod:`llmfacts.compute.superposition`.

Render::

    .venv/bin/manim render -ql scenes/superposition_intro.py NearlyPerpendicular
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    AnnularSector,
    Arrow,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Line,
    MathTex,
    Polygon,
    RoundedRectangle,
    Text,
    VGroup,
    VMobject,
    Write,
)

from llmfacts import colors
from llmfacts.compute.superposition import (
    cos_to_deg,
    deg_to_cos,
    max_vectors_in_band,
    random_capacity_estimate,
)
from llmfacts.story import StoryScene

__all__ = ["NearlyPerpendicular"]


# ------------------------------------------------------------------------------------------------------
# private drawing helpers
# ------------------------------------------------------------------------------------------------------


def _unit(angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    return np.array([math.cos(a), math.sin(a), 0.0])


def _arrow(start: np.ndarray, end: np.ndarray, color: str, width: float = 5) -> Arrow:
    return Arrow(start, end, buff=0, color=color, stroke_width=width, max_tip_length_to_length_ratio=0.12,
                 tip_length=0.22)


def _corner_mark(origin: np.ndarray, a: np.ndarray, b: np.ndarray, size: float = 0.28,
                 color: str = colors.TEXT) -> VMobject:
    """The little square of a right angle between directions ``a`` and ``b`` (screen vectors)."""
    a = a / np.linalg.norm(a) * size
    b = b / np.linalg.norm(b) * size
    mark = VMobject(stroke_color=color, stroke_width=2.5)
    mark.set_points_as_corners([origin + a, origin + a + b, origin + b])
    return mark


class _Oblique:
    """A fixed parallel projection of 3-D space onto the frame: ``e1, e2, e3`` land on the given screen
    directions (angles in degrees, lengths as fractions of ``scale``); any such linear map is a view of
    3-D space from some direction, with right angles drawn as parallelograms."""

    def __init__(self, screen=((215.0, 0.72), (-14.0, 0.95), (90.0, 0.95)), scale: float = 1.0,
                 center: np.ndarray = ORIGIN):
        cols = [length * _unit(angle) for angle, length in screen]
        self.m = np.stack(cols, axis=1)  # (3, 3) with a zero last row
        self.scale = scale
        self.center = np.asarray(center, dtype=float)

    def __call__(self, p) -> np.ndarray:
        return self.center + self.scale * (self.m @ np.asarray(p, dtype=float))


def _wedge(center: np.ndarray, radius: float, mid_deg: float, half_width_deg: float, color: str,
           opacity: float = 0.55) -> AnnularSector:
    """Directions within ``half_width_deg`` of ``mid_deg``, drawn as a thin sector."""
    return AnnularSector(inner_radius=0, outer_radius=radius, angle=math.radians(2 * half_width_deg),
                         start_angle=math.radians(mid_deg - half_width_deg), fill_color=color,
                         fill_opacity=opacity, stroke_width=0).shift(center).set_z_index(-1)


class NearlyPerpendicular(StoryScene):
    """Superposition's geometric starting point: exactly vs nearly perpendicular directions.

    Parameters (class attributes):

    * ``d`` - the high dimension discussed (100 by default, as in the experiment that follows).
    * ``tolerance_deg`` - the slack around 90° that counts as "nearly perpendicular" (1° gives 89°-91°).
    * ``wide_tolerance_deg`` - a looser slack used to show that the rate depends on the tolerance.
    * ``example_dim`` - the dimension at which the two tolerances are compared at the end.
    """

    steps = ("two_dimensions", "three_dimensions", "allow_slack", "hundred_dimensions", "growth_rate")
    summary = "Superposition: N perpendicular directions in N dimensions, many more nearly perpendicular"

    d: int = 100
    tolerance_deg: float = 1.0
    wide_tolerance_deg: float = 10.0
    example_dim: int = 1_000

    _plane_center = np.array([-3.6, -0.3, 0.0])
    _space_center = np.array([3.4, -0.5, 0.0])
    _radius = 2.1

    def prepare(self) -> None:
        eps = deg_to_cos(90.0 - self.tolerance_deg)  # |cos| allowed
        self.eps = float(eps)
        self.band = (90.0 - self.tolerance_deg, 90.0 + self.tolerance_deg)
        self.fit_2 = int(max_vectors_in_band(2, self.eps))
        self.fit_3 = int(max_vectors_in_band(3, self.eps))
        self.fit_d = int(max_vectors_in_band(self.d, self.eps))
        self.random_d = random_capacity_estimate(self.d, self.eps)
        self.inv_eps2 = 1.0 / self.eps ** 2
        wide = float(deg_to_cos(90.0 - self.wide_tolerance_deg))
        self.wide_eps = wide
        self.wide_inv_eps2 = 1.0 / wide ** 2
        # random directions that fit (first-moment estimate) at the example dimension, for both tolerances
        self.example_tight = random_capacity_estimate(self.example_dim, self.eps)
        self.example_wide = random_capacity_estimate(self.example_dim, wide)

    # -- steps --------------------------------------------------------------------------------------------
    def two_dimensions(self) -> None:
        c, r = self._plane_center, self._radius
        title = Text("2 dimensions", font_size=26).move_to(c + UP * (r + 0.75))
        circle = VMobject()
        circle_pts = [c + r * _unit(t) for t in np.linspace(0, 360, 121)]
        circle.set_points_smoothly(circle_pts).set_stroke(colors.TEXT_DIM, width=1.5, opacity=0.5)
        a_deg = 25.0
        u = _arrow(c, c + r * _unit(a_deg), colors.OTHER_CONCEPT)
        v = _arrow(c, c + r * _unit(a_deg + 90), colors.ATTRIBUTE)
        corner = _corner_mark(c, _unit(a_deg), _unit(a_deg + 90))
        perp_u = DashedLine(c - r * 1.1 * _unit(a_deg + 90), c + r * 1.1 * _unit(a_deg + 90), dash_length=0.12,
                            color=colors.OTHER_CONCEPT, stroke_width=2)
        perp_v = DashedLine(c - r * 1.1 * _unit(a_deg), c + r * 1.1 * _unit(a_deg), dash_length=0.12,
                            color=colors.ATTRIBUTE, stroke_width=2)
        note = VGroup(
            Text("a third direction would have to lie", font_size=18, color=colors.TEXT_DIM),
            Text("on both dashed lines: they meet only at 0", font_size=18, color=colors.TEXT_DIM),
        ).arrange(DOWN, buff=0.06).move_to(c + DOWN * (r + 0.55))

        seconds = self.narrate(
            "Give each feature a direction, all mutually perpendicular, so adding one never changes how much "
            "of another is present. A plane has room for two such directions, and no more."
        )
        self.play(FadeIn(title), Create(circle), run_time=0.8)
        self.play(GrowArrow(u), run_time=0.6)
        self.play(GrowArrow(v), Create(corner), run_time=0.8)
        self.play(Create(perp_u), Create(perp_v), run_time=1.0)
        self.play(FadeIn(note), run_time=0.6)
        self.wait(max(0.5, seconds - 3.8))
        self.plane = VGroup(title, circle, u, v, corner)
        self.plane_lines = VGroup(perp_u, perp_v, note)
        self.plane_angle = a_deg

    def three_dimensions(self) -> None:
        view = _Oblique(scale=2.0, center=self._space_center)
        title = Text("3 dimensions", font_size=26).move_to([self._space_center[0], self._plane_center[1] + 2.85, 0])
        o = view([0, 0, 0])
        axes = list(np.eye(3))
        arrow_colors = (colors.OTHER_CONCEPT, colors.ATTRIBUTE, colors.FIRST_NAME)
        arrows = VGroup(*(_arrow(o, view(a), col) for a, col in zip(axes, arrow_colors)))
        corners = VGroup()
        for i, j in ((0, 1), (1, 2), (0, 2)):
            s = 0.22
            pts = [view(s * axes[i]), view(s * axes[i] + s * axes[j]), view(s * axes[j])]
            mark = VMobject(stroke_color=colors.TEXT, stroke_width=2).set_points_as_corners(pts)
            corners.add(mark)
        general = MathTex(r"d \text{ dimensions: } d \text{ perpendicular directions}", font_size=30)
        general.move_to([0, -3.55, 0])

        seconds = self.narrate(
            "Space gives three, each at a right angle to the other two. In general, d dimensions hold exactly "
            "d mutually perpendicular directions; that is practically what dimension means."
        )
        self.play(FadeOut(self.plane_lines), FadeIn(title), run_time=0.6)
        self.play(LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.3, run_time=1.4))
        self.play(Create(corners), run_time=0.8)
        self.play(Write(general), run_time=1.0)
        self.wait(max(0.5, seconds - 3.8))
        self.space = VGroup(title, arrows, corners)
        self.general = general

    def allow_slack(self) -> None:
        c, r = self._plane_center, self._radius
        a = self.plane_angle
        lo, hi = self.band
        tol = self.tolerance_deg
        # directions within the band around "perpendicular to u" (both ways) and around "perpendicular to v"
        band_u = VGroup(_wedge(c, r * 1.08, a + 90, tol, colors.OTHER_CONCEPT),
                        _wedge(c, r * 1.08, a - 90, tol, colors.OTHER_CONCEPT))
        band_v = VGroup(_wedge(c, r * 1.08, a, tol, colors.ATTRIBUTE),
                        _wedge(c, r * 1.08, a + 180, tol, colors.ATTRIBUTE))
        rule = MathTex(rf"\text{{nearly perpendicular: every pair between }} {lo:g}^\circ \text{{ and }} {hi:g}^\circ",
                       font_size=30, color=colors.HIGHLIGHT)
        rule.move_to([0, 3.55, 0])
        counts = VGroup(
            Text(f"most that fit in 2-D: {self.fit_2}", font_size=22),
            Text(f"most that fit in 3-D: {self.fit_3}", font_size=22),
        )
        counts[0].move_to(c + DOWN * (r + 0.6))
        counts[1].move_to([self._space_center[0], counts[0].get_y(), 0])

        seconds = self.narrate(
            f"Now loosen the rule: any angle from {lo:g} to {hi:g} degrees will do. In two or three dimensions "
            "that slack is a sliver, and it buys nothing: the counts stay at two and three."
        )
        self.play(FadeOut(self.general), Write(rule), run_time=1.0)
        self.play(FadeIn(band_u), FadeIn(band_v), run_time=1.0)
        self.play(FadeIn(counts), run_time=0.8)
        self.wait(max(0.5, seconds - 2.8))
        self.rule = rule
        self.low_dims = VGroup(self.plane, band_u, band_v, self.space, counts)

    def hundred_dimensions(self) -> None:
        d, lo, hi = self.d, *self.band
        heading = Text(f"{d} dimensions, every pair within {lo:g}°–{hi:g}°", font_size=26)
        heading.move_to([0, 2.4, 0])

        rows = VGroup()
        entries = [
            ("exactly perpendicular:", f"{d:,}", colors.TEXT),
            ("nearly, best possible arrangement: at most", f"{self.fit_d:,}", colors.HIGHLIGHT),
            ("nearly, directions picked at random:", _format_small(self.random_d), colors.TEXT_DIM),
        ]
        for label, value, col in entries:
            lab = Text(label, font_size=22, color=col)
            val = Text(value, font_size=30, color=col)
            rows.add(VGroup(lab, val))
        for k, row in enumerate(rows):
            row[0].move_to([1.3, 1.25 - 0.62 * k, 0], aligned_edge=RIGHT)
            row[1].move_to([1.7, 1.25 - 0.62 * k, 0], aligned_edge=LEFT)

        claim = VGroup(
            Text(f"Claimed: millions of {d}-D directions, all about 89° apart.", font_size=19, color=colors.WARNING),
            Text(f"Computed: within {lo:g}°–{hi:g}° no arrangement exceeds {self.fit_d:,}.", font_size=19,
                 color=colors.WARNING),
        ).arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        box = RoundedRectangle(width=claim.width + 0.5, height=claim.height + 0.35, corner_radius=0.12,
                               stroke_color=colors.WARNING, stroke_width=2)
        box.move_to(claim)
        warning = VGroup(box, claim).move_to([0, -1.3, 0])

        seconds = self.narrate(
            f"What about {d} dimensions? Here the computation is sobering. With every pair held within one "
            f"degree of a right angle, no arrangement gets past {self.fit_d:,} directions, barely more than "
            f"the {d} perpendicular ones, and directions picked at random manage only "
            f"{_format_small(self.random_d)}."
        )
        self.play(FadeOut(self.low_dims), FadeOut(self.rule), run_time=0.6)
        self.play(FadeIn(heading), run_time=0.6)
        self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.2) for r in rows), lag_ratio=0.4, run_time=1.6))
        self.play(Create(box), FadeIn(claim), run_time=0.8)
        self.wait(max(0.5, seconds - 3.6))
        self.hundred = VGroup(heading, rows, warning)

    def growth_rate(self) -> None:
        formula = MathTex(r"\text{how many fit} \;\sim\; e^{\,c\, d\, \varepsilon^2}", font_size=40)
        formula.move_to([0, 2.55, 0])
        where = MathTex(r"d:\ \text{dimension} \qquad \varepsilon:\ |\cos| \text{ allowed between a pair}",
                        font_size=26, color=colors.TEXT_DIM)
        where.next_to(formula, DOWN, buff=0.2)

        # two tolerances side by side: the rate 1/eps^2 and what random directions achieve at example_dim
        col_x = (-4.2, -1.1, 3.0)
        y0 = 0.6
        header = VGroup(
            Text("allowed angles", font_size=20, color=colors.TEXT_DIM).move_to([col_x[0], y0, 0]),
            MathTex(r"1/\varepsilon^2", font_size=32, color=colors.TEXT_DIM).move_to([col_x[1], y0, 0]),
            Text(f"random directions that fit in {self.example_dim:,}-D", font_size=20,
                 color=colors.TEXT_DIM).move_to([col_x[2], y0, 0]),
        )
        rows = VGroup()
        for k, (tol, inv, fit) in enumerate((
            (self.tolerance_deg, self.inv_eps2, self.example_tight),
            (self.wide_tolerance_deg, self.wide_inv_eps2, self.example_wide),
        )):
            y = y0 - 0.75 * (k + 1)
            cells = VGroup(
                Text(f"{90 - tol:g}°–{90 + tol:g}°", font_size=24).move_to([col_x[0], y, 0]),
                _count_tex(inv, font_size=36).move_to([col_x[1], y, 0]),
                _count_tex(fit, font_size=36).move_to([col_x[2], y, 0]),
            )
            for cell in cells[1:]:  # digits share one baseline
                cell.shift(UP * (y - 0.14 - cell[0][0].get_bottom()[1]))
            rows.add(cells)
        rows[0].set_color(colors.HIGHLIGHT)
        rule = Text("the count takes off only once d is well above 1/ε²", font_size=22)
        rule.next_to(rows, DOWN, buff=0.55)

        seconds = self.narrate(
            "So where does the famous exponential growth come in? It is real, with fine print: for a fixed "
            "tolerance the count grows exponentially with the dimension, at a rate set by the tolerance "
            f"squared. In {self.example_dim:,} dimensions, random directions within {self.tolerance_deg:g} degree "
            f"number about {self.example_tight:,.0f}; within {self.wide_tolerance_deg:g} degrees, about "
            f"{self.example_wide:,.0f}."
        )
        self.play(FadeOut(self.hundred), run_time=0.6)
        self.play(Write(formula), FadeIn(where), run_time=1.2)
        self.play(FadeIn(header), run_time=0.6)
        self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.15) for r in rows), lag_ratio=0.6, run_time=1.6))
        self.play(FadeIn(rule), run_time=0.8)
        self.wait(max(0.5, seconds - 4.8))


def _count_tex(x: float, font_size: float = 30) -> MathTex:
    """An estimated count: whole number with commas up to a million, ``a.b × 10^k`` beyond."""
    x = float(x)
    if not math.isfinite(x):
        return MathTex(r"\infty", font_size=font_size)
    if x < 1e6:
        return MathTex(f"{x:,.0f}".replace(",", "{,}"), font_size=font_size)
    k = int(math.floor(math.log10(x)))
    return MathTex(rf"{x / 10 ** k:.1f} \times 10^{{{k}}}", font_size=font_size)


def _format_small(x: float) -> str:
    """A count that may be fractional (an estimate): ``1.3`` -> ``'about 1'``."""
    x = float(x)
    if x < 10:
        return f"about {x:.0f}" if x >= 0.5 else "fewer than 1"
    return f"about {x:,.0f}"
