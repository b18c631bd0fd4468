"""Scene 6: the bias b↑ is added to W↑ E; with -1 in row 0, that entry is positive only for the full name.

Every number comes from the toy block (:mod:`llmfacts.compute.toy_mlp`): the vector W↑ E of the full name,
the bias vector b↑, their sum, and neuron 0's value for the full name and for name pairs that share only
one name with it (:func:`~llmfacts.compute.toy_mlp.and_gate_table`).

Render::

    .venv/bin/manim render -ql scenes/bias.py BiasShift
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
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
from llmfacts.mobjects import EmbeddingVector, fit_width, grid_table
from scenes._mlp_common import MEDIUM, SMALL, MlpFactScene

__all__ = ["BiasShift"]


class BiasShift(MlpFactScene):
    """Add the bias b↑: row 0 drops by one, so only the full name leaves it positive.

    Parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene`):

    * ``first_name``, ``last_name``, ``attribute`` - the fact (Michael, Jordan, basketball);
    * ``d_model`` (12), ``hidden_factor`` (4), ``up_bias`` (-1: the bias of row 0), ``seed``, ``overlap``;
    * ``shown_rows`` (6) - entries shown per vector, ellipsis included; ``decimals`` (2);
    * ``pairs`` - the name pairs compared with the full name (``None``: picked from the toy model).
    """

    summary = "The bias -1: only the full name stays positive"
    steps = ("recap", "add_bias", "three_cases", "only_full_name")

    def prepare(self) -> None:
        super().prepare()
        self.b0 = float(self.mlp.b_up[0])

    def recap(self) -> None:
        self.say(f"W-up gave one number per row. For {self.fact.full_name}, row 0, the one that asks about "
                 f"both names, reads {self.num(self.trace.up[0])}.")
        opts = dict(max_rows=self.shown_rows, decimals=self.decimals)
        self.up_vec = EmbeddingVector(self.trace.up, **opts)
        self.plus = MathTex("+", font_size=44)
        self.bias_vec = EmbeddingVector(self.mlp.b_up, color=colors.BIAS, **opts)
        self.equals = MathTex("=", font_size=44)
        self.pre_vec = EmbeddingVector(self.trace.up, **opts)  # counts to up + b_up below
        group = VGroup(self.up_vec, self.plus, self.bias_vec, self.equals, self.pre_vec).arrange(RIGHT, buff=0.25)
        self.up_label = MathTex(r"W_{\uparrow}E", font_size=40).next_to(self.up_vec, UP, buff=0.3)
        self.up_label[0][0].set_color(colors.MLP)
        self.bias_label = MathTex(r"b_{\uparrow}", font_size=40, color=colors.BIAS).next_to(self.bias_vec, UP, buff=0.3)
        self.pre_label = MathTex(r"W_{\uparrow}E + b_{\uparrow}", font_size=40).next_to(self.pre_vec, UP, buff=0.3)
        self.pre_label[0][0].set_color(colors.MLP)
        self.pre_label[0][4:].set_color(colors.BIAS)
        self.name = self.full_name(self.fact.first_name, self.fact.last_name, SMALL)
        self.name.next_to(self.up_vec, DOWN, buff=0.3)
        everything = VGroup(group, self.up_label, self.bias_label, self.pre_label, self.name)
        everything.move_to([0, 0.2, 0]).to_edge(LEFT, buff=0.35)
        self.row0_rect = self.up_vec.entry_rectangle(0)
        self.play(FadeIn(self.up_vec), Write(self.up_label), FadeIn(self.name), run_time=1.2)
        self.play(Create(self.row0_rect), run_time=0.6)
        self.finish()

    def add_bias(self) -> None:
        self.say(f"Next the block adds a bias: one more learned number per row. Suppose row 0's bias is "
                 f"{self.num(self.b0)}.")
        self.play(FadeOut(self.row0_rect), Write(self.plus), FadeIn(self.bias_vec), Write(self.bias_label),
                  run_time=1.2)
        self.bias_rect = self.bias_vec.entry_rectangle(0, color=colors.BIAS)
        self.play(Create(self.bias_rect), Indicate(self.bias_vec.get_entry(0), color=colors.BIAS), run_time=1.0)
        self.play(Write(self.equals), FadeIn(self.pre_vec), Write(self.pre_label), run_time=1.0)
        pre = self.trace.pre_activation
        self.play(*self.pre_vec.change_values_animations(pre), run_time=1.5)
        self.pre_rect = self.pre_vec.entry_rectangle(0)
        self.play(FadeOut(self.bias_rect), Create(self.pre_rect), run_time=0.6)
        self.finish()

    def three_cases(self) -> None:
        rows, f = self.gate_rows, self.fact
        text = (f"Now compare names. {f.full_name} scores {self.num(rows[0].dot)}; with the bias, "
                f"{self.num(rows[0].pre)}.")
        half = next((r for r in rows if (r.first == f.first_name) != (r.last == f.last_name)), None)
        if half is not None:
            text += (f" A vector with only one of the names scores {self.num(half.dot)}; with the bias, "
                     f"{self.num(half.pre)}.")
        self.say(text)
        header = [self.text("vector of", MEDIUM, colors.TEXT_DIM),
                  MathTex(r"\text{row 0}\cdot E", font_size=30, color=colors.TEXT_DIM),
                  MathTex(r"+\,b_{\uparrow}", font_size=30, color=colors.BIAS),
                  MathTex("=", font_size=30, color=colors.TEXT_DIM)]
        body = []
        for row in rows:
            body.append([self.full_name(row.first, row.last, MEDIUM),
                         self.text(self.num(row.dot), MEDIUM),
                         self.text(self.num(self.b0), MEDIUM, colors.BIAS),
                         self.text(self.num(row.pre), MEDIUM, colors.HIGHLIGHT if row.pre > 0 else colors.TEXT)])
        table = grid_table([header, *body], col_buff=0.4, row_buff=0.28)
        fit_width(table, 6.75 - (self.pre_vec.get_right()[0] + 0.45))
        table.move_to([0, 0.5, 0]).to_edge(RIGHT, buff=0.35)
        self.table = table
        self.play(FadeIn(table[0]), run_time=0.8)
        for line in table[1:]:
            self.play(FadeIn(line[0], shift=RIGHT * 0.2), FadeIn(line[1]), run_time=0.6)
            self.play(FadeIn(line[2], shift=LEFT * 0.2), run_time=0.4)
            self.play(FadeIn(line[3], shift=LEFT * 0.2), run_time=0.5)
        self.finish(1.5)

    def only_full_name(self) -> None:
        n_pos = sum(r.pre > 0 for r in self.gate_rows)
        self.say("So row 0 is positive only for the full name; with one name or none it sits at zero or below. "
                 "The other rows have biases of their own.")
        positive = [line for line, row in zip(self.table[1:], self.gate_rows) if row.pre > 0]
        boxes = VGroup(*(SurroundingRectangle(line, color=colors.HIGHLIGHT, buff=0.08) for line in positive))
        caption = self.markup(("positive", colors.HIGHLIGHT), f" only for {n_pos} of {len(self.gate_rows)}",
                              font_size=MEDIUM)
        caption.next_to(self.table, DOWN, buff=0.45)
        self.play(Create(boxes), FadeIn(caption), run_time=1.0)
        others = [i for i in self.bias_vec.shown_rows if i != 0]
        self.play(LaggedStart(*(Indicate(self.bias_vec.get_entry(i), color=colors.BIAS) for i in others),
                              lag_ratio=0.2), run_time=2.0)
        self.finish(1.5)
