"""Scene 8: the down projection W↓ n told with arrows: every column of W↓ is an arrow, every neuron scales its
own arrow, the scaled arrows add up tip to tail, then the bias B↓ is added.

Two pictures, both computed (:mod:`llmfacts.compute.mlp_story`):

* **the columns, side by side** (:func:`~llmfacts.compute.mlp_story.column_arrows`): each shown column of W↓
  is drawn from its own foot on a baseline that stands for the attribute direction; its horizontal extent
  is its dot product with the attribute direction, its vertical extent the length of the rest, so every
  arrow has its true length and its true angle with the attribute (a right-angle mark where it is 90°);
* **the sum** (:func:`~llmfacts.compute.mlp_story.output_plane`): the plane of the attribute direction
  (horizontal) and the direction of the rest of the output (vertical). Projecting is linear, so the scaled
  columns added tip to tail there end exactly at W↓ n, and one more step, B↓, ends at the block's output,
  which lies in the plane (its drawn length is its true length). The output's horizontal coordinate is its
  attribute reading.

Every sentence is built from these numbers: which columns survive, the reading, whether B↓ moves the
attribute, and how it nudges the two names (+0.06 and +0.07 for the default lecture).

Render::

    .venv/bin/manim render -ql scenes/down_projection.py DownProjection
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
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    Line,
    ReplacementTransform,
    RightAngle,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.lecture import Lecture
from llmfacts.compute.mlp_story import EPS, ColumnArrow, column_arrows, output_plane, shown_columns
from llmfacts.formatting import format_fixed, format_signed
from llmfacts.mobjects import EmbeddingVector, WeightMatrix
from llmfacts.story import Float
from scenes._mlp_common import MlpFactScene

__all__ = ["DownProjection", "ColumnLineup"]

#: Font size of the numbers in the matrix and the neuron vector (the smallest the design allows, rounded up).
NUMBER_SIZE = 34
#: Left end and axis height of the plane where the arrows add up.
PLANE_LEFT, PLANE_AXIS_Y = -5.6, -2.0
#: Height of the row of columns' baseline, alone on screen and once the plane is there.
LINEUP_Y, LINEUP_Y_WITH_PLANE = 0.45, 1.45


def _num(value: float, decimals: int = 2) -> str:
    return format_fixed(value, decimals, true_minus=True)


def _signed(value: float, decimals: int = 2) -> str:
    return format_signed(value, decimals, true_minus=True)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class ColumnLineup(VGroup):
    """Columns of W↓ as arrows side by side, each from its own foot on a common baseline.

    ``arrows`` are :class:`~llmfacts.compute.mlp_story.ColumnArrow` (one per shown column); ``ellipsis_at`` is
    the slot of the ``⋯`` (or ``None``); an arrow goes ``along * unit`` to the right and ``across * unit`` up,
    centred in its slot of width ``pitch``. ``colors_of`` gives each column's colour, ``names`` an optional
    label per column (written at the arrow's tip).
    """

    def __init__(self, arrows: list[ColumnArrow], *, ellipsis_at: int | None, unit: float, pitch: float,
                 colors_of: dict[int, str], names: dict[int, object]):
        super().__init__()
        self.unit, self.columns = unit, [a.column for a in arrows]
        slots: list[ColumnArrow | None] = list(arrows)
        if ellipsis_at is not None:
            slots.insert(ellipsis_at, None)
        width = pitch * len(slots)
        self.baseline = Line(LEFT * width / 2, RIGHT * width / 2, color=colors.DATA_DIM, stroke_width=2)
        self.feet: dict[int, np.ndarray] = {}
        self.arrows: dict[int, Arrow] = {}
        self.indices, self.marks, self.names = VGroup(), VGroup(), VGroup()
        self.name_of: dict[int, object] = {}
        self.mark_of: dict[int, RightAngle] = {}
        self.ellipsis = None
        for k, column in enumerate(slots):
            x = -width / 2 + pitch * (k + 0.5)
            if column is None:
                self.ellipsis = style.math(r"\cdots", style.LABEL, colors.TEXT_DIM).move_to([x, 0.35, 0])
                continue
            j = column.column
            vector = np.array([column.along, column.across, 0.0]) * unit
            foot = np.array([x - vector[0] / 2, 0.0, 0.0])
            self.feet[j] = foot
            arrow = Arrow(foot, foot + vector, buff=0, color=colors_of[j], stroke_width=5,
                          max_tip_length_to_length_ratio=0.22, max_stroke_width_to_length_ratio=8)
            self.arrows[j] = arrow
            index = style.math(str(j), style.CAPTION, colors.TEXT_DIM).next_to([x, 0, 0], DOWN, buff=0.18)
            self.indices.add(index)
            if column.along == 0.0 and column.across > 0:
                mark = RightAngle(Line(foot, foot + RIGHT * 0.3), Line(foot, foot + UP * 0.3), length=0.16,
                                  color=colors.TEXT_DIM, stroke_width=2)
                self.marks.add(mark)
                self.mark_of[j] = mark
            if names.get(j) is not None:
                name = names[j]
                if column.across > column.along:
                    name.next_to(arrow.get_end(), UP, buff=0.12)
                else:
                    name.next_to(arrow, UP, buff=0.15)
                self.names.add(name)
                self.name_of[j] = name
        self.add(self.baseline, self.marks, VGroup(*self.arrows.values()), self.indices, self.names)
        if self.ellipsis is not None:
            self.add(self.ellipsis)

    def foot(self, j: int) -> np.ndarray:
        """Where column ``j``'s arrow starts now (follows the group when it moves)."""
        return self.arrows[j].get_start()

    def index_label(self, j: int):
        return self.indices[self.columns.index(j)]


class DownProjection(MlpFactScene):
    """W↓ times the neurons told with arrows: every neuron scales its column, the columns add up tip to tail,
    then B↓; column 0 writes the attribute.

    Layout parameters (class attributes; the fact and the toy block come from the lecture):

    * ``shown_rows``, ``shown_cols`` (6, 6) - cells of W↓ shown per axis, ellipsis included (the columns
      shown are the arrows drawn); ``decimals`` (2);
    * ``lineup_unit`` (1.25) - drawn length of a unit arrow in the row of columns;
    * ``plane_width`` (6.6) - drawn width of the plane where the arrows add up.
    """

    steps = ("show_product", "columns_are_directions", "scale_columns", "add_columns", "bias_down")

    lineup_unit: float = 1.25
    plane_width: float = 6.6
    parameter_rules = {**MlpFactScene.parameter_rules, "lineup_unit": Float(0.4, 1.3),
                       "plane_width": Float(2.0, 7.5)}

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        plane = lecture.cached(output_plane)
        attr = lecture.fact.attribute
        survivors = [j for j, _ in plane.terms]
        which = "column 0 alone survives" if survivors == [0] else f"{len(survivors)} columns survive"
        return (f"W↓ as arrows: each neuron scales its column, {which}, the sum reads {_num(plane.column_sum[0])} "
                f"along {attr}; then B↓")

    # -- numbers and sentences -------------------------------------------------------------------------------
    def prepare(self) -> None:
        super().prepare()
        lecture, mlp = self.lecture, self.mlp
        self.columns = lecture.cached(shown_columns, self.shown_cols)
        self.arrows = lecture.cached(column_arrows, self.columns)
        self.plane = lecture.cached(output_plane)
        self.survivors = [j for j, _ in self.plane.terms]
        self.bias_reading = dict(mlp.readout(mlp.b_down))
        self.col0 = self.arrows[0]
        self.col0_is_attribute = abs(self.col0.along - self.col0.length) < 1e-9 and self.col0.length > 0
        others = [a for a in self.arrows if a.column != 0]
        self.max_other_cos = max((abs(a.along) / a.length for a in others if a.length > 0), default=0.0)
        self.lines = self.narration()

    def narration(self) -> dict[str, str]:
        """The sentence of every step, built from the computed values."""
        mlp, f, d, plane = self.mlp, self.fact, self.decimals, self.plane
        attr = f.attribute
        show = (f"The second matrix, W↓, brings the {mlp.d_hidden} neuron values back down to {mlp.d_model} "
                "numbers, the size of the embedding space.")

        cols = "Read W↓ column by column: each column is an arrow in the embedding space. "
        if self.col0_is_attribute:
            cols += f"Column 0 points exactly along {attr}"
        else:
            cols += f"Column 0 is the column of the fact's neuron, at {_num(self.col0.along / self.col0.length, d)} " \
                    f"of its length along {attr}"
        if self.max_other_cos < EPS:
            cols += "; every other column shown stands perpendicular to it."
        else:
            cols += (f"; the other columns shown are nearly perpendicular to it (cosines up to "
                     f"{_num(self.max_other_cos, d)}).")

        values = [float(self.trace.post[j]) for j in self.survivors]
        whole = [abs(v - 1.0) < 0.5 * 10.0 ** -d for v in values]
        if len(self.survivors) == 1:
            j, v = self.survivors[0], values[0]
            keep = "keeps its column whole" if whole[0] else f"scales its column by {_num(v, d)}"
            scale = (f"Each neuron's value scales its own column. A silent neuron, at zero, wipes its column out; "
                     f"the active one, neuron {j}, at {_num(v, d)}, {keep}.")
        elif not self.survivors:
            scale = "Each neuron's value scales its own column. Every neuron is silent here, so every column is wiped out."
        else:
            scale = (f"Each neuron's value scales its own column. Silent neurons, at zero, wipe their columns out; "
                     f"the {len(self.survivors)} active ones, at {_and([_num(v, d) for v in values])}, keep theirs, "
                     "rescaled.")

        reading = plane.column_sum[0]
        if self.survivors == [0] and self.col0_is_attribute:
            add = (f"Then the rescaled columns add up, tip to tail. Only column 0 survives, so the sum points along "
                   f"{attr}: its {attr} reading is {_num(reading, d)}.")
        else:
            add = (f"Then the rescaled columns add up, tip to tail: {len(self.survivors)} survive, and their sum "
                   f"has a reading of {_num(reading, d)} along {attr}.")

        nudges = _and([f"{name} by {_signed(self.bias_reading[name], d)}" for name in (f.first_name, f.last_name)])
        bias = "Last comes a second bias, B↓, added whatever the neurons do. "
        if abs(self.bias_reading[attr]) < EPS:
            bias += (f"It is perpendicular to {attr}, so the reading stays {_num(plane.output[0], d)}; it nudges "
                     f"{nudges}.")
        else:
            bias += (f"It moves the {attr} reading from {_num(reading, d)} to {_num(plane.output[0], d)}, and nudges "
                     f"{nudges}.")
        return {"show_product": show, "columns_are_directions": cols, "scale_columns": scale,
                "add_columns": add, "bias_down": bias}

    # -- pictures --------------------------------------------------------------------------------------------
    def _column_color(self, arrow: ColumnArrow) -> str:
        if arrow.meaning == self.fact.attribute:
            return colors.ATTRIBUTE
        if arrow.meaning is not None:
            return colors.OTHER_CONCEPT
        return colors.VECTOR

    def _lineup(self) -> ColumnLineup:
        names = {a.column: style.text(a.meaning, style.CAPTION, self._column_color(a))
                 for a in self.arrows if a.meaning is not None}
        ellipsis_at = len(self.columns) - 1 if self.columns[-1] != len(self.columns) - 1 else None
        return ColumnLineup(list(self.arrows), ellipsis_at=ellipsis_at, unit=self.lineup_unit, pitch=1.75,
                            colors_of={a.column: self._column_color(a) for a in self.arrows}, names=names)

    def _plane(self):
        """Axes of the sum's plane (horizontal: the attribute; vertical: the rest of the output), left-aligned
        at ``PLANE_LEFT`` with the horizontal axis at ``PLANE_AXIS_Y`` (lower if the arrows dip below it)."""
        points = np.array(self.plane.chain() + [(0.0, 0.0), (1.0, 0.0)])
        lo, hi = points.min(axis=0) - 0.12, points.max(axis=0) + np.array([0.35, 0.12])
        unit = min(self.plane_width / (hi[0] - lo[0]), 2.4 / (hi[1] - lo[1]))
        origin = np.array([PLANE_LEFT - lo[0] * unit, PLANE_AXIS_Y - min(0.0, lo[1] + 0.12) * unit, 0.0])
        self.plane_unit, self.plane_origin = unit, origin
        x_axis = Arrow(self._at((lo[0], 0.0)), self._at((hi[0], 0.0)), buff=0, color=colors.TEXT_DIM,
                       stroke_width=2, max_tip_length_to_length_ratio=0.03)
        y_axis = Line(self._at((0.0, lo[1])), self._at((0.0, hi[1])), color=colors.DATA_DIM, stroke_width=2)
        label = style.text(self.fact.attribute, style.CAPTION, colors.ATTRIBUTE).next_to(x_axis, RIGHT, buff=0.15)
        return VGroup(x_axis, y_axis, label)

    def _at(self, xy) -> np.ndarray:
        return self.plane_origin + np.array([xy[0], xy[1], 0.0]) * self.plane_unit

    # -- steps -----------------------------------------------------------------------------------------------
    def show_product(self) -> None:
        mlp, trace = self.mlp, self.trace
        self.matrix = WeightMatrix(mlp.W_down, max_rows=self.shown_rows, max_cols=self.shown_cols,
                                   decimals=self.decimals, font_size=NUMBER_SIZE)
        self.neurons = EmbeddingVector(trace.post, max_rows=self.shown_cols, decimals=self.decimals,
                                       color=colors.NEURON_ACTIVE, font_size=NUMBER_SIZE)
        self.neurons.next_to(self.matrix, RIGHT, buff=0.4)
        VGroup(self.matrix, self.neurons).move_to([0, 0.35, 0])
        self.w_label = style.math(style.W_DOWN, style.BODY, colors.MLP).next_to(self.matrix, DOWN, buff=0.3)
        self.shape_label = style.math(rf"{mlp.d_model} \times {mlp.d_hidden}", style.CAPTION, colors.TEXT_DIM)
        self.shape_label.next_to(self.w_label, RIGHT, buff=0.3)
        VGroup(self.w_label, self.shape_label).match_x(self.matrix)
        self.n_label = style.math("n", style.BODY, colors.NEURON_ACTIVE).next_to(self.neurons, DOWN, buff=0.3)
        self.n_label.set_y(self.w_label.get_y())
        with self.beat(self.lines["show_product"]) as beat:
            self.play(FadeIn(self.matrix), Write(self.w_label), FadeIn(self.shape_label), run_time=1.5)
            beat.wait_until("neuron")
            self.play(FadeIn(self.neurons), FadeIn(self.n_label), run_time=1.0)

    def columns_are_directions(self) -> None:
        self.lineup = self._lineup()
        title = style.math(style.W_DOWN, style.LABEL, colors.MLP)
        title.next_to(self.lineup.baseline, LEFT, buff=0.3)
        VGroup(self.lineup, title).shift(UP * (LINEUP_Y - self.lineup.baseline.get_y()))
        VGroup(self.lineup, title).shift(RIGHT * (-6.2 - title.get_left()[0]))
        self.lineup_title = title
        others = [c for c in self.matrix.columns if not any(c is self.matrix.get_column(j) for j in self.columns)]
        with self.beat(self.lines["columns_are_directions"]) as beat:
            self.play(FadeOut(VGroup(self.neurons, self.n_label)), FadeOut(self.shape_label),
                      ReplacementTransform(self.w_label, title), run_time=0.8)
            self.play(FadeOut(self.matrix.get_brackets()), Create(self.lineup.baseline),
                      *(ReplacementTransform(self.matrix.get_column(j), self.lineup.arrows[j]) for j in self.columns),
                      *(FadeOut(c) for c in others), run_time=beat.fit(0.3, 1.5))
            self.play(FadeIn(self.lineup.indices), FadeIn(self.lineup.marks),
                      *([FadeIn(self.lineup.ellipsis)] if self.lineup.ellipsis is not None else []), run_time=0.6)
            beat.wait_until("Column 0")
            self.play(FadeIn(self.lineup.names), Indicate(self.lineup.arrows[0], color=colors.ATTRIBUTE),
                      run_time=1.0)

    def scale_columns(self) -> None:
        lineup, trace, d = self.lineup, self.trace, self.decimals
        factors = VGroup()
        for j in self.columns:
            v = float(trace.post[j])
            factor = style.math(r"\times " + _num(v, d).replace("\u2212", "-"), style.CAPTION,
                                colors.NEURON_ACTIVE if v != 0 else colors.TEXT_DIM)
            factors.add(factor.next_to(lineup.index_label(j), DOWN, buff=0.15))
        self.n_row_label = style.math("n", style.LABEL, colors.NEURON_ACTIVE)
        self.n_row_label.next_to(factors, LEFT, buff=0.3).match_x(self.lineup_title)
        targets = []
        for a in self.arrows:
            arrow = lineup.arrows[a.column]
            if a.survives:
                start = lineup.foot(a.column)
                end = start + np.array([a.scaled_along, a.scaled_across, 0.0]) * self.lineup_unit
                targets.append(arrow.animate.put_start_and_end_on(start, end))
            else:
                targets.append(Transform(arrow, Dot(lineup.foot(a.column), radius=0.05, color=colors.NEURON_INACTIVE)))
        self.factors = factors
        with self.beat(self.lines["scale_columns"]) as beat:
            self.play(FadeIn(self.n_row_label), LaggedStart(*(FadeIn(f, shift=UP * 0.2) for f in factors),
                                                            lag_ratio=0.15), run_time=1.2)
            beat.wait_until("silent")
            silent = [t for t, a in zip(targets, self.arrows) if not a.survives]
            dim = [lineup.name_of[a.column].animate.set_opacity(0.35) for a in self.arrows
                   if not a.survives and a.column in lineup.name_of]
            dim += [lineup.mark_of[a.column].animate.set_stroke(opacity=0.0) for a in self.arrows
                    if not a.survives and a.column in lineup.mark_of]
            if silent:
                self.play(LaggedStart(*silent, lag_ratio=0.15), *dim, run_time=beat.fit(0.4, 1.5))
            active = [t for t, a in zip(targets, self.arrows) if a.survives]
            if active:
                beat.wait_until("active")
                self.play(*active, *(Indicate(factors[k], color=colors.NEURON_ACTIVE)
                                     for k, a in enumerate(self.arrows) if a.survives), run_time=1.0)

    def _reading(self, x: float):
        """A tick on the horizontal axis at ``x`` and the number under it."""
        tick = Line(self._at((x, 0.0)) + DOWN * 0.12, self._at((x, 0.0)) + UP * 0.12, color=colors.ATTRIBUTE,
                    stroke_width=3)
        label = style.text(_num(x, self.decimals), style.LABEL, colors.ATTRIBUTE).next_to(tick, DOWN, buff=0.1)
        return VGroup(tick, label)

    def add_columns(self) -> None:
        plane = self.plane
        self.axes = self._plane()
        chain = plane.chain()
        moving = []
        for k, (j, _) in enumerate(plane.terms):
            color = next((self._column_color(a) for a in self.arrows if a.column == j), colors.VECTOR)
            target = Arrow(self._at(chain[k]), self._at(chain[k + 1]), buff=0, color=color, stroke_width=6,
                           max_tip_length_to_length_ratio=0.12)
            moving.append((self.lineup.arrows.get(j), target))
        n_terms = len(plane.terms)
        resultant = VGroup()
        if n_terms > 1:  # several columns survive: their sum W↓n is one more arrow, origin to the chain's tip
            resultant = Arrow(self._at(chain[0]), self._at(chain[n_terms]), buff=0, color=colors.VECTOR,
                              stroke_width=4, stroke_opacity=0.7, max_tip_length_to_length_ratio=0.1)
        label = style.math(style.W_DOWN + "n", style.LABEL)
        label[0][:2].set_color(colors.MLP)
        label.next_to(self._at(((chain[0][0] + chain[n_terms][0]) / 2, min(0.0, chain[n_terms][1]))), DOWN, buff=0.2)
        if n_terms > 1:
            label.next_to(resultant.get_center(), UP + LEFT, buff=0.1)
        self.sum_label = label
        self.reading = self._reading(plane.column_sum[0])
        top = VGroup(self.lineup, self.lineup_title, self.factors, self.n_row_label)
        with self.beat(self.lines["add_columns"]) as beat:
            self.play(top.animate.shift(UP * (LINEUP_Y_WITH_PLANE - LINEUP_Y)), FadeIn(self.axes), run_time=0.8)
            self.play(*(TransformFromCopy(s, t) if s is not None else GrowArrow(t) for s, t in moving),
                      run_time=beat.fit(0.3, 1.5))
            self.play(FadeIn(label), *([GrowArrow(resultant)] if n_terms > 1 else []), run_time=0.5)
            beat.wait_until("reading")
            self.play(FadeIn(self.reading, shift=UP * 0.1), run_time=0.8)

    def bias_down(self) -> None:
        plane, f, d = self.plane, self.fact, self.decimals
        chain = plane.chain()
        tip, end = chain[-2], chain[-1]
        bias = Arrow(self._at(tip), self._at(end), buff=0, color=colors.BIAS, stroke_width=6,
                     max_tip_length_to_length_ratio=0.35)
        bias_label = style.math(style.B_DOWN, style.LABEL, colors.BIAS).next_to(bias, RIGHT, buff=0.15)
        square = VGroup()
        if abs(plane.bias[0]) < EPS and abs(plane.bias[1]) > EPS and abs(plane.column_sum[0]) > EPS:
            # B↓ is perpendicular to the attribute: mark the right angle where it leaves W↓n's tip
            back = self._at((tip[0] - np.sign(plane.column_sum[0]) * 0.1, tip[1]))
            square = RightAngle(Line(self._at(tip), back), Line(self._at(tip), self._at(end)), length=0.16,
                                color=colors.TEXT_DIM, stroke_width=2, quadrant=(1, 1))
        output = Arrow(self._at((0.0, 0.0)), self._at(end), buff=0, color=colors.VECTOR, stroke_width=7,
                       max_tip_length_to_length_ratio=0.12)
        out_label = style.text("output", style.CAPTION, colors.VECTOR)
        out_label.next_to(self._at((end[0] * 0.45, end[1] * 0.45)), UP, buff=0.25)
        new_reading = self._reading(plane.output[0])
        nudges = VGroup(*(VGroup(self.word(name, style.LABEL),
                                 style.text(_signed(self.bias_reading[name], d), style.LABEL, colors.BIAS))
                          .arrange(RIGHT, buff=0.2) for name in (f.first_name, f.last_name)))
        nudges.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        nudge_title = style.math(style.B_DOWN + r"\,\cdot", style.LABEL, colors.BIAS)
        nudge_block = VGroup(nudge_title, nudges).arrange(RIGHT, buff=0.25, aligned_edge=UP)
        nudge_block.to_edge(RIGHT, buff=0.9).set_y(-1.0)
        with self.beat(self.lines["bias_down"]) as beat:
            self.play(FadeOut(VGroup(self.factors, self.n_row_label)), run_time=0.6)
            self.play(GrowArrow(bias), FadeIn(bias_label), Create(square), run_time=1.0)
            self.play(GrowArrow(output), FadeIn(out_label), Transform(self.reading, new_reading), run_time=1.0)
            beat.wait_until("nudges")
            self.play(FadeIn(nudge_block, shift=LEFT * 0.2), run_time=1.0)
