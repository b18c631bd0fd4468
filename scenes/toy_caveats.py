"""Scene 11: what the toy example proves about every MLP, and what it only assumed.

Two readings of the toy block hold for any MLP whatever its weights, because they are how a matrix
product works: a row of W↑ is the direction its neuron measures, a column of W↓ is what its neuron adds.
What the toy *chose* is that one neuron stands for one clean fact. The scene contrasts the toy's neuron 0,
which reads exactly two named directions, with a neuron of a layer that has to carry more feature directions
than it has neurons: that neuron picks up a share of nearly every feature. That is the way into
superposition (the next scene).

Every number comes from :mod:`llmfacts.compute.toy_mlp` and :mod:`llmfacts.compute.superposition`.

Render::

    .venv/bin/manim render -ql scenes/toy_caveats.py WhatTheToyShows
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    SurroundingRectangle,
    Text,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.superposition import random_unit_vectors
from llmfacts.compute.toy_mlp import ToyMLPConfig, build_toy_mlp
from llmfacts.mobjects import EmbeddingVector, WeightMatrix
from llmfacts.story import StoryScene

__all__ = ["WhatTheToyShows"]


def _bar_chart(values, labels, *, width: float, height: float, bar_colors, y_max: float,
               label_font_size: float = 18, value_decimals: int | None = None) -> VGroup:
    """Small vertical bar chart around a zero line: one bar per value, optional text labels underneath.

    ``labels`` may be ``None`` (no labels). Values beyond ``±y_max`` are clipped. The group has attributes
    ``bars``, ``axis``, ``labels`` and ``numbers``.
    """
    n = len(values)
    pitch = width / n
    bar_w = pitch * 0.7
    axis = Line([-width / 2, 0, 0], [width / 2, 0, 0], stroke_width=2, color=colors.TEXT_DIM)
    bars = VGroup()
    texts = VGroup()
    numbers = VGroup()
    for k, (v, c) in enumerate(zip(values, bar_colors)):
        x = -width / 2 + pitch * (k + 0.5)
        h = (height / 2) * min(1.0, abs(float(v)) / y_max)
        bar = Rectangle(width=bar_w, height=max(h, 0.012), stroke_width=0, fill_color=c, fill_opacity=1)
        bar.move_to([x, h / 2 if v >= 0 else -h / 2, 0])
        bars.add(bar)
        if labels is not None:
            t = Text(labels[k], font_size=label_font_size, color=colors.TEXT)
            low = 0.0 if min(float(u) for u in values) >= 0 else -height / 2
            t.move_to([x, low - 0.25, 0])
            texts.add(t)
        if value_decimals is not None:
            num = Text(f"{float(v):.{value_decimals}f}", font_size=label_font_size, color=colors.TEXT_DIM)
            num.next_to(bar, UP if v >= 0 else DOWN, buff=0.06)
            numbers.add(num)
    group = VGroup(axis, bars, texts, numbers)
    group.axis, group.bars, group.labels, group.numbers = axis, bars, texts, numbers  # type: ignore[attr-defined]
    return group


class WhatTheToyShows(StoryScene):
    """What the toy MLP shows about every MLP, and what it merely assumed.

    Parameters (class attributes):

    * ``config`` - the toy block (:class:`llmfacts.compute.toy_mlp.ToyMLPConfig`); its fact and neuron 0 are
      used throughout.
    * ``shown`` - rows/columns of each matrix shown before the ellipsis takes over.
    * ``spread_neurons`` - neurons of the layer in the "more features than neurons" example.
    * ``spread_features`` - feature directions that layer has to carry (more than ``spread_neurons``).
    * ``spread_seed`` - seed of those random feature directions.
    * ``clear_threshold`` - a feature counts as "picked up" by a neuron when ``|reading|`` exceeds this.
    """

    steps = ("rows_read", "columns_write", "hand_built", "shared_neurons", "superposition_next")
    summary = "What the toy example does and does not say about real networks"

    config: ToyMLPConfig = ToyMLPConfig()
    shown: int = 6
    spread_neurons: int = 8
    spread_features: int = 24
    spread_seed: int = 3
    clear_threshold: float = 0.05

    _board_x = 0.9  # left edge of the checklist on the right
    _left_center = np.array([-3.35, 0.0, 0.0])  # centre of the picture on the left
    _left_width = 6.9

    def prepare(self) -> None:
        mlp = build_toy_mlp(self.config)
        self.mlp = mlp
        fact = mlp.config.fact
        self.fact = fact
        self.trace = mlp.run((fact.first_name, fact.last_name))
        self.written = self.trace.scaled_columns.sum(axis=1)  # W↓ n, the columns added up (no bias)
        self.written_readout = mlp.readout(self.written)
        self.row0_readout = mlp.readout(mlp.W_up[0])  # what neuron 0 reads of every named direction
        # a layer with more feature directions than neurons: neuron 0 reads coordinate 0 of every feature
        feats = random_unit_vectors(self.spread_features, self.spread_neurons, seed=self.spread_seed)
        self.spread_readings = np.asarray(feats)[:, 0]
        self.spread_picked = int(np.sum(np.abs(self.spread_readings) > self.clear_threshold))
        # the same feature directions read by *every* neuron: how many neurons each feature touches
        self.features_per_neuron = np.sum(np.abs(np.asarray(feats)) > self.clear_threshold, axis=0)

    # -- the checklist on the right -----------------------------------------------------------------------
    def _check_item(self, mark: str, mark_color: str, lines: list[str], tag: list[str], tag_color: str) -> VGroup:
        sign = Text(mark, font_size=30, color=mark_color)
        body = VGroup(*(Text(s, font_size=21, color=colors.TEXT) for s in lines)).arrange(DOWN, aligned_edge=LEFT,
                                                                                             buff=0.08)
        note = VGroup(*(Text(s, font_size=17, color=tag_color) for s in tag)).arrange(DOWN, aligned_edge=LEFT,
                                                                                        buff=0.06)
        block = VGroup(body, note).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        item = VGroup(sign, block).arrange(RIGHT, aligned_edge=UP, buff=0.2)
        return item

    def _build_board(self) -> None:
        """The three checklist items and the note under the first two, laid out once (shown step by step)."""
        f = self.fact
        rows = self._check_item("✓", colors.MLP, ["Row i of W↑ is a direction;", "neuron i measures how far",
                                                  "the vector points along it."], ["true of every MLP"], colors.MLP)
        cols = self._check_item("✓", colors.MLP, ["Column i of W↓ is what", "neuron i adds, scaled by",
                                                  "how active the neuron is."], ["true of every MLP"], colors.MLP)
        both = Text("(both are just how a matrix product works)", font_size=16, color=colors.TEXT_DIM)
        one = self._check_item("?", colors.WARNING, [f"Neuron 0 means “{f.full_name}”:", "one neuron, one fact."],
                               ["our choice; trained models", "rarely look like this"], colors.WARNING)
        board = VGroup(rows, cols, both, one).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        both.shift(UP * 0.15 + RIGHT * 0.45)
        board.move_to([self._board_x, 3.1, 0], aligned_edge=UL)
        if board.get_right()[0] > 6.85:
            board.scale_to_fit_width(6.85 - self._board_x, about_edge=UL)
        self.board = board

    # -- steps --------------------------------------------------------------------------------------------
    def rows_read(self) -> None:
        mlp, tr, f = self.mlp, self.trace, self.fact
        w = WeightMatrix(mlp.W_up, max_rows=self.shown, max_cols=self.shown, font_size=24, h_buff=0.2, v_buff=0.12)
        x = EmbeddingVector(tr.x, max_rows=self.shown, font_size=24, v_buff=0.12)
        eq = MathTex("=", font_size=36)
        up = EmbeddingVector(tr.up, max_rows=self.shown, font_size=24, v_buff=0.12)
        product = VGroup(w, x, eq, up).arrange(RIGHT, buff=0.3)
        product.move_to(self._left_center + UP * 0.5)
        if product.width > self._left_width:
            product.scale_to_fit_width(self._left_width)
        w_name = Text("W↑", font_size=26, color=colors.MLP).next_to(w, UP, buff=0.15)
        x_name = VGroup(Text(f.first_name, font_size=18, color=colors.FIRST_NAME),
                        Text("+", font_size=18, color=colors.TEXT_DIM),
                        Text(f.last_name, font_size=18, color=colors.LAST_NAME)).arrange(DOWN, buff=0.04)
        x_name.next_to(x, DOWN, buff=0.15)
        up_name = VGroup(Text("one number", font_size=18, color=colors.NEURON_ACTIVE),
                         Text("per neuron", font_size=18, color=colors.NEURON_ACTIVE)).arrange(DOWN, buff=0.04)
        up_name.next_to(up, DOWN, buff=0.15)

        row_box = w.row_rectangle(0, color=colors.HIGHLIGHT)
        x_box = SurroundingRectangle(x.elements, color=colors.HIGHLIGHT, buff=0.06)
        out_box = SurroundingRectangle(up.get_entry(0), color=colors.HIGHLIGHT, buff=0.06)
        reading = MathTex(r"\text{row } 0 \cdot x = ", f"{tr.up[0]:.1f}", font_size=32)
        reading[1].set_color(colors.HIGHLIGHT)
        reading.next_to(product, DOWN, buff=0.9)

        self._build_board()
        item = self.board[0]

        seconds = self.narrate(
            "Let's separate what the toy example proves from what it simply assumed. First, the up-projection: "
            "each neuron's value is its row dotted with the incoming vector."
        )
        self.play(FadeIn(product), FadeIn(w_name), FadeIn(x_name), FadeIn(up_name), run_time=1.2)
        self.play(Create(row_box), Create(x_box), run_time=0.8)
        self.play(Create(out_box), Write(reading), run_time=1.0)
        self.play(FadeIn(item, shift=LEFT * 0.2), run_time=0.8)
        self.wait(max(0.5, seconds - 3.8))
        self.left = VGroup(product, w_name, x_name, up_name, row_box, x_box, out_box, reading)
        self.items = [item]

    def columns_write(self) -> None:
        mlp, tr, f = self.mlp, self.trace, self.fact
        w = WeightMatrix(mlp.W_down, max_rows=self.shown, max_cols=self.shown, font_size=24, h_buff=0.2,
                         v_buff=0.12)
        n = EmbeddingVector(tr.post, max_rows=self.shown, font_size=24, v_buff=0.12)
        eq = MathTex("=", font_size=36)
        out = EmbeddingVector(self.written, max_rows=self.shown, font_size=24, v_buff=0.12, color=colors.ATTRIBUTE)
        product = VGroup(w, n, eq, out).arrange(RIGHT, buff=0.3)
        product.move_to(self._left_center + UP * 0.5)
        if product.width > self._left_width:
            product.scale_to_fit_width(self._left_width)
        w_name = Text("W↓", font_size=26, color=colors.MLP).next_to(w, UP, buff=0.15)
        n_name = Text("neurons", font_size=18, color=colors.NEURON_ACTIVE).next_to(n, DOWN, buff=0.15)
        out_name = Text(f.attribute, font_size=18, color=colors.ATTRIBUTE).next_to(out, DOWN, buff=0.15)
        col_box = w.column_rectangle(0, color=colors.HIGHLIGHT)
        n_box = SurroundingRectangle(n.get_entry(0), color=colors.HIGHLIGHT, buff=0.06)
        active = int(np.sum(self.trace.active))
        reading = MathTex(
            rf"W_\downarrow n = \sum_j n_j\,\text{{column}}_j = {tr.post[0]:.1f} \times \text{{column }} 0",
            font_size=30,
        )
        reading.next_to(product, DOWN, buff=0.9)
        note = Text(f"{active} of {mlp.d_hidden} neurons active; "
                    f"result · {f.attribute} = {self.written_readout[f.attribute]:.2f}",
                    font_size=17, color=colors.TEXT_DIM)
        note.next_to(reading, DOWN, buff=0.15)

        item, both = self.board[1], self.board[2]

        seconds = self.narrate(
            "Second, the down-projection: the output is every column of W↓ scaled by its neuron and added up. "
            "Both readings hold for any MLP with any weights; they are simply how a matrix product works."
        )
        self.play(FadeOut(self.left), run_time=0.6)
        self.play(FadeIn(product), FadeIn(w_name), FadeIn(n_name), FadeIn(out_name), run_time=1.0)
        self.play(Create(col_box), Create(n_box), Write(reading), run_time=1.2)
        self.play(FadeIn(note), FadeIn(item, shift=LEFT * 0.2), run_time=0.8)
        self.play(FadeIn(both), run_time=0.6)
        self.wait(max(0.5, seconds - 4.2))
        self.left = VGroup(product, w_name, n_name, out_name, col_box, n_box, reading, note)
        self.items += [item, both]

    def hand_built(self) -> None:
        mlp, f = self.mlp, self.fact
        names = list(mlp.names)
        values = [self.row0_readout[nm] for nm in names]
        role_color = {"first": colors.FIRST_NAME, "last": colors.LAST_NAME, "attribute": colors.ATTRIBUTE}
        bar_colors = [role_color.get(mlp.roles[nm], colors.OTHER_CONCEPT) for nm in names]
        chart = _bar_chart(values, names, width=6.0, height=3.0, bar_colors=bar_colors, y_max=1.2,
                           label_font_size=16, value_decimals=1)
        for lab in chart.labels:
            lab.rotate(np.pi / 5)
            lab.shift(UP * (chart.axis.get_y() - 0.12 - lab.get_top()[1]) + LEFT * lab.width * 0.3)
        chart.move_to(self._left_center)
        title = Text("What toy neuron 0 reads of each named direction", font_size=20, color=colors.TEXT)
        title.scale_to_fit_width(min(title.width, self._left_width))
        title.next_to(chart, UP, buff=0.35)
        caption = Text(f"built so: row 0 = {f.first_name} + {f.last_name}", font_size=17, color=colors.TEXT_DIM)
        caption.next_to(chart, DOWN, buff=0.3)

        item = self.board[3]

        seconds = self.narrate(
            f"What the toy did not prove is its cast of characters. We built neuron 0 by hand to read exactly "
            f"{f.first_name} and {f.last_name} and nothing else. Trained networks are under no obligation to "
            "be so tidy, and studies of real neurons rarely find one clean meaning per neuron."
        )
        self.play(FadeOut(self.left), run_time=0.6)
        self.play(FadeIn(title), Create(chart.axis), run_time=0.8)
        self.play(LaggedStart(*(GrowFromEdge(b, DOWN) for b in chart.bars), lag_ratio=0.1, run_time=1.2),
                  FadeIn(chart.labels), FadeIn(chart.numbers))
        self.play(FadeIn(caption), FadeIn(item, shift=LEFT * 0.2), run_time=0.8)
        self.wait(max(0.5, seconds - 3.4))
        self.left = VGroup(title, chart, caption)
        self.items.append(item)

    def shared_neurons(self) -> None:
        v = self.spread_readings
        bar_colors = [colors.weight_color(x, scale=float(np.max(np.abs(v)))) for x in v]
        chart = _bar_chart(v, None, width=6.0, height=3.0, bar_colors=bar_colors, y_max=float(np.max(np.abs(v))))
        chart.move_to(self._left_center)
        title = VGroup(
            Text(f"{self.spread_features} feature directions, {self.spread_neurons} neurons:", font_size=20),
            Text("what neuron 0 reads of each feature", font_size=20),
        ).arrange(DOWN, buff=0.08)
        title.next_to(chart, UP, buff=0.3)
        caption = Text(f"{self.spread_picked} of {self.spread_features} features reach it "
                       f"(|reading| > {self.clear_threshold:g})", font_size=17, color=colors.TEXT_DIM)
        caption.next_to(chart, DOWN, buff=0.3)
        axis_label = Text("features", font_size=16, color=colors.TEXT_DIM).next_to(chart.axis, RIGHT, buff=0.1)

        seconds = self.narrate(
            f"Here is why. Suppose a layer must carry {self.spread_features} features but has only "
            f"{self.spread_neurons} neurons. The features cannot each get a neuron of their own, so their "
            "directions lie across the neurons, and each neuron picks up a share of almost every feature."
        )
        self.play(FadeOut(self.left), run_time=0.6)
        self.play(FadeIn(title), Create(chart.axis), FadeIn(axis_label), run_time=0.8)
        self.play(LaggedStart(*(GrowFromEdge(b, DOWN if x >= 0 else UP) for b, x in zip(chart.bars, v)),
                              lag_ratio=0.05, run_time=1.6))
        self.play(FadeIn(caption), run_time=0.6)
        self.wait(max(0.5, seconds - 3.6))
        self.left = VGroup(title, chart, caption, axis_label)

    def superposition_next(self) -> None:
        name = Text("superposition", font_size=44, color=colors.HIGHLIGHT)
        line = Text("more features than dimensions, each one a", font_size=22, color=colors.TEXT)
        line2 = Text("direction nearly perpendicular to the others", font_size=22, color=colors.TEXT)
        group = VGroup(name, line, line2).arrange(DOWN, buff=0.2)
        group.move_to(self._left_center)
        if group.width > self._left_width:
            group.scale_to_fit_width(self._left_width)
        seconds = self.narrate(
            "Packing more features than dimensions into a space, as directions that are nearly but not exactly "
            "perpendicular, is called superposition. How far can that packing go?"
        )
        self.play(FadeOut(self.left), run_time=0.6)
        self.play(Write(name), run_time=1.0)
        self.play(FadeIn(line), FadeIn(line2), run_time=0.8)
        self.wait(max(0.5, seconds - 2.4))
