"""Scene 7: the ReLU turns row 0 into an AND gate; GELU beside it; neurons and the classic network picture.

The table is :func:`llmfacts.compute.toy_mlp.and_gate_table` for the full name and for pairs that share only
one name (or none) with it; the curves are drawn from the compute layer's own ``relu`` and ``gelu``; the
neurons are the toy block's values for the full name (``trace.post``) and the network picture's lines are
the toy block's W↑ and W↓, coloured by sign.

Render::

    .venv/bin/manim render -ql scenes/relu.py ReluGate
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
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MathTex,
    SurroundingRectangle,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.toy_mlp import gelu, relu
from llmfacts.mobjects import (
    ActivationGraph,
    EmbeddingVector,
    NeuralNetworkDiagram,
    NeuronLayer,
    fit_width,
    grid_table,
    keep_inside,
)
from scenes._mlp_common import MEDIUM, SMALL, MlpFactScene

__all__ = ["ReluGate"]


class ReluGate(MlpFactScene):
    """ReLU clips negatives to zero, which makes neuron 0 an AND gate of the two names; GELU is a smooth cousin.

    Parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene`):

    * ``first_name``, ``last_name``, ``attribute`` - the fact (Michael, Jordan, basketball);
    * ``d_model`` (12), ``hidden_factor`` (4), ``up_bias`` (-1), ``seed``, ``overlap`` - the toy block;
    * ``pairs`` - name pairs of the AND-gate table (``None``: picked from the toy model);
    * ``decimals`` (2);
    * ``x_range``, ``y_range`` - the window of the activation graph ((-2.5, 2.5), (-1, 2.5));
    * ``shown_neurons`` (8) - neurons drawn in the neuron column, ellipsis included;
    * ``network_neurons`` (10) - dots per layer of the network picture, ellipsis included.
    """

    summary = "ReLU as an AND gate (Michael Jordan, Michael Phelps, Alexis Jordan), GELU beside it"
    steps = ("linear_problem", "relu_graph", "and_gate", "gelu_beside", "neurons", "network_picture")

    x_range: tuple[float, float] = (-2.5, 2.5)
    y_range: tuple[float, float] = (-1.0, 2.5)
    shown_neurons: int = 8
    network_neurons: int = 10

    def linear_problem(self) -> None:
        rows = self.gate_rows
        self.say("Up to here everything is linear. What we want from row 0 is a clean answer: yes for the full "
                 "name, a plain no for anything else.")
        header = [self.text("vector of", MEDIUM, colors.TEXT_DIM),
                  MathTex(r"W_{\uparrow}E + b_{\uparrow}", font_size=30, color=colors.TEXT_DIM),
                  self.text("ReLU", MEDIUM, colors.RELU),
                  self.text("GELU", MEDIUM, colors.GELU)]
        body = []
        for row in rows:
            body.append([self.full_name(row.first, row.last, MEDIUM),
                         self.text(self.num(row.pre), MEDIUM),
                         self.text(self.num(row.relu), MEDIUM, colors.RELU),
                         self.text(self.num(row.gelu), MEDIUM, colors.GELU)])
        self.table = grid_table([header, *body], col_buff=0.4, row_buff=0.3)
        fit_width(self.table, 7.0)  # the graph takes the right half
        self.table.move_to([0, 0.4, 0]).to_edge(LEFT, buff=0.35)
        first_two = VGroup(*(VGroup(*line[:2]) for line in self.table))
        self.play(LaggedStart(*(FadeIn(line, shift=RIGHT * 0.2) for line in first_two), lag_ratio=0.3), run_time=2.0)
        self.finish()

    def relu_graph(self) -> None:
        self.say("So the next step is a simple nonlinear function, applied to every entry: negative numbers "
                 "become zero, positive numbers pass unchanged. It is called ReLU.")
        self.graph = ActivationGraph(lambda x: float(relu(x)), x_range=self.x_range, y_range=self.y_range,
                                     label="ReLU", width=4.6, height=3.4)
        self.graph.move_to([0, 0.3, 0]).to_edge(RIGHT, buff=0.4)
        self.play(Create(self.graph.get_axes()), run_time=1.0)
        self.play(Create(self.graph.get_graph(0)), FadeIn(self.graph.labels[0]), run_time=1.5)
        self.dots = VGroup()
        for row in self.gate_rows:
            self.dots.add(self.graph.dot_at(row.pre, 0, color=colors.HIGHLIGHT if row.relu > 0 else colors.DATA))
        self.play(LaggedStart(*(FadeIn(d, scale=2) for d in self.dots), lag_ratio=0.3), run_time=1.2)
        self.finish()

    def and_gate(self) -> None:
        self.say(f"After the ReLU, row 0 is {self.num(self.gate_rows[0].relu)} for {self.fact.full_name} and "
                 "zero for every other pair: it behaves like an AND gate on the two names.")
        relu_col = VGroup(self.table[0][2], *(line[2] for line in self.table[1:]))
        self.play(LaggedStart(*(FadeIn(c, shift=LEFT * 0.2) for c in relu_col), lag_ratio=0.25), run_time=2.0)
        f = self.fact
        caption = self.markup((f.first_name, "name"), " AND ", (f.last_name, "name"), font_size=MEDIUM)
        caption.next_to(self.table, DOWN, buff=0.5).align_to(self.table, LEFT)
        self.and_caption = caption
        self.play(FadeIn(caption, shift=UP * 0.2),
                  Indicate(self.table[1][2], color=colors.HIGHLIGHT), run_time=1.2)
        self.finish()

    def gelu_beside(self) -> None:
        rows = self.gate_rows
        neither = min(rows, key=lambda r: r.pre)
        self.say(f"Many real models use GELU instead, a smoother curve of the same shape. It gives "
                 f"{self.num(rows[0].gelu)} for the full name, and dips a little below zero, to "
                 f"{self.num(neither.gelu)}, for {neither.first} {neither.last}.")
        g = self.graph.add_function(lambda x: float(gelu(x)), color=colors.GELU, label="GELU", label_x=1.9,
                                    font_size=MEDIUM * 1.2)
        label = self.graph.labels[-1]
        self.play(Create(g), FadeIn(label), run_time=1.5)
        gelu_dots = VGroup(*(Dot(self.graph.point_at(r.pre, 1), radius=0.07, color=colors.GELU) for r in rows))
        gelu_col = VGroup(self.table[0][3], *(line[3] for line in self.table[1:]))
        self.play(FadeIn(gelu_dots), LaggedStart(*(FadeIn(c, shift=LEFT * 0.2) for c in gelu_col), lag_ratio=0.25),
                  run_time=2.0)
        self.gelu_dots = gelu_dots
        self.finish(1.5)

    def neurons(self) -> None:
        trace = self.trace
        n_active = int(np.count_nonzero(trace.active))
        verb = "is" if n_active == 1 else "are"
        self.say(f"These clipped values are the neurons. A neuron is active when its value is positive: for "
                 f"{self.fact.full_name}, {n_active} of {self.mlp.d_hidden} {verb} active.")
        self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
        pre = EmbeddingVector(trace.pre_activation, max_rows=self.shown_neurons, decimals=self.decimals)
        pitch = abs(pre.get_entry(1).get_center()[1] - pre.get_entry(0).get_center()[1])
        layer = NeuronLayer(trace.post, max_neurons=self.shown_neurons, radius=pitch * 0.36, buff=pitch * 0.28,
                            decimals=self.decimals, font_size=MEDIUM)
        pre.move_to([-3.6, 0.0, 0])
        layer.move_to([0.6, 0, 0])
        layer.shift(UP * (pre.get_entry(0).get_center()[1] - layer.get_neuron(0).get_center()[1]))
        pre_label = MathTex(r"W_{\uparrow}E + b_{\uparrow}", font_size=32).next_to(pre, UP, buff=0.3)
        pre_label[0][0].set_color(colors.MLP)
        pre_label[0][4:].set_color(colors.BIAS)
        arrow = Arrow(pre.get_right() + RIGHT * 0.2, layer.get_left() + LEFT * 0.2, buff=0, color=colors.RELU)
        arrow_label = self.text("ReLU", MEDIUM, colors.RELU).next_to(arrow, UP, buff=0.1)
        layer_label = self.text("neurons", MEDIUM, colors.NEURON_ACTIVE).next_to(layer, UP, buff=0.3)
        layer_label.set_y(pre_label.get_y())
        self.play(FadeIn(pre), Write(pre_label), run_time=1.0)
        self.play(Create(arrow), FadeIn(arrow_label), run_time=0.8)
        self.play(FadeIn(layer), FadeIn(layer_label), run_time=1.2)
        meaning = self.mlp.neuron_meaning(0)
        f = self.fact
        tag = self.markup(("neuron 0: ", colors.NEURON_ACTIVE), (f.first_name, "name"), " AND ",
                          (f.last_name, "name"), font_size=SMALL) if meaning else self.text("neuron 0", SMALL)
        keep_inside(tag.next_to(layer.get_value_label(0), RIGHT, buff=0.35))
        count = self.text(f"active: {n_active} of {self.mlp.d_hidden}", MEDIUM, colors.NEURON_ACTIVE)
        count.next_to(layer, DOWN, buff=0.35)
        self.play(FadeIn(tag, shift=LEFT * 0.2), Indicate(layer.get_neuron(0), color=colors.NEURON_ACTIVE),
                  run_time=1.2)
        self.play(FadeIn(count), run_time=0.6)
        self.finish(1.5)

    def network_picture(self) -> None:
        mlp, trace = self.mlp, self.trace
        self.say("The familiar picture of dots and lines shows the same thing: each line is one weight, blue if "
                 "positive, red if negative; each dot in the middle is a neuron.")
        self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
        net = NeuralNetworkDiagram((mlp.d_model, mlp.d_hidden, mlp.d_model), weights=[mlp.W_up, mlp.W_down],
                                   activations=[None, trace.post, None], max_neurons=self.network_neurons,
                                   layer_buff=3.6, neuron_radius=0.13, neuron_buff=0.13, max_stroke_width=2.5,
                                   edge_opacity=0.7)
        net.scale(1.15).move_to([0, -0.3, 0])
        names = [(f"E ({mlp.d_model})", colors.DATA), (f"neurons ({mlp.d_hidden})", colors.NEURON_ACTIVE),
                 (f"output ({mlp.d_model})", colors.DATA)]
        labels = VGroup(*(self.text(t, SMALL, c).next_to(net.get_layer(k), UP, buff=0.3)
                          for k, (t, c) in enumerate(names)))
        labels.set_y(max(l.get_y() for l in labels))
        weights = VGroup(MathTex(r"W_{\uparrow}", font_size=36, color=colors.MLP),
                         MathTex(r"W_{\downarrow}", font_size=36, color=colors.MLP))
        for k, w in enumerate(weights):
            w.move_to((net.get_layer(k).get_center() + net.get_layer(k + 1).get_center()) / 2)
            w.set_y(labels.get_y())
        self.play(FadeIn(net.layers), FadeIn(labels), run_time=1.0)
        self.play(Create(net.get_edges(0)), FadeIn(weights[0]), run_time=2.0)
        self.play(Create(net.get_edges(1)), FadeIn(weights[1]), run_time=2.0)
        self.play(Indicate(net.get_neuron(1, 0), color=colors.NEURON_ACTIVE, scale_factor=1.6), run_time=1.0)
        self.finish(0.5)
        self.say("The lines into neuron 0 are the weights of row 0 of W-up; the lines out of it are column 0 of "
                 "W-down, where the next step looks.")
        into, out_of = net.get_edges_into(0, 0), net.get_edges_out_of(1, 0)
        keep = set(map(id, [*into, *out_of]))
        rest = [line for group in net.edges for line in group if id(line) not in keep]
        self.play(*(line.animate.set_stroke(opacity=0.12) for line in rest), run_time=1.2)
        self.play(*(line.animate.set_stroke(width=3.5) for line in [*into, *out_of]), run_time=0.8)
        self.finish(1.5)
