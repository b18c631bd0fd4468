"""Scene 2: a quick refresher of the transformer - text, tokens, vectors, attention and MLP blocks.

The numbers in the token columns are the lecture's toy vectors (:meth:`~llmfacts.compute.lecture.Lecture.
token_vectors`): the two names hold the toy block's directions, every other word a direction of its own,
perpendicular to the named ones. Attention is drawn as arrows between those token vectors; the transformer's
sizes (width, layers) come from the lecture's transformer (GPT-3 175B by default), which normalises each
vector *before* every block.

Render::

    .venv/bin/manim render -ql scenes/refresher.py TransformerRefresher
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    ArcBetweenPoints,
    Arrow,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
    linear,
)

from llmfacts import colors, style
from llmfacts.compute.lecture import Lecture
from llmfacts.formatting import format_int
from llmfacts.mobjects import EmbeddingVector, TokenRow, TransformerFlow, VectorIcon
from llmfacts.story import Int, StoryScene

__all__ = ["TransformerRefresher"]


class TransformerRefresher(StoryScene):
    """Text -> tokens -> vectors; attention passes information between the vectors; MLP blocks change each
    vector on its own; a norm before every block; the last vector predicts the next token.

    Layout parameters (class attributes; the words and vectors come from ``self.lecture``):

    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included) (8).
    * ``n_layers_drawn`` - attention + MLP layers drawn before the ``⋯`` (2).
    * ``attention_pairs`` - (from, to) token indices drawn as attention arrows (earlier -> later tokens).
    """

    steps = ("text_to_tokens", "tokens_to_vectors", "attention", "blocks_appear", "mlp", "norm_and_repeat",
             "soak_up_meaning", "predict_next")
    parameter_rules = {"rows_shown": Int(3, 14), "n_layers_drawn": Int(1, 3)}

    rows_shown: int = 8
    n_layers_drawn: int = 2
    attention_pairs: tuple[tuple[int, int], ...] = ((0, 1), (1, 5), (4, 5))

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        return (f"'{lecture.prompt}' -> tokens -> {lecture.toy.d_model}-number vectors; attention between them, "
                f"MLP blocks on each; {lecture.transformer.n_layers} layers in {lecture.transformer.name}")

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.words = list(self.lecture.prompt_tokens())
        self.vectors = self.lecture.token_vectors()
        self.hp = self.lecture.transformer
        self.token_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * (len(self.words) - 2)
        n = len(self.words)
        bad = [p for p in self.attention_pairs if not (0 <= p[0] < p[1] < n)]
        if bad:
            from llmfacts.story import SceneParameterError

            raise SceneParameterError(f"{type(self).__name__}.attention_pairs: each pair must be (earlier, later) "
                                      f"token indices below {n}, got {bad}")

    # -- steps ------------------------------------------------------------------------------------------
    def text_to_tokens(self):
        with self.beat("A quick refresher. The model reads a piece of text and predicts what comes next.") as beat:
            self.sentence = style.text(" ".join(self.words), style.HEADING).move_to([0, 2.7, 0])
            style.fit_in_safe_frame(self.sentence)
            self.play(Write(self.sentence), run_time=beat.fit(0.6, at_least=1.2))
        with self.beat("First, the text is chopped into tokens: words, or pieces of words.") as beat:
            self.layout_tokens_and_columns()
            beat.wait_until("chopped")
            self.play(FadeOut(self.sentence),
                      LaggedStart(*(FadeIn(c, scale=1.1) for c in self.tokens.cells), lag_ratio=0.1), run_time=1.5)

    def layout_tokens_and_columns(self) -> None:
        """Token boxes in a row, each over its column of numbers (the columns are shown in the next step)."""
        self.tokens = TokenRow(self.words, token_colors=self.token_colors, font_size=style.BODY, buff=0.5)
        self.columns = VGroup(*(EmbeddingVector(values, max_rows=self.rows_shown, decimals=2,
                                                font_size=style.MIN_MATH_FONT_SIZE)
                                for values in self.vectors))
        slots = [max(col.width, cell.width) for col, cell in zip(self.columns, self.tokens.cells)]
        x = 0.0
        for cell, col, w in zip(self.tokens.cells, self.columns, slots):
            cell.set_x(x + w / 2)
            col.set_x(x + w / 2)
            x += w + 0.35
        both = VGroup(self.tokens, self.columns)
        both.set_x(0)
        if both.width > style.SAFE_FRAME.width:
            both.scale_to_fit_width(style.SAFE_FRAME.width)
        self.tokens.move_to([0, style.SAFE_FRAME.y_max - self.tokens.height / 2, 0])

    def tokens_to_vectors(self):
        d = self.lecture.toy.d_model
        with self.beat(f"Each token becomes a vector: a list of numbers. Our toy uses {d} numbers per token; "
                       f"{self.hp.name} uses {format_int(self.hp.d_model)}.") as beat:
            self.columns.next_to(self.tokens, DOWN, buff=0.45)
            arrows = VGroup(*(Arrow(c.get_bottom(), col.get_top(), buff=0.05, stroke_width=2, color=colors.TEXT_DIM,
                                    max_tip_length_to_length_ratio=0.4)
                              for c, col in zip(self.tokens.cells, self.columns)))
            self.play(LaggedStart(*(Create(a) for a in arrows), lag_ratio=0.1), run_time=1)
            self.play(LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in self.columns), lag_ratio=0.1), run_time=2)
            beat.wait_until(self.hp.name.split()[0])
            size = style.text(f"{d} numbers  ({self.hp.name}: {format_int(self.hp.d_model)})", style.LABEL)
            size.next_to(self.columns, DOWN, buff=0.3)
            self.play(FadeIn(size), run_time=0.8)
            self.token_arrows, self.column_notes = arrows, size

    def attention(self):
        first, last = self.words[0], self.words[1]
        with self.beat(f"In an attention block, the vectors pass information to one another: '{last}' can take "
                       f"in that it follows '{first}', and the last word can look back at both.") as beat:
            self.play(FadeOut(self.column_notes), run_time=0.5)
            base = self.columns.get_bottom()[1] - 0.25
            arcs = VGroup()
            for a, b in self.attention_pairs:
                start = np.array([self.columns[a].get_x(), base, 0])
                end = np.array([self.columns[b].get_x(), base, 0])
                arc = ArcBetweenPoints(start, end, angle=0.9, color=colors.ATTENTION, stroke_width=4)
                arc.add_tip(tip_length=0.2, tip_width=0.2)
                arcs.add(arc)
            label = style.text("attention", style.BODY, colors.ATTENTION)
            label.move_to([0, min(a.get_bottom()[1] for a in arcs) - 0.45, 0])
            self.play(FadeIn(label), Create(arcs[0]), run_time=1.2)
            self.play(Indicate(self.columns[self.attention_pairs[0][1]], color=colors.ATTENTION), run_time=1.0)
            beat.wait_until("last word")
            self.play(LaggedStart(*(Create(a) for a in arcs[1:]), lag_ratio=0.4), run_time=1.5)
            self.attention_marks = VGroup(arcs, label)

    def blocks_appear(self):
        with self.beat("The vectors pass through two kinds of block, one after the other, many times over.") as beat:
            self.flow = TransformerFlow(n_layers=self.n_layers_drawn, token_labels=self.words,
                                        font_size=style.LABEL)
            self.flow.scale_to_fit_width(style.SAFE_FRAME.width - 1.4)
            if self.flow.height > 4.6:
                self.flow.scale_to_fit_height(4.6)
            self.flow.to_edge(LEFT, buff=0.8).shift(0.5 * UP)
            for word, color in zip(self.flow.get_tokens(), self.token_colors):
                if color:
                    word.set_color(color)
            self.icons = VGroup()
            for values, target in zip(self.vectors, self.flow.get_vectors()):
                icon = VectorIcon(values, cell_width=target.width, cell_height=target.height / len(values))
                self.icons.add(icon.move_to(target))
            self.play(FadeOut(self.attention_marks), FadeOut(self.token_arrows), run_time=0.6)
            self.play(*(FadeOut(cell[0]) for cell in self.tokens.cells),
                      *(ReplacementTransform(cell[1], word)
                        for cell, word in zip(self.tokens.cells, self.flow.get_tokens())),
                      *(FadeTransform(col, icon) for col, icon in zip(self.columns, self.icons)), run_time=1.8)
            self.play(FadeIn(self.flow.token_arrows), run_time=0.5)
            parts = [*self.flow.get_blocks(), *([self.flow.ellipsis] if self.flow.ellipsis is not None else [])]
            self.play(LaggedStart(*(FadeIn(m) for m in parts), lag_ratio=0.12), FadeIn(self.flow.flow_arrows),
                      run_time=beat.fit(0.8, at_least=1.5))

    def _caption(self, text: str, color: str, target) -> VGroup:
        label = style.text(text, style.BODY, color)
        label.next_to(self.flow, DOWN, buff=0.55)
        half = style.SAFE_FRAME.x_max - label.width / 2
        label.set_x(np.clip(target.get_x(), -half, half))
        pointer = Arrow(label.get_top(), target.get_bottom(), buff=0.08, stroke_width=3, color=color,
                        max_tip_length_to_length_ratio=0.3)
        return VGroup(label, pointer)

    def _row_y(self, k: int) -> float:
        return self.flow.get_tokens()[k].get_y()

    def mlp(self):
        with self.beat("In an MLP block, each vector is changed on its own, without looking at the others. "
                       "That block is what this video is about.") as beat:
            block = self.flow.get_mlp_block(0)
            frame = SurroundingRectangle(block, color=colors.MLP, buff=0.05, stroke_width=5)
            lanes = VGroup(*(Line([block.get_left()[0] + 0.08, self._row_y(k), 0],
                                  [block.get_right()[0] - 0.08, self._row_y(k), 0], color=colors.MLP, stroke_width=3)
                             for k in range(len(self.words))))
            caption = self._caption("each vector on its own", colors.MLP, block)
            self.play(Create(frame), FadeIn(caption), block.label.animate.set_opacity(0.2), run_time=1)
            self.play(LaggedStart(*(Create(line) for line in lanes), lag_ratio=0.1), run_time=1.5)
            beat.wait_until("That block")
            self.play(Indicate(frame, color=colors.MLP), run_time=1)
            self.mlp_marks = VGroup(frame, lanes, caption)
            self.dimmed_label = block.label

    def norm_and_repeat(self):
        with self.beat("Before each block, the vector is normalised to a standard size.") as beat:
            norms = self.flow.get_norm_blocks()
            frames = VGroup(*(SurroundingRectangle(n, color=colors.NORM, buff=0.04, stroke_width=4) for n in norms))
            caption = self._caption("normalise first", colors.NORM, norms[0])
            self.play(FadeOut(self.mlp_marks), self.dimmed_label.animate.set_opacity(1), run_time=0.6)
            self.play(Create(frames), FadeIn(caption), run_time=1.2)
        with self.beat(f"And the pair of blocks repeats, layer after layer: {self.hp.name} has "
                       f"{self.hp.n_layers} layers.") as beat:
            layers = VGroup(*(SurroundingRectangle(self.flow.get_layer(k), color=colors.TEXT_DIM, buff=0.1,
                                                   stroke_width=2) for k in range(self.n_layers_drawn)))
            labels = VGroup(*(style.text(f"layer {k + 1}", style.CAPTION, colors.TEXT_DIM).next_to(box, DOWN, buff=0.1)
                              for k, box in enumerate(layers)))
            count = style.text(f"× {self.hp.n_layers} layers", style.BODY)
            count.next_to(labels, DOWN, buff=0.3)
            count.align_to(self.flow.ellipsis if self.flow.ellipsis is not None else layers, RIGHT)
            self.play(FadeOut(frames), FadeOut(caption), run_time=0.6)
            self.play(LaggedStart(*(Create(b) for b in layers), lag_ratio=0.3), FadeIn(labels), run_time=1.2)
            beat.wait_until("has")
            self.play(FadeIn(count), run_time=0.8)
            self.layer_marks = VGroup(layers, labels, count)

    def soak_up_meaning(self):
        with self.beat("Along the way, each vector soaks up meaning, from the other words in the text and from "
                       "what training stored in the weights.") as beat:
            self.play(FadeOut(self.layer_marks), run_time=0.6)
            end = self.flow.ellipsis if self.flow.ellipsis is not None else self.flow.get_blocks()[-1]
            right = end.get_right()[0]
            d = self.lecture.toy.d_model
            self.finals = VGroup()
            for k in range(len(self.words)):
                start = self.icons[k]
                icon = VectorIcon(n_cells=d, cell_width=start.width * 1.3, cell_height=start.height / d, seed=100 + k,
                                  color=colors.VECTOR)
                self.finals.add(icon.move_to([right + 0.45, self._row_y(k), 0]))
            x0 = self.flow.get_vectors().get_right()[0]
            paths = [Line([x0, self._row_y(k), 0], [right + 0.15, self._row_y(k), 0]) for k in range(len(self.words))]
            dots = VGroup(*(Dot(p.get_start(), radius=0.07, color=colors.VECTOR) for p in paths))
            self.play(*(MoveAlongPath(dot, p, rate_func=linear) for dot, p in zip(dots, paths)),
                      run_time=beat.fit(0.6, at_least=2.0))
            self.play(FadeOut(dots), LaggedStart(*(FadeIn(f, scale=1.3) for f in self.finals), lag_ratio=0.1),
                      run_time=1.2)

    def predict_next(self):
        with self.beat("At the very end, the last vector is used to predict the next token.") as beat:
            last = self.finals[-1]
            frame = SurroundingRectangle(last, color=colors.HIGHLIGHT, buff=0.06)
            guess = TokenRow(["___"], font_size=style.BODY)
            guess.next_to(last, DOWN, buff=0.8)
            style.fit_in_safe_frame(guess)
            arrow = Arrow(last.get_bottom(), guess.get_top(), buff=0.1, stroke_width=3, color=colors.HIGHLIGHT,
                          max_tip_length_to_length_ratio=0.3)
            label = style.text("next token", style.LABEL, colors.HIGHLIGHT).next_to(guess, LEFT, buff=0.25)
            self.play(Create(frame), run_time=0.6)
            beat.wait_until("predict")
            self.play(Create(arrow), FadeIn(guess), FadeIn(label), run_time=1)
            self.play(Indicate(guess, color=colors.HIGHLIGHT), run_time=1)
