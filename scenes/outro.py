"""Scene 15: features as combinations of neurons; "sparse autoencoder" as the term to look up; the end.

The toy model of the earlier scenes gave the fact one neuron of its own. If a network packs more
features than it has neurons into nearly perpendicular directions (scenes 12-14), a feature cannot be one
neuron lighting up: it is a pattern spread over many of them. The patterns shown are random directions
in GPT-3's neuron space (its width comes from :func:`llmfacts.compute.gpt3.count_parameters`), drawn by
:func:`llmfacts.compute.superposition.random_unit_vectors`; the angle between two of them is computed,
not typed. The little sparse-autoencoder picture is built from a computed sparse code as well: a few
dictionary directions, added up, give the neuron pattern it starts from and the one it rebuilds.

Render::

    .venv/bin/manim render -ql scenes/outro.py FeaturesOutro
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
    GrowArrow,
    Indicate,
    LaggedStart,
    ReplacementTransform,
    RoundedRectangle,
    SurroundingRectangle,
    Text,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import GPT3_175B, GPTHyperparameters, count_parameters
from llmfacts.compute.superposition import cos_to_deg, random_unit_vectors
from llmfacts.mobjects import NeuralNetworkDiagram, NeuronLayer
from llmfacts.story import StoryScene

__all__ = ["FeaturesOutro", "largest_share", "neuron_pattern", "sparse_code_example"]

FONT = 26
SMALL = 21


# ------------------------------------------------------------------------------------------------------
# pure helpers (tested without rendering)
# ------------------------------------------------------------------------------------------------------


def neuron_pattern(direction: np.ndarray, spread: float = 2.0) -> np.ndarray:
    """How strongly each neuron is active when a feature with this ``direction`` is present, for drawing.

    The direction's components divided by ``spread`` times their RMS and clipped to [-1, 1], so a typical
    neuron is visibly lit; negative components (the neuron pushed below zero) are drawn dark.
    """
    v = np.asarray(direction, dtype=float).reshape(-1)
    rms = float(np.sqrt(np.mean(v**2)))
    return np.clip(v / (spread * rms), -1.0, 1.0) if rms > 0 else v


def largest_share(direction: np.ndarray) -> float:
    """Share of a direction's squared length carried by its single largest component."""
    v = np.asarray(direction, dtype=float).reshape(-1)
    total = float(v @ v)
    return float(np.max(v**2)) / total if total > 0 else 0.0


def sparse_code_example(n_neurons: int, n_features: int, active: tuple[int, ...], seed: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A tiny sparse-autoencoder picture: ``(neurons, code, rebuilt)``.

    ``n_features`` dictionary directions live in ``n_neurons`` dimensions (random unit vectors); the code
    switches on only the features in ``active`` (strengths 1, 0.8, 0.6, ...); the neuron pattern is their
    sum, and the "decoder" rebuilds it from the code (exactly, since the code is the one that made it).
    """
    if not active or any(not 0 <= a < n_features for a in active):
        raise ValueError(f"active features must lie in [0, {n_features}), got {active}")
    dictionary = np.asarray(random_unit_vectors(n_features, n_neurons, seed=seed), dtype=np.float64)
    code = np.zeros(n_features)
    for k, a in enumerate(active):
        code[a] = 1.0 - 0.2 * k
    neurons = code @ dictionary
    return neurons, code, neurons.copy()


def _boxed(*mobjects) -> VGroup:
    """Wrap mobjects in a plain VGroup before fading or growing them: :class:`NeuronLayer` stores its colour
    scale in an attribute named ``scale``, which hides ``Mobject.scale`` that FadeIn/FadeOut call."""
    return VGroup(*mobjects)


def _caption(text: str, font_size: float = SMALL, color: str = colors.TEXT_DIM) -> Text | VGroup:
    """Plain text; lines separated by ``\\n`` are centred under each other."""
    lines = text.split("\n")
    if len(lines) == 1:
        return Text(text, font_size=font_size, color=color)
    return VGroup(*(Text(line, font_size=font_size, color=color) for line in lines)).arrange(DOWN, buff=0.1)


class FeaturesOutro(StoryScene):
    """Features as directions spread over many neurons; sparse autoencoders; a closing card.

    Parameters (class attributes):

    * ``hp`` - model whose MLP width sets the dimension of the neuron space (GPT-3 175B).
    * ``feature_names`` - names of the two example features (hypothetical labels).
    * ``shown_neurons`` - neuron slots drawn per layer (the ellipsis included).
    * ``seed`` - seed of the random feature directions.
    * ``sae_layers`` - (neurons, dictionary features, neurons) of the sparse-autoencoder picture.
    * ``sae_active`` - which dictionary features the example code switches on.
    """

    steps = ("one_neuron", "spread_over_neurons", "second_feature", "sparse_autoencoder", "closing_card")
    summary = "Features as combinations of neurons; 'sparse autoencoder'; the end"

    hp: GPTHyperparameters = GPT3_175B
    feature_names: tuple[str, str] = ("Michael Jordan", "basketball")
    shown_neurons: int = 10
    seed: int = 7
    sae_layers: tuple[int, int, int] = (6, 14, 6)
    sae_active: tuple[int, ...] = (3, 9)

    def prepare(self) -> None:
        hp = count_parameters(self.hp).hp
        self.n_neurons = int(hp.d_mlp)
        self.model_name = hp.name
        dirs = np.asarray(random_unit_vectors(2, self.n_neurons, seed=self.seed), dtype=np.float64)
        self.pattern_a = neuron_pattern(dirs[0])
        self.pattern_b = neuron_pattern(dirs[1])
        cos = float(dirs[0] @ dirs[1])
        self.cos_ab = cos
        self.angle_ab = float(cos_to_deg(cos))
        # how little of the pattern any one neuron carries
        self.largest_share_a = largest_share(dirs[0])
        n_in, n_feat, n_out = self.sae_layers
        if n_in != n_out:
            raise ValueError("the autoencoder rebuilds the same neurons: first and last sizes must match")
        self.sae_in, self.sae_code, self.sae_out = sparse_code_example(n_in, n_feat, self.sae_active, self.seed)

    # -- helpers ------------------------------------------------------------------------------------------
    def _layer(self, values: np.ndarray) -> NeuronLayer:
        return NeuronLayer(values, max_neurons=self.shown_neurons, radius=0.17, buff=0.1, show_values=False,
                           scale=1.0)

    # -- steps --------------------------------------------------------------------------------------------
    def one_neuron(self):
        t = self.narrate("The toy model gave the fact a neuron of its own: one circle lights up for the "
                         "full name and nothing else does.")
        title = Text("Where does a feature live?", font_size=34, color=colors.TEXT).to_edge(UP, buff=0.4)
        values = np.zeros(self.n_neurons)
        values[2] = 1.0
        layer = self._layer(values).move_to(LEFT * 3.2 + DOWN * 0.3)
        head = _caption(f"{self.n_neurons:,} neurons", SMALL).next_to(layer, UP, buff=0.25)
        name = Text(self.feature_names[0], font_size=FONT, color=colors.ATTRIBUTE)
        name.move_to(RIGHT * 1.5 + layer.get_neuron(2).get_center()[1] * UP)
        arrow = Arrow(name.get_left(), layer.get_neuron(2).get_right(), buff=0.15, color=colors.ATTRIBUTE,
                      stroke_width=4, max_tip_length_to_length_ratio=0.15)
        note = _caption("the toy picture: one neuron, one fact", SMALL).next_to(name, DOWN, buff=0.35)
        note.align_to(name, LEFT)
        self.play(Write(title), FadeIn(_boxed(layer)), FadeIn(head), run_time=1.5)
        self.play(FadeIn(name), GrowArrow(arrow), run_time=1.0)
        self.play(Indicate(layer.get_neuron(2), color=colors.NEURON_ACTIVE), FadeIn(note), run_time=1.2)
        self.wait(max(0.5, t - 3.7))
        self.title, self.layer_a, self.head_a = title, layer, head
        self.name_a, self.arrow_a, self.note = name, arrow, note

    def spread_over_neurons(self):
        t = self.narrate("In trained networks a single neuron rarely means one clean thing. If features are "
                         "nearly perpendicular directions, a feature is a pattern over many neurons at once.")
        layer = self.layer_a
        frame = SurroundingRectangle(layer, color=colors.ATTRIBUTE, buff=0.12, corner_radius=0.1)
        name = Text(self.feature_names[0], font_size=FONT, color=colors.ATTRIBUTE).next_to(frame, DOWN, buff=0.2)
        used = _caption(f"its strongest neuron carries {100 * self.largest_share_a:.2f}% of it", SMALL)
        used.next_to(name, DOWN, buff=0.15)
        self.play(*layer.change_values_animations(self.pattern_a), run_time=2.0)
        self.play(FadeOut(self.arrow_a), FadeOut(self.note), ReplacementTransform(self.name_a, name),
                  Create(frame), run_time=1.2)
        self.play(FadeIn(used), run_time=0.8)
        self.wait(max(0.5, t - 4.0))
        self.frame_a, self.name_a, self.used_a = frame, name, used

    def second_feature(self):
        t = self.narrate(f"A second feature uses the same neurons with another pattern. In "
                         f"{self.n_neurons:,} dimensions two such patterns sit about "
                         f"{self.angle_ab:.1f} degrees apart, so they hardly disturb each other.")
        layer_b = self._layer(np.zeros(self.n_neurons)).move_to(RIGHT * 3.2 + DOWN * 0.3)
        head_b = _caption(f"the same {self.n_neurons:,} neurons", SMALL).next_to(layer_b, UP, buff=0.25)
        frame_b = SurroundingRectangle(layer_b, color=colors.OTHER_CONCEPT, buff=0.12, corner_radius=0.1)
        name_b = Text(self.feature_names[1], font_size=FONT, color=colors.OTHER_CONCEPT)
        name_b.next_to(frame_b, DOWN, buff=0.2)
        angle = VGroup(
            _caption("angle between", SMALL),
            _caption("the two patterns", SMALL),
            Text(f"{self.angle_ab:.1f}°", font_size=40, color=colors.HIGHLIGHT),
            _caption(f"(cos = {self.cos_ab:+.4f})".replace("-", "\u2212"), SMALL),
        ).arrange(DOWN, buff=0.12).move_to(DOWN * 0.3)
        self.play(FadeIn(_boxed(layer_b)), FadeIn(head_b), run_time=0.8)
        self.play(*layer_b.change_values_animations(self.pattern_b), Create(frame_b), FadeIn(name_b), run_time=1.8)
        self.play(FadeIn(angle, shift=UP * 0.2), run_time=1.0)
        self.wait(max(0.5, t - 3.6))
        self.second = VGroup(layer_b, head_b, frame_b, name_b, angle)

    def sparse_autoencoder(self):
        t = self.narrate("Reading such patterns back into features is an open research problem. One tool "
                         "to look up: the sparse autoencoder. It rewrites each neuron pattern as a mix of "
                         "a few out of very many candidate features, then checks it can rebuild the pattern.")
        old = VGroup(self.layer_a, self.head_a, self.frame_a, self.name_a, self.used_a, self.second)
        term = Text("sparse autoencoder", font_size=40, color=colors.HIGHLIGHT).next_to(self.title, DOWN, buff=0.3)
        n_in, n_feat, _ = self.sae_layers
        net = NeuralNetworkDiagram(
            self.sae_layers,
            activations=[np.maximum(self.sae_in, 0), self.sae_code, np.maximum(self.sae_out, 0)],
            max_neurons=max(self.sae_layers) + 2, neuron_radius=0.12, neuron_buff=0.07, layer_buff=3.2,
            edge_opacity=0.9,
        )
        net.scale_to_fit_height(min(net.height, 4.2)).next_to(term, DOWN, buff=0.35)
        used = VGroup(*(net.get_edges_out_of(1, j) for j in self.sae_active))
        halves = VGroup(*(Text(word, font_size=SMALL, color=colors.TEXT_DIM).next_to(net.get_edges(k), UP, buff=0.1)
                          for k, word in enumerate(("encode", "decode"))))
        labels = VGroup(
            _caption("neuron\nactivations", SMALL).next_to(net.get_layer(0), LEFT, buff=0.35),
            _caption(f"{n_feat} candidate features,\n{len(self.sae_active)} switched on",
                     SMALL, colors.TEXT).next_to(net.get_layer(1), DOWN, buff=0.2),
            _caption("rebuilt\nactivations", SMALL).next_to(net.get_layer(2), RIGHT, buff=0.35),
        )
        self.play(FadeOut(old), run_time=0.8)
        self.play(Write(term), run_time=1.0)
        self.play(LaggedStart(FadeIn(_boxed(net.get_layer(0))), Create(net.get_edges(0)),
                              FadeIn(_boxed(net.get_layer(1))), Create(net.get_edges(1)),
                              FadeIn(_boxed(net.get_layer(2))), lag_ratio=0.4), run_time=2.5)
        self.play(FadeIn(labels), FadeIn(halves), run_time=1.0)
        self.play(used.animate.set_stroke(colors.NEURON_ACTIVE, width=2.5, opacity=1), run_time=1.0)
        self.wait(max(0.5, t - 6.3))
        self.sae = VGroup(term, net, labels, halves)

    def closing_card(self):
        t = self.narrate("So: an MLP's rows read directions, its columns write them, and the neurons between "
                         "may carry far more features than their count, each one spread thin. Thanks for "
                         "watching.")
        lines = VGroup(
            Text("rows of W↑ read directions", font_size=FONT, color=colors.TEXT),
            Text("columns of W↓ write directions", font_size=FONT, color=colors.TEXT),
            Text("features: combinations of neurons, not single neurons", font_size=FONT, color=colors.TEXT),
            Text("to look up: superposition · sparse autoencoder", font_size=FONT, color=colors.HIGHLIGHT),
        ).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
        box = RoundedRectangle(width=lines.width + 0.8, height=lines.height + 0.7, corner_radius=0.2,
                               stroke_color=colors.MLP, stroke_width=3)
        card = VGroup(box, lines).move_to(UP * 0.3)
        lines.move_to(box)
        thanks = Text("Thanks for watching", font_size=34, color=colors.TEXT).next_to(card, DOWN, buff=0.45)
        heading = Text("What to keep", font_size=34, color=colors.TEXT).move_to(self.title)
        self.play(FadeOut(self.sae), ReplacementTransform(self.title, heading), run_time=0.8)
        self.play(Create(box), LaggedStart(*(FadeIn(m, shift=RIGHT * 0.2) for m in lines), lag_ratio=0.3),
                  run_time=2.2)
        self.play(FadeIn(thanks), run_time=1.0)
        self.wait(max(1.0, t - 4.0))
