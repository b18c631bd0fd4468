"""Scene 10: the transformer's parameters, counted from a PyTorch module, and the share the MLP blocks hold.

Every figure comes from :meth:`llmfacts.compute.lecture.Lecture.parameter_tally` (the parameters of a
GPT-style decoder walked one by one, :func:`llmfacts.compute.gpt3.count_parameters`) and where the layer
norms sit from :func:`llmfacts.compute.gpt3.norm_placement` (the order a forward pass calls the modules).
For the default lecture this is GPT-3 175B: one W↑ of 603,979,776 weights, 96 layers, 175,181,291,520
weights, two thirds of them in the MLP blocks.

The picture: one block's two matrices to scale, a ledger that counts up, one tile per layer, then every
layer with its attention beside its MLP and the embeddings at the ends, all areas to scale; last, where the
parameters the usual count leaves out live (position embedding, layer norms before each block, biases) and
how big they are.

Render::

    .venv/bin/manim render -ql scenes/parameter_tally.py ParameterTally
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    TAU,
    UP,
    Arrow,
    Brace,
    Create,
    CurvedArrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.gpt3 import forward_order, norm_placement
from llmfacts.formatting import format_in_words, format_int, format_percent_significant
from llmfacts.mobjects import CountingNumber
from llmfacts.story import Float, Int, StoryScene

__all__ = ["ParameterTally"]

ATTENTION_KINDS = ("query", "key", "value", "output")
EMBEDDING_KINDS = ("embedding", "unembedding")


def _matrix_block(rows: int, cols: int, long_side: float, color: str, tex: str) -> VGroup:
    """A filled rectangle with the aspect ratio ``rows : cols``, faint grid lines and its name inside."""
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
    name = style.math(tex, size=style.LABEL)
    if name.width > 0.8 * w:
        name.scale_to_fit_width(0.8 * w)
    group = VGroup(rect, lines, name)
    group.rect, group.lines, group.name = rect, lines, name  # type: ignore[attr-defined]
    return group


def _swatch(color: str, side: float = 0.3) -> Rectangle:
    return Rectangle(width=side, height=side, stroke_width=0, fill_color=color, fill_opacity=1)


class ParameterTally(StoryScene):
    """The transformer's parameter count, built up from one MLP matrix to the whole model.

    Layout parameters (class attributes):

    * ``count_seconds`` - how long a number takes to count up;
    * ``matrix_size`` - on-screen length (scene units) of a matrix's long side;
    * ``layer_columns`` - tiles per row when the layers are drawn side by side.
    """

    steps = ("up_projection", "down_projection", "biases", "every_layer", "whole_model", "left_out")

    count_seconds: float = 2.5
    matrix_size: float = 3.2
    layer_columns: int = 12

    parameter_rules = {
        "count_seconds": Float(0.2, 10.0),
        "matrix_size": Float(1.5, 3.6),
        "layer_columns": Int(1, 24),
    }

    # ledger geometry
    _label_x = 0.4  # left edge of the ledger's labels
    _number_right_x = 6.3  # right edge of the ledger's numbers
    _counter_size = 40

    @classmethod
    def describe(cls, lecture) -> str:
        t = lecture.parameter_tally()
        return (f"{t.hp.name}'s parameters counted from a PyTorch module: the MLP blocks hold "
                f"{format_percent_significant(t.mlp_share)} of its {format_in_words(t.total_weights)} weights")

    def prepare(self) -> None:
        t = self.lecture.parameter_tally()
        self.tally = t
        hp = t.hp
        self.up_shape = t.matrix_shapes["up"]  # (out_features, in_features): one row per neuron
        self.down_shape = t.matrix_shapes["down"]
        self.down_matrix = self.down_shape[0] * self.down_shape[1]
        self.block_biases = t.mlp_block_with_biases - t.mlp_block_weights
        self.block_bias_share = self.block_biases / t.mlp_block_with_biases
        self.n_layers = hp.n_layers
        self.mlp_share = t.mlp_share
        self.attention_weights = sum(t.weights[c] for c in ATTENTION_KINDS)
        self.embedding_weights = sum(t.weights[c] for c in EMBEDDING_KINDS)
        self.attention_share = self.attention_weights / t.total_weights
        self.embedding_share = self.embedding_weights / t.total_weights
        # the parameters the usual count leaves out, and where the layer norms sit
        self.bias_total = sum(t.biases.values())
        self.omitted = {"position": t.positions, "biases": self.bias_total, "norms": t.norms}
        self.placement = self.lecture.cached(_norm_placement)
        self.order = self.lecture.cached(_forward_order)
        self.mlp_share_of_all = t.mlp_weights / t.total_parameters
        self.said = self.narration()

    def narration(self) -> dict[str, str]:
        """What the voice says in each beat, built from the tally (tested as claims)."""
        t = self.tally
        hp = t.hp
        rows, cols = self.up_shape
        down = ("The down-projection holds just as many" if self.down_matrix == t.up_matrix else
                f"The down-projection holds {format_int(self.down_matrix)}")
        turned = ", the same shape turned on its side" if self.down_shape == self.up_shape[::-1] else ""
        where = {("before", "before"): "before each attention block and before each MLP",
                 ("after", "after"): "after each attention block and after each MLP"}.get(
            (self.placement["attention"], self.placement["mlp"]),
            f"{self.placement['attention']} each attention block and {self.placement['mlp']} each MLP")
        final = ", with one more at the very end" if self.order[-2:] == ("final_norm", "unembedding") else ""
        position_vs = "more than" if t.positions > self.bias_total + t.norms else "fewer than"
        return {
            "up": (f"Count the parameters of one MLP block of {hp.name}. The up-projection has one row per neuron, "
                   f"{format_int(rows)} of them, and each row is as long as the vector, {format_int(cols)} numbers: "
                   f"{format_int(t.up_matrix)} weights in one matrix."),
            "down": f"{down}{turned}. Together, one block: {format_int(t.mlp_block_weights)} weights.",
            "biases": (f"Each block also has two bias vectors: one number per neuron, {format_int(hp.d_mlp)}, and one "
                       f"per dimension, {format_int(hp.d_model)}. That is "
                       f"{format_percent_significant(self.block_bias_share, 2)} of the block."),
            "layers": (f"And there is not one such block but {format_int(hp.n_layers)}: every layer has its own MLP. "
                       f"Their weights add up to {format_int(t.mlp_weights)}, about {format_in_words(t.mlp_weights)}."),
            "model": ("Now the rest of each layer: attention's queries, keys, values and outputs, drawn to the same "
                      "scale beside each MLP. Then the embedding and the unembedding at the two ends. Counted tensor "
                      f"by tensor in a model built with PyTorch, that makes {format_int(t.total_weights)} weights, in "
                      f"{format_int(t.n_weight_matrices)} matrices."),
            "share": f"Of all that area, the MLP blocks cover {format_percent_significant(t.mlp_share)}.",
            "position": (f"Three kinds of learned numbers are left out of that count. A position embedding, one "
                         f"vector for each of the {format_int(hp.context)} places in the context: "
                         f"{format_int(t.positions)} numbers, {position_vs} all the biases and layer norms together."),
            "norms": (f"In {hp.name} as built here, a layer norm sits {where}{final}: {format_int(t.norms)} numbers "
                      f"in all. The biases: {format_int(self.bias_total)}."),
            "everything": (f"Counting every parameter, {format_int(t.total_parameters)}, the MLP blocks still hold "
                           f"{format_percent_significant(self.mlp_share_of_all)}."),
        }

    # -- helpers ------------------------------------------------------------------------------------------
    def _counter(self, color: str = colors.TEXT, size: float | None = None) -> CountingNumber:
        return CountingNumber(0, font_size=size or self._counter_size, color=color, edge_to_fix=RIGHT)

    def _ledger_row(self, y: float, label, color: str = colors.TEXT) -> tuple:
        """A label at the ledger's left edge and a counter at its right edge, at height ``y``."""
        label.move_to([self._label_x, y, 0], aligned_edge=LEFT)
        counter = self._counter(color)
        counter.move_to([self._number_right_x, y, 0], aligned_edge=RIGHT)
        return label, counter

    def _count(self, counter: CountingNumber, value: float, run_time: float | None = None):
        return counter.count_to(value, run_time=run_time or self.count_seconds)

    # -- steps --------------------------------------------------------------------------------------------
    def up_projection(self) -> None:
        t = self.tally
        rows, cols = self.up_shape
        title = style.text(f"One MLP block of {t.hp.name}", size=style.HEADING).to_edge(UP, buff=0.45)
        w_up = _matrix_block(rows, cols, self.matrix_size, colors.MLP_PARAMETERS, style.W_UP)
        row_brace = Brace(w_up.rect, LEFT, buff=0.08, color=colors.TEXT_DIM)
        row_label = VGroup(style.text(format_int(rows), size=style.LABEL),
                           style.text("neurons", size=style.CAPTION, color=colors.TEXT_DIM)).arrange(DOWN, buff=0.08)
        row_label.next_to(row_brace, LEFT, buff=0.1)
        col_brace = Brace(w_up.rect, UP, buff=0.08, color=colors.TEXT_DIM)
        col_label = style.text(format_int(cols), size=style.LABEL).next_to(col_brace, UP, buff=0.08)
        group = VGroup(w_up, row_brace, row_label, col_brace, col_label)
        group.move_to([style.SAFE_FRAME.x_min, -0.35, 0], aligned_edge=LEFT)
        self.w_up_group = group

        label, counter = self._ledger_row(2.05, style.math(style.W_UP, size=style.LABEL))
        with self.beat(self.said["up"]) as beat:
            self.play(FadeIn(title), Create(w_up.rect), FadeIn(w_up.lines), FadeIn(w_up.name), run_time=1.2)
            beat.wait_until("one row")
            self.play(FadeIn(row_brace), FadeIn(row_label), run_time=0.8)
            beat.wait_until("each row")
            self.play(FadeIn(col_brace), FadeIn(col_label), run_time=0.8)
            self.add(counter)
            self.play(FadeIn(label), self._count(counter, t.up_matrix, run_time=beat.fit(0.8, at_least=1.0)))
        self.title = title
        self.up_row = VGroup(label, counter)

    def down_projection(self) -> None:
        t = self.tally
        rows, cols = self.down_shape
        w_down = _matrix_block(rows, cols, self.matrix_size, colors.MLP_PARAMETERS, style.W_DOWN)
        w_down.next_to(self.w_up_group[0], RIGHT, buff=0.35).align_to(self.w_up_group[0], DOWN)
        label, counter = self._ledger_row(1.2, style.math(style.W_DOWN, size=style.LABEL))
        rule = Line([self._label_x, 0.72, 0], [self._number_right_x, 0.72, 0], stroke_width=2, color=colors.TEXT_DIM)
        block_label, block_counter = self._ledger_row(0.25, style.text("one block", size=style.LABEL,
                                                                       color=colors.MLP_PARAMETERS),
                                                      color=colors.MLP_PARAMETERS)
        approx = style.math(rf"\approx \text{{{format_in_words(t.mlp_block_weights)}}}", size=style.CAPTION,
                            color=colors.MLP_PARAMETERS)
        approx.next_to(block_counter, DOWN, buff=0.12).align_to(block_counter, RIGHT)
        with self.beat(self.said["down"]) as beat:
            self.play(TransformFromCopy(self.w_up_group[0], w_down), run_time=1.2)
            self.add(counter)
            self.play(FadeIn(label), self._count(counter, self.down_matrix, run_time=1.5))
            beat.wait_until("together")
            self.add(block_counter)
            self.play(Create(rule), FadeIn(block_label), self._count(block_counter, t.mlp_block_weights))
            self.play(FadeIn(approx), run_time=0.5)
        self.w_down = w_down
        self.down_row = VGroup(label, counter)
        self.block_row = VGroup(rule, block_label, block_counter, approx)

    def biases(self) -> None:
        label, counter = self._ledger_row(-0.8, style.text("biases", size=style.LABEL, color=colors.BIAS),
                                          color=colors.BIAS)
        share = style.text(f"{format_percent_significant(self.block_bias_share, 2)} of the block",
                           size=style.CAPTION, color=colors.BIAS)
        share.next_to(counter, DOWN, buff=0.12).align_to(counter, RIGHT)
        up_rect, down_rect = self.w_up_group[0].rect, self.w_down.rect
        b_up = Rectangle(width=0.14, height=up_rect.height, stroke_width=0, fill_color=colors.BIAS, fill_opacity=0.8)
        b_up.next_to(up_rect, RIGHT, buff=0.06).align_to(up_rect, UP)
        b_down = Rectangle(width=0.14, height=down_rect.height, stroke_width=0, fill_color=colors.BIAS,
                           fill_opacity=0.8)
        b_down.next_to(down_rect, RIGHT, buff=0.06)
        with self.beat(self.said["biases"]) as beat:
            self.play(GrowFromEdge(b_up, UP), GrowFromEdge(b_down, UP), FadeIn(label), run_time=1.0)
            self.add(counter)
            self.play(self._count(counter, self.block_biases, run_time=1.5))
            beat.wait_until("that is")
            self.play(FadeIn(share), run_time=0.6)
        self.bias_row = VGroup(label, counter, share)
        self.bias_strips = VGroup(b_up, b_down)

    def _tile_grid(self, n: int, side: float, gap: float) -> VGroup:
        cols = min(self.layer_columns, n)
        tiles = VGroup(*(
            Rectangle(width=side, height=side, stroke_width=1.5, stroke_color=colors.MLP_PARAMETERS,
                      fill_color=colors.MLP_PARAMETERS, fill_opacity=0.45)
            for _ in range(n)
        ))
        tiles.arrange_in_grid(rows=int(np.ceil(n / cols)), cols=cols, buff=gap)
        return tiles

    def every_layer(self) -> None:
        t = self.tally
        n = self.n_layers
        tiles = self._tile_grid(n, 0.34, 0.08)
        left, right = style.SAFE_FRAME.x_min, self._label_x - 0.4
        tiles.scale_to_fit_width(min(tiles.width, right - left))
        if tiles.height > 4.2:
            tiles.scale_to_fit_height(4.2)
        tiles.move_to([(left + right) / 2, -0.75, 0])
        caption = style.text(f"{n} layers", size=style.LABEL, color=colors.TEXT_DIM).next_to(tiles, UP, buff=0.2)
        label, counter = self._ledger_row(-2.1, style.math(rf"\times\ {n}", size=style.LABEL,
                                                           color=colors.MLP_PARAMETERS), color=colors.MLP_PARAMETERS)
        approx = style.math(rf"\approx \text{{{format_in_words(t.mlp_weights)}}}", size=style.CAPTION,
                            color=colors.MLP_PARAMETERS)
        approx.next_to(counter, DOWN, buff=0.12).align_to(counter, RIGHT)
        drawing = VGroup(self.w_up_group, self.w_down, self.bias_strips)
        with self.beat(self.said["layers"]) as beat:
            self.play(ReplacementTransform(drawing, tiles[0]), FadeIn(caption), run_time=1.2)
            self.play(LaggedStart(*(FadeIn(s, scale=0.5) for s in tiles[1:]), lag_ratio=0.02, run_time=2.0),
                      FadeIn(label))
            self.add(counter)
            self.play(self._count(counter, t.mlp_weights, run_time=beat.fit(0.7, at_least=1.0)))
            self.play(FadeIn(approx), run_time=0.5)
        self.layer_row = VGroup(label, counter, approx)
        self.tiles, self.tiles_caption = tiles, caption

    def whole_model(self) -> None:
        t = self.tally
        n = self.n_layers
        per_layer_mlp = t.mlp_block_weights
        attention_ratio = (self.attention_weights / n) / per_layer_mlp  # width of a layer's attention part
        embedding_ratio = t.weights["embedding"] / per_layer_mlp
        unembedding_ratio = t.weights["unembedding"] / per_layer_mlp

        # areas to scale: a layer's MLP is an s x s square, its attention an (a s) x s rectangle beside it
        cols = min(self.layer_columns, n)
        n_rows = int(np.ceil(n / cols))
        gap = 0.08
        s = min(0.46, (3.9 - gap * (n_rows - 1)) / n_rows,
                (style.SAFE_FRAME.width - 1.6 - gap * (cols - 1)) / (cols * (1 + attention_ratio)))
        cell_w = s * (1 + attention_ratio)
        grid_w = cols * cell_w + (cols - 1) * gap
        grid_h = n_rows * s + (n_rows - 1) * gap
        top = 1.75
        x0 = -grid_w / 2
        mlp_parts, attention_parts = VGroup(), VGroup()
        for k in range(n):
            r, c = divmod(k, cols)
            x = x0 + c * (cell_w + gap)
            y = top - r * (s + gap) - s / 2
            att = Rectangle(width=s * attention_ratio, height=s, stroke_width=1.5, stroke_color=colors.ATTENTION,
                            fill_color=colors.ATTENTION, fill_opacity=0.45)
            att.move_to([x + s * attention_ratio / 2, y, 0])
            mlp = Rectangle(width=s, height=s, stroke_width=1.5, stroke_color=colors.MLP_PARAMETERS,
                            fill_color=colors.MLP_PARAMETERS, fill_opacity=0.45)
            mlp.move_to([x + s * attention_ratio + s / 2, y, 0])
            attention_parts.add(att)
            mlp_parts.add(mlp)
        mid_y = top - grid_h / 2
        emb = Rectangle(width=s * embedding_ratio, height=s, stroke_width=1.5, stroke_color=colors.OTHER_PARAMETERS,
                        fill_color=colors.OTHER_PARAMETERS, fill_opacity=0.7)
        emb.move_to([x0 - 0.3 - emb.width / 2, mid_y, 0])
        unemb = Rectangle(width=s * unembedding_ratio, height=s, stroke_width=1.5,
                          stroke_color=colors.OTHER_PARAMETERS, fill_color=colors.OTHER_PARAMETERS, fill_opacity=0.7)
        unemb.move_to([x0 + grid_w + 0.3 + unemb.width / 2, mid_y, 0])
        embeddings = VGroup(emb, unemb)

        title = style.text(f"Every weight of {t.hp.name}", size=style.HEADING).to_edge(UP, buff=0.45)
        total = self._counter(size=44)
        total_label = style.text("weights", size=style.LABEL, color=colors.TEXT_DIM)
        total_row = VGroup(total, total_label)
        total.move_to([1.0, 2.3, 0], aligned_edge=RIGHT)
        total_label.next_to(total, RIGHT, buff=0.25)
        total_label.align_to(total, DOWN)

        def key_item(color: str, name: str, share: float) -> VGroup:
            item = VGroup(_swatch(color), style.text(name, size=style.CAPTION),
                          style.text(format_percent_significant(share), size=style.CAPTION, color=colors.TEXT_DIM))
            return item.arrange(RIGHT, buff=0.15)

        key = VGroup(key_item(colors.MLP_PARAMETERS, "MLP", t.mlp_share),
                     key_item(colors.ATTENTION, "attention", self.attention_share),
                     key_item(colors.OTHER_PARAMETERS, "embeddings", self.embedding_share)).arrange(RIGHT, buff=0.7)
        key.move_to([0, top - grid_h - 0.55, 0])

        old = VGroup(self.title, self.up_row, self.down_row, self.block_row, self.bias_row, self.layer_row,
                     self.tiles_caption)
        with self.beat(self.said["model"]) as beat:
            self.play(FadeOut(old), FadeIn(title), ReplacementTransform(self.tiles, mlp_parts), run_time=1.2)
            self.add(total_row)
            self.play(FadeIn(key[0]), total.count_to(t.mlp_weights, run_time=1.0))
            self.play(LaggedStart(*(GrowFromEdge(a, RIGHT) for a in attention_parts), lag_ratio=0.01),
                      FadeIn(key[1]), total.count_to(t.mlp_weights + self.attention_weights),
                      run_time=beat.fit(0.35, at_least=1.5))
            beat.wait_until("embedding")
            self.play(GrowFromEdge(emb, RIGHT), GrowFromEdge(unemb, LEFT), FadeIn(key[2]),
                      total.count_to(t.total_weights), run_time=1.5)
        with self.beat(self.said["share"]) as beat:
            beat.wait_until("MLP")
            box = SurroundingRectangle(key[0], color=colors.HIGHLIGHT, buff=0.1)
            self.play(attention_parts.animate.set_fill(opacity=0.12).set_stroke(opacity=0.3),
                      embeddings.animate.set_fill(opacity=0.2).set_stroke(opacity=0.3),
                      Create(box), run_time=1.0)
            self.play(Indicate(key[0][2], color=colors.HIGHLIGHT), run_time=0.8)
        self.model_picture = VGroup(title, total_row, mlp_parts, attention_parts, embeddings, key, box)

    def left_out(self) -> None:
        t = self.tally
        hp = t.hp
        title = style.text("Left out of the count", size=style.HEADING).to_edge(UP, buff=0.45)

        # one layer as a forward pass runs it: the modules in the order they are called
        layer0 = [name.split(".", 2)[2] for name in self.order if name.startswith("layers.0.")]
        box_kind = {"attention_norm": ("norm", colors.NORM), "mlp_norm": ("norm", colors.NORM),
                    "attention": ("attention", colors.ATTENTION), "mlp": ("MLP", colors.MLP_PARAMETERS)}
        stream_y = 1.05
        pieces = VGroup()
        position = VGroup(Rectangle(width=1.55, height=0.62, stroke_color=colors.OTHER_PARAMETERS, stroke_width=2.5,
                                    fill_color=colors.OTHER_PARAMETERS, fill_opacity=0.35),
                          style.text("position", size=style.CAPTION))
        pieces.add(position)
        for name in layer0:
            word, color = box_kind[name]
            label = style.text(word, size=style.CAPTION)
            box = Rectangle(width=label.width + 0.3, height=0.62, stroke_color=color, stroke_width=2.5,
                            fill_color=color, fill_opacity=0.3)
            pieces.add(VGroup(box, label))
            if name in ("attention", "mlp"):
                pieces.add(_plus())
        pieces.arrange(RIGHT, buff=0.38)
        layer_label = style.math(rf"\times\ {hp.n_layers}", size=style.LABEL, color=colors.TEXT_DIM)
        flow = VGroup(pieces, layer_label).arrange(RIGHT, buff=0.3).move_to([0, stream_y, 0])
        arrows = VGroup(*(Arrow(a.get_right(), b.get_left(), buff=0.04, stroke_width=3, color=colors.TEXT_DIM,
                                max_tip_length_to_length_ratio=0.35) for a, b in zip(pieces[:-1], pieces[1:])))
        layer_brace = Brace(pieces[1:], DOWN, buff=0.1, color=colors.TEXT_DIM)
        layer_word = style.text("one layer", size=style.CAPTION, color=colors.TEXT_DIM).next_to(layer_brace, DOWN,
                                                                                                buff=0.08)
        norms = VGroup(*(p for p, name in zip(pieces[1:], _with_plus(layer0)) if name.endswith("_norm")))
        # the residual path: each block's input skips past it to the ⊕ where its output is added
        skips = VGroup()
        names = ["position", *_with_plus(layer0)]
        for k, name in enumerate(names):
            if name == "+":
                start = (pieces[k - 2].get_left() + pieces[k - 3].get_right()) / 2 if k >= 3 else None
                if start is not None:
                    skips.add(CurvedArrow(start + UP * 0.02, pieces[k].get_top() + UP * 0.02, angle=-TAU / 6,
                                          color=colors.RESIDUAL, stroke_width=2.5, tip_length=0.15))

        # the three kinds, as bars to scale
        kinds = (("position", "position embedding", colors.OTHER_PARAMETERS),
                 ("biases", "biases", colors.BIAS), ("norms", "layer norms", colors.NORM))
        longest = max(self.omitted.values())
        bar_left, bar_max = -1.2, 5.0
        bars, rows = VGroup(), VGroup()
        for k, (key, word, color) in enumerate(kinds):
            y = -0.85 - k * 0.75
            name = style.text(word, size=style.CAPTION).move_to([bar_left - 0.25, y, 0], aligned_edge=RIGHT)
            bar = Rectangle(width=max(0.02, bar_max * self.omitted[key] / longest), height=0.42, stroke_width=0,
                            fill_color=color, fill_opacity=0.9)
            bar.move_to([bar_left, y, 0], aligned_edge=LEFT)
            number = style.text(format_int(self.omitted[key]), size=style.CAPTION).next_to(bar, RIGHT, buff=0.2)
            bars.add(bar)
            rows.add(VGroup(name, bar, number))

        with self.beat(self.said["position"]) as beat:
            self.play(FadeOut(self.model_picture), FadeIn(title), run_time=0.8)
            self.play(FadeIn(flow), LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.1), Create(skips),
                      FadeIn(layer_brace), FadeIn(layer_word), run_time=1.5)
            beat.wait_until("position")
            self.play(Indicate(position, color=colors.HIGHLIGHT), FadeIn(rows[0][0]), GrowFromEdge(bars[0], LEFT),
                      FadeIn(rows[0][2]), run_time=1.2)
        with self.beat(self.said["norms"]) as beat:
            self.play(Indicate(norms, color=colors.HIGHLIGHT, scale_factor=1.15), run_time=1.0)
            self.play(FadeIn(rows[2][0]), GrowFromEdge(bars[2], LEFT), FadeIn(rows[2][2]), run_time=1.0)
            beat.wait_until("biases")
            self.play(FadeIn(rows[1][0]), GrowFromEdge(bars[1], LEFT), FadeIn(rows[1][2]), run_time=1.0)
        everything = VGroup(style.text("every parameter", size=style.LABEL),
                            style.text(format_int(t.total_parameters), size=style.LABEL),
                            style.text(f"MLP {format_percent_significant(self.mlp_share_of_all)}", size=style.LABEL,
                                       color=colors.MLP_PARAMETERS)).arrange(RIGHT, buff=0.5)
        everything.move_to([0, -3.15, 0])
        with self.beat(self.said["everything"]) as beat:
            self.play(FadeIn(everything[:2]), run_time=0.8)
            beat.wait_until("MLP")
            self.play(FadeIn(everything[2]), run_time=0.6)


def _plus() -> VGroup:
    """The ⊕ where a block's output joins the stream."""
    from manim import Circle

    r = 0.2
    return VGroup(Circle(radius=r, stroke_color=colors.RESIDUAL, stroke_width=3),
                  Line(LEFT * r * 0.6, RIGHT * r * 0.6, stroke_width=3, color=colors.RESIDUAL),
                  Line(DOWN * r * 0.6, UP * r * 0.6, stroke_width=3, color=colors.RESIDUAL))


def _with_plus(names: list[str]) -> list[str]:
    """The layer's module names with a ``"+"`` after each block whose output joins the stream."""
    out = []
    for name in names:
        out.append(name)
        if name in ("attention", "mlp"):
            out.append("+")
    return out


def _norm_placement(lecture) -> dict[str, str]:
    return norm_placement(lecture.transformer)


def _forward_order(lecture) -> tuple[str, ...]:
    return forward_order(lecture.transformer, n_layers=2)
