r"""Neurons: a column of circles lit by their activations, and the classic dots-and-lines network picture.

Examples
--------

.. code-block:: python

    import numpy as np
    from manim import LEFT, RIGHT, Scene
    from llmfacts.mobjects import NeuralNetworkDiagram, NeuronLayer

    class Neurons(Scene):
        def construct(self):
            layer = NeuronLayer([1.0, 0.0, 0.3, 0.0, 2.1, 0.0, 0.7, 0.0, 0.5, 1.2]).shift(LEFT * 4)
            rng = np.random.default_rng(1)
            net = NeuralNetworkDiagram((4, 8, 4), weights=[rng.normal(size=(8, 4)), rng.normal(size=(4, 8))])
            net.shift(RIGHT * 2)
            self.add(layer, net)
            self.play(*layer.change_values_animations([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]))
"""

from __future__ import annotations

__all__ = ["NeuronLayer", "NeuralNetworkDiagram"]

from collections.abc import Sequence

import numpy as np
from manim import (
    LEFT,
    RIGHT,
    Animation,
    Circle,
    DecimalNumber,
    Line,
    MathTex,
    VGroup,
)

from llmfacts import colors, style
from llmfacts.mobjects.weight_matrix import ChangeDecimalAndColor, HiddenEntryError, shown_indices


def _neuron_fill(value: float, scale: float, threshold: float) -> str:
    """Fill colour of a neuron: inactive grey at or below ``threshold``, brighter yellow as it grows."""
    if value <= threshold:
        return colors.NEURON_INACTIVE
    strength = min(1.0, (value - threshold) / scale) if scale > 0 else 1.0
    return colors.interpolate_hex(colors.NEURON_INACTIVE, colors.NEURON_ACTIVE, 0.25 + 0.75 * strength)


class NeuronLayer(VGroup):
    """A column of neurons, each filled (:data:`~llmfacts.colors.NEURON_ACTIVE`) by its activation.

    Parameters
    ----------
    values
        Activation of each neuron (1-D).
    max_neurons
        Most slots shown, the ``⋮`` included; longer layers show the first ``max_neurons - 2`` neurons,
        dots, and the last one.
    radius
        Circle radius.
    buff
        Gap between circles.
    show_values
        Write each value beside its neuron.
    decimals
        Digits after the decimal point of the values.
    active_threshold
        A neuron is drawn active when its value is above this.
    scale
        Value that gets the full active colour (default: largest value, or 1).
    values_side
        ``RIGHT`` or ``LEFT``: where the numbers go.
    font_size
        Font size of the numbers.
    """

    def __init__(
        self,
        values: np.ndarray | Sequence[float],
        *,
        max_neurons: int = 8,
        radius: float = 0.2,
        buff: float = 0.15,
        show_values: bool = True,
        decimals: int = 1,
        active_threshold: float = 0.0,
        scale: float | None = None,
        values_side: np.ndarray = RIGHT,
        font_size: float = style.MIN_MATH_FONT_SIZE,
        stroke_color: str = colors.TEXT_DIM,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.size == 0:
            raise ValueError("NeuronLayer needs at least one value")
        self.values = arr.copy()
        self.active_threshold = active_threshold
        biggest = float(np.max(arr)) if arr.size else 0.0
        #: value that gets the full active colour (not called ``scale``: that is Mobject.scale)
        self.color_scale = float(scale) if scale is not None else (biggest if biggest > active_threshold else 1.0)
        self.decimals = decimals
        self.shown_indices, self.truncated = shown_indices(arr.size, max_neurons)
        slots: list[int | None] = list(self.shown_indices)
        if self.truncated:
            slots.insert(len(slots) - 1, None)
        self._slots = slots

        self._neurons: dict[int, Circle] = {}
        self._numbers: dict[int, DecimalNumber] = {}
        self.neurons = VGroup()
        self.numbers = VGroup()
        self.ellipsis: MathTex | None = None
        pitch = 2 * radius + buff
        for k, idx in enumerate(slots):
            y = -k * pitch
            if idx is None:
                self.ellipsis = MathTex(r"\vdots", font_size=font_size * 1.4, color=colors.TEXT_DIM).move_to([0, y, 0])
                continue
            circle = Circle(radius=radius, stroke_color=stroke_color, stroke_width=2)
            circle.set_fill(_neuron_fill(arr[idx], self.color_scale, active_threshold), opacity=1)
            circle.move_to([0, y, 0])
            self._neurons[idx] = circle
            self.neurons.add(circle)
            if show_values:
                num = DecimalNumber(arr[idx], num_decimal_places=decimals, font_size=font_size,
                                    color=colors.TEXT, edge_to_fix=LEFT if np.allclose(values_side, RIGHT) else RIGHT)
                num.next_to(circle, values_side, buff=0.12)
                self._numbers[idx] = num
                self.numbers.add(num)
        self.add(self.neurons, self.numbers)
        if self.ellipsis is not None:
            self.add(self.ellipsis)
        self.center()

    def _check(self, i: int) -> int:
        n = self.values.size
        if not -n <= i < n:
            raise IndexError(f"neuron {i} out of range for {n} neurons")
        i %= n
        if i not in self._neurons:
            raise HiddenEntryError(f"neuron {i} is hidden by the ellipsis (shown: {self.shown_indices})")
        return i

    def get_neuron(self, i: int) -> Circle:
        """Circle of neuron ``i`` (original index)."""
        return self._neurons[self._check(i)]

    def get_value_label(self, i: int) -> DecimalNumber:
        """Number written beside neuron ``i`` (needs ``show_values=True``)."""
        i = self._check(i)
        if i not in self._numbers:
            raise ValueError("this layer was built with show_values=False")
        return self._numbers[i]

    def get_ellipsis(self) -> MathTex | None:
        return self.ellipsis

    def is_active(self, i: int) -> bool:
        return bool(self.values[i] > self.active_threshold)

    def set_values(self, values: np.ndarray | Sequence[float]) -> "NeuronLayer":
        """Show new activations in place (same length; same colour scale)."""
        arr = self._check_values(values)
        self.values = arr
        for i, circle in self._neurons.items():
            circle.set_fill(_neuron_fill(arr[i], self.color_scale, self.active_threshold), opacity=1)
        for i, num in self._numbers.items():
            num.set_value(arr[i])
        return self

    def change_values_animations(self, values: np.ndarray | Sequence[float]) -> list[Animation]:
        """Animations moving every neuron (fill and number) to new values; play them together.

        ``layer.values`` is updated immediately.
        """
        arr = self._check_values(values)
        self.values = arr
        anims: list[Animation] = []
        for i, circle in self._neurons.items():
            anims.append(circle.animate.set_fill(_neuron_fill(arr[i], self.color_scale, self.active_threshold), opacity=1))
        for i, num in self._numbers.items():
            anims.append(ChangeDecimalAndColor(num, arr[i], colors.TEXT))
        return anims

    def _check_values(self, values) -> np.ndarray:
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.shape != self.values.shape:
            raise ValueError(f"expected {self.values.size} values, got {arr.size}")
        return arr.copy()


class NeuralNetworkDiagram(VGroup):
    """The classic picture of a network: columns of dots joined by lines.

    Parameters
    ----------
    layer_sizes
        Number of neurons per layer, left to right.
    weights
        Optional list of ``len(layer_sizes) - 1`` arrays of shape ``(size[k+1], size[k])`` (PyTorch's
        ``out x in``); lines are then coloured by sign and thickened by size
        (:func:`~llmfacts.colors.weight_color`). Without weights all lines are thin and grey.
    activations
        Optional list (one array per layer, or ``None``) to light up the neurons.
    max_neurons
        Most slots per layer, the ``⋮`` included.
    neuron_radius, neuron_buff, layer_buff
        Geometry.
    max_stroke_width
        Stroke width of the largest weight.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = (4, 8, 4),
        *,
        weights: Sequence[np.ndarray] | None = None,
        activations: Sequence[np.ndarray | None] | None = None,
        max_neurons: int = 10,
        neuron_radius: float = 0.14,
        neuron_buff: float = 0.14,
        layer_buff: float = 2.0,
        max_stroke_width: float = 3.0,
        edge_color: str = colors.TEXT_DIM,
        edge_opacity: float = 0.8,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        if len(self.layer_sizes) < 2:
            raise ValueError("need at least two layers")
        if weights is not None:
            if len(weights) != len(self.layer_sizes) - 1:
                raise ValueError(f"need {len(self.layer_sizes) - 1} weight matrices, got {len(weights)}")
            weights = [np.asarray(w, dtype=float) for w in weights]
            for k, w in enumerate(weights):
                expected = (self.layer_sizes[k + 1], self.layer_sizes[k])
                if w.shape != expected:
                    raise ValueError(f"weights[{k}] should have shape {expected} (out x in), got {w.shape}")
        self.weights = weights
        self.layers = VGroup()
        self._layer_objs: list[NeuronLayer] = []
        for k, size in enumerate(self.layer_sizes):
            acts = None if activations is None else activations[k]
            vals = np.zeros(size) if acts is None else np.asarray(acts, dtype=float)
            layer = NeuronLayer(vals, max_neurons=max_neurons, radius=neuron_radius, buff=neuron_buff,
                                show_values=False, scale=None if acts is not None else 1.0)
            layer.move_to(RIGHT * k * layer_buff)
            self._layer_objs.append(layer)
            self.layers.add(layer)
        self.edges = VGroup()
        self._edge_maps: list[dict[tuple[int, int], Line]] = []
        for k in range(len(self.layer_sizes) - 1):
            left, right = self._layer_objs[k], self._layer_objs[k + 1]
            group = VGroup()
            emap: dict[tuple[int, int], Line] = {}
            scale = None
            if weights is not None:
                scale = float(np.max(np.abs(weights[k]))) or 1.0
            for i in right.shown_indices:
                for j in left.shown_indices:
                    a, b = left.get_neuron(j), right.get_neuron(i)
                    line = Line(a.get_right(), b.get_left(), buff=0.0)
                    if weights is None:
                        line.set_stroke(edge_color, width=1.0, opacity=edge_opacity * 0.6)
                    else:
                        w = weights[k][i, j]
                        line.set_stroke(colors.weight_color(w, scale), width=max(0.5, max_stroke_width * abs(w) / scale),
                                        opacity=edge_opacity)
                    emap[(i, j)] = line
                    group.add(line)
            self._edge_maps.append(emap)
            self.edges.add(group)
        self.add(self.edges, self.layers)  # lines behind the dots
        self.center()

    def get_layer(self, k: int) -> NeuronLayer:
        """The :class:`NeuronLayer` of layer ``k``."""
        return self._layer_objs[k]

    def get_neuron(self, k: int, i: int) -> Circle:
        """Neuron ``i`` of layer ``k``."""
        return self._layer_objs[k].get_neuron(i)

    def get_edges(self, k: int) -> VGroup:
        """All lines between layer ``k`` and ``k + 1``."""
        return self.edges[k]

    def get_edge(self, k: int, i_out: int, j_in: int) -> Line:
        """Line from neuron ``j_in`` of layer ``k`` to neuron ``i_out`` of layer ``k + 1``."""
        try:
            return self._edge_maps[k][(i_out % self.layer_sizes[k + 1], j_in % self.layer_sizes[k])]
        except KeyError:
            raise HiddenEntryError(f"edge ({i_out}, {j_in}) of layer {k} joins a neuron hidden by the ellipsis") from None

    def get_edges_into(self, k: int, i_out: int) -> VGroup:
        """Lines arriving at neuron ``i_out`` of layer ``k + 1`` (one row of the weight matrix)."""
        return VGroup(*(line for (i, _), line in self._edge_maps[k].items() if i == i_out % self.layer_sizes[k + 1]))

    def get_edges_out_of(self, k: int, j_in: int) -> VGroup:
        """Lines leaving neuron ``j_in`` of layer ``k`` (one column of the weight matrix)."""
        return VGroup(*(line for (_, j), line in self._edge_maps[k].items() if j == j_in % self.layer_sizes[k]))
