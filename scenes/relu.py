"""Scene 7: the ReLU turns row 0 into an AND gate; GELU beside it; neurons and the classic network picture.

The table is the lecture's gate table (``lecture.gate_table()``: the full name and the pairs that keep one
name or none), built column by column: W↑E + B↑, then ReLU, then GELU. Beside it the straight line of "no
function yet" bends into the compute layer's own ``relu``, and ``gelu`` is drawn over it with its lowest point
found numerically (:func:`llmfacts.compute.mlp_story.gelu_minimum`). The neurons are the toy block's values
for the full name (``trace.post``) and the network picture's lines are its W↑ and W↓, coloured by sign.
Every sentence is built from these values and changes with them (a bias that lets a one-name pair through
is told as "not an AND gate").

Render::

    .venv/bin/manim render -ql scenes/relu.py ReluGate
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Arrow,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    Transform,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.lecture import Lecture
from llmfacts.compute.mlp_story import gelu_minimum
from llmfacts.compute.toy_mlp import gelu, relu
from llmfacts.formatting import format_fixed
from llmfacts.mobjects import (
    ActivationGraph,
    EmbeddingVector,
    NeuralNetworkDiagram,
    NeuronLayer,
    grid_table,
    keep_inside,
)
from llmfacts.story import Int, SceneParameterError
from scenes._mlp_common import MlpFactScene

__all__ = ["ReluGate"]

#: Font size of numbers set as formulas (vectors, neuron values).
NUMBER_SIZE = 34
#: Text size of the gate table (between the type scale's CAPTION and LABEL, so the table and the graph fit).
TABLE_SIZE = 28


def _num(value: float, decimals: int = 2) -> str:
    return format_fixed(value, decimals, true_minus=True)


def _pair_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ReluGate(MlpFactScene):
    """ReLU clips negatives to zero, which makes neuron 0 an AND gate of the two names; GELU is a smooth cousin.

    Layout parameters (class attributes; the fact and the toy block come from the lecture):

    * ``decimals`` (2);
    * ``x_range``, ``y_range`` - the window of the activation graph ((-2.5, 2.5), (-1, 2.5));
    * ``shown_neurons`` (8) - neurons drawn in the neuron column, ellipsis included;
    * ``network_neurons`` (10) - dots per layer of the network picture, ellipsis included.
    """

    steps = ("linear_problem", "relu_graph", "and_gate", "gelu_beside", "neurons", "network_picture")

    x_range: tuple[float, float] = (-2.5, 2.5)
    y_range: tuple[float, float] = (-1.0, 2.5)
    shown_neurons: int = 8
    network_neurons: int = 10
    parameter_rules = {**MlpFactScene.parameter_rules, "shown_neurons": Int(3, 12), "network_neurons": Int(3, 14)}

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        rows = lecture.gate_table()
        f = lecture.fact
        through = [r for r in rows if r.relu > 0]
        if through == [rows[0]]:
            what = f"an AND gate of {f.first_name} and {f.last_name}"
        else:
            what = f"a gate that {len(through)} of {len(rows)} name pairs pass"
        return f"ReLU makes neuron 0 {what}; GELU beside it"

    # -- numbers and sentences -------------------------------------------------------------------------------
    def check_parameters(self) -> None:
        super().check_parameters()
        for attribute in ("x_range", "y_range"):
            value = getattr(self, attribute)
            ok = (isinstance(value, (tuple, list)) and len(value) == 2
                  and all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in value)
                  and value[0] < 0 < value[1])
            if not ok:
                raise SceneParameterError(f"{type(self).__name__}.{attribute}: must be (low, high) with low < 0 < high, "
                                          f"got {value!r}")

    def prepare(self) -> None:
        super().prepare()
        self.n_active = int(np.count_nonzero(self.trace.active))
        self.gelu_low = gelu_minimum()
        # the graph's window: the layout parameters, widened to hold every pair's score and the curves there
        pres = [r.pre for r in self.gate_rows]
        self.graph_x = (min(self.x_range[0], np.floor(min(pres)) - 0.5), max(self.x_range[1], np.ceil(max(pres)) + 0.5))
        self.graph_y = (min(self.y_range[0], np.floor(min(pres))), max(self.y_range[1], np.ceil(max(pres)) + 0.5))
        self.lines = self.narration()

    def narration(self) -> dict[str, str]:
        """The sentences of every step (``network_picture`` has two), built from the computed values."""
        f, rows, d = self.fact, self.gate_rows, self.decimals
        through = [r for r in rows if r.relu > 0]
        if through == [rows[0]]:
            gate = (f"After the ReLU, row 0 is {_num(rows[0].relu, d)} for {f.full_name} and zero for every other "
                    "pair: it behaves like an AND gate on the two names.")
        elif not through:
            gate = "After the ReLU, row 0 is zero for every pair, the full name included: this gate never opens."
        else:
            names = _pair_list([f"{r.first} {r.last}" for r in through])
            gate = (f"After the ReLU, row 0 stays positive for {names}: with this bias it is not an AND gate of "
                    "the two names.")

        low = min(rows, key=lambda r: r.pre)
        gelu_line = (f"Many real models use GELU instead, a smoother curve of the same shape. It gives "
                     f"{_num(rows[0].gelu, d)} for the full name")
        if low.gelu < 0:
            gelu_line += (f", and dips a little below zero for {low.first} {low.last}, to {_num(low.gelu, d)}; "
                          f"GELU never goes below {_num(self.gelu_low[1], d)}.")
        else:
            gelu_line += ", and stays at zero or above for every pair here."

        verb = "is" if self.n_active == 1 else "are"
        neurons = (f"These clipped values are the neurons. A neuron is active when its value is positive: for "
                   f"{f.full_name}, {self.n_active} of {self.mlp.d_hidden} {verb} active.")
        return {
            "linear_problem": ("Up to here everything is linear: each score goes on unchanged. What we want from "
                               "row 0 is a clean answer: yes for the full name, a plain no for anything else."),
            "relu_graph": ("So the next step is a simple nonlinear function, applied to every entry: negative "
                           "numbers become zero, positive numbers pass unchanged. It is called ReLU."),
            "and_gate": gate,
            "gelu_beside": gelu_line,
            "neurons": neurons,
            "network_picture": ("The familiar picture of dots and lines shows the same thing: each line is one "
                                "weight, its colour giving the sign; each dot in the middle is a neuron."),
            "network_row0": ("The lines into neuron 0 are the weights of row 0 of W↑; the lines out of it are "
                             "column 0 of W↓, where the next step looks."),
        }

    # -- steps -----------------------------------------------------------------------------------------------
    def linear_problem(self) -> None:
        rows, d = self.gate_rows, self.decimals
        header = [style.text("pair", style.CAPTION, colors.TEXT_DIM),
                  style.math(style.W_UP + style.VEC + "+" + style.B_UP, style.CAPTION, colors.TEXT_DIM),
                  style.text("ReLU", TABLE_SIZE, colors.RELU),
                  style.text("GELU", TABLE_SIZE, colors.GELU)]
        body = []
        for row in rows:
            body.append([self.full_name(row.first, row.last, TABLE_SIZE),
                         style.text(_num(row.pre, d), TABLE_SIZE),
                         style.text(_num(row.relu, d), TABLE_SIZE, colors.RELU),
                         style.text(_num(row.gelu, d), TABLE_SIZE, colors.GELU)])
        self.table = grid_table([header, *body], col_buff=0.35, row_buff=0.32)
        self.table.move_to([0, 0.45, 0]).to_edge(LEFT, buff=0.8)

        self.graph = ActivationGraph(lambda x: float(relu(x)), x_range=self.graph_x, y_range=self.graph_y,
                                     label=None, width=4.6, height=3.8, include_numbers=False)
        axes = self.graph.get_axes()
        number_size = style.math_size(style.CAPTION)
        # no number at x = -1: the label of GELU's lowest point (x ≈ -0.75) goes under the axis there
        axes.x_axis.add_numbers([x for x in range(int(np.ceil(self.graph_x[0])), int(self.graph_x[1]) + 1)
                                 if x not in (0, -1)], font_size=number_size, color=colors.TEXT_DIM)
        axes.y_axis.add_numbers([y for y in range(1, int(self.graph_y[1]) + 1)], font_size=number_size,
                                color=colors.TEXT_DIM)
        self.graph.move_to([0, 0.3, 0]).to_edge(RIGHT, buff=0.8)
        self.relu_label = style.text("ReLU", style.LABEL, colors.RELU)
        self.relu_label.next_to(axes.c2p(1.2, 1.2), UP + LEFT, buff=0.1)
        lo = max(self.graph_x[0], self.graph_y[0])
        hi = min(self.graph_x[1], self.graph_y[1])
        self.line = Line(axes.c2p(lo, lo), axes.c2p(hi, hi), color=colors.DATA, stroke_width=4)
        self.dots = VGroup(*(Dot(axes.c2p(r.pre, r.pre), radius=0.08, color=colors.DATA) for r in rows))
        first_two = VGroup(*(VGroup(*line[:2]) for line in self.table))
        with self.beat(self.lines["linear_problem"]) as beat:
            self.play(LaggedStart(*(FadeIn(line, shift=RIGHT * 0.2) for line in first_two), lag_ratio=0.3),
                      Create(axes), run_time=1.8)
            beat.wait_until("unchanged")
            self.play(Create(self.line), LaggedStart(*(FadeIn(d, scale=2) for d in self.dots), lag_ratio=0.3),
                      run_time=1.2)

    def relu_graph(self) -> None:
        axes, rows = self.graph.get_axes(), self.gate_rows
        curve, label = self.graph.get_graph(0), self.relu_label
        with self.beat(self.lines["relu_graph"]) as beat:
            beat.wait_until("negative")
            self.play(Transform(self.line, curve), run_time=1.5)
            self.play(*(d.animate.move_to(axes.c2p(r.pre, r.relu)).set_color(colors.HIGHLIGHT if r.relu > 0
                                                                               else colors.DATA)
                        for d, r in zip(self.dots, rows)), run_time=1.0)
            beat.wait_until("ReLU")
            self.play(FadeIn(label), run_time=0.6)

    def and_gate(self) -> None:
        f = self.fact
        relu_col = VGroup(self.table[0][2], *(line[2] for line in self.table[1:]))
        caption = self.markup((f.first_name, "name"), " AND ", (f.last_name, "name"), font_size=style.LABEL)
        caption.next_to(self.table, DOWN, buff=0.55).align_to(self.table, LEFT)
        through = [k for k, r in enumerate(self.gate_rows) if r.relu > 0]
        with self.beat(self.lines["and_gate"]) as beat:
            self.play(LaggedStart(*(FadeIn(c, shift=LEFT * 0.2) for c in relu_col), lag_ratio=0.25), run_time=2.0)
            if through == [0]:
                beat.wait_until("AND")
                self.play(FadeIn(caption, shift=UP * 0.2), Indicate(self.table[1][2], color=colors.HIGHLIGHT),
                          run_time=1.2)
            else:
                self.play(*(Indicate(self.table[k + 1][2], color=colors.HIGHLIGHT) for k in through), run_time=1.2)

    def gelu_beside(self) -> None:
        rows, axes = self.gate_rows, self.graph.get_axes()
        g = self.graph.add_function(lambda x: float(gelu(x)), color=colors.GELU, label=None)
        label = style.text("GELU", style.LABEL, colors.GELU).next_to(axes.c2p(1.15, float(gelu(1.15))), DOWN + RIGHT,
                                                                       buff=0.1)
        gelu_dots = VGroup(*(Dot(self.graph.point_at(r.pre, 1), radius=0.07, color=colors.GELU) for r in rows))
        gelu_col = VGroup(self.table[0][3], *(line[3] for line in self.table[1:]))
        x_low, y_low = self.gelu_low
        low_dot = Dot(axes.c2p(x_low, y_low), radius=0.06, color=colors.GELU)
        low_label = style.text(_num(y_low, self.decimals), style.CAPTION, colors.GELU)
        low_label.next_to(low_dot, DOWN, buff=0.15)
        with self.beat(self.lines["gelu_beside"]) as beat:
            self.play(Create(g), FadeIn(label), run_time=1.5)
            self.play(FadeIn(gelu_dots), LaggedStart(*(FadeIn(c, shift=LEFT * 0.2) for c in gelu_col),
                                                     lag_ratio=0.25), run_time=2.0)
            if "never goes below" in self.lines["gelu_beside"]:
                beat.wait_until("never")
                self.play(FadeIn(low_dot, scale=2), FadeIn(low_label), run_time=0.8)

    def neurons(self) -> None:
        trace, f = self.trace, self.fact
        pre = EmbeddingVector(trace.pre_activation, max_rows=self.shown_neurons, decimals=self.decimals,
                              font_size=NUMBER_SIZE)
        pitch = abs(pre.get_entry(1).get_center()[1] - pre.get_entry(0).get_center()[1])
        layer = NeuronLayer(trace.post, max_neurons=self.shown_neurons, radius=pitch * 0.36, buff=pitch * 0.28,
                            decimals=self.decimals, font_size=NUMBER_SIZE)
        pre.move_to([-3.8, -0.1, 0])
        layer.move_to([0.4, 0, 0])
        layer.shift(UP * (pre.get_entry(0).get_center()[1] - layer.get_neuron(0).get_center()[1]))
        pre_label = style.math(style.W_UP + style.VEC + "+" + style.B_UP, style.LABEL).next_to(pre, UP, buff=0.3)
        pre_label[0][:2].set_color(colors.MLP)
        pre_label[0][4:].set_color(colors.BIAS)
        arrow = Arrow(pre.get_right() + RIGHT * 0.2, layer.get_left() + LEFT * 0.2, buff=0, color=colors.RELU)
        arrow_label = style.text("ReLU", style.LABEL, colors.RELU).next_to(arrow, UP, buff=0.1)
        layer_label = style.text("neurons", style.LABEL, colors.NEURON_ACTIVE).next_to(layer, UP, buff=0.3)
        layer_label.set_y(pre_label.get_y())
        if self.mlp.neuron_meaning(0):
            tag = self.markup(("neuron 0: ", colors.NEURON_ACTIVE), (f.first_name, "name"), " AND ",
                              (f.last_name, "name"), font_size=style.CAPTION)
        else:
            tag = style.text("neuron 0", style.CAPTION, colors.NEURON_ACTIVE)
        keep_inside(tag.next_to(layer.get_value_label(0), RIGHT, buff=0.35))
        count = style.markup(f'active: <span foreground="{colors.NEURON_ACTIVE}">{self.n_active}</span> of '
                             f'{self.mlp.d_hidden}', style.LABEL)
        count.next_to(layer, DOWN, buff=0.35)
        with self.beat(self.lines["neurons"]) as beat:
            self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
            self.play(FadeIn(pre), Write(pre_label), run_time=1.0)
            self.play(Create(arrow), FadeIn(arrow_label), run_time=0.8)
            self.play(FadeIn(layer), FadeIn(layer_label), run_time=1.2)
            beat.wait_until("active")
            self.play(FadeIn(tag, shift=LEFT * 0.2), Indicate(layer.get_neuron(0), color=colors.NEURON_ACTIVE),
                      run_time=1.2)
            self.play(FadeIn(count), run_time=0.6)

    def network_picture(self) -> None:
        mlp, trace = self.mlp, self.trace
        net = NeuralNetworkDiagram((mlp.d_model, mlp.d_hidden, mlp.d_model), weights=[mlp.W_up, mlp.W_down],
                                   activations=[None, trace.post, None], max_neurons=self.network_neurons,
                                   layer_buff=3.6, neuron_radius=0.13, neuron_buff=0.13, max_stroke_width=2.5,
                                   edge_opacity=0.7)
        net.scale(1.1).move_to([0, -0.45, 0])
        labels = VGroup(
            VGroup(style.math(style.VEC, style.CAPTION, colors.DATA),
                   style.text(f"({mlp.d_model})", style.CAPTION, colors.DATA)).arrange(RIGHT, buff=0.12),
            style.text(f"neurons ({mlp.d_hidden})", style.CAPTION, colors.NEURON_ACTIVE),
            style.text(f"output ({mlp.d_model})", style.CAPTION, colors.DATA),
        )
        for k, label in enumerate(labels):
            label.next_to(net.get_layer(k), UP, buff=0.3)
        labels.set_y(max(lab.get_y() for lab in labels))
        weights = VGroup(style.math(style.W_UP, style.LABEL, colors.MLP), style.math(style.W_DOWN, style.LABEL,
                                                                                        colors.MLP))
        for k, w in enumerate(weights):
            w.move_to((net.get_layer(k).get_center() + net.get_layer(k + 1).get_center()) / 2)
            w.set_y(labels.get_y())
        legend = VGroup(*(VGroup(Line(ORIGIN, RIGHT * 0.6, color=c, stroke_width=4),
                                 style.text(sign, style.CAPTION, c)).arrange(RIGHT, buff=0.15)
                          for sign, c in (("positive", colors.WEIGHT_POSITIVE), ("negative", colors.WEIGHT_NEGATIVE))))
        legend.arrange(RIGHT, buff=0.6).next_to(net, DOWN, buff=0.3)
        with self.beat(self.lines["network_picture"]) as beat:
            self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
            self.play(FadeIn(net.layers), FadeIn(labels), run_time=1.0)
            self.play(Create(net.get_edges(0)), FadeIn(weights[0]), run_time=beat.fit(0.3, 1.5))
            self.play(Create(net.get_edges(1)), FadeIn(weights[1]), FadeIn(legend), run_time=beat.fit(0.4, 1.5))
            beat.wait_until("neuron")
            self.play(Indicate(net.get_neuron(1, 0), color=colors.NEURON_ACTIVE, scale_factor=1.6), run_time=1.0)
        into, out_of = net.get_edges_into(0, 0), net.get_edges_out_of(1, 0)
        keep = set(map(id, [*into, *out_of]))
        rest = [line for group in net.edges for line in group if id(line) not in keep]
        with self.beat(self.lines["network_row0"]) as beat:
            self.play(*(line.animate.set_stroke(opacity=0.12) for line in rest), run_time=1.2)
            self.play(*(line.animate.set_stroke(width=3.5) for line in [*into, *out_of]), run_time=0.8)
