"""Scene 8: the down projection W↓ n, read column by column, then the bias b↓.

Each column of W↓ is a direction of the embedding space; each neuron value rescales its column and the
rescaled columns add up. In the toy block column 0 is the attribute's direction (basketball), so the one
active neuron writes basketball: the dot product of the sum with the basketball direction is computed and
shown. Last, the bias b↓ is added whatever the neurons do.

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
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MathTex,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.mobjects import EmbeddingVector, ScaledColumnSum, WeightMatrix, keep_inside
from scenes._mlp_common import MEDIUM, SMALL, MlpFactScene

__all__ = ["DownProjection"]


class DownProjection(MlpFactScene):
    """W↓ times the neurons: every neuron scales its column, the columns add up; column 0 writes the attribute.

    Parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene`):

    * ``first_name``, ``last_name``, ``attribute`` - the fact (Michael, Jordan, basketball);
    * ``d_model`` (12), ``hidden_factor`` (4), ``up_bias`` (-1), ``seed``, ``overlap`` - the toy block;
    * ``shown_rows``, ``shown_cols`` (6, 6) - cells of W↓ shown per axis, ellipsis included;
    * ``decimals`` (2);
    * ``product_y`` (0.3) - height of the matrix product on screen.
    """

    summary = "W_down read column by column: rescaled columns add up to basketball"
    steps = ("show_product", "columns_are_directions", "scale_columns", "add_columns", "bias_down")

    product_y: float = 0.3

    def prepare(self) -> None:
        super().prepare()
        mlp, trace, attr = self.mlp, self.trace, self.fact.attribute
        self.col0_is_attribute = bool(np.allclose(mlp.W_down[:, 0], mlp.direction(attr)))
        self.column_sum = trace.scaled_columns.sum(axis=1)  # W↓ n, before the bias
        self.sum_on_attribute = float(mlp.readout(self.column_sum)[attr])
        self.bias_on_attribute = float(mlp.readout(mlp.b_down)[attr])
        self.down_on_attribute = float(mlp.readout(trace.down)[attr])

    def show_product(self) -> None:
        mlp, trace = self.mlp, self.trace
        self.say(f"The second matrix, W-down, brings the {mlp.d_hidden} neuron values back down to "
                 f"{mlp.d_model} dimensions, the size of the embedding space.")
        self.matrix = WeightMatrix(mlp.W_down, max_rows=self.shown_rows, max_cols=self.shown_cols,
                                   decimals=self.decimals)
        self.neurons = EmbeddingVector(trace.post, max_rows=self.shown_cols, decimals=self.decimals,
                                       color=colors.NEURON_ACTIVE)
        self.neurons.next_to(self.matrix, RIGHT, buff=0.3)
        group = VGroup(self.matrix, self.neurons)
        group.move_to([0, self.product_y, 0]).to_edge(LEFT, buff=1.5)
        self.w_label = MathTex(r"W_{\downarrow}", font_size=44, color=colors.MLP)
        self.w_label.next_to(self.matrix, DOWN, buff=0.3)
        self.shape_label = self.text(f"{mlp.d_model} rows × {mlp.d_hidden} columns", SMALL, colors.TEXT_DIM)
        self.shape_label.next_to(self.w_label, RIGHT, buff=0.3)
        VGroup(self.w_label, self.shape_label).match_x(self.matrix)
        self.n_label = self.text("neurons", SMALL, colors.NEURON_ACTIVE).next_to(self.neurons, DOWN, buff=0.3)
        self.n_label.set_y(self.w_label.get_y())
        self.play(FadeIn(self.matrix), Write(self.w_label), FadeIn(self.shape_label), run_time=1.5)
        self.play(FadeIn(self.neurons), FadeIn(self.n_label), run_time=1.0)
        self.finish()

    def columns_are_directions(self) -> None:
        self.say(f"This time read the matrix column by column. Each column holds {self.mlp.d_model} numbers: a "
                 "direction in the embedding space, something its neuron can add.")
        self.col_rect = self.matrix.column_rectangle(0)
        if self.col0_is_attribute:
            label = self.markup(("column 0", colors.HIGHLIGHT), " = ", (self.fact.attribute, "name"),
                                font_size=MEDIUM)
        else:
            label = self.text("column 0", MEDIUM, colors.HIGHLIGHT)
        label.next_to(self.matrix, UP, buff=0.75).align_to(self.matrix, LEFT)
        self.col_label = label
        self.play(Create(self.col_rect), run_time=0.8)
        self.play(FadeIn(label, shift=DOWN * 0.2), run_time=0.8)
        self.finish()

    def scale_columns(self) -> None:
        trace = self.trace
        self.say("Each neuron's value scales its own column. A silent neuron, at zero, wipes its column out; "
                 f"the active one, at {self.num(trace.post[0])}, keeps its column whole.")
        sources = {j: self.neurons.get_entry(j) for j in self.matrix.shown_cols}
        self.sum = ScaledColumnSum(self.matrix, neuron_values=trace.post, scaled_columns=trace.scaled_columns,
                                   result=self.column_sum, neuron_sources=sources)
        self.play(FadeOut(self.col_rect), self.sum.bring_values(run_time=1.5))
        self.play(FadeOut(self.neurons), FadeOut(self.n_label), run_time=0.6)
        first, *rest = self.matrix.shown_cols
        self.play(self.sum.scale_column(first, run_time=1.5))
        self.play(LaggedStart(*(self.sum.scale_column(j, run_time=1.0) for j in rest), lag_ratio=0.4), run_time=2.5)
        self.finish()

    def add_columns(self) -> None:
        attr = self.fact.attribute
        self.say(f"Then the rescaled columns add up. Only column 0 survives, so the sum points along "
                 f"{attr}: its dot product with the {attr} direction is {self.num(self.sum_on_attribute)}.")
        self.play(self.sum.add_columns(run_time=1.8))
        label = MathTex(r"W_{\downarrow}n", font_size=36).next_to(self.sum.result_vector, UP, buff=0.25)
        label[0][0].set_color(colors.MLP)
        self.sum_label = label
        readout = self.markup(("W↓n", colors.MLP), " · ", (attr, "name"), f" = {self.num(self.sum_on_attribute)}",
                              font_size=MEDIUM)
        keep_inside(readout.next_to(self.sum.result_vector, RIGHT, buff=0.35))
        self.readout = readout
        self.play(FadeIn(label), FadeIn(readout, shift=LEFT * 0.2), run_time=1.0)
        self.play(Indicate(readout, color=colors.ATTRIBUTE, scale_factor=1.1), run_time=0.8)
        self.finish(1.5)

    def bias_down(self) -> None:
        attr = self.fact.attribute
        self.say(f"Last comes a second bias, b-down, added every time whatever the neurons do. Its job is hard to "
                 f"pin down. Here it is small and leaves {attr} at {self.num(self.down_on_attribute)}.")
        keep = VGroup(self.sum.result_vector, self.sum_label)
        self.play(*(FadeOut(m) for m in self.mobjects if m not in (self.sum.result_vector, self.sum_label)),
                  run_time=0.8)
        opts = dict(max_rows=self.shown_rows, decimals=self.decimals)
        plus = MathTex("+", font_size=44)
        bias = EmbeddingVector(self.mlp.b_down, color=colors.BIAS, **opts)
        equals = MathTex("=", font_size=44)
        down = EmbeddingVector(self.trace.down, **opts)
        row = VGroup(self.sum.result_vector.copy(), plus, bias, equals, down).arrange(RIGHT, buff=0.3)
        row.move_to([-1.6, self.product_y - 0.3, 0])
        self.play(keep.animate.shift(row[0].get_center() - self.sum.result_vector.get_center()), run_time=1.0)
        bias_label = MathTex(r"b_{\downarrow}", font_size=36, color=colors.BIAS).next_to(bias, UP, buff=0.25)
        bias_label.set_y(self.sum_label.get_y())
        down_label = MathTex(r"W_{\downarrow}n + b_{\downarrow}", font_size=36).next_to(down, UP, buff=0.25)
        down_label.set_y(self.sum_label.get_y())
        down_label[0][0].set_color(colors.MLP)
        down_label[0][4:].set_color(colors.BIAS)
        self.play(Write(plus), FadeIn(bias), FadeIn(bias_label), run_time=1.0)
        self.play(Write(equals), FadeIn(down), FadeIn(down_label), run_time=1.0)
        readouts = VGroup(
            self.markup(("b↓", colors.BIAS), " · ", (attr, "name"), f" = {self.num(self.bias_on_attribute)}",
                        font_size=MEDIUM),
            self.markup("output · ", (attr, "name"), f" = {self.num(self.down_on_attribute)}", font_size=MEDIUM),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        keep_inside(readouts.next_to(down, RIGHT, buff=0.5))
        self.play(FadeIn(readouts, shift=LEFT * 0.2), run_time=1.0)
        self.finish(1.5)
