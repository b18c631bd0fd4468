"""Scene 4: inside an MLP block - one vector through Linear -> ReLU -> Linear; every token at once.

Every number is the lecture's toy block (:meth:`~llmfacts.compute.lecture.Lecture.toy_mlp` and its ``run``
trace): the vector that flows in, the neuron values after ReLU and the block's output. Every token's vector is
the lecture's (:meth:`~llmfacts.compute.lecture.Lecture.token_vectors`); the last-name token holds both names,
as attention left it. How the output is added back, and the sizes of a real model, are told in
:mod:`scenes.residual` (scene 9), after the details.

Render::

    .venv/bin/manim render -ql scenes/inside_mlp.py InsideTheMlp
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MoveAlongPath,
    SurroundingRectangle,
    VGroup,
    linear,
)

from llmfacts import colors, style
from llmfacts.compute.lecture import Lecture
from llmfacts.mobjects import EmbeddingVector, MlpBlockDiagram, NeuronLayer, ParallelLanes, VectorIcon
from llmfacts.story import Int, StoryScene

__all__ = ["InsideTheMlp"]

NUMBERS = style.MIN_MATH_FONT_SIZE


class InsideTheMlp(StoryScene):
    """One vector through Linear -> ReLU -> Linear; every token's vector through the same block at once.

    Layout parameters (class attributes; the fact and the toy block come from ``self.lecture``):

    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included) (8).
    * ``neurons_shown`` - most neurons shown (the ``⋮`` included) (8).
    * ``decimals`` - digits after the point (2).
    """

    steps = ("sequence_in", "one_vector", "every_token")
    parameter_rules = {"rows_shown": Int(3, 14), "neurons_shown": Int(3, 14), "decimals": Int(0, 4)}

    rows_shown: int = 8
    neurons_shown: int = 8
    decimals: int = 2

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        return (f"One vector through an MLP block ({lecture.toy.d_model} -> "
                f"{lecture.toy.d_model * lecture.toy.hidden_factor} neurons -> {lecture.toy.d_model}); "
                f"all {len(lecture.prompt_tokens())} tokens in parallel")

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        lecture, fact = self.lecture, self.lecture.fact
        self.toy = lecture.toy_mlp()
        self.trace = lecture.trace()
        self.words = list(lecture.prompt_tokens())
        # the first-name token keeps its own direction; the last-name token already holds both names
        inputs = np.array(lecture.token_vectors(), dtype=float)
        inputs[1] = self.toy.token_vector(fact.first_name, fact.last_name)
        self.inputs = inputs
        self.outputs = np.vstack([self.toy.run(x).out for x in self.inputs])
        self.gains = [self.toy.readout(out)[fact.attribute] - self.toy.readout(x)[fact.attribute]
                      for x, out in zip(self.inputs, self.outputs)]
        self.n_active = int(self.trace.active.sum())
        self.word_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * (len(self.words) - 2)

    def gainers(self, threshold: float = 0.5) -> list[int]:
        """Tokens whose vector gains at least ``threshold`` along the attribute in the block."""
        return [k for k, g in enumerate(self.gains) if g >= threshold]

    # -- steps ------------------------------------------------------------------------------------------
    def sequence_in(self):
        with self.beat("Now zoom in on one MLP block. A sequence of vectors flows in, one for each token of "
                       "the text.") as beat:
            self.diagram = MlpBlockDiagram()
            self.diagram.move_to([0, style.SAFE_FRAME.y_max - self.diagram.height / 2, 0])
            self.icons = VGroup()
            for x, word, color in zip(self.inputs, self.words, self.word_colors):
                icon = VectorIcon(x, cell_width=0.34, cell_height=0.1)
                label = style.text(word, style.LABEL, color or colors.TEXT).next_to(icon, DOWN, buff=0.12)
                self.icons.add(VGroup(icon, label))
            self.icons.arrange(RIGHT, buff=0.55, aligned_edge=UP).move_to([0, -1.6, 0])
            style.fit_in_safe_frame(self.icons)
            self.play(FadeIn(self.diagram), run_time=1.5)
            beat.wait_until("sequence")
            self.play(LaggedStart(*(FadeIn(g, shift=0.3 * UP) for g in self.icons), lag_ratio=0.12), run_time=1.5)

    def one_vector(self):
        d, h = self.toy.d_model, self.toy.d_hidden
        last = self.lecture.fact.last_name
        with self.beat(f"Follow one of them: the '{last}' vector, which already encodes both names.") as beat:
            chosen = self.icons[1]
            frame = SurroundingRectangle(chosen, color=colors.HIGHLIGHT, buff=0.08)
            self.play(Create(frame), run_time=0.6)
            self.e = EmbeddingVector(self.trace.x, label="$E$", label_font_size=style.BODY * style.MATH_SCALE,
                                     max_rows=self.rows_shown, decimals=self.decimals, font_size=NUMBERS)
            self.e.next_to(self.diagram, DOWN, buff=0.3).set_x(self.diagram.get_input_point()[0] - 0.2)
            style.fit_in_safe_frame(self.e)
            self.play(FadeOut(self.icons), FadeOut(frame), FadeIn(self.e, target_position=chosen), run_time=1.2)
        with self.beat(f"A matrix turns its {d} numbers into {h}, and a simple function called ReLU keeps only "
                       "the positive ones: these are the neurons.") as beat:
            self.through_up_and_relu(beat)
        with self.beat(f"A second matrix turns the {h} back into {d}: the block's output.") as beat:
            self.through_down(beat)

    def through_up_and_relu(self, beat) -> None:
        dg, d, h = self.diagram, self.toy.d_model, self.toy.d_hidden
        up_box, act_box = dg.get_up_box(), dg.get_activation_box()
        up_size = style.text(f"{d} → {h}", style.CAPTION, colors.MLP).move_to(up_box.caption)
        moving = self.e.copy()
        self.play(moving.animate.scale(0.15).move_to(up_box).set_opacity(0), Indicate(up_box, color=colors.MLP),
                  FadeOut(up_box.caption), FadeIn(up_size), run_time=1.2)
        self.neurons = NeuronLayer(self.trace.post, max_neurons=self.neurons_shown, radius=0.17, buff=0.1,
                                   decimals=1, font_size=NUMBERS)
        self.neurons.next_to(act_box, DOWN, buff=0.3).align_to(self.e.get_brackets(), UP)
        self.neurons.set_x(act_box.get_x() - 0.25)
        self.n_label = style.text(f"{self.n_active} of {h} on", style.CAPTION, colors.NEURON_ACTIVE)
        self.n_label.next_to(self.neurons, DOWN, buff=0.2)
        beat.wait_until("ReLU")
        self.play(Indicate(act_box, color=colors.RELU), FadeIn(self.neurons, shift=0.3 * DOWN), run_time=1.2)
        self.play(FadeIn(self.n_label), run_time=0.6)
        self.up_size = up_size

    def through_down(self, beat) -> None:
        dg, d, h = self.diagram, self.toy.d_model, self.toy.d_hidden
        down_box = dg.get_down_box()
        down_size = style.text(f"{h} → {d}", style.CAPTION, colors.MLP).move_to(down_box.caption)
        moving = self.neurons.copy()
        self.play(moving.animate.scale(0.15).move_to(down_box).set_opacity(0), Indicate(down_box, color=colors.MLP),
                  FadeOut(down_box.caption), FadeIn(down_size), run_time=1.2)
        self.down = EmbeddingVector(self.trace.down, label=r"$\mathrm{MLP}(E)$", label_font_size=style.LABEL * style.MATH_SCALE,
                                    max_rows=self.rows_shown, decimals=self.decimals, font_size=NUMBERS)
        self.down.next_to(down_box, DOWN, buff=0.3).align_to(self.e.get_brackets(), UP)
        self.down.set_x(down_box.get_x() + 0.35)
        style.fit_in_safe_frame(self.down)
        beat.wait_until("output")
        self.play(FadeIn(self.down, shift=0.3 * DOWN), run_time=1)
        self.sizes = VGroup(self.up_size, down_size, self.n_label)

    def every_token_sentence(self) -> str:
        """What :meth:`every_token` says about which vectors gain the attribute, from the computed gains."""
        attr = self.lecture.fact.attribute
        gainers = [self.words[k] for k in self.gainers()]
        text = ("The same steps, with the same weights, happen to every token's vector at once; the vectors "
                "don't exchange anything here. ")
        if gainers == [self.lecture.fact.last_name]:
            return text + f"Only the '{gainers[0]}' vector, which holds both names, gains {attr}."
        if gainers:
            return text + f"These vectors gain {attr}: " + ", ".join(f"'{w}'" for w in gainers) + "."
        return text + f"None of them gains {attr}."

    def every_token(self):
        with self.beat(self.every_token_sentence()) as beat:
            self.play(FadeOut(VGroup(self.e, self.neurons, self.down, self.sizes, self.diagram)), run_time=0.8)
            lanes = ParallelLanes(self.words, self.inputs, self.outputs, word_colors=self.word_colors)
            safe = style.SAFE_FRAME
            lanes.scale_to_fit_height(min(max(5.2, 0.8 * len(self.words)), safe.height - 0.4))  # labels stay legible
            tag_width = style.text(f"+ {self.lecture.fact.attribute}", style.LABEL).width + 0.15
            if lanes.width + tag_width > safe.width:
                lanes.scale_to_fit_width(safe.width - tag_width)
            lanes.move_to([safe.x_min + (safe.width - tag_width) / 2, 0.1, 0])  # room for the tags on the right
            self.play(FadeIn(lanes.words), FadeIn(lanes.in_icons), run_time=1)
            self.play(FadeIn(lanes.lanes, lag_ratio=0.05), FadeIn(lanes.separators), run_time=1.2)
            dots, paths = lanes.moving_dots()
            self.play(*(MoveAlongPath(dot, path, rate_func=linear) for dot, path in zip(dots, paths)),
                      run_time=2.5)
            self.play(FadeOut(dots), LaggedStart(*(FadeIn(icon, scale=1.3) for icon in lanes.out_icons),
                                                 lag_ratio=0.05), run_time=1)
            tags = VGroup(*(style.text(f"+ {self.lecture.fact.attribute}", style.LABEL, colors.ATTRIBUTE)
                            .next_to(lanes.out_icons[k], RIGHT, buff=0.15) for k in self.gainers()))
            if len(tags):
                beat.wait_until("gains")
                self.play(FadeIn(tags, shift=0.1 * RIGHT), run_time=0.8)
