"""Scene 11: what the toy example shows about every MLP, and what it only assumed.

Two readings of the toy block hold for any MLP whatever its weights, because they are how a matrix product
works: a row of W↑ measures how far the vector points along it, a column of W↓ is what its neuron adds,
scaled by the neuron. What the toy *chose* is that one neuron stands for one fact. The scene sets the
hand-built block beside a block of the same size trained from random weights on the same facts
(:func:`llmfacts.compute.features.learned_block`): the trained one stores the fact as well, but spread over
many neurons. Then a layer that must carry more feature directions than it has neurons
(:func:`llmfacts.compute.features.spread_example`): in that random example most features reach every neuron.
That is the way into superposition (the next scene).

Every number comes from the lecture's toy block and from :mod:`llmfacts.compute.features`.

Render::

    .venv/bin/manim render -ql scenes/toy_caveats.py WhatTheToyShows
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    SurroundingRectangle,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.features import answer_contributions, learned_block, spread_example
from llmfacts.formatting import format_fixed, format_int, format_percent
from llmfacts.mobjects import EmbeddingVector, WeightMatrix
from llmfacts.story import Float, Int, SceneParameterError, StoryScene

__all__ = ["WhatTheToyShows"]

#: A neuron "adds to the answer" when it adds at least this share of it (the trained block's count).
CONTRIBUTION_SHARE = 0.05
#: "Almost every feature": a neuron picks up at least this share of the features.
ALMOST_ALL = 0.8


def _contribution_chart(values: np.ndarray, *, width: float, height: float, y_max: float) -> VGroup:
    """One bar per neuron (what it adds to the answer), on a baseline; negative bars hang below it."""
    n = len(values)
    pitch = width / n
    baseline = Line([-width / 2, 0, 0], [width / 2, 0, 0], stroke_width=2, color=colors.TEXT_DIM)
    bars = VGroup()
    for k, v in enumerate(values):
        h = height * min(1.0, abs(float(v)) / y_max)
        bar = Rectangle(width=pitch * 0.72, height=max(h, 1e-3), stroke_width=0,
                        fill_color=colors.NEURON_ACTIVE, fill_opacity=1 if v > 0 else 0.45)
        bar.move_to([-width / 2 + pitch * (k + 0.5), h / 2 if v >= 0 else -h / 2, 0])
        bars.add(bar)
    chart = VGroup(baseline, bars)
    chart.baseline, chart.bars = baseline, bars  # type: ignore[attr-defined]
    return chart


class WhatTheToyShows(StoryScene):
    """What the toy MLP shows about every MLP, and what it merely assumed.

    Layout and example parameters (class attributes):

    * ``shown`` - rows/columns of each matrix shown, the ellipsis included;
    * ``spread_neurons``, ``spread_features`` - the layer of the "more features than neurons" example
      (``spread_features > spread_neurons``);
    * ``spread_seed`` - seed of its random feature directions;
    * ``clear_threshold`` - a neuron picks up a feature when ``|component|`` exceeds this;
    * ``train_seed`` - seed of the trained block's random start.
    """

    steps = ("rows_read", "columns_write", "hand_built", "shared_neurons", "superposition_next")

    shown: int = 6
    spread_neurons: int = 8
    spread_features: int = 24
    spread_seed: int = 3
    clear_threshold: float = 0.05
    train_seed: int = 0

    parameter_rules = {
        "shown": Int(3, 8),
        "spread_neurons": Int(2, 16),
        "spread_features": Int(3, 40),
        "spread_seed": Int(0),
        "clear_threshold": Float(0.0, 0.5, positive=True),
        "train_seed": Int(0),
    }

    @classmethod
    def describe(cls, lecture) -> str:
        return (f"What the toy shows about every MLP, and what it only assumed: {lecture.full_name} in one neuron "
                "by hand, spread over many when trained; more features than neurons")

    def check_parameters(self) -> None:
        super().check_parameters()
        if self.spread_features <= self.spread_neurons:
            raise SceneParameterError(
                f"{type(self).__name__}.spread_features: must be more than spread_neurons ({self.spread_neurons}): "
                f"the example is a layer with more features than neurons, got {self.spread_features}")

    def prepare(self) -> None:
        lecture = self.lecture
        self.fact = lecture.fact
        self.mlp = mlp = lecture.toy_mlp()
        self.trace = lecture.trace()
        attribute = mlp.direction(self.fact.attribute)
        self.written = self.trace.scaled_columns.sum(axis=1)  # W↓ n, the columns added up (no bias)
        self.written_readout = mlp.readout(self.written)
        self.hand = answer_contributions(mlp.W_up, mlp.b_up, mlp.W_down, self.trace.x, attribute)
        self.trained = lecture.cached(learned_block, 3000, self.train_seed)
        self.spread = spread_example(self.spread_features, self.spread_neurons, self.spread_seed,
                                     self.clear_threshold)
        self.said = self.narration()

    def narration(self) -> dict[str, str]:
        """What the voice says in each beat, built from the computed values (tested as claims)."""
        f, tr, mlp = self.fact, self.trace, self.mlp
        trained, ex = self.trained, self.spread
        hand_neurons = int(np.sum(np.abs(self.hand) > 1e-9))  # round-off is no contribution
        hand = ("neuron 0 alone adds all of it" if hand_neurons == 1 and np.argmax(self.hand) == 0
                else f"{hand_neurons} neurons add to it")
        answer = trained.answer
        as_well = "just as well" if abs(answer - self.hand.sum()) < 0.05 else "too"
        many = trained.contributing(CONTRIBUTION_SHARE)
        top = format_percent(trained.top_share, 0)
        largest = (f"and even the largest adds only {top}" if trained.top_share < 0.5
                   else f"and the largest adds {top}")
        per_neuron = ex.fewest_per_neuron
        almost = " — almost all of them" if per_neuron >= ALMOST_ALL * ex.n_features else ""
        n_facts = len(mlp.facts)
        active = [int(k) for k in np.flatnonzero(tr.active)]
        return {
            "rows": (f"First, what holds for every MLP. Each neuron's value is its row of W↑ dotted with the vector "
                     f"E: for {f.full_name}, row zero gives {format_fixed(tr.up[0], 1)}. "
                     "Every row measures how far E points along it, whatever the weights."),
            "columns": ("And W↓ adds up its columns, each scaled by its neuron. "
                        + (f"Only neuron 0 is active here, so the output is {format_fixed(tr.post[0], 1)} times "
                           "column zero"
                           if active == [0] else
                           f"{len(active)} neurons are active here; neuron 0 adds {format_fixed(tr.post[0], 1)} "
                           "times column zero")
                        + f", and the sum reads {format_fixed(self.written_readout[f.attribute], 2)} along "
                          f"{f.attribute}."),
            "hand": (f"What the toy did not prove is one neuron per fact. We built it that way: of everything the "
                     f"block adds along {f.attribute}, {hand}."),
            "trained": (f"Train a block of the same size from random weights on the same {n_facts} facts, and it "
                        f"stores them {as_well}: it answers {f.attribute} with {format_fixed(answer, 2)}. But "
                        f"{many} neurons each add at least {format_percent(CONTRIBUTION_SHARE, 0)} of that, "
                        f"{largest}."),
            "spread": (f"Now a layer that must carry more features than it has neurons: {ex.n_features} random "
                       f"feature directions, {ex.n_neurons} neurons. A cell lights up where a neuron picks up more "
                       f"than {format_fixed(ex.threshold, 2)} of a feature."),
            "counts": (f"In this random example, {ex.reaching_every_neuron} of the {ex.n_features} features reach "
                       f"every neuron, each feature reaches at least {ex.fewest_per_feature} of the "
                       f"{ex.n_neurons}, and each neuron picks up at least {per_neuron} of the "
                       f"{ex.n_features} features{almost}."),
            "next": ("Storing more features than dimensions, in directions that overlap only a little, is called "
                     "superposition. How many such directions can a space hold?"),
        }

    # -- steps --------------------------------------------------------------------------------------------
    def _product(self, matrix, vector, result, names) -> VGroup:
        eq = style.math("=", size=style.BODY)
        product = VGroup(matrix, vector, eq, result).arrange(RIGHT, buff=0.35)
        product.move_to([0, 0.2, 0])
        if product.width > style.SAFE_FRAME.width:
            product.scale_to_fit_width(style.SAFE_FRAME.width)
        labels = VGroup()
        for mob, name in zip((matrix, vector, result), names):
            labels.add(name.next_to(mob, UP, buff=0.2))
        return VGroup(product, labels)

    def rows_read(self) -> None:
        mlp, tr = self.mlp, self.trace
        w = WeightMatrix(mlp.W_up, max_rows=self.shown, max_cols=self.shown)
        x = EmbeddingVector(tr.x, max_rows=self.shown)
        up = EmbeddingVector(tr.up, max_rows=self.shown)
        picture = self._product(w, x, up, (style.math(style.W_UP, size=style.LABEL, color=colors.MLP),
                                           style.math(style.VEC, size=style.LABEL),
                                           style.text("neurons", size=style.CAPTION, color=colors.NEURON_ACTIVE)))
        row_boxes = [w.row_rectangle(i) for i in w.shown_rows[:3]]
        out_boxes = [SurroundingRectangle(up.get_entry(i), color=colors.HIGHLIGHT, buff=0.06) for i in w.shown_rows[:3]]
        x_box = SurroundingRectangle(x.get_entries(), color=colors.HIGHLIGHT, buff=0.06)
        reading = style.math(rf"\text{{row }}0 \cdot {style.VEC} = {format_fixed(tr.up[0], 1)}", size=style.LABEL)
        reading.next_to(picture, DOWN, buff=0.5)
        with self.beat(self.said["rows"]) as beat:
            self.play(FadeIn(picture), run_time=1.0)
            beat.wait_until("row zero")
            self.play(Create(row_boxes[0]), Create(x_box), run_time=0.7)
            self.play(Create(out_boxes[0]), Write(reading), run_time=0.8)
            beat.wait_until("every row")
            sweep = VGroup(row_boxes[0].copy(), out_boxes[0].copy()).set_stroke(opacity=0.6)
            self.add(sweep)
            for k in range(1, len(row_boxes)):
                self.play(sweep.animate.become(VGroup(row_boxes[k], out_boxes[k]).copy().set_stroke(opacity=0.6)),
                          run_time=0.5)
            self.play(FadeOut(sweep), run_time=0.3)
        self.left = VGroup(picture, row_boxes[0], out_boxes[0], x_box, reading)

    def columns_write(self) -> None:
        mlp, tr, f = self.mlp, self.trace, self.fact
        w = WeightMatrix(mlp.W_down, max_rows=self.shown, max_cols=self.shown)
        n = EmbeddingVector(tr.post, max_rows=self.shown)
        out = EmbeddingVector(self.written, max_rows=self.shown)
        picture = self._product(w, n, out, (style.math(style.W_DOWN, size=style.LABEL, color=colors.MLP),
                                            style.text("neurons", size=style.CAPTION, color=colors.NEURON_ACTIVE),
                                            style.text(f.attribute, size=style.CAPTION, color=colors.ATTRIBUTE)))
        col_box = w.column_rectangle(0)
        n_box = SurroundingRectangle(n.get_entry(0), color=colors.HIGHLIGHT, buff=0.06)
        reading = style.math(rf"{format_fixed(tr.post[0], 1)} \times \text{{column }}0", size=style.LABEL)
        reading.next_to(picture, DOWN, buff=0.5)
        with self.beat(self.said["columns"]) as beat:
            self.play(FadeOut(self.left), run_time=0.5)
            self.play(FadeIn(picture), run_time=0.8)
            beat.wait_until("active")
            self.play(Create(n_box), Create(col_box), run_time=0.7)
            self.play(Write(reading), out.get_entries().animate.set_color(colors.ATTRIBUTE), run_time=0.8)
        self.left = VGroup(picture, col_box, n_box, reading)

    def hand_built(self) -> None:
        f = self.fact
        trained = self.trained
        y_max = max(float(np.max(self.hand)), float(np.max(trained.contributions)))
        panels = VGroup()
        for title, values in (("built by hand", self.hand), ("trained", trained.contributions)):
            chart = _contribution_chart(values, width=5.2, height=2.6, y_max=y_max)
            head = style.text(title, size=style.LABEL)
            axis = style.text(f"{format_int(len(values))} neurons", size=style.CAPTION, color=colors.TEXT_DIM)
            top = int(np.argmax(values))
            share = style.text(format_percent(values[top] / values.sum(), 0), size=style.CAPTION)
            share.next_to(chart.bars[top], UP, buff=0.1)
            panel = VGroup(head, chart, axis, share)
            head.move_to(chart.baseline.get_center() + UP * 3.1)
            axis.next_to(chart.baseline, DOWN, buff=0.75)
            panel.chart, panel.head, panel.axis, panel.share = chart, head, axis, share  # type: ignore[attr-defined]
            panels.add(panel)
        panels.arrange(RIGHT, buff=1.0, aligned_edge=DOWN).move_to([0, -0.1, 0])
        legend = VGroup(style.text("adds along", size=style.CAPTION, color=colors.TEXT_DIM),
                        style.text(f.attribute, size=style.CAPTION, color=colors.ATTRIBUTE)).arrange(RIGHT, buff=0.15)
        legend.to_edge(UP, buff=0.5)
        hand, learned = panels
        with self.beat(self.said["hand"]) as beat:
            self.play(FadeOut(self.left), run_time=0.5)
            self.play(FadeIn(legend), FadeIn(hand.head), Create(hand.chart.baseline), FadeIn(hand.axis), run_time=0.8)
            beat.wait_until("we built")
            self.play(LaggedStart(*(GrowFromEdge(b, DOWN) for b in hand.chart.bars), lag_ratio=0.01), run_time=1.0)
            self.play(FadeIn(hand.share), run_time=0.4)
        with self.beat(self.said["trained"]) as beat:
            self.play(FadeIn(learned.head), Create(learned.chart.baseline), FadeIn(learned.axis), run_time=0.8)
            beat.wait_until("but")
            self.play(LaggedStart(*(GrowFromEdge(b, DOWN if v >= 0 else UP)
                                    for b, v in zip(learned.chart.bars, trained.contributions)), lag_ratio=0.02),
                      run_time=beat.fit(0.5, at_least=1.2))
            self.play(FadeIn(learned.share), run_time=0.4)
        self.left = VGroup(legend, panels)

    def shared_neurons(self) -> None:
        ex = self.spread
        values = ex.directions.T  # rows: neurons, columns: features
        cell, gap = 0.3, 0.05
        scale = float(np.max(np.abs(values)))
        grid = VGroup()
        for i in range(ex.n_neurons):
            for j in range(ex.n_features):
                v = values[i, j]
                reached = bool(ex.reach[j, i])
                sq = Rectangle(width=cell, height=cell, stroke_width=1, stroke_color=colors.NEURON_INACTIVE,
                               fill_color=colors.weight_color(v, scale) if reached else colors.BACKGROUND,
                               fill_opacity=1)
                grid.add(sq)
        grid.arrange_in_grid(rows=ex.n_neurons, cols=ex.n_features, buff=gap)
        if grid.width > style.SAFE_FRAME.width - 2.6:
            grid.scale_to_fit_width(style.SAFE_FRAME.width - 2.6)
        grid.move_to([0.3, 0.15, 0])
        rows_label = style.text(f"{ex.n_neurons} neurons", size=style.CAPTION, color=colors.NEURON_ACTIVE)
        rows_label.rotate(np.pi / 2).next_to(grid, LEFT, buff=0.25)
        cols_label = style.text(f"{ex.n_features} features", size=style.CAPTION).next_to(grid, UP, buff=0.2)
        per_neuron = VGroup(*(
            style.text(f"{int(c)}/{ex.n_features}", size=style.CAPTION, color=colors.TEXT_DIM)
            .next_to(grid[i * ex.n_features + ex.n_features - 1], RIGHT, buff=0.2)
            for i, c in enumerate(ex.features_per_neuron)))
        everywhere = [j for j in range(ex.n_features) if ex.neurons_per_feature[j] == ex.n_neurons]
        marks = VGroup(*(
            Rectangle(width=grid[0].width + 0.04, height=grid.height + 0.12, stroke_width=2,
                      stroke_color=colors.HIGHLIGHT).move_to([grid[j].get_x(), grid.get_y(), 0])
            for j in everywhere))
        summary = style.math(rf"{ex.reaching_every_neuron} \text{{ of }} {ex.n_features}"
                             rf"\text{{ features reach all }} {ex.n_neurons}", size=style.LABEL, color=colors.HIGHLIGHT)
        summary.next_to(grid, DOWN, buff=0.45)
        with self.beat(self.said["spread"]) as beat:
            self.play(FadeOut(self.left), run_time=0.5)
            self.play(FadeIn(rows_label), FadeIn(cols_label), run_time=0.6)
            beat.wait_until("a cell")
            self.play(LaggedStart(*(FadeIn(sq) for sq in grid), lag_ratio=0.004), run_time=beat.fit(0.8, at_least=1.5))
        with self.beat(self.said["counts"]) as beat:
            self.play(LaggedStart(*(Create(m) for m in marks), lag_ratio=0.05), FadeIn(summary), run_time=1.2)
            beat.wait_until("each neuron")
            self.play(FadeIn(per_neuron), run_time=0.8)
        self.grid, self.grid_labels = grid, VGroup(rows_label, cols_label, per_neuron, marks, summary)

    def superposition_next(self) -> None:
        ex = self.spread
        term = style.text("superposition", size=style.TITLE, color=colors.HIGHLIGHT)
        sizes = style.math(rf"{ex.n_features} \text{{ features}} > {ex.n_neurons} \text{{ neurons}}",
                           size=style.LABEL)
        with self.beat(self.said["next"]) as beat:
            target = self.grid.copy().scale(0.6)
            VGroup(term, sizes, target).arrange(DOWN, buff=0.5).move_to(ORIGIN)
            self.play(FadeOut(self.grid_labels), self.grid.animate.scale(0.6).move_to(target), run_time=0.8)
            beat.wait_until("superposition")
            self.play(Write(term), run_time=1.0)
            self.play(FadeIn(sizes), run_time=0.6)
