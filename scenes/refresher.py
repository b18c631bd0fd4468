"""Scene 2: a quick refresher of the transformer - text, tokens, vectors, attention and MLP blocks.

The numbers in the token columns are real: the two names get the toy block's directions
(:meth:`llmfacts.compute.toy_mlp.ToyMLP.token_vector`), the other words get seeded random unit vectors of the
same size (said on screen to be illustrative). GPT-3's sizes come from
:func:`llmfacts.compute.gpt3.count_parameters`.

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
    Arrow,
    ArcBetweenPoints,
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
    Text,
    VGroup,
    Write,
    linear,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import count_parameters
from llmfacts.compute.toy_mlp import ToyFact, ToyMLPConfig, build_toy_mlp
from llmfacts.mobjects import EmbeddingVector, TokenRow, TransformerFlow, VectorIcon
from llmfacts.story import StoryScene

__all__ = ["TransformerRefresher", "illustrative_vectors"]


def illustrative_vectors(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` seeded random unit vectors of dimension ``d`` (rows), for words the toy model has no direction for."""
    v = np.random.default_rng(seed).standard_normal((n, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class TransformerRefresher(StoryScene):
    """Text -> tokens -> vectors, then attention and MLP blocks alternating (a norm step after each).

    Parameters (class attributes):

    * ``first_name``, ``last_name``, ``attribute`` - the fact of the toy block (the names' vectors are its
      directions).
    * ``other_words`` - the rest of the prompt.
    * ``d_model`` - length of the toy vectors shown.
    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included).
    * ``seed`` - seed of the toy block and of the illustrative vectors of the other words.
    * ``n_layers_drawn`` - attention + MLP layers drawn before the ``⋯``.
    * ``attention_pairs`` - (from, to) token indices drawn as attention arrows.
    """

    summary = "Text -> tokens -> vectors, attention and MLP blocks alternating"
    steps = ("text_to_tokens", "tokens_to_vectors", "blocks_appear", "attention", "mlp", "norm_and_repeat",
             "soak_up_meaning", "predict_next")

    first_name = "Michael"
    last_name = "Jordan"
    attribute = "basketball"
    other_words: tuple[str, ...] = ("plays", "the", "sport", "of")
    d_model = 12
    rows_shown = 8
    seed = 0
    n_layers_drawn = 2
    attention_pairs: tuple[tuple[int, int], ...] = ((0, 1), (4, 5), (1, 5))

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        fact = ToyFact(self.first_name, self.last_name, self.attribute)
        self.toy = build_toy_mlp(ToyMLPConfig(fact=fact, d_model=self.d_model, seed=self.seed))
        self.words = [self.first_name, self.last_name, *self.other_words]
        others = illustrative_vectors(len(self.other_words), self.d_model, self.seed + 1)
        self.vectors = np.vstack([self.toy.token_vector(self.first_name), self.toy.token_vector(self.last_name),
                                  others])
        self.hp = count_parameters().hp
        self.token_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * len(self.other_words)

    # -- steps ------------------------------------------------------------------------------------------
    def text_to_tokens(self):
        t = self.narrate("A quick refresher. The model reads a piece of text and predicts what comes next. "
                         "First, the text is chopped into tokens: words, or pieces of words.")
        sentence = Text(" ".join(self.words), font_size=40, color=colors.TEXT).to_edge(UP, buff=0.8)
        self.play(Write(sentence), run_time=1.5)
        self.wait(1)
        self.tokens = TokenRow(self.words, token_colors=self.token_colors, font_size=34, buff=0.5)
        self.tokens.to_edge(UP, buff=0.6)
        # the columns of numbers (shown in the next step) decide where each token sits
        self.columns = VGroup(*(EmbeddingVector(values, max_rows=self.rows_shown, decimals=2, font_size=30)
                                for values in self.vectors))
        slots = [max(col.width, cell.width) for col, cell in zip(self.columns, self.tokens.cells)]
        x = 0.0
        for cell, col, w in zip(self.tokens.cells, self.columns, slots):
            cell.set_x(x + w / 2)
            col.set_x(x + w / 2)
            x += w + 0.35
        both = VGroup(self.tokens, self.columns)
        both.set_x(0)
        if both.width > 13.4:
            both.scale_to_fit_width(13.4)
        self.tokens.to_edge(UP, buff=0.6)
        self.play(FadeOut(sentence), LaggedStart(*(FadeIn(c, scale=1.1) for c in self.tokens.cells), lag_ratio=0.1),
                  run_time=1.5)
        self.wait(max(0.5, t - 4))

    def tokens_to_vectors(self):
        t = self.narrate(f"Each token becomes a vector: a list of numbers. Our toy uses {self.d_model} numbers "
                         f"per token; GPT-3 uses {self.hp.d_model:,}.")
        self.columns.shift((self.tokens.get_bottom()[1] - 0.35 - self.columns.get_top()[1]) * UP)
        arrows = VGroup(*(Arrow(c.get_bottom(), col.get_top(), buff=0.05, stroke_width=2, color=colors.TEXT_DIM,
                                max_tip_length_to_length_ratio=0.4) for c, col in zip(self.tokens.cells, self.columns)))
        size = Text(f"{self.d_model} numbers each (GPT-3: {self.hp.d_model:,})", font_size=24, color=colors.TEXT)
        note = Text("names: the toy model's directions; other words: random numbers, for illustration",
                    font_size=20, color=colors.TEXT_DIM)
        notes = VGroup(size, note).arrange(DOWN, buff=0.12).next_to(self.columns, DOWN, buff=0.3)
        self.play(LaggedStart(*(Create(a) for a in arrows), lag_ratio=0.1), run_time=1)
        self.play(LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in self.columns), lag_ratio=0.1), run_time=2)
        self.play(FadeIn(notes), run_time=1)
        self.token_arrows = arrows
        self.column_notes = notes
        self.wait(max(1.5, t - 4))

    def blocks_appear(self):
        t = self.narrate("These vectors then pass through two kinds of block, one after the other, "
                         "many times over.")
        self.flow = TransformerFlow(n_layers=self.n_layers_drawn, token_labels=self.words)
        self.flow.scale_to_fit_width(11.2)
        if self.flow.height > 4.8:
            self.flow.scale_to_fit_height(4.8)
        self.flow.to_edge(LEFT, buff=0.4).shift(0.4 * UP)
        for word, color in zip(self.flow.get_tokens(), self.token_colors):
            if color:
                word.set_color(color)
        icons = VGroup()
        for values, target in zip(self.vectors, self.flow.get_vectors()):
            icon = VectorIcon(values, cell_width=target.width, cell_height=target.height / len(values))
            icon.move_to(target)
            icons.add(icon)
        self.icons = icons
        title = Text("a transformer, in brief", font_size=30, color=colors.TEXT_DIM).to_edge(UP, buff=0.4)
        self.play(FadeOut(self.column_notes), FadeOut(self.token_arrows), run_time=0.6)
        self.play(*(FadeOut(cell[0]) for cell in self.tokens.cells),
                  *(ReplacementTransform(cell[1], word) for cell, word in zip(self.tokens.cells, self.flow.get_tokens())),
                  *(FadeTransform(col, icon) for col, icon in zip(self.columns, icons)), run_time=1.8)
        self.play(FadeIn(self.flow.token_arrows), run_time=0.5)
        rest = VGroup(self.flow.flow_arrows, self.flow.get_blocks())
        if self.flow.ellipsis is not None:
            rest.add(self.flow.ellipsis)
        self.play(LaggedStart(*(FadeIn(m) for m in [*self.flow.get_blocks(), self.flow.ellipsis] if m is not None),
                              lag_ratio=0.15),
                  FadeIn(self.flow.flow_arrows), FadeIn(title), run_time=2.2)
        self.wait(max(0.5, t - 5.1))

    def _caption(self, text: str, color: str, target) -> VGroup:
        label = Text(text, font_size=26, color=color)
        label.next_to(self.flow, DOWN, buff=0.55)
        label.set_x(np.clip(target.get_x(), -6.9 + label.width / 2, 6.9 - label.width / 2))
        pointer = Arrow(label.get_top(), target.get_bottom(), buff=0.08, stroke_width=3, color=color,
                        max_tip_length_to_length_ratio=0.3)
        return VGroup(label, pointer)

    def _row_y(self, k: int) -> float:
        return self.flow.get_tokens()[k].get_y()

    def attention(self):
        t = self.narrate("In an attention block, the vectors pass information to one another: "
                         "a word can take on meaning from the words around it.")
        block = self.flow.get_attention_block(0)
        frame = SurroundingRectangle(block, color=colors.ATTENTION, buff=0.05, stroke_width=5)
        x = block.get_left()[0] + 0.22
        arcs = VGroup()
        for a, b in self.attention_pairs:
            start, end = np.array([x, self._row_y(a), 0]), np.array([x, self._row_y(b), 0])
            arc = ArcBetweenPoints(start, end, angle=-1.4 if a < b else 1.4, color=colors.ATTENTION, stroke_width=3)
            arc.add_tip(tip_length=0.13, tip_width=0.13)
            arcs.add(arc)
        caption = self._caption("attention: vectors talk to each other", colors.ATTENTION, block)
        self.play(Create(frame), FadeIn(caption), block.label.animate.set_opacity(0.2), run_time=1)
        self.play(LaggedStart(*(Create(a) for a in arcs), lag_ratio=0.4), run_time=2)
        self.attention_marks = VGroup(frame, arcs, caption)
        self.dimmed_label = block.label
        self.wait(max(0.5, t - 3))

    def mlp(self):
        t = self.narrate("In an MLP block, each vector is changed on its own, without looking at the others. "
                         "That block is what this video is about.")
        block = self.flow.get_mlp_block(0)
        frame = SurroundingRectangle(block, color=colors.MLP, buff=0.05, stroke_width=5)
        lanes = VGroup(*(Line([block.get_left()[0] + 0.08, self._row_y(k), 0],
                              [block.get_right()[0] - 0.08, self._row_y(k), 0], color=colors.MLP, stroke_width=3)
                         for k in range(len(self.words))))
        caption = self._caption("MLP: each vector on its own", colors.MLP, block)
        self.play(FadeOut(self.attention_marks), self.dimmed_label.animate.set_opacity(1),
                  Create(frame), FadeIn(caption), block.label.animate.set_opacity(0.2), run_time=1)
        self.play(LaggedStart(*(Create(l) for l in lanes), lag_ratio=0.1), run_time=1.5)
        self.mlp_marks = VGroup(frame, lanes, caption)
        self.dimmed_label = block.label
        self.wait(max(0.5, t - 2.5))

    def norm_and_repeat(self):
        t = self.narrate(f"A normalisation step sits after each block, and the pair repeats layer after layer: "
                         f"GPT-3 has {self.hp.n_layers} of them.")
        norms = self.flow.get_norm_blocks()
        frames = VGroup(*(SurroundingRectangle(n, color=colors.NORM, buff=0.04, stroke_width=4) for n in norms))
        caption = self._caption("normalisation", colors.NORM, norms[0])
        self.play(FadeOut(self.mlp_marks), self.dimmed_label.animate.set_opacity(1), Create(frames),
                  FadeIn(caption), run_time=1.2)
        self.wait(1)
        layers = VGroup(*(SurroundingRectangle(self.flow.get_layer(k), color=colors.TEXT_DIM, buff=0.1,
                                               stroke_width=2) for k in range(self.n_layers_drawn)))
        layer_labels = VGroup(*(Text(f"layer {k + 1}", font_size=22, color=colors.TEXT_DIM).next_to(box, DOWN, buff=0.1)
                                for k, box in enumerate(layers)))
        count = Text(f"\u00d7 {self.hp.n_layers} layers in GPT-3", font_size=26, color=colors.TEXT)
        count.next_to(layer_labels, DOWN, buff=0.25)
        count.align_to(self.flow.ellipsis if self.flow.ellipsis is not None else layers, RIGHT)
        self.play(FadeOut(frames), FadeOut(caption), run_time=0.6)
        self.play(LaggedStart(*(Create(b) for b in layers), lag_ratio=0.3), FadeIn(layer_labels), run_time=1.2)
        self.play(FadeIn(count), run_time=0.8)
        self.layer_marks = VGroup(layers, layer_labels, count)
        self.wait(max(0.5, t - 4.8))

    def soak_up_meaning(self):
        t = self.narrate("Along the way, each vector soaks up meaning, from the other words in the text and "
                         "from what training stored in the weights.")
        self.play(FadeOut(self.layer_marks), run_time=0.6)
        right = (self.flow.ellipsis if self.flow.ellipsis is not None else self.flow.get_blocks()[-1]).get_right()[0]
        self.finals = VGroup()
        for k in range(len(self.words)):
            start = self.icons[k]
            icon = VectorIcon(n_cells=self.d_model, cell_width=start.width * 1.3,
                              cell_height=start.height / self.d_model, seed=100 + k)
            icon.move_to([right + 0.5, self._row_y(k), 0])
            self.finals.add(icon)
        dots = VGroup()
        paths = []
        x0 = self.flow.get_vectors().get_right()[0]
        for k in range(len(self.words)):
            path = Line([x0, self._row_y(k), 0], [right + 0.2, self._row_y(k), 0])
            dot = Dot(path.get_start(), radius=0.07, color=colors.HIGHLIGHT)
            dots.add(dot)
            paths.append(path)
        self.play(*(MoveAlongPath(d, p, rate_func=linear) for d, p in zip(dots, paths)), run_time=3)
        self.play(FadeOut(dots), LaggedStart(*(FadeIn(f, scale=1.3) for f in self.finals), lag_ratio=0.1),
                  run_time=1.2)
        note = Text("(numbers for illustration)", font_size=20, color=colors.TEXT_DIM)
        note.next_to(self.finals, DOWN, buff=0.2)
        if note.get_right()[0] > 6.9:
            note.shift(LEFT * (note.get_right()[0] - 6.9))
        self.play(FadeIn(note), run_time=0.5)
        self.finals_note = note
        self.wait(max(0.5, t - 5.3))

    def predict_next(self):
        t = self.narrate("At the very end, the last vector is used to predict the next token.")
        last = self.finals[-1]
        frame = SurroundingRectangle(last, color=colors.HIGHLIGHT, buff=0.06)
        guess = TokenRow(["___"], font_size=30)
        guess.next_to(last, DOWN, buff=1.0)
        if guess.get_right()[0] > 6.9:
            guess.shift(LEFT * (guess.get_right()[0] - 6.9))
        arrow = Arrow(last.get_bottom(), guess.get_top(), buff=0.1, stroke_width=3, color=colors.HIGHLIGHT,
                      max_tip_length_to_length_ratio=0.3)
        label = Text("next token?", font_size=24, color=colors.HIGHLIGHT).next_to(guess, LEFT, buff=0.2)
        self.play(FadeOut(self.finals_note), Create(frame), run_time=0.6)
        self.play(Create(arrow), FadeIn(guess), FadeIn(label), run_time=1)
        self.play(Indicate(guess, color=colors.HIGHLIGHT), run_time=1)
        self.wait(max(0.5, t - 2.6))
