"""Scene 4: inside an MLP block - one vector through Linear -> ReLU -> Linear, added back; all tokens at once.

Every number is the toy block's (:func:`llmfacts.compute.toy_mlp.build_toy_mlp` and its ``run`` trace): the
vector that flows in, the neuron values after ReLU, the block's output and the sum. The shading of the
other tokens' vectors is computed too (their inputs are seeded random vectors, said on screen to be
illustrative). GPT-3's sizes come from :func:`llmfacts.compute.gpt3.count_parameters`.

Render::

    .venv/bin/manim render -ql scenes/inside_mlp.py InsideTheMlp
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
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    ShowPassingFlash,
    SurroundingRectangle,
    Text,
    VGroup,
    linear,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import count_parameters
from llmfacts.compute.toy_mlp import ToyFact, ToyMLPConfig, build_toy_mlp
from llmfacts.formatting import format_fixed
from llmfacts.mobjects import EmbeddingVector, MlpBlockDiagram, NeuronLayer, ParallelLanes, VectorIcon
from llmfacts.story import StoryScene

__all__ = ["InsideTheMlp"]


class InsideTheMlp(StoryScene):
    """One vector through Linear -> ReLU -> Linear, plus the residual; every token's vector in parallel.

    Parameters (class attributes):

    * ``first_name``, ``last_name``, ``attribute`` - the fact of the toy block; the vector followed is the
      last-name token's, which (after attention) encodes both names.
    * ``other_words`` - the rest of the prompt (their vectors are seeded random: illustrative).
    * ``d_model``, ``hidden_factor``, ``seed`` - the toy block.
    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included).
    * ``neurons_shown`` - most neurons shown (the ``⋮`` included).
    * ``decimals`` - digits after the point.
    """

    summary = "One vector through Linear -> ReLU -> Linear, plus the residual; all tokens in parallel"
    steps = ("sequence_in", "one_vector", "add_back", "every_token", "gpt3_sizes")

    first_name = "Michael"
    last_name = "Jordan"
    attribute = "basketball"
    other_words: tuple[str, ...] = ("plays", "the", "sport", "of")
    d_model = 12
    hidden_factor = 4
    seed = 0
    rows_shown = 8
    neurons_shown = 8
    decimals = 2

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        fact = ToyFact(self.first_name, self.last_name, self.attribute)
        self.toy = build_toy_mlp(ToyMLPConfig(fact=fact, d_model=self.d_model, hidden_factor=self.hidden_factor,
                                              seed=self.seed))
        self.trace = self.toy.run((self.first_name, self.last_name), activation="relu")
        self.words = [self.first_name, self.last_name, *self.other_words]
        others = [self.toy.word_direction(w) for w in self.other_words]  # as the refresher shows them
        # the first-name token keeps its own direction; the last-name token already holds both names
        self.inputs = np.vstack([self.toy.token_vector(self.first_name),
                                 self.toy.token_vector(self.first_name, self.last_name), *others])
        self.outputs = np.vstack([self.toy.run(x).out for x in self.inputs])
        self.n_active = int(self.trace.active.sum())
        self.hp = count_parameters().hp
        self.word_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * len(self.other_words)

    # -- steps ------------------------------------------------------------------------------------------
    def sequence_in(self):
        t = self.narrate("Now zoom in on one MLP block. A sequence of vectors flows in, one for each token "
                         "of the text.")
        self.diagram = MlpBlockDiagram().scale(0.92)
        self.diagram.to_edge(UP, buff=0.35)
        self.icons = VGroup()
        for x, word, color in zip(self.inputs, self.words, self.word_colors):
            icon = VectorIcon(x, cell_width=0.32, cell_height=0.09)
            label = Text(word, font_size=24, color=color or colors.TEXT).next_to(icon, DOWN, buff=0.12)
            self.icons.add(VGroup(icon, label))
        self.icons.arrange(RIGHT, buff=0.55, aligned_edge=UP).move_to([0, -1.7, 0])
        note = Text("names: the toy's vectors; other words: random, for illustration", font_size=20,
                    color=colors.TEXT_DIM).next_to(self.icons, DOWN, buff=0.3)
        self.play(FadeIn(self.diagram), run_time=1.5)
        self.play(LaggedStart(*(FadeIn(g, shift=0.3 * UP) for g in self.icons), lag_ratio=0.12), FadeIn(note),
                  run_time=1.5)
        self.sequence_note = note
        self.wait(max(0.5, t - 3))

    def one_vector(self):
        d, h = self.toy.d_model, self.toy.d_hidden
        t = self.narrate(f"Follow one of them: the '{self.last_name}' vector, which already encodes both names. "
                         f"A matrix turns its {d} numbers into {h}, a simple function called ReLU keeps only the "
                         f"positive ones, and a second matrix turns the {h} back into {d}.")
        dg = self.diagram
        chosen = self.icons[1]
        frame = SurroundingRectangle(chosen, color=colors.HIGHLIGHT, buff=0.08)
        self.play(Create(frame), run_time=0.6)
        opts = dict(max_rows=self.rows_shown, decimals=self.decimals, font_size=28)
        e = EmbeddingVector(self.trace.x, label="E", label_font_size=28, **opts)
        e.next_to(dg, DOWN, buff=0.55).set_x(dg.get_input_point()[0] - 0.2)
        self.play(FadeOut(self.icons), FadeOut(self.sequence_note), FadeOut(frame),
                  FadeIn(e, target_position=chosen), run_time=1.2)
        up_box, act_box, down_box = dg.get_up_box(), dg.get_activation_box(), dg.get_down_box()
        up_size = Text(f"{d} \u2192 {h}", font_size=22, color=colors.MLP).move_to(up_box.caption)
        down_size = Text(f"{h} \u2192 {d}", font_size=22, color=colors.MLP).move_to(down_box.caption)
        # E goes into W↑, the neurons come out of the ReLU
        moving = e.copy()
        self.play(moving.animate.scale(0.15).move_to(up_box).set_opacity(0), Indicate(up_box, color=colors.MLP),
                  FadeOut(up_box.caption), FadeIn(up_size), run_time=1.2)
        neurons = NeuronLayer(self.trace.post, max_neurons=self.neurons_shown, radius=0.16, buff=0.09,
                              decimals=1, font_size=28)
        neurons.next_to(act_box, DOWN, buff=0.55).align_to(e.get_brackets(), UP)
        neurons.set_x(act_box.get_x() - 0.25)
        n_label = Text(f"{h} neurons, {self.n_active} on", font_size=22, color=colors.NEURON_ACTIVE)
        n_label.next_to(neurons, DOWN, buff=0.2)
        self.play(Indicate(act_box, color=colors.RELU), FadeIn(neurons, shift=0.3 * DOWN), run_time=1.2)
        self.play(FadeIn(n_label), run_time=0.6)
        moving = neurons.copy()
        self.play(moving.animate.scale(0.15).move_to(down_box).set_opacity(0), Indicate(down_box, color=colors.MLP),
                  FadeOut(down_box.caption), FadeIn(down_size), run_time=1.2)
        down = EmbeddingVector(self.trace.down, label="MLP(E)", label_font_size=24, **opts)
        down.next_to(down_box, DOWN, buff=0.55).align_to(e.get_brackets(), UP)
        down.set_x(down_box.get_x() + 0.35)
        self.play(FadeIn(down, shift=0.3 * DOWN), run_time=1)
        self.e_vec, self.neurons, self.down_vec = e, neurons, down
        self.sizes = VGroup(up_size, down_size, n_label)
        self.wait(max(0.5, t - 7.0))

    def add_back(self):
        b = self.attribute
        before = self.trace.readout_in[b]
        after = self.trace.readout_out[b]
        t = self.narrate(f"That result is added to the vector that came in. Here, it adds the {b} direction: "
                         f"the dot product with it goes from {format_fixed(before)} to {format_fixed(after)}.")
        dg = self.diagram
        opts = dict(max_rows=self.rows_shown, decimals=self.decimals, font_size=28)
        out = EmbeddingVector(self.trace.out, label="E + MLP(E)", label_font_size=24, **opts)
        out.align_to(self.e_vec.get_brackets(), UP).set_x(dg.get_output_point()[0] + 0.6)
        if out.get_right()[0] > 6.95:
            out.shift(LEFT * (out.get_right()[0] - 6.95))
        bypass = dg.get_residual_path().copy().set_stroke(colors.HIGHLIGHT, width=6)
        self.play(ShowPassingFlash(bypass, time_width=0.6), Indicate(dg.get_add_node(), color=colors.HIGHLIGHT),
                  run_time=1.5)
        self.play(FadeIn(out, shift=0.3 * DOWN), run_time=1)
        read = VGroup(Text("dot with", font_size=22, color=colors.TEXT_DIM),
                      Text(b, font_size=24, color=colors.ATTRIBUTE),
                      Text(f": {format_fixed(before)} \u2192 {format_fixed(after)}", font_size=24, color=colors.TEXT)
                      ).arrange(RIGHT, buff=0.1)
        read.next_to(out, DOWN, buff=0.15)
        if read.get_right()[0] > 6.75:
            read.shift(LEFT * (read.get_right()[0] - 6.75))
        self.play(FadeIn(read), run_time=0.8)
        self.out_vec, self.out_read = out, read
        self.wait(max(0.5, t - 3.3))

    def every_token(self):
        t = self.narrate("The same steps, with the same weights, happen to every token's vector at once. "
                         "The vectors don't exchange anything here, so understanding one means understanding "
                         "them all.")
        self.play(FadeOut(VGroup(self.e_vec, self.neurons, self.down_vec, self.sizes, self.out_vec, self.out_read,
                                 self.diagram)), run_time=0.8)
        lanes = ParallelLanes(self.words, self.inputs, self.outputs, word_colors=self.word_colors)
        lanes.scale_to_fit_height(5.6)
        if lanes.width > 12:
            lanes.scale_to_fit_width(12)
        lanes.move_to([-0.4, -0.2, 0])
        title = Text("every token, at the same time, through the same block", font_size=28, color=colors.TEXT)
        title.to_edge(UP, buff=0.35)
        self.play(FadeIn(title), FadeIn(lanes.words), FadeIn(lanes.in_icons), run_time=1)
        self.play(FadeIn(lanes.lanes, lag_ratio=0.05), FadeIn(lanes.separators), run_time=1.2)
        dots, paths = lanes.moving_dots()
        self.play(*(MoveAlongPath(dot, path, rate_func=linear) for dot, path in zip(dots, paths)), run_time=2.5)
        self.play(FadeOut(dots), LaggedStart(*(FadeIn(icon, scale=1.3) for icon in lanes.out_icons), lag_ratio=0.05),
                  run_time=1)
        gained = VGroup()
        for k, x in enumerate(self.inputs):
            gain = self.toy.readout(self.outputs[k])[self.attribute] - self.toy.readout(x)[self.attribute]
            if gain > 0.5:
                tag = Text(f"+ {self.attribute}", font_size=24, color=colors.ATTRIBUTE)
                tag.next_to(lanes.out_icons[k], RIGHT, buff=0.15)
                gained.add(tag)
        if len(gained):
            self.play(FadeIn(gained, shift=0.1 * RIGHT), run_time=0.6)
        note = Text("no lane looks at another", font_size=24, color=colors.TEXT_DIM)
        note.next_to(lanes, DOWN, buff=0.25)
        self.play(FadeIn(note), run_time=0.6)
        self.lanes_group = VGroup(lanes, note, title, gained)
        self.wait(max(0.5, t - 6.3))

    def gpt3_sizes(self):
        hp = self.hp
        ratio = hp.d_mlp / hp.d_model
        times = f", {ratio:g} times as many" if ratio == int(ratio) else ""
        t = self.narrate(f"In GPT-3 each vector has {hp.d_model:,} numbers and the block has {hp.d_mlp:,} "
                         f"neurons{times}. And there is one such block in each of its {hp.n_layers} layers.")
        self.play(FadeOut(self.lanes_group), run_time=0.8)
        diagram = MlpBlockDiagram().scale(0.85).to_edge(UP, buff=0.5)
        header = ["", "numbers in", "neurons", "numbers out"]
        rows = [
            ["toy", f"{self.toy.d_model:,}", f"{self.toy.d_hidden:,}", f"{self.toy.d_model:,}"],
            ["GPT-3", f"{hp.d_model:,}", f"{hp.d_mlp:,}", f"{hp.d_model:,}"],
        ]
        cells = [[Text(c, font_size=26, color=colors.TEXT_DIM) for c in header]]
        for r, row in enumerate(rows):
            cells.append([Text(row[0], font_size=28, color=colors.TEXT)] +
                         [Text(c, font_size=30, color=colors.MLP if r else colors.TEXT) for c in row[1:]])
        col_x = [-4.2, -1.4, 1.4, 4.2]
        table = VGroup()
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                cell.move_to([col_x[c], -0.2 - 0.75 * r, 0])
                table.add(cell)
        rule = Line([-5.2, -0.55, 0], [5.2, -0.55, 0], stroke_width=1.5, color=colors.DATA_DIM)
        layers = Text(f"GPT-3: one MLP block in each of its {hp.n_layers} layers, for every token",
                      font_size=24, color=colors.TEXT_DIM)
        layers.next_to(table, DOWN, buff=0.5)
        self.play(FadeIn(diagram), run_time=1)
        self.play(FadeIn(VGroup(*cells[0], *cells[1])), Create(rule), run_time=1)
        self.play(FadeIn(VGroup(*cells[2])), run_time=1)
        self.play(FadeIn(layers), run_time=0.8)
        self.wait(max(1.0, t - 4.6))
