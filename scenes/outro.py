"""Scene 15: features as patterns over neurons; "sparse autoencoder" as the term to look up; the end.

The toy block gave its fact one neuron of its own. A layer that holds more features than it has neurons
cannot do that: a feature is then a direction, a pattern over many neurons. The patterns shown are random
directions in the neuron space of the lecture's transformer (GPT-3's 49,152 neurons by default), from
:func:`llmfacts.compute.features.feature_pair`: the angle between the two and how many neurons carry half of
one are computed, not typed. The sparse-autoencoder picture is computed too
(:func:`llmfacts.compute.features.sparse_code_example`): a pattern made from a few of many dictionary
directions, and the few a sparse search finds to rebuild it. The closing card credits the narration's voice.

Render::

    .venv/bin/manim render -ql scenes/outro.py FeaturesOutro
"""

from __future__ import annotations

import re

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.features import feature_pair, sparse_code_example
from llmfacts.formatting import format_degrees, format_int, format_percent_significant, format_signed
from llmfacts.mobjects import NeuralNetworkDiagram, NeuronLayer
from llmfacts.story import Int, SceneParameterError, StoryScene

__all__ = ["FeaturesOutro", "credit_lines"]

#: Two directions whose |cos| is below this "barely" pick each other up.
BARELY = 0.05
#: Most words per line of the voice credit on the closing card.
CREDIT_WORDS_PER_LINE = 6


def credit_lines(credit: str, words_per_line: int = CREDIT_WORDS_PER_LINE) -> list[str]:
    """The voice credit cut into short lines: before a parenthesis, after a closing one, and every
    ``words_per_line`` words within a clause (an empty credit gives no lines)."""
    lines = []
    for clause in re.split(r"\s+(?=\()|(?<=\),)\s+", credit.strip()):
        words = clause.split()
        lines += [" ".join(words[k:k + words_per_line]) for k in range(0, len(words), words_per_line)]
    return lines


def _voice_credit(voice) -> str:
    """The credit line of ``voice`` from :mod:`llmfacts.voice` (empty if the voice helper has none)."""
    import llmfacts.voice as voices

    credit = getattr(voices, "voice_credit", None)
    if credit is None:
        return ""
    try:
        return credit(getattr(voice, "name", None))
    except ValueError:
        return ""


def _boxed(*mobjects) -> VGroup:
    """A plain VGroup around NeuronLayers before fading them (FadeIn scales the group it is given)."""
    return VGroup(*mobjects)


class FeaturesOutro(StoryScene):
    """Features as directions spread over many neurons; sparse autoencoders; a closing card.

    Layout and example parameters (class attributes):

    * ``shown_neurons`` - neuron slots drawn per layer (the ellipsis included);
    * ``example_seed`` - seed of the two random feature directions;
    * ``sae_layers`` - (neurons, dictionary features, neurons) of the sparse-autoencoder picture;
    * ``sae_active`` - which dictionary features the example pattern is made of;
    * ``sae_seed`` - seed of the dictionary directions.
    """

    steps = ("one_neuron", "spread_over_neurons", "second_feature", "sparse_autoencoder", "closing_card")

    shown_neurons: int = 10
    example_seed: int = 7
    sae_layers: tuple[int, int, int] = (6, 14, 6)
    sae_active: tuple[int, ...] = (3, 9)
    sae_seed: int = 0

    parameter_rules = {
        "shown_neurons": Int(4, 14),
        "example_seed": Int(0),
        "sae_seed": Int(0),
    }

    @classmethod
    def describe(cls, lecture) -> str:
        return (f"Features as patterns over many neurons ({lecture.full_name}, {lecture.fact.attribute}); "
                "'sparse autoencoder' to look up; the end")

    def check_parameters(self) -> None:
        super().check_parameters()
        name = type(self).__name__
        layers = tuple(self.sae_layers)
        if (len(layers) != 3 or not all(isinstance(v, int) for v in layers) or layers[0] != layers[2]
                or not 2 <= layers[0] <= 12 or not layers[0] < layers[1] <= 16):
            raise SceneParameterError(f"{name}.sae_layers: must be (n, features, n) with 2 <= n <= 12 and "
                                      f"n < features <= 16, got {self.sae_layers!r}")
        n_in, n_feat = layers[0], layers[1]
        active = tuple(self.sae_active)
        if (not active or len(set(active)) != len(active) or len(active) > n_in
                or any(not isinstance(a, int) or not 0 <= a < n_feat for a in active)):
            raise SceneParameterError(f"{name}.sae_active: must be 1 to {n_in} distinct features in "
                                      f"[0, {n_feat}), got {self.sae_active!r}")

    def prepare(self) -> None:
        lecture = self.lecture
        self.fact = lecture.fact
        self.toy_post = lecture.trace().post
        self.toy_active = [int(k) for k in np.flatnonzero(lecture.trace().active)]
        self.model_name = lecture.transformer.name
        self.pair = lecture.cached(feature_pair, self.example_seed)
        self.n_neurons = self.pair.n_neurons
        self.pattern_a, self.pattern_b = self.pair.patterns()
        n_in, n_feat, _ = self.sae_layers
        self.sae = sparse_code_example(n_in, n_feat, tuple(self.sae_active), self.sae_seed)
        self.credit = _voice_credit(self.voice)
        self.said = self.narration()

    def narration(self) -> dict[str, str]:
        """What the voice says in each beat, built from the computed values (tested as claims)."""
        f, pair, sae = self.fact, self.pair, self.sae
        if self.toy_active == [0]:
            toy = "neuron 0 lights up for the full name, and no other neuron does"
        else:
            toy = f"{len(self.toy_active)} of its neurons light up for the full name"
        barely = "barely picks up" if abs(pair.cos) < BARELY else "picks up a little of"
        k = len(sae.active)
        if sae.recovered and sae.error < 1e-9:
            found = f"finds exactly those {k} and rebuilds the pattern"
        else:
            found = (f"finds {k} directions that rebuild the pattern to within "
                     f"{format_percent_significant(sae.error, 2)}")
        return {
            "one": (f"The toy block gave its fact a neuron of its own: {toy}. We built it that way."),
            "spread": (f"A layer that holds more features than it has neurons cannot give each one a neuron of its "
                       f"own. Its features are directions, patterns that can spread over many neurons. Here is a "
                       f"random direction among the "
                       f"{format_int(self.n_neurons)} neurons of {self.model_name}: it takes "
                       f"{format_int(pair.half_neurons)} of them to carry half of it, and the strongest carries "
                       f"{format_percent_significant(pair.largest_share, 2)}."),
            "second": (f"A second feature, say {f.attribute}, uses the same neurons with another random pattern. "
                       f"These two sit {format_degrees(pair.angle_deg, 1)} apart, so reading one {barely} the "
                       "other."),
            "sae": ("Reading such patterns back into features is an open research problem. One tool to look up is "
                    "the sparse autoencoder: it learns to write each neuron pattern as a mix of a few out of very "
                    f"many candidate features. In this little example, a pattern of {format_int(len(sae.neurons))} "
                    f"neurons was made from {k} of {format_int(len(sae.code))} candidate directions; a search for "
                    f"the fewest directions that rebuild it {found}."),
            "end": ("So: an MLP's rows read directions, its columns write them, and in a layer with more features "
                    "than neurons, a feature can be spread over many of them. Thanks for watching."),
        }

    # -- helpers ------------------------------------------------------------------------------------------
    def _layer(self, values: np.ndarray) -> NeuronLayer:
        return NeuronLayer(values, max_neurons=self.shown_neurons, radius=0.15, buff=0.09, show_values=False,
                           scale=1.0)

    def _full_name(self) -> VGroup:
        f = self.fact
        return VGroup(style.text(f.first_name, size=style.LABEL, color=colors.FIRST_NAME),
                      style.text(f.last_name, size=style.LABEL, color=colors.LAST_NAME)).arrange(RIGHT, buff=0.2)

    # -- steps --------------------------------------------------------------------------------------------
    def one_neuron(self) -> None:
        title = style.text("Where does a feature live?", size=style.HEADING).to_edge(UP, buff=0.45)
        post = np.asarray(self.toy_post, dtype=float)
        layer = self._layer(np.clip(post / max(1e-12, float(np.max(post))), 0, 1)).move_to([-1.9, -0.1, 0])
        head = style.text(f"toy: {format_int(len(post))} neurons", size=style.CAPTION, color=colors.TEXT_DIM)
        head.next_to(layer, UP, buff=0.25)
        lit = self.toy_active[0] if self.toy_active else 0
        name = self._full_name().move_to([1.9, layer.get_neuron(lit).get_y(), 0])
        arrow = Arrow(name.get_left(), layer.get_neuron(lit).get_right(), buff=0.15, color=colors.TEXT_DIM,
                      stroke_width=4, max_tip_length_to_length_ratio=0.12)
        with self.beat(self.said["one"]) as beat:
            self.play(Write(title), FadeIn(_boxed(layer)), FadeIn(head), run_time=1.2)
            self.play(FadeIn(name), GrowArrow(arrow), run_time=0.8)
            beat.wait_until("lights up")
            self.play(Indicate(layer.get_neuron(lit), color=colors.NEURON_ACTIVE), run_time=1.0)
        self.title, self.layer_a, self.head_a, self.name_a, self.arrow_a = title, layer, head, name, arrow

    def spread_over_neurons(self) -> None:
        layer = self._layer(self.pattern_a).move_to([0, self.layer_a.get_y(), 0])
        head = style.text(f"{self.model_name}: {format_int(self.n_neurons)} neurons", size=style.CAPTION,
                          color=colors.TEXT_DIM).next_to(layer, UP, buff=0.25)
        frame = SurroundingRectangle(layer, color=colors.TEXT_DIM, buff=0.12, corner_radius=0.1)
        name = self._full_name().next_to(frame, DOWN, buff=0.25)
        carried = style.text(f"half of it: {format_int(self.pair.half_neurons)} neurons", size=style.CAPTION,
                             color=colors.TEXT_DIM)
        carried.next_to(name, DOWN, buff=0.2)
        with self.beat(self.said["spread"]) as beat:
            self.play(FadeOut(self.arrow_a), ReplacementTransform(self.head_a, head), run_time=0.6)
            beat.wait_until("random direction")
            self.play(ReplacementTransform(self.layer_a, layer), ReplacementTransform(self.name_a, name),
                      Create(frame), run_time=1.6)
            beat.wait_until("takes")
            self.play(FadeIn(carried), run_time=0.6)
        self.layer_a, self.head_a, self.frame_a, self.name_a, self.carried_a = layer, head, frame, name, carried

    def second_feature(self) -> None:
        f, pair = self.fact, self.pair
        layer_b = self._layer(np.zeros(self.n_neurons)).move_to([3.2, self.layer_a.get_y(), 0])
        head_b = style.text(f"the same {format_int(self.n_neurons)}", size=style.CAPTION, color=colors.TEXT_DIM)
        head_b.next_to(layer_b, UP, buff=0.25)
        frame_b = SurroundingRectangle(layer_b, color=colors.TEXT_DIM, buff=0.12, corner_radius=0.1)
        name_b = style.text(f.attribute, size=style.LABEL, color=colors.ATTRIBUTE).next_to(frame_b, DOWN, buff=0.25)
        angle = VGroup(style.text(format_degrees(pair.angle_deg, 1), size=style.HEADING, color=colors.HIGHLIGHT),
                       style.math(rf"\cos = {format_signed(pair.cos, 4)}", size=style.CAPTION,
                                  color=colors.TEXT_DIM)).arrange(DOWN, buff=0.2)
        angle.move_to([0, self.layer_a.get_y(), 0])
        first = VGroup(self.layer_a, self.head_a, self.frame_a, self.name_a, self.carried_a)
        dx = -3.2 - first.get_x()  # the first pattern moves over to the left
        arc = VGroup(Arrow(angle.get_left() + LEFT * 0.1, self.frame_a.get_right() + RIGHT * dx, buff=0.15, color=colors.TEXT_DIM,
                           stroke_width=3, max_tip_length_to_length_ratio=0.2),
                     Arrow(angle.get_right() + RIGHT * 0.1, frame_b.get_left(), buff=0.15, color=colors.TEXT_DIM,
                           stroke_width=3, max_tip_length_to_length_ratio=0.2))
        with self.beat(self.said["second"]) as beat:
            self.play(first.animate.shift(RIGHT * dx), FadeIn(_boxed(layer_b)), FadeIn(head_b),
                      run_time=0.8)
            self.play(*layer_b.change_values_animations(self.pattern_b), Create(frame_b), FadeIn(name_b), run_time=1.4)
            beat.wait_until("apart")
            self.play(FadeIn(angle, shift=UP * 0.2), GrowArrow(arc[0]), GrowArrow(arc[1]), run_time=1.0)
        self.second = VGroup(layer_b, head_b, frame_b, name_b, angle, arc)

    def sparse_autoencoder(self) -> None:
        sae = self.sae
        n_in, n_feat, _ = self.sae_layers
        old = VGroup(self.layer_a, self.head_a, self.frame_a, self.name_a, self.carried_a, self.second)
        term = style.text("sparse autoencoder", size=style.HEADING, color=colors.HIGHLIGHT)
        term.move_to(self.title)
        scale = float(np.max(np.abs(sae.neurons)))
        net = NeuralNetworkDiagram(
            self.sae_layers,
            activations=[np.clip(sae.neurons / scale, 0, 1), np.abs(sae.found_code) / np.max(np.abs(sae.found_code)),
                         np.clip(sae.rebuilt / scale, 0, 1)],
            max_neurons=max(self.sae_layers) + 2, neuron_radius=0.12, neuron_buff=0.07, layer_buff=3.4,
            edge_opacity=0.6,
        )
        net.scale_to_fit_height(min(net.height, 4.0)).move_to([0, -0.35, 0])
        used = VGroup(*(net.get_edges_out_of(1, j) for j in sae.found))
        halves = VGroup(*(style.text(word, size=style.CAPTION, color=colors.TEXT_DIM)
                          .next_to(net.get_edges(k), UP, buff=0.1) for k, word in enumerate(("encode", "decode"))))
        labels = VGroup(
            style.text("pattern", size=style.CAPTION).next_to(net.get_layer(0), LEFT, buff=0.35),
            style.math(rf"{len(sae.found)} \text{{ of }} {n_feat}", size=style.CAPTION)
            .next_to(net.get_layer(1), DOWN, buff=0.2),
            style.text("rebuilt", size=style.CAPTION).next_to(net.get_layer(2), RIGHT, buff=0.35),
        )
        with self.beat(self.said["sae"]) as beat:
            self.play(FadeOut(old), ReplacementTransform(self.title, term), run_time=0.8)
            self.play(LaggedStart(FadeIn(_boxed(net.get_layer(0))), Create(net.get_edges(0)),
                                  FadeIn(_boxed(net.get_layer(1))), Create(net.get_edges(1)),
                                  FadeIn(_boxed(net.get_layer(2))), lag_ratio=0.4), run_time=2.2)
            self.play(FadeIn(labels), FadeIn(halves), run_time=0.8)
            beat.wait_until("a search")
            self.play(used.animate.set_stroke(colors.NEURON_ACTIVE, width=2.5, opacity=1), run_time=1.0)
        self.sae_group = VGroup(term, net, labels, halves)

    def closing_card(self) -> None:
        recap = VGroup(_row_icon(), _column_icon(), _spread_icon())
        words = ("rows read", "columns write", "features spread")
        labels = [style.text(w, size=style.LABEL) for w in words]
        slot = max(max(i.width, t.width) for i, t in zip(recap, labels)) + 0.6
        for k, (icon, label) in enumerate(zip(recap, labels)):
            icon.move_to([(k - 1) * slot, 0, 0])
            label.move_to([(k - 1) * slot, -recap.height / 2 - 0.3, 0], aligned_edge=UP)  # tops: all have ascenders
        items = VGroup(*(VGroup(icon, label) for icon, label in zip(recap, labels)))
        look = style.text("look up: superposition · sparse autoencoder", size=style.LABEL, color=colors.HIGHLIGHT)
        thanks = style.text("Thanks for watching", size=style.HEADING)
        card = VGroup(thanks, items, look).arrange(DOWN, buff=0.55)
        credit = VGroup(*(style.text(line, size=style.CAPTION, color=colors.TEXT_DIM)
                          for line in credit_lines(self.credit)))
        if len(credit):
            credit.arrange(DOWN, buff=0.1)
            VGroup(card, credit).arrange(DOWN, buff=0.5)
        VGroup(card, credit).move_to([0, 0, 0])
        style.fit_in_safe_frame(VGroup(card, credit))
        with self.beat(self.said["end"]) as beat:
            self.play(FadeOut(self.sae_group), run_time=0.6)
            self.play(LaggedStart(*(FadeIn(m, shift=UP * 0.2) for m in items), lag_ratio=0.4), run_time=1.8)
            beat.wait_until("thanks")
            self.play(FadeIn(thanks), FadeIn(look), *( [FadeIn(credit)] if len(credit) else []), run_time=1.0)


# -- the closing card's little pictures ---------------------------------------------------------------------
def _grid(rows: int = 4, cols: int = 4, cell: float = 0.3) -> VGroup:
    cells = VGroup(*(Rectangle(width=cell, height=cell, stroke_width=1.5, stroke_color=colors.MLP,
                               fill_color=colors.MLP, fill_opacity=0.2) for _ in range(rows * cols)))
    return cells.arrange_in_grid(rows=rows, cols=cols, buff=0.04)


def _row_icon() -> VGroup:
    grid = _grid()
    for cell in grid[4:8]:
        cell.set_fill(colors.HIGHLIGHT, opacity=0.8).set_stroke(colors.HIGHLIGHT)
    return grid


def _column_icon() -> VGroup:
    grid = _grid()
    for cell in grid[1::4]:
        cell.set_fill(colors.HIGHLIGHT, opacity=0.8).set_stroke(colors.HIGHLIGHT)
    return grid


def _spread_icon() -> VGroup:
    lit = (0.9, 0.3, 0.7, 0.0, 0.5, 0.8, 0.2)  # a drawing, not data: most neurons lit a little
    dots = VGroup(*(Circle(radius=0.11, stroke_color=colors.TEXT_DIM, stroke_width=1.5,
                           fill_color=colors.interpolate_hex(colors.NEURON_INACTIVE, colors.NEURON_ACTIVE, v),
                           fill_opacity=1) for v in lit))
    return dots.arrange(RIGHT, buff=0.06)
