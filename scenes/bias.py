"""Scene 6: the bias b↑ is added to W↑ E; row 0's bias shifts every name pair's score by the same amount,
and for the default lecture (bias −1) only the full name stays positive.

Every number comes from the lecture's toy block (:mod:`llmfacts.compute.toy_mlp`): the vector W↑ E of the
full name, the bias vector, their sum, and neuron 0's score for the full name and for the pairs that keep
one name or none (``lecture.gate_table()``, grouped by :func:`llmfacts.compute.mlp_story.gate_groups`).
The sentences follow the computed values: a lecture whose bias lets a one-name pair through is told so.

Render::

    .venv/bin/manim render -ql scenes/bias.py BiasShift
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    Line,
    NumberLine,
    Rectangle,
    SurroundingRectangle,
    Transform,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.lecture import Lecture
from llmfacts.compute.mlp_story import gate_groups
from llmfacts.formatting import format_fixed
from llmfacts.mobjects import EmbeddingVector, fit_width
from llmfacts.story import Float, Int
from scenes._mlp_common import MlpFactScene

__all__ = ["BiasShift", "ScoreLanes"]

#: Font size of the numbers inside the vectors (the smallest formula size the design allows, rounded up).
NUMBER_SIZE = 34


def _num(value: float, decimals: int = 2) -> str:
    return format_fixed(value, decimals, true_minus=True)


def _values_phrase(values: list[float], decimals: int) -> str:
    """``"1.00"`` when the values read the same at ``decimals``, else ``"from 0.90 to 1.10"``."""
    shown = sorted({_num(v, decimals) for v in values}, key=lambda s: float(s.replace("\u2212", "-")))
    if len(shown) == 1:
        return shown[0]
    return f"from {_num(min(values), decimals)} to {_num(max(values), decimals)}"


class ScoreLanes(VGroup):
    """One lane per name pair along a shared number line: the pair's name on the left, a dot at its score.

    ``labels`` are the name mobjects (one per lane, top to bottom); ``values`` the scores; ``x_range`` the
    number line's whole numbers (lo, hi); ``unit`` the length of 1 on it; ``pitch`` the lane spacing. Positions
    are read from the mobjects when asked, so the group can be moved and scaled freely.
    """

    PAD = 0.35  # how far the lanes run past the number line's ends

    def __init__(self, labels: list, values: list[float], *, x_range: tuple[int, int], unit: float = 1.1,
                 pitch: float = 0.75, decimals: int = 2, number_size: float = NUMBER_SIZE):
        super().__init__()
        self.decimals, self.x_range = decimals, x_range
        self.axis = NumberLine(x_range=(x_range[0], x_range[1], 1), length=unit * (x_range[1] - x_range[0]),
                               include_numbers=True, color=colors.TEXT_DIM, stroke_width=2, font_size=number_size,
                               decimal_number_config={"num_decimal_places": 0, "color": colors.TEXT_DIM})
        left, right = self.axis.n2p(x_range[0]) + LEFT * self.PAD, self.axis.n2p(x_range[1]) + RIGHT * self.PAD
        self.lanes = VGroup(*(Line(left, right, color=colors.DATA_DIM, stroke_width=1.5).shift(UP * pitch * (n - k))
                              for n in [len(labels)] for k in range(len(labels))))
        self.names = VGroup(*labels)
        for name, lane in zip(self.names, self.lanes):
            name.next_to(lane, LEFT, buff=0.25)
        self.zero_line = DashedLine(self.axis.n2p(0), self.axis.n2p(0) + UP * pitch * (len(labels) + 0.45),
                                    color=colors.TEXT_DIM, stroke_width=2)
        self.dots = VGroup(*(Dot(self.point(v, k), radius=0.09, color=colors.DATA) for k, v in enumerate(values)))
        self.value_labels = VGroup(*(self.value_label(v, k) for k, v in enumerate(values)))
        self.add(self.axis, self.lanes, self.zero_line, self.names, self.dots, self.value_labels)

    def point(self, value: float, lane: int) -> np.ndarray:
        """Where ``value`` lies on lane ``lane``."""
        return np.array([self.axis.n2p(value)[0], self.lanes[lane].get_y(), 0.0])

    def value_label(self, value: float, lane: int, color: str = colors.TEXT):
        label = style.text(_num(value, self.decimals), style.CAPTION, color)
        return label.next_to(self.point(value, lane), UP, buff=0.1)

    def region(self, lo: float, color: str, opacity: float = 0.15) -> Rectangle:
        """A shaded band over every lane from ``lo`` on the number line to the lanes' right end."""
        left, right = self.axis.n2p(lo)[0], self.lanes[0].get_right()[0]
        top, bottom = self.lanes[0].get_y() + 0.45, self.lanes[-1].get_y() - 0.3
        band = Rectangle(width=right - left, height=top - bottom, stroke_width=0, fill_color=color,
                         fill_opacity=opacity)
        return band.move_to([(left + right) / 2, (top + bottom) / 2, 0])


class BiasShift(MlpFactScene):
    """Add the bias b↑: row 0's bias moves every name pair's score by the same amount; with −1 only the
    full name stays positive.

    Layout parameters (class attributes; the fact and the toy block come from the lecture):

    * ``shown_rows`` (6) - entries shown per vector, ellipsis included; ``decimals`` (2);
    * ``lane_pitch`` (0.78) - vertical distance between the name pairs' lanes.
    """

    steps = ("recap", "add_bias", "shift", "only_full_name")
    lane_pitch: float = 0.78
    parameter_rules = {**MlpFactScene.parameter_rules, "lane_pitch": Float(0.5, 1.2), "decimals": Int(1, 4)}

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        rows = lecture.gate_table()
        b0 = float(lecture.toy_mlp().b_up[0])
        positive = [r for r in rows if r.pre > 0]
        if len(positive) == 1 and positive[0] is rows[0]:
            tail = f"only {lecture.full_name} stays positive"
        else:
            tail = f"{len(positive)} of {len(rows)} name pairs stay positive"
        return f"The bias b↑ = {_num(b0)} shifts row 0's score for every name pair: {tail}"

    # -- numbers and sentences -------------------------------------------------------------------------------
    def prepare(self) -> None:
        super().prepare()
        self.b0 = float(self.mlp.b_up[0])
        self.groups = self.lecture.cached(gate_groups)
        self.positive = [r for r in self.gate_rows if r.pre > 0]
        self.gate_is_and = (len(self.positive) == 1 and self.positive[0] is self.gate_rows[0])
        self.others_at_most_zero = all(r.pre <= 0 for r in self.gate_rows[1:])
        self.lines = self.narration()

    def narration(self) -> dict[str, str]:
        """The sentence of every step, built from the computed values."""
        f, rows, d = self.fact, self.gate_rows, self.decimals
        one, none = self.groups.get(1, ()), self.groups.get(0, ())
        parts = [f"for {f.full_name} it reads {_num(rows[0].dot, d)}"]
        if one:
            parts.append(f"with only one of the names {_values_phrase([r.dot for r in one], d)}")
        if none:
            parts.append(f"with neither {_values_phrase([r.dot for r in none], d)}")
        scores = ", ".join(parts[:-1]) + (", and " if len(parts) > 1 else "") + parts[-1]
        recap = f"W↑ gave one number per row. Row 0 is the one that asks about both names: {scores}."

        add_bias = (f"Next the block adds a bias: one more learned number per row. In this toy, row 0's bias "
                    f"is {_num(self.b0, d)}.")

        moves = [f"{f.full_name} from {_num(rows[0].dot, d)} to {_num(rows[0].pre, d)}"]
        if one:
            moves.append(f"a pair with one name from {_values_phrase([r.dot for r in one], d)} to "
                         f"{_values_phrase([r.pre for r in one], d)}")
        if none:
            moves.append(f"the pair with neither from {_values_phrase([r.dot for r in none], d)} to "
                         f"{_values_phrase([r.pre for r in none], d)}")
        moved = ", ".join(moves[:-1]) + (", and " if len(moves) > 1 else "") + moves[-1]
        shift = f"The bias moves every pair's score by the same {_num(self.b0, d)}: {moved}."

        if self.gate_is_and and self.others_at_most_zero:
            verdict = ("So row 0 is positive only for the full name; with one name or none it sits at zero "
                       "or below.")
        elif rows[0].pre > 0:
            through = ", ".join(f"{r.first} {r.last}" for r in self.positive[1:])
            verdict = (f"With this bias row 0 stays positive for {len(self.positive)} of {len(rows)} pairs, not "
                       f"only the full name: {through} get through too.")
        else:
            verdict = (f"With this bias even the full name ends at {_num(rows[0].pre, d)}: row 0 is positive "
                       f"for {len(self.positive)} of {len(rows)} pairs.")
        others = [float(b) for b in self.mlp.b_up[1:]]
        if any(abs(b - self.b0) > 1e-12 for b in others):
            verdict += " The other rows have biases of their own."
        return {"recap": recap, "add_bias": add_bias, "shift": shift, "only_full_name": verdict}

    # -- pictures --------------------------------------------------------------------------------------------
    def _vector(self, values, color: str = colors.DATA) -> EmbeddingVector:
        return EmbeddingVector(values, max_rows=self.shown_rows, decimals=self.decimals, color=color,
                               font_size=NUMBER_SIZE)

    def _lanes(self) -> ScoreLanes:
        rows = self.gate_rows
        values = [r.dot for r in rows] + [r.pre for r in rows] + [0.0]
        lo, hi = int(np.floor(min(values))), int(np.ceil(max(values)))
        labels = [self.full_name(r.first, r.last, style.CAPTION) for r in rows]
        lanes = ScoreLanes(labels, [r.dot for r in rows], x_range=(lo, hi), pitch=self.lane_pitch,
                           decimals=self.decimals, unit=min(1.0, 4.0 / max(1, hi - lo)))
        for dot, row in zip(lanes.dots, rows):
            dot.set_color(colors.HIGHLIGHT if row is rows[0] else colors.DATA)
        fit_width(lanes, 6.6)  # Marie Curie's longer pair names stay at the caption size
        return lanes

    # -- steps -----------------------------------------------------------------------------------------------
    def recap(self) -> None:
        self.up_vec = self._vector(self.trace.up)
        self.up_label = style.math(style.W_UP + style.VEC, style.BODY).next_to(self.up_vec, UP, buff=0.3)
        self.up_label[0][:2].set_color(colors.MLP)
        self.name = self.full_name(self.fact.first_name, self.fact.last_name, style.CAPTION)
        self.name.next_to(self.up_vec, DOWN, buff=0.3)
        self.left_group = VGroup(self.up_vec, self.up_label, self.name).move_to([-3.7, 0.1, 0])
        self.lanes = self._lanes()
        self.lanes.move_to([0, -0.1, 0]).to_edge(RIGHT, buff=1.3)  # room for the bias label
        self.lane_title = self._lane_title(with_bias=False)
        self.row0_rect = self.up_vec.entry_rectangle(0)
        with self.beat(self.lines["recap"]) as beat:
            self.play(FadeIn(self.up_vec), Write(self.up_label), FadeIn(self.name), run_time=1.0)
            self.play(Create(self.lanes.axis), Create(self.lanes.lanes), FadeIn(self.lanes.names),
                      FadeIn(self.lane_title), Create(self.lanes.zero_line), run_time=1.2)
            beat.wait_until("row 0")
            self.play(Create(self.row0_rect), run_time=0.5)
            self.play(LaggedStart(*(FadeIn(VGroup(d, v), scale=1.5) for d, v in
                                    zip(self.lanes.dots, self.lanes.value_labels)), lag_ratio=0.35),
                      run_time=beat.fit(0.6, at_least=1.2))

    def _lane_title(self, *, with_bias: bool):
        tex = r"\text{row 0}\cdot " + style.VEC + (" + " + style.B_UP if with_bias else "")
        title = style.math(tex, style.LABEL, colors.TEXT_DIM)
        if with_bias:
            title[0][-2:].set_color(colors.BIAS)
        return title.next_to(self.lanes.lanes, UP, buff=0.55)

    def add_bias(self) -> None:
        self.plus = style.math("+", style.HEADING)
        self.bias_vec = self._vector(self.mlp.b_up, colors.BIAS)
        self.equals = style.math("=", style.HEADING)
        self.pre_vec = self._vector(self.trace.up)  # counts to W↑E + b↑ below
        row = VGroup(self.up_vec.copy(), self.plus, self.bias_vec, self.equals, self.pre_vec).arrange(RIGHT, buff=0.2)
        row.move_to([0, self.up_vec.get_y(), 0]).to_edge(LEFT, buff=0.75)
        self.bias_label = style.math(style.B_UP, style.BODY, colors.BIAS).next_to(self.bias_vec, UP, buff=0.3)
        self.pre_label = style.math(style.W_UP + style.VEC + "+" + style.B_UP, style.BODY)
        self.pre_label.next_to(self.pre_vec, UP, buff=0.3).set_y(self.bias_label.get_y())
        self.pre_label[0][:2].set_color(colors.MLP)
        self.pre_label[0][4:].set_color(colors.BIAS)
        with self.beat(self.lines["add_bias"]) as beat:
            shift = row[0].get_center() - self.up_vec.get_center()
            self.play(VGroup(self.up_vec, self.row0_rect).animate.shift(shift),
                      self.up_label.animate.next_to(row[0], UP, buff=0.3).set_y(self.bias_label.get_y()),
                      self.name.animate.next_to(row[0], DOWN, buff=0.3).align_to(row[0], LEFT), run_time=0.8)
            self.play(Write(self.plus), FadeIn(self.bias_vec), Write(self.bias_label), run_time=1.0)
            beat.wait_until("row 0's")
            self.bias_rect = self.bias_vec.entry_rectangle(0, color=colors.BIAS)
            self.play(FadeOut(self.row0_rect), Create(self.bias_rect),
                      Indicate(self.bias_vec.get_entry(0), color=colors.BIAS), run_time=0.8)
            self.play(Write(self.equals), FadeIn(self.pre_vec), Write(self.pre_label), run_time=0.8)
            self.play(*self.pre_vec.change_values_animations(self.trace.pre_activation), run_time=beat.fit(0.5, 1.0))
            self.pre_rect = self.pre_vec.entry_rectangle(0)
            self.play(FadeOut(self.bias_rect), Create(self.pre_rect), run_time=0.5)

    def shift(self) -> None:
        lanes, rows = self.lanes, self.gate_rows
        arrows = VGroup(*(Arrow(lanes.point(r.dot, k), lanes.point(r.pre, k), buff=0.12, color=colors.BIAS,
                                stroke_width=4, max_tip_length_to_length_ratio=0.3).shift(DOWN * 0.2)
                          for k, r in enumerate(rows)))
        shift_label = style.math(_num(self.b0, self.decimals).replace("\u2212", "-"), style.CAPTION, colors.BIAS)
        shift_label.next_to(arrows[0], RIGHT, buff=0.12)
        new_labels = VGroup(*(lanes.value_label(r.pre, k, colors.HIGHLIGHT if r.pre > 0 else colors.TEXT)
                              for k, r in enumerate(rows)))
        self.shift_arrows = VGroup(arrows, shift_label)
        with self.beat(self.lines["shift"]) as beat:
            self.play(Transform(self.lane_title, self._lane_title(with_bias=True)),
                      LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.15), FadeIn(shift_label),
                      run_time=1.0)
            self.play(*(d.animate.move_to(lanes.point(r.pre, k)) for k, (d, r) in enumerate(zip(lanes.dots, rows))),
                      *(Transform(old, new) for old, new in zip(lanes.value_labels, new_labels)),
                      run_time=beat.fit(0.4, 1.5))

    def only_full_name(self) -> None:
        lanes, rows = self.lanes, self.gate_rows
        band = lanes.region(0.0, colors.HIGHLIGHT, opacity=0.12)
        positive = [k for k, r in enumerate(rows) if r.pre > 0]
        boxes = VGroup(*(SurroundingRectangle(VGroup(lanes.names[k], lanes.dots[k], lanes.value_labels[k]),
                                              color=colors.HIGHLIGHT, buff=0.08) for k in positive))
        count = style.markup(f'<span foreground="{colors.HIGHLIGHT}">positive</span>: {len(positive)} of '
                             f'{len(rows)} pairs', style.LABEL)
        count.next_to(lanes.axis, DOWN, buff=0.6).align_to(lanes.lanes, RIGHT)
        others = [i for i in self.bias_vec.shown_rows if i != 0]
        with self.beat(self.lines["only_full_name"]) as beat:
            self.play(FadeOut(self.shift_arrows), FadeIn(band), run_time=0.8)
            self.play(Create(boxes), FadeIn(count),
                      *(d.animate.set_color(colors.HIGHLIGHT if r.pre > 0 else colors.DATA_DIM)
                        for d, r in zip(lanes.dots, rows)), run_time=1.0)
            if "other rows" in self.lines["only_full_name"]:
                beat.wait_until("other rows")
                self.play(FadeOut(self.pre_rect),
                          LaggedStart(*(Indicate(self.bias_vec.get_entry(i), color=colors.BIAS) for i in others),
                                      lag_ratio=0.2), run_time=beat.fit(0.8, 1.2))
