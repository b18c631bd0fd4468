"""Scene 12: perpendicular vs nearly perpendicular directions, in a turning 3-D space, and how many fit.

In ``d`` dimensions exactly ``d`` directions can be mutually perpendicular. Allowing every pair a slack of
±t around 90° buys nothing in the plane until ±30° (three lines) nor in space until ±19.5° (four arrows; six
at ±26.6°); in the experiment's dimension the best arrangement stays close to ``d`` (at most 103 in 100-D
at ±1°, and a regular simplex gives 101). The count does grow exponentially with the dimension, but two statements must be kept apart:
*random* directions take off only once ``d`` is well above ``1/ε²``; the *best arrangement* does far better
(an explicit construction fits tens of millions within ±1° in GPT-3's 12,288 dimensions).

Every number comes from :func:`llmfacts.compute.perpendicular.perpendicular_story` for the lecture.

Render::

    .venv/bin/manim render -ql scenes/superposition_intro.py NearlyPerpendicular
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    ORIGIN,
    OUT,
    RIGHT,
    UP,
    Axes,
    Circle,
    Cone,
    Create,
    DashedLine,
    DecimalNumber,
    FadeIn,
    FadeOut,
    GrowFromPoint,
    LaggedStart,
    Line,
    LogBase,
    MathTex,
    Mobject,
    ParametricFunction,
    Rectangle,
    Sphere,
    Surface,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.perpendicular import (
    Arrangement,
    LineSet,
    PerpendicularStory,
    lines_in_space,
    perpendicular_story,
)
from llmfacts.formatting import format_int, tex_int
from llmfacts.story import Float, ThreeDStoryScene

__all__ = ["NearlyPerpendicular"]

#: The directions drawn in space, and the one that tries to join them.
ARROW = colors.DATA
PROBE = colors.HIGHLIGHT
BELT = colors.HIGHLIGHT


def _degrees(t: float) -> str:
    """``1 -> '1°'``, ``19.47 -> '19.5°'``."""
    return f"{t:g}°" if float(t).is_integer() else f"{t:.1f}°"


def _directed(x: float, mode: str) -> float:
    """``x`` rounded down, up or to the nearest (``mode``) to a whole number."""
    return math.floor(x + 1e-9) if mode == "down" else math.ceil(x - 1e-9) if mode == "up" else round(x)


def _whole(log10_value: float, mode: str) -> int:
    """A count written in full: an "at most" bound on a whole count is the whole number below it, like an "at
    least" estimate; a plain estimate is rounded to the nearest."""
    return int(_directed(10 ** log10_value, "near" if mode == "near" else "down"))


def count_words(log10_value: float, mode: str = "near") -> str:
    """A count given by its log10, for the narration: ``'103'``, ``'4,518'``, ``'75 million'``, ``'4.7 × 10^12'``
    (from a trillion on). ``mode`` rounds ``"down"`` (an "at least" count), ``"up"`` (an "at most" count) or to the
    nearest."""
    if log10_value < 6:
        return format_int(_whole(log10_value, mode))
    if log10_value < 12:
        value = 10 ** log10_value
        for size, word in ((1e9, "billion"), (1e6, "million")):
            if value >= size:
                x = value / size
                if x < 10:
                    return f"{_directed(10 * x, mode) / 10:g} {word}"
                return f"{format_int(_directed(x, mode))} {word}"
    k = math.floor(log10_value)
    m = _directed(10 * 10 ** (log10_value - k), mode) / 10
    if m >= 10:
        m, k = m / 10, k + 1
    return f"{m:.1f} × 10^{k}"


def count_tex(log10_value: float, mode: str = "near", exact: int | None = None) -> str:
    """The same count as TeX: exact (``exact``, or below a million) with separators, else ``a.b \\times 10^{k}``
    rounded as ``mode`` says."""
    if exact is not None and exact < 10**9:
        return tex_int(exact)
    if log10_value < 6:
        return tex_int(_whole(log10_value, mode))
    k = math.floor(log10_value)
    m = _directed(10 * 10 ** (log10_value - k), mode) / 10
    if m >= 10:
        m, k = m / 10, k + 1
    return rf"{m:.1f} \times 10^{{{k}}}"


@dataclass(frozen=True)
class Row:
    """One bar of a count chart: its label, log10 of its count, the count as TeX, colour, and whether it is a
    limit (drawn dashed, not filled)."""

    label: str
    log10: float
    tex: str
    color: str
    limit: bool = False


class NearlyPerpendicular(ThreeDStoryScene):
    """Superposition's geometric starting point: exactly vs nearly perpendicular directions, in 3-D.

    Layout parameters (class attributes): ``radius`` - length of the arrows (manim units); ``tilt_deg`` -
    how far the camera tips over to show space; ``turn_deg`` - how far it turns around during a beat (the turn
    of the three-dimensions beat ends on a view down a diagonal, where the three axes stand apart; 90 keeps
    the views of the later beats there too).
    """

    steps = ("two_dimensions", "three_dimensions", "allow_slack", "crowd_in", "many_dimensions", "growth")

    radius: float = 2.2
    tilt_deg: float = 68.0
    turn_deg: float = 90.0
    parameter_rules = {"radius": Float(1.0, 2.6), "tilt_deg": Float(20.0, 85.0), "turn_deg": Float(0.0, 180.0)}

    @classmethod
    def describe(cls, lecture) -> str:
        s = lecture.cached(perpendicular_story)
        t = _degrees(s.tolerance_deg)
        space = str(s.space_lower) if s.space_exact else f"{s.space_lower}-{s.space_upper}"
        line = (f"Perpendicular directions: d in d dimensions; within ±{t}: {s.plane} in the plane, {space} in "
                f"space, at most {count_words(s.log10_at_most_d, 'up')} in {s.d}-D")
        k = s.known_wide
        if k.beats_basis:
            how = "built" if k.built else "random, thinned"
            line += f"; {count_words(k.log10_count, 'down')} {how} in {format_int(s.wide_d)}-D"
        return line

    def prepare(self) -> None:
        self.story: PerpendicularStory = self.lecture.cached(perpendicular_story)
        self.lines = self.narration()

    # -- what is said -------------------------------------------------------------------------------------
    def narration(self) -> dict[str, str]:
        """The sentences of every beat, each factual one built from :attr:`story` and branched on it."""
        s = self.story
        return {
            "two_dimensions": ("Give each feature its own direction, all at right angles to one another, so that "
                               "adding one never changes how much of another is there. A flat plane has room "
                               "for two such directions, and no more."),
            "three_dimensions": ("Space has room for three, each at a right angle to the other two. In general, "
                                 "d dimensions hold exactly d mutually perpendicular directions: that is "
                                 "practically what dimension means."),
            "allow_slack": self._slack_line(s),
            "crowd_in": self._crowd_line(s),
            "many_dimensions": self._many_line(s),
            "growth": self._growth_line(s),
        }

    @staticmethod
    def _space_phrase(lower: int, upper: int) -> str:
        return str(lower) if lower == upper else f"at least {lower} and at most {upper}"

    def _slack_line(self, s: PerpendicularStory) -> str:
        lo, hi = s.band
        t = _degrees(s.tolerance_deg)
        space = self._space_phrase(s.space_lower, s.space_upper)
        if s.plane == 2 and s.space_upper == 3:
            verdict = "In the plane and in space that buys nothing: the counts stay at 2 and 3."
        elif s.plane == 2:
            verdict = f"The plane still holds only 2, but space now holds {space}."
        else:
            verdict = f"That slack buys room: the plane now holds {s.plane} lines, and space {space}."
        return (f"Now loosen the rule: any angle from {_degrees(lo)} to {_degrees(hi)} will do. Each arrow gets "
                f"a belt of directions within {t} of perpendicular to it, and a new arrow would have to lie in "
                f"every belt at once. {verdict}")

    def later_sets(self) -> list[tuple[LineSet, bool]]:
        """The 3-D arrangements that need more slack than the lecture's, each with whether it is the most
        that fits at its own slack (the count is exact there)."""
        s = self.story
        out = []
        for c in s.crowd:
            if c.max_abs_cos > s.space_set.max_abs_cos + 1e-12:
                low, high = lines_in_space(c.tolerance_deg)[:2]
                out.append((c, low == high == c.count))
        return out

    def _crowd_line(self, s: PerpendicularStory) -> str:
        later = self.later_sets()
        if not later:
            return (f"With slack this loose, space already holds {self._space_phrase(s.space_lower, s.space_upper)}"
                    " of them.")
        phrases = [f"within {c.tolerance_deg:.1f} degrees the {c.count} {c.name} fit" + (", and no more" if exact
                                                                                        else "")
                   for c, exact in later]
        last = later[-1][0]
        doubling = ""
        if last.count == 2 * 3 and lines_in_space(last.tolerance_deg - 0.01)[1] < last.count:
            doubling = f" Doubling space's 3 perpendicular arrows takes {last.tolerance_deg:.1f} degrees of slack."
        return "Loosen the rule much further and arrows crowd in: " + "; ".join(phrases) + "." + doubling

    @staticmethod
    def _known_line(k: Arrangement, t: str, where: str) -> str:
        if k.kind == "basis":
            return f"No arrangement known {where} beats the {format_int(k.d)} perpendicular directions."
        if k.kind == "simplex":
            return (f"The best arrangement known {where} is the {format_int(k.count)} corners of a regular simplex, "
                    "seen from its centre.")
        if k.kind == "gauss":
            return (f"The best arrangement known {where} is built: an explicit construction fits "
                    f"{count_words(k.log10_count, 'down')} directions within {t}.")
        return (f"The best arrangement known {where} comes from random directions with one of each bad pair "
                f"thrown out: about {count_words(k.log10_count, 'down')}.")

    def _many_line(self, s: PerpendicularStory) -> str:
        t = _degrees(s.tolerance_deg)
        limit = count_words(s.log10_at_most_d, "up")
        if s.at_most_d == s.d:
            verdict = (f"The computation says no: within {t} of a right angle, no arrangement of directions in "
                       f"{s.d} dimensions gets past the {s.d} perpendicular ones.")
        elif s.barely_more_at_d:
            verdict = (f"The computation says no: within {t} of a right angle, no arrangement of directions in "
                       f"{s.d} dimensions can pass {limit}, barely more than the {s.d} perpendicular ones.")
        else:
            verdict = (f"Within {t} of a right angle, the computation allows at most {limit} directions in "
                       f"{s.d} dimensions.")
        rnd = count_words(s.log10_random_d)
        if s.random_below_basis_d:
            random_words = (f"Directions picked at random do worse than perpendicular ones: about {rnd} go in "
                            "before some pair leaves the band.")
        else:
            random_words = f"Directions picked at random reach about {rnd} before some pair leaves the band."
        return (f"It is tempting to think that {s.d} dimensions hold vastly more than {s.d} nearly perpendicular "
                f"directions. {verdict} {self._known_line(s.known_d, t, 'there')} {random_words}")

    def _growth_line(self, s: PerpendicularStory) -> str:
        t = _degrees(s.tolerance_deg)
        wide = format_int(s.wide_d)
        rnd = count_words(s.log10_random_wide)
        random_part = (f"Directions picked at random gain room exponentially in d times ε squared, so they take off "
                       f"only once d is well past 1 over ε squared: about {format_int(s.inv_eps2)} dimensions for "
                       f"{t}. ")
        if s.random_below_basis_wide:
            random_part += f"In the {wide} dimensions of {s.wide_name}, random directions within {t} number only " \
                           f"about {rnd}."
        else:
            random_part += f"In the {wide} dimensions of {s.wide_name}, random directions within {t} number about {rnd}."
        known = self._known_line(s.known_wide, t, "there")
        limit = f" No arrangement at all can pass {count_words(s.log10_at_most_wide, 'up')}."
        return ("So where is the famous exponential growth? It is real, but random directions and the best "
                "arrangement must be kept apart. " + random_part + " " + known + limit)

    # -- helpers ------------------------------------------------------------------------------------------
    def pin(self, *mobjects: Mobject) -> None:
        """Fix ``mobjects`` to the screen (not to the turning space) without adding them to the scene."""
        self.camera.add_fixed_in_frame_mobjects(*mobjects)

    def show(self, *mobjects: Mobject) -> None:
        """Add screen-fixed ``mobjects`` at once."""
        self.add_fixed_in_frame_mobjects(*mobjects)

    def arrow(self, direction, color: str = ARROW) -> VGroup:
        """An arrow of length ``radius`` from the origin: a stroked shaft and a small cone for the tip (far
        lighter to draw than ``Arrow3D``, whose hundreds of faces take seconds per frame)."""
        d = np.asarray(direction, dtype=float)
        d = d / np.linalg.norm(d)
        end = self.radius * d
        tip_length = 0.3
        shaft = Line(ORIGIN, end - 0.8 * tip_length * d, color=color, stroke_width=6)
        tip = Cone(base_radius=0.1, height=tip_length, direction=d, resolution=(1, 12), fill_color=color,
                   fill_opacity=1.0, stroke_width=0, checkerboard_colors=False)
        points = tip.get_all_points()
        tip.shift(end - points[int(np.argmax(points @ d))])
        arrow = VGroup(shaft, tip)
        arrow.end = end  # type: ignore[attr-defined]
        return arrow

    def corner(self, a, b, size: float = 0.3) -> VMobject:
        a, b = np.asarray(a, float) * size, np.asarray(b, float) * size
        return VMobject(stroke_color=colors.TEXT, stroke_width=2.5).set_points_as_corners([a, a + b, b])

    def belt(self, axis, half_width_deg: float, opacity: float = 0.55) -> VGroup:
        """The directions within ``half_width_deg`` of perpendicular to ``axis``: a band around the sphere (a
        translucent surface between two edge circles)."""
        a = np.asarray(axis, float) / np.linalg.norm(axis)
        b = np.cross(a, [0.3, 0.5, 0.8])
        b /= np.linalg.norm(b)
        c = np.cross(a, b)
        r = self.radius * 0.995
        w = math.radians(half_width_deg)

        def point(u: float, v: float) -> np.ndarray:
            return r * (math.cos(v) * (math.cos(u) * b + math.sin(u) * c) + math.sin(v) * a)

        band = Surface(point, u_range=(0, 2 * math.pi), v_range=(-w, w), resolution=(48, 1), fill_color=BELT,
                       fill_opacity=opacity, stroke_width=0, checkerboard_colors=False)
        edges = VGroup(*(ParametricFunction(lambda u, v=v: point(u, v), t_range=(0, 2 * math.pi), color=BELT,
                                            stroke_width=2) for v in (-w, w)))
        return VGroup(band, edges)

    def heading(self, content: str) -> Mobject:
        return style.text(content, style.HEADING).move_to([0, style.SAFE_FRAME.y_max - 0.35, 0])

    def footer(self, mobject: Mobject) -> Mobject:
        return mobject.move_to([0, style.SAFE_FRAME.y_min + 0.35, 0])

    # -- steps --------------------------------------------------------------------------------------------
    def two_dimensions(self) -> None:
        r = self.radius
        heading = self.heading("2 dimensions")
        plane = Circle(radius=r, color=colors.DATA_DIM, stroke_width=1.5, stroke_opacity=0.6)
        u, v = self.arrow(RIGHT), self.arrow(UP)
        right = self.corner(RIGHT, UP)
        names = VGroup(style.math("u", style.LABEL).next_to(u.end, DOWN, buff=0.15),
                       style.math("v", style.LABEL).next_to(v.end, LEFT, buff=0.15))

        angle = ValueTracker(35.0)
        probe = self.arrow(RIGHT, PROBE)
        probe.add_updater(lambda m: m.become(self.arrow([math.cos(angle.get_value() * DEGREES),
                                                          math.sin(angle.get_value() * DEGREES), 0], PROBE)))
        probe_name = style.math("w", style.LABEL, color=PROBE)
        probe_name.add_updater(lambda m: m.move_to(
            (r + 0.3) * np.array([math.cos(angle.get_value() * DEGREES), math.sin(angle.get_value() * DEGREES), 0])))
        readouts = VGroup()
        for other, value in (("u", lambda: angle.get_value()), ("v", lambda: abs(angle.get_value() - 90.0))):
            label = style.math(rf"\angle(w, {other}) =", style.LABEL)
            number = DecimalNumber(value(), num_decimal_places=0, unit=r"^\circ", font_size=style.math_size(style.LABEL))
            readouts.add(VGroup(label, number).arrange(RIGHT, buff=0.2))
        readouts.arrange(DOWN, aligned_edge=LEFT, buff=0.35).move_to([4.3, 0.6, 0])

        def refresh(group: VGroup, value) -> None:
            group[1].set_value(value())
            group[1].next_to(group[0], RIGHT, buff=0.2)
            self.pin(group[1])  # set_value rebuilds the digits: fix the new ones to the screen too

        readouts[0].add_updater(lambda g: refresh(g, lambda: angle.get_value()))
        readouts[1].add_updater(lambda g: refresh(g, lambda: abs(angle.get_value() - 90.0)))

        with self.beat(self.lines["two_dimensions"]) as beat:
            self.show(heading)
            self.play(Create(plane), FadeIn(heading), run_time=0.8)
            self.play(GrowFromPoint(u, ORIGIN), GrowFromPoint(v, ORIGIN), run_time=1.0)
            self.show(names)
            self.play(Create(right), FadeIn(names), run_time=0.6)
            self.show(probe_name, readouts)
            self.add(probe)
            self.play(FadeIn(probe), FadeIn(probe_name), FadeIn(readouts), run_time=0.6)
            beat.wait_until("room")
            self.play(angle.animate.set_value(150.0), run_time=beat.fit(0.75, at_least=2.0), rate_func=linear)
            self.play(angle.animate.set_value(90.0), run_time=1.0)
        for m in (probe, probe_name, readouts[0], readouts[1]):
            m.clear_updaters()
        self.play(FadeOut(probe), FadeOut(probe_name), FadeOut(readouts), run_time=0.5)
        self.plane, self.names, self.heading_now = plane, names, heading
        self.arrows = VGroup(u, v)
        self.corners = VGroup(right)

    def three_dimensions(self) -> None:
        w = self.arrow(OUT)
        corners = VGroup(self.corner(UP, OUT), self.corner(RIGHT, OUT))
        heading = self.heading("3 dimensions")
        general = self.footer(style.math(r"d \text{ dimensions: } d \text{ perpendicular directions}", style.BODY))
        with self.beat(self.lines["three_dimensions"]) as beat:
            self.pin(heading)
            self.play(FadeOut(self.names), FadeOut(self.heading_now), FadeIn(heading), run_time=0.6)
            self.move_camera(phi=self.tilt_deg * DEGREES, theta=(45 - self.turn_deg) * DEGREES, run_time=1.5)
            self.play(GrowFromPoint(w, ORIGIN), run_time=0.8)
            self.play(Create(corners), run_time=0.6)
            beat.wait_until("In general")
            self.pin(general)
            self.play(FadeIn(general), run_time=0.8)
            self.move_camera(theta=45 * DEGREES, run_time=beat.fit(1.0, at_least=1.0),
                             rate_func=linear)
        self.arrows.add(w)
        self.corners.add(*corners)
        self.heading_now, self.general = heading, general
        self.theta = 45.0

    def allow_slack(self) -> None:
        s = self.story
        lo, hi = s.band
        rule = self.heading(f"every pair between {_degrees(lo)} and {_degrees(hi)}")
        rule.set_color(BELT)
        sphere = Sphere(radius=self.radius * 0.99, resolution=(24, 12), fill_color=colors.DATA_DIM,
                        fill_opacity=0.08, stroke_width=0.4, stroke_color=colors.DATA_DIM, stroke_opacity=0.25)
        sphere.set_fill(colors.DATA_DIM, opacity=0.08)  # one even shade over the faces (no checkerboard)
        start = s.space_set
        arrows = self.arrows
        if start.count != 3 or start.max_abs_cos > 0:  # the slack already allows more than the axes
            arrows = VGroup(*(self.arrow(self._facing(v)) for v in start.vectors))
        # wide belts overlap: thinner paint, so that the arrows stay visible through them
        opacity = 0.55 if s.tolerance_deg <= 5 else 0.5 / start.count
        belts = VGroup(*(self.belt(v, s.tolerance_deg, opacity) for v in start.vectors))
        counts = self.footer(self._counts(s.plane, s.space_lower, s.space_upper))
        text = self.lines["allow_slack"]
        verdict = text[text.index("at once.") + len("at once. "):]
        with self.beat(text) as beat:
            self.pin(rule)
            self.play(FadeOut(self.heading_now), FadeOut(self.general), FadeIn(rule), run_time=0.8)
            if arrows is not self.arrows:
                self.play(FadeOut(self.arrows), FadeOut(self.corners), run_time=0.6)
                self.play(*(GrowFromPoint(a, ORIGIN) for a in arrows), run_time=0.8)
                self.arrows, self.corners = arrows, VGroup()
            self.play(FadeIn(sphere), FadeOut(self.plane), run_time=0.6)
            beat.wait_until("belt")
            self.play(LaggedStart(*(FadeIn(b) for b in belts), lag_ratio=0.4), run_time=1.5)
            beat.wait_until(" ".join(verdict.split()[:2]))
            self.pin(counts)
            self.play(FadeIn(counts), run_time=0.6)
            self.theta += self.turn_deg
            self.move_camera(theta=self.theta * DEGREES, run_time=beat.fit(1.0, at_least=1.0), rate_func=linear)
        self.rule, self.sphere, self.belts, self.counts = rule, sphere, belts, counts

    def _counts(self, plane: int, space_lower: int, space_upper: int) -> VGroup:
        space = str(space_lower) if space_lower == space_upper else f"{space_lower}–{space_upper}"
        return VGroup(style.text(f"plane: {plane}", style.LABEL), style.text(f"space: {space}", style.LABEL)
                      ).arrange(RIGHT, buff=1.2)

    def crowd_in(self) -> None:
        s = self.story
        later = self.later_sets()
        if not later:
            with self.beat(self.lines["crowd_in"]):
                self.play(FadeOut(self.belts), FadeOut(self.sphere), run_time=0.8)
                self.theta += self.turn_deg
                self.move_camera(theta=self.theta * DEGREES, run_time=2.0, rate_func=linear)
            return
        with self.beat(self.lines["crowd_in"]) as beat:
            self.play(FadeOut(self.belts), FadeOut(self.sphere), FadeOut(self.corners), run_time=0.8)
            share = 1.0 / len(later)
            for c, _ in later:
                lo, hi = 90 - c.tolerance_deg, 90 + c.tolerance_deg
                rule = self.heading(f"every pair between {lo:.1f}° and {hi:.1f}°").set_color(BELT)
                counts = self.footer(self._counts(s.plane, *lines_in_space(c.tolerance_deg)[:2]))
                new = VGroup(*(self.arrow(self._facing(v)) for v in c.vectors))
                self.pin(rule, counts)
                self.play(FadeOut(self.arrows), FadeOut(self.rule), FadeOut(self.counts), FadeIn(rule),
                          FadeIn(counts), run_time=0.8)
                self.play(LaggedStart(*(GrowFromPoint(a, ORIGIN) for a in new), lag_ratio=0.2), run_time=1.2)
                self.theta += self.turn_deg * share
                self.move_camera(theta=self.theta * DEGREES, run_time=beat.fit(share, at_least=1.0),
                                 rate_func=linear)
                self.arrows, self.rule, self.counts = new, rule, counts

    @staticmethod
    def _facing(v) -> np.ndarray:
        """The direction of the line ``v`` that points up (a line has two; draw the upper one)."""
        v = np.asarray(v, dtype=float)
        return -v if v[2] < -1e-9 or (abs(v[2]) < 1e-9 and v[1] < 0) else v

    # -- the high-dimensional part: charts on the screen ----------------------------------------------------
    def count_chart(self, rows: list[Row], *, log: bool) -> VGroup:
        """Horizontal bars, one per row, on a count axis (ManimCE ``Axes``; ``LogBase`` scaling for a log axis
        while the counts stay in float's range, else an axis of powers of ten); labels on the left, each
        count at the end of its bar. Laid out to fit the title-safe frame as it is."""
        frame = style.SAFE_FRAME
        row_gap = 0.95
        labels = VGroup(*(style.text(r.label, style.LABEL, color=r.color) for r in rows))
        values = VGroup(*(style.math(r.tex, style.LABEL, color=r.color) for r in rows))
        x0 = frame.x_min + 0.2 + labels.width + 0.3  # where the bars start
        width = frame.x_max - 0.25 - max(v.width for v in values) - 0.25 - x0
        top = max(r.log10 for r in rows)
        common = dict(x_length=width, y_range=(0, len(rows), 1), y_length=row_gap * len(rows), tips=False,
                      axis_config={"color": colors.TEXT_DIM, "stroke_width": 2}, y_axis_config={"stroke_opacity": 0})
        if not log:
            x_max = 10 ** top
            axes = Axes(x_range=(0, x_max, x_max / 4), x_axis_config={"include_ticks": False}, **common)

            def x_of(log10: float) -> float:
                return axes.c2p(10 ** log10, 0)[0]
        else:
            step = next(k for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if top / k <= 6)
            x_max = step * math.ceil(top / step + 1e-9)
            if x_max <= 300:
                axes = Axes(x_range=(0, x_max, step), x_axis_config={
                    "scaling": LogBase(), "include_numbers": True, "font_size": style.math_size(style.LABEL),
                    "label_constructor": MathTex}, **common)
                axes.x_axis.labels.set_color(colors.TEXT_DIM)

                def x_of(log10: float) -> float:
                    return axes.c2p(10 ** log10, 0)[0]
            else:  # beyond float's range: the axis counts powers of ten itself
                axes = Axes(x_range=(0, x_max, step), **common)
                axes.x_axis.add_labels({k: style.math(f"10^{{{k}}}", style.LABEL, color=colors.TEXT_DIM)
                                        for k in range(0, x_max + 1, step)},
                                       font_size=style.math_size(style.LABEL))

                def x_of(log10: float) -> float:
                    return axes.c2p(log10, 0)[0]
        axes.shift(RIGHT * (x0 - axes.x_axis.get_start()[0]) + UP * (-0.25 - axes.get_center()[1]))
        start = axes.x_axis.get_start()[0]
        bars = VGroup()
        for k, (r, label, value) in enumerate(zip(rows, labels, values)):
            y = axes.y_axis.number_to_point(len(rows) - k - 0.5)[1]
            end = max(x_of(r.log10) if r.log10 > -math.inf else start, start + 0.04)
            bar = Rectangle(width=end - start, height=0.5, stroke_width=0, fill_color=r.color,
                            fill_opacity=0.2 if r.limit else 0.85).move_to([start, y, 0], aligned_edge=LEFT)
            if r.limit:
                bar = VGroup(bar, DashedLine(bar.get_corner(UP + RIGHT) + 0.1 * UP, bar.get_corner(DOWN + RIGHT)
                                             + 0.1 * DOWN, color=r.color, stroke_width=4))
            label.move_to([x0 - 0.3, y, 0], aligned_edge=RIGHT)
            value.next_to(bar, RIGHT, buff=0.2)
            bars.add(bar)
        chart = VGroup(axes.x_axis, labels, bars, values)
        chart.axes, chart.labels, chart.bars, chart.values = axes, labels, bars, values  # type: ignore[attr-defined]
        return style.fit_in_safe_frame(chart)

    def _rows(self, d: int, limit: float, known: Arrangement, random_log10: float) -> list[Row]:
        """perpendicular, the proven limit, the best arrangement known, random directions: in ``d`` dims."""
        built = known.built
        return [
            Row("perpendicular", math.log10(d), tex_int(d), colors.DATA),
            Row("proven limit", limit, r"\le " + count_tex(limit, "up"), colors.CURVE_BOUND, limit=True),
            Row("best known", known.log10_count,
                count_tex(known.log10_count, "down", known.count) if built
                else r"\approx " + count_tex(known.log10_count, "down"),
                colors.CURVE_BUILT if built else colors.CURVE_RANDOM),
            Row("random", random_log10, r"\approx " + count_tex(random_log10), colors.CURVE_RANDOM),
        ]

    def many_dimensions(self) -> None:
        s = self.story
        rows = self._rows(s.d, s.log10_at_most_d, s.known_d, s.log10_random_d)
        chart = self.count_chart(rows, log=not s.barely_more_at_d)
        heading = self.heading(f"{s.d} dimensions, within ±{_degrees(s.tolerance_deg)}")
        with self.beat(self.lines["many_dimensions"]) as beat:
            self.play(FadeOut(self.arrows), FadeOut(self.rule), FadeOut(self.counts), run_time=0.8)
            self.set_camera_orientation(phi=0, theta=-90 * DEGREES)
            self.pin(heading, chart)
            self.play(FadeIn(heading), Create(chart.axes.x_axis), FadeIn(chart.labels),
                      GrowFromPoint(chart.bars[0], chart.bars[0].get_left()), FadeIn(chart.values[0]), run_time=1.0)
            for k, word in ((1, "The computation" if s.barely_more_at_d else "Within"), (2, "arrangement known"),
                            (3, "picked")):
                beat.wait_until(word)
                self.play(GrowFromPoint(chart.bars[k], chart.bars[k].get_left()), FadeIn(chart.values[k]),
                          run_time=0.8)
        self.chart, self.heading_now = chart, heading

    def growth(self) -> None:
        s = self.story
        rows = self._rows(s.wide_d, s.log10_at_most_wide, s.known_wide, s.log10_random_wide)
        chart = self.count_chart(rows, log=True)
        heading = self.heading(f"{format_int(s.wide_d)} dimensions ({s.wide_name}), ±{_degrees(s.tolerance_deg)}")
        with self.beat(self.lines["growth"]) as beat:
            self.pin(heading, chart)
            self.play(FadeOut(self.chart), FadeOut(self.heading_now), run_time=0.6)
            self.play(FadeIn(heading), Create(chart.axes.x_axis), FadeIn(chart.labels),
                      GrowFromPoint(chart.bars[0], chart.bars[0].get_left()), FadeIn(chart.values[0]), run_time=1.0)
            for k, word in ((3, "In the"), (2, "arrangement known"), (1, "No arrangement at all")):
                beat.wait_until(word)
                self.play(GrowFromPoint(chart.bars[k], chart.bars[k].get_left()), FadeIn(chart.values[k]),
                          run_time=0.8)
