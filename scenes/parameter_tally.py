"""Scene 10: GPT-3's parameters, counted from a PyTorch module, and the share the MLP blocks hold.

Every figure on screen is formatted from :func:`llmfacts.compute.gpt3.count_parameters`, which walks the
``named_parameters()`` of a GPT-style decoder built on PyTorch's meta device. Nothing is typed in.

Render::

    .venv/bin/manim render -ql scenes/parameter_tally.py ParameterTally
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Brace,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
    VGroup,
    Write,
    linear,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import CATEGORIES, GPT3_175B, GPTHyperparameters, count_parameters
from llmfacts.formatting import format_in_words, format_int, format_percent_significant, tex_int
from llmfacts.mobjects import CountingNumber, SegmentedBar
from llmfacts.story import StoryScene

__all__ = ["ParameterTally"]


# ------------------------------------------------------------------------------------------------------
# small private mobjects
# ------------------------------------------------------------------------------------------------------


def _matrix_block(rows: int, cols: int, long_side: float, color: str, label: str) -> VGroup:
    """A filled rectangle whose aspect ratio is ``rows : cols``, with faint grid lines and a label inside."""
    if rows >= cols:
        h, w = long_side, max(0.35, long_side * cols / rows)
    else:
        w, h = long_side, max(0.35, long_side * rows / cols)
    rect = Rectangle(width=w, height=h, stroke_color=color, stroke_width=3, fill_color=color, fill_opacity=0.25)
    lines = VGroup()
    n_h, n_v = (8, 2) if rows >= cols else (2, 8)
    for k in range(1, n_h):
        y = rect.get_top()[1] - h * k / n_h
        lines.add(Line([rect.get_left()[0], y, 0], [rect.get_right()[0], y, 0], stroke_width=1, stroke_opacity=0.35,
                       color=color))
    for k in range(1, n_v):
        x = rect.get_left()[0] + w * k / n_v
        lines.add(Line([x, rect.get_top()[1], 0], [x, rect.get_bottom()[1], 0], stroke_width=1, stroke_opacity=0.35,
                       color=color))
    name = Text(label, font_size=30, color=colors.TEXT)
    if name.width > 0.9 * w:
        name.scale_to_fit_width(0.9 * w)
    group = VGroup(rect, lines, name)
    group.rect = rect  # type: ignore[attr-defined]
    group.lines = lines  # type: ignore[attr-defined]
    group.name = name  # type: ignore[attr-defined]
    return group


def _text_line(text: str, font_size: float = 20, color: str = colors.TEXT) -> VGroup:
    """A line of Pango text positioned by its line box, not its ink: words with and without descenders
    ("query", "key") placed at the same y share one baseline. Drop-in for ``Text`` in tables."""
    strut = "Ág "
    full = Text(strut + text, font_size=font_size, color=color)
    box_center = full.get_center()
    glyphs = VGroup(*full.submobjects[len(strut.replace(" ", "")):])
    # keep the strut's vertical extent as an invisible frame so move_to / alignment use the line box
    frame = Rectangle(width=glyphs.width, height=full.height, stroke_opacity=0, fill_opacity=0)
    frame.move_to([glyphs.get_center()[0], box_center[1], 0])
    return VGroup(frame, glyphs)


def _counter(font_size: float = 34, color: str = colors.TEXT) -> CountingNumber:
    """A right-aligned whole number that can count up."""
    return CountingNumber(0, font_size=font_size, color=color, edge_to_fix=RIGHT)


class ParameterTally(StoryScene):
    """GPT-3's parameter count, built up from one MLP matrix to the whole model.

    Parameters (class attributes):

    * ``hp`` - the model's hyper-parameters (:class:`llmfacts.compute.gpt3.GPTHyperparameters`), GPT-3 175B
      by default; every number on screen is recomputed from it.
    * ``count_seconds`` - how long a number takes to count up.
    * ``matrix_size`` - on-screen length (scene units) of a matrix's long side.
    * ``layer_columns`` - how many small blocks per row when the layers are drawn side by side.
    """

    steps = ("up_projection", "down_projection", "biases", "every_layer", "whole_model", "left_out")
    summary = "GPT-3's parameters counted from a PyTorch module: the MLPs hold about two thirds"

    hp: GPTHyperparameters = GPT3_175B
    count_seconds: float = 2.5
    matrix_size: float = 3.2
    layer_columns: int = 12

    # ledger geometry
    _label_x = -0.6  # left edge of the ledger's labels
    _number_right_x = 6.7  # right edge of the ledger's numbers
    _row_gap = 0.78

    def prepare(self) -> None:
        t = count_parameters(self.hp)
        self.tally = t
        hp = t.hp
        # shapes as PyTorch stores them: (out_features, in_features)
        self.up_shape = t.matrix_shapes["up"]
        self.down_shape = t.matrix_shapes["down"]
        self.block_biases = t.mlp_block_with_biases - t.mlp_block_weights
        self.block_bias_share = self.block_biases / t.mlp_block_with_biases
        self.n_layers = hp.n_layers
        self.mlp_share = t.mlp_share
        self.other_weights = t.total_weights - t.mlp_weights
        self.extra = t.total_with_biases_and_norms - t.total_weights
        self.extra_share = self.extra / t.total_with_biases_and_norms
        # sanity: the ledger's multiplications agree with the module walk
        assert self.up_shape[0] * self.up_shape[1] == t.up_matrix
        assert t.mlp_block_weights * hp.n_layers == t.mlp_weights

    # -- helpers ------------------------------------------------------------------------------------------
    def _ledger_y(self, row: int) -> float:
        return 2.2 - row * self._row_gap

    def _ledger_row(self, row: int, label: str, expression: str | None, color: str = colors.TEXT,
                    label_color: str = colors.TEXT) -> tuple[VGroup, CountingNumber]:
        """Label (and a formula) on the left of the ledger row, a counter at its right edge."""
        y = self._ledger_y(row)
        parts = VGroup()
        lab = Text(label, font_size=24, color=label_color)
        lab.move_to([self._label_x, y, 0], aligned_edge=LEFT)
        parts.add(lab)
        if expression is not None:
            expr = MathTex(expression, font_size=34, color=colors.TEXT_DIM)
            expr.next_to(lab, RIGHT, buff=0.3)
            parts.add(expr)
        counter = _counter(color=color)
        counter.move_to([self._number_right_x, y, 0], aligned_edge=RIGHT)
        return parts, counter

    def _count(self, counter: CountingNumber, value: float, run_time: float | None = None):
        return counter.count_to(value, run_time=run_time or self.count_seconds)

    # -- steps --------------------------------------------------------------------------------------------
    def up_projection(self) -> None:
        t = self.tally
        rows, cols = self.up_shape
        title = Text(f"Parameters of one MLP block in {t.hp.name}", font_size=30, color=colors.TEXT)
        title.to_edge(UP, buff=0.3)
        w_up = _matrix_block(rows, cols, self.matrix_size, colors.MLP_PARAMETERS, "W↑")
        w_up.move_to([-5.0, -0.2, 0])
        row_brace = Brace(w_up.rect, LEFT, buff=0.08, color=colors.TEXT_DIM)
        row_label = VGroup(Text(format_int(rows), font_size=22), Text("rows", font_size=18, color=colors.TEXT_DIM))
        row_label.arrange(DOWN, buff=0.08).next_to(row_brace, LEFT, buff=0.08)
        col_brace = Brace(w_up.rect, UP, buff=0.08, color=colors.TEXT_DIM)
        col_label = Text(f"{format_int(cols)} columns", font_size=18).next_to(col_brace, UP, buff=0.06)
        self.w_up_group = VGroup(w_up, row_brace, row_label, col_brace, col_label)
        self.w_up_group.to_edge(LEFT, buff=0.3)

        seconds = self.narrate(
            f"Start with the up-projection. It has one row per neuron, {format_int(rows)} of them, and each "
            f"row is as long as an embedding vector: {format_int(cols)} numbers."
        )
        self.play(FadeIn(title), Create(w_up.rect), FadeIn(w_up.lines), Write(w_up.name), run_time=1.5)
        self.play(FadeIn(row_brace), FadeIn(row_label), FadeIn(col_brace), FadeIn(col_label), run_time=1.0)
        self.title = title

        parts, counter = self._ledger_row(0, "W↑", rf"{tex_int(rows)} \times {tex_int(cols)}")
        self.add(counter)
        self.play(FadeIn(parts), run_time=0.8)
        self.play(self._count(counter, t.up_matrix))
        self.up_row = VGroup(parts, counter)
        self.wait(max(0.5, seconds - 3.3 - self.count_seconds))

    def down_projection(self) -> None:
        t = self.tally
        rows, cols = self.down_shape
        w_down = _matrix_block(rows, cols, self.matrix_size, colors.MLP_PARAMETERS, "W↓")
        w_down.next_to(self.w_up_group, RIGHT, buff=0.35).align_to(self.w_up_group[0], DOWN)
        parts, counter = self._ledger_row(1, "W↓", rf"{tex_int(rows)} \times {tex_int(cols)}")

        seconds = self.narrate(
            "The down-projection holds just as many numbers, arranged the other way round: the shape is "
            "transposed. Together the two matrices make up one block."
        )
        self.play(TransformFromCopy(self.w_up_group[0], w_down), run_time=1.5)
        self.add(counter)
        self.play(FadeIn(parts), self._count(counter, t.matrix_shapes["down"][0] * t.matrix_shapes["down"][1]))

        rule = Line([self._label_x, 0, 0], [self._number_right_x, 0, 0], stroke_width=2, color=colors.TEXT_DIM)
        rule.move_to([(self._label_x + self._number_right_x) / 2, (self._ledger_y(1) + self._ledger_y(2)) / 2, 0])
        block_parts, block_counter = self._ledger_row(2, "one block", None, color=colors.MLP_PARAMETERS)
        approx = Text(f"≈ {format_in_words(t.mlp_block_weights)}", font_size=22, color=colors.MLP_PARAMETERS)
        approx.next_to(block_parts, RIGHT, buff=0.4)
        self.add(block_counter)
        self.play(Create(rule), FadeIn(block_parts), self._count(block_counter, t.mlp_block_weights))
        self.play(FadeIn(approx), run_time=0.6)
        self.w_down = w_down
        self.down_row = VGroup(parts, counter)
        self.block_row = VGroup(rule, block_parts, block_counter, approx)
        self.wait(max(0.5, seconds - 2.1 - 2 * self.count_seconds))

    def biases(self) -> None:
        t = self.tally
        hp = t.hp
        parts, counter = self._ledger_row(3, "+ biases", rf"{tex_int(hp.d_mlp)} + {tex_int(hp.d_model)}",
                                          color=colors.BIAS, label_color=colors.BIAS)
        share = Text(f"= {format_percent_significant(self.block_bias_share, 2)} of the block", font_size=22,
                     color=colors.BIAS)
        share.next_to(counter, DOWN, buff=0.12).align_to(counter, RIGHT)
        b_up = Rectangle(width=0.16, height=self.w_up_group[0].rect.height, stroke_color=colors.BIAS,
                         fill_color=colors.BIAS, fill_opacity=0.5, stroke_width=2)
        b_up.next_to(self.w_up_group[0].rect, RIGHT, buff=0.08)
        b_down = Rectangle(width=self.w_down.rect.height, height=0.16, stroke_color=colors.BIAS,
                           fill_color=colors.BIAS, fill_opacity=0.5, stroke_width=2)
        b_down.rotate(np.pi / 2).next_to(self.w_down.rect, RIGHT, buff=0.08)

        seconds = self.narrate(
            "Each block also has two bias vectors, one number per neuron and one per embedding dimension. "
            "Next to the matrices they hardly register."
        )
        self.play(FadeIn(b_up), FadeIn(b_down), FadeIn(parts), run_time=1.0)
        self.add(counter)
        self.play(self._count(counter, self.block_biases, run_time=1.5))
        self.play(FadeIn(share), run_time=0.6)
        self.bias_row = VGroup(parts, counter, share, b_up, b_down)
        self.wait(max(0.5, seconds - 3.1))

    def every_layer(self) -> None:
        t = self.tally
        n = self.n_layers
        # the block's drawing shrinks into one small tile; the tiles fill a grid, one per layer
        cols = min(self.layer_columns, n)
        n_rows = int(np.ceil(n / cols))
        tiles = VGroup(*(
            Rectangle(width=0.34, height=0.34, stroke_width=1.5, stroke_color=colors.MLP_PARAMETERS,
                      fill_color=colors.MLP_PARAMETERS, fill_opacity=0.45)
            for _ in range(n)
        ))
        tiles.arrange_in_grid(rows=n_rows, cols=cols, buff=0.08)
        area_center = np.array([-3.95, -0.75, 0])
        tiles.scale_to_fit_width(min(tiles.width, 5.4))
        if tiles.height > 4.6:
            tiles.scale_to_fit_height(4.6)
        tiles.move_to(area_center)
        caption = Text(f"{n} layers, one MLP block each", font_size=20, color=colors.TEXT_DIM)
        caption.next_to(tiles, UP, buff=0.15)

        parts, counter = self._ledger_row(4, f"weights × {n} layers", None, color=colors.MLP_PARAMETERS)
        parts.shift(DOWN * 0.25)
        counter.shift(DOWN * 0.25)
        approx = Text(f"≈ {format_in_words(t.mlp_weights)}", font_size=22, color=colors.MLP_PARAMETERS)
        approx.next_to(counter, DOWN, buff=0.12).align_to(counter, RIGHT)
        drawing = VGroup(self.w_up_group, self.w_down, self.bias_row[3], self.bias_row[4])

        seconds = self.narrate(
            f"But there is not one such block. The vectors pass through {n} layers, and every layer has its own "
            f"MLP, so the weights of all the MLPs add up to about {format_in_words(t.mlp_weights)}."
        )
        self.play(ReplacementTransform(drawing, tiles[0]), FadeIn(caption), run_time=1.2)
        self.play(LaggedStart(*(FadeIn(s, scale=0.5) for s in tiles[1:]), lag_ratio=0.02, run_time=2.0),
                  FadeIn(parts))
        self.add(counter)
        self.play(self._count(counter, t.mlp_weights))
        self.play(FadeIn(approx), run_time=0.6)
        self.layer_row = VGroup(parts, counter, approx)
        self.layer_tiles = VGroup(tiles, caption)
        self.wait(max(0.5, seconds - 3.8 - self.count_seconds))

    def whole_model(self) -> None:
        t = self.tally
        order = CATEGORIES
        values = [t.weights[c] for c in order]
        is_mlp = [c in ("up", "down") for c in order]

        old = VGroup(self.title, self.up_row, self.down_row, self.block_row, self.bias_row[:3], self.layer_row,
                     self.layer_tiles)
        title = Text(f"Every weight of {t.hp.name}, by kind", font_size=30).to_edge(UP, buff=0.3)

        bar_width, bar_height = 12.4, 0.55
        bar_y = 2.35
        outline = Rectangle(width=bar_width, height=bar_height, stroke_color=colors.TEXT_DIM, stroke_width=1.5)
        outline.move_to([0, bar_y, 0])
        # a segmented bar, one segment per category (unlabelled: the table below does the labelling)
        segments = SegmentedBar(values, [colors.MLP_PARAMETERS if m else colors.OTHER_PARAMETERS for m in is_mlp],
                                width=bar_width, height=bar_height)
        segments.move_to(outline)

        # the table: one line per category, a running total underneath
        names = {
            "embedding": "embedding",
            "query": "query",
            "key": "key",
            "value": "value",
            "output": "output",
            "up": "MLP up (W↑)",
            "down": "MLP down (W↓)",
            "unembedding": "unembedding",
        }
        table = VGroup()
        row_h = 0.39
        top = 1.1
        for k, (c, value, mlp) in enumerate(zip(order, values, is_mlp)):
            color = colors.MLP_PARAMETERS if mlp else colors.TEXT
            y = top - k * row_h
            swatch = Rectangle(width=0.22, height=0.22, stroke_width=0,
                               fill_color=colors.MLP_PARAMETERS if mlp else colors.OTHER_PARAMETERS, fill_opacity=1)
            swatch.move_to([-4.6, y, 0])
            name = _text_line(names[c], font_size=20, color=color)
            name.move_to([swatch.get_right()[0] + 0.18, y, 0], aligned_edge=LEFT)
            num = MathTex(tex_int(value), font_size=28, color=color)
            num.move_to([1.3, y, 0], aligned_edge=RIGHT)
            mats = t.matrices[c]
            shape = t.matrix_shapes[c]
            how = MathTex(rf"{tex_int(mats)} \times ({tex_int(shape[0])} \times {tex_int(shape[1])})",
                          font_size=24, color=colors.TEXT_DIM)
            how.move_to([1.7, y, 0], aligned_edge=LEFT)
            table.add(VGroup(swatch, name, num, how))

        rule = Line([-4.75, 0, 0], [5.9, 0, 0], stroke_width=1.5, color=colors.TEXT_DIM)
        rule.set_y(top - len(order) * row_h + 0.12)
        total_label = Text("running total", font_size=22).move_to([-4.75, rule.get_y() - 0.4, 0], aligned_edge=LEFT)
        total = _counter(font_size=36)
        total.move_to([1.3, total_label.get_y(), 0], aligned_edge=RIGHT)
        n_matrices = Text(f"in {format_int(t.n_weight_matrices)} weight matrices", font_size=20,
                          color=colors.TEXT_DIM)
        n_matrices.move_to([1.7, total_label.get_y(), 0], aligned_edge=LEFT)

        seconds = self.narrate(
            "Now put the blocks back among everything else the model learns: embedding, attention's queries, "
            f"keys, values and outputs, and the unembedding. The count ends at {format_in_words(t.total_weights)}."
        )
        self.play(FadeOut(old), FadeIn(title), Create(outline), run_time=1.0)
        self.add(total_label, total)
        running = 0
        per = max(0.45, (seconds - 2.0) / len(order))
        for seg, row, value in zip(segments, table, values):
            running += value
            self.play(GrowFromEdge(seg, LEFT), FadeIn(row, shift=RIGHT * 0.2),
                      total.count_to(running, rate_func=linear), run_time=per)

        mlp_segs = VGroup(*(s for s, m in zip(segments, is_mlp) if m))
        brace = Brace(mlp_segs, DOWN, buff=0.04, color=colors.MLP_PARAMETERS)
        share = Text(f"MLP blocks: {format_percent_significant(self.mlp_share)} of all weights "
                     f"({format_in_words(t.mlp_weights)})", font_size=20, color=colors.MLP_PARAMETERS)
        share.next_to(brace, DOWN, buff=0.04)
        if share.get_right()[0] > 6.9:
            share.shift(LEFT * (share.get_right()[0] - 6.9))
        self.play(FadeIn(brace), FadeIn(share), FadeIn(n_matrices), Indicate(mlp_segs, color=colors.HIGHLIGHT, scale_factor=1.0))
        self.tally_group = VGroup(outline, segments, table, rule, total_label, total, n_matrices, brace, share)
        self.wait(1.5)

    def left_out(self) -> None:
        t = self.tally
        extra = Text(
            f"+ biases and layer norms: {format_int(self.extra)}  "
            f"({format_percent_significant(self.extra_share)} of {format_int(t.total_with_biases_and_norms)})",
            font_size=18, color=colors.TEXT_DIM,
        )
        source = Text(
            "counted by walking named_parameters() of a PyTorch GPT built on the meta device",
            font_size=16, color=colors.TEXT_DIM,
        )
        block = VGroup(extra, source).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        block.to_edge(DOWN, buff=0.3).to_edge(LEFT, buff=0.6)
        seconds = self.narrate(
            "That is the usual way of counting: weight matrices only. The biases and the normalisation "
            "layers would add only a sliver, and the MLPs still hold about "
            f"{format_percent_significant(self.mlp_share, 2)}."
        )
        self.play(FadeIn(block, shift=UP * 0.2), run_time=1.0)
        self.wait(max(1.0, seconds - 1.0))
