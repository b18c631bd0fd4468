"""Scene 5: the up projection W↑ E, read row by row.

Each row of W↑ is a direction of the embedding space, so each entry of W↑ E is one dot product. Row 0 of
the toy block is the first-name direction plus the last-name direction; its dot product with the vector
of the full name counts up, term by term, to 2, and only to 1 (or less) when one of the names is missing.
The other rows ask their own questions. At the end, the real size: GPT-3's W↑ has d_mlp rows of d_model
numbers each (from :func:`llmfacts.compute.gpt3.count_parameters`).

Render::

    .venv/bin/manim render -ql scenes/up_projection.py UpProjection
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Brace,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    MathTex,
    Rectangle,
    SurroundingRectangle,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import count_parameters
from llmfacts.formatting import format_fixed, format_int
from llmfacts.mobjects import EmbeddingVector, RowDotProduct, WeightMatrix, keep_inside
from scenes._mlp_common import SMALL, MlpFactScene

__all__ = ["UpProjection"]


class UpProjection(MlpFactScene):
    """W↑ times E, one row (one dot product) at a time; then GPT-3's real W↑.

    Parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene` for the shared ones):

    * ``first_name``, ``last_name``, ``attribute`` - the fact (Michael, Jordan, basketball);
    * ``d_model`` (12), ``hidden_factor`` (4), ``up_bias`` (-1), ``seed`` (0), ``overlap`` (0) - the toy block;
    * ``shown_rows``, ``shown_cols`` (6, 6) - cells shown per matrix axis, ellipsis included;
    * ``decimals`` (2) - digits shown;
    * ``pairs`` - the name pairs compared with the full name (``None``: picked from the toy model);
    * ``time_per_term`` (1.2) - seconds per term of the running sum;
    * ``labelled_rows`` (3) - how many rows get their question written beside them.
    """

    summary = "W_up times E read row by row as dot products, with running sums"
    steps = ("show_product", "rows_are_directions", "dot_product", "why_two", "other_rows", "real_size")

    time_per_term: float = 1.2
    labelled_rows: int = 3
    product_y: float = 1.3  # height of the matrix product on screen

    def prepare(self) -> None:
        super().prepare()
        mlp, fact = self.mlp, self.fact
        self.row0_is_names = bool(np.allclose(mlp.W_up[0], mlp.token_vector(fact.first_name, fact.last_name)))
        self.readout_first = self.trace.readout_in[fact.first_name]
        self.readout_last = self.trace.readout_in[fact.last_name]
        self.gpt3 = count_parameters()

    # -- beats ----------------------------------------------------------------------------------------------
    def show_product(self) -> None:
        mlp, trace = self.mlp, self.trace
        self.say(f"The first step multiplies the vector E, here the full name {self.fact.full_name}, "
                 "by a big matrix of learned weights called W-up.")
        self.matrix = WeightMatrix(mlp.W_up, max_rows=self.shown_rows, max_cols=self.shown_cols,
                                   decimals=self.decimals)
        self.w_label = MathTex(r"W_{\uparrow}", font_size=44, color=colors.MLP)
        self.w_label.next_to(self.matrix, LEFT, buff=0.2)
        self.vector = EmbeddingVector(trace.x, max_rows=self.shown_cols, decimals=self.decimals)
        self.vector.next_to(self.matrix, RIGHT, buff=0.3)
        self.equals = MathTex("=", font_size=44).next_to(self.vector, RIGHT, buff=0.3)
        self.output = EmbeddingVector(trace.up, max_rows=self.shown_rows, decimals=self.decimals)
        self.output.next_to(self.equals, RIGHT, buff=0.3)
        self._align_rows(self.output)
        self.output.get_entries().set_opacity(0)
        product = VGroup(self.w_label, self.matrix, self.vector, self.equals, self.output)
        product.shift(RIGHT * (-6.85 - product.get_left()[0]) + UP * (self.product_y - self.matrix.get_center()[1]))

        self.shape_label = self.text(f"{mlp.d_hidden} rows × {mlp.d_model} columns", SMALL, colors.TEXT_DIM)
        self.shape_label.next_to(self.matrix, DOWN, buff=0.25)
        self.e_label = MathTex("E", font_size=44, color=colors.DATA).next_to(self.vector, UP, buff=0.25)
        self.e_name = self.full_name(self.fact.first_name, self.fact.last_name, SMALL)
        self.e_name.next_to(self.vector, DOWN, buff=0.25)
        self.play(FadeIn(self.matrix), Write(self.w_label), run_time=1.5)
        self.play(FadeIn(self.vector), Write(self.e_label), FadeIn(self.e_name), run_time=1.2)
        self.play(FadeIn(self.shape_label), Write(self.equals), FadeIn(self.output), run_time=1.0)
        self.finish()

    def rows_are_directions(self) -> None:
        self.say(f"Read the matrix one row at a time. Each row is a list of {self.mlp.d_model} numbers, just like "
                 "E: a direction in the same space.")
        self.row_rect = self.matrix.row_rectangle(0)
        if self.row0_is_names:
            label = self.markup(("row 0", colors.HIGHLIGHT), " = ", (self.fact.first_name, "name"), " + ", (self.fact.last_name, "name"),
                                font_size=SMALL)
        else:
            label = self.text("row 0", SMALL)
        label.next_to(self.matrix, UP, buff=0.25).align_to(self.matrix, LEFT)
        self.row_label = label
        self.play(Create(self.row_rect), run_time=0.8)
        self.play(FadeIn(label, shift=DOWN * 0.2), run_time=0.8)
        self.finish()

    def dot_product(self) -> None:
        self.say("Row 0 times E is a dot product: multiply matching entries and add them up. "
                 "Watch the running sum.")
        self.play(FadeOut(self.row_rect), run_time=0.3)
        row0 = self.trace.row_products[0]
        sums = self.trace.partial_sums[0]
        self.dot = RowDotProduct(self.matrix, self.vector, 0, products=row0, partial_sums=sums,
                                 result_target=self.output.get_entry(0), decimals=self.decimals, font_size=36)
        self.play(self.dot.highlight())
        self.play(self.dot.accumulate(time_per_term=self.time_per_term))
        entry = self.output.get_entry(0)
        self.play(FadeOut(self.dot.result), entry.animate.set_opacity(1), self.dot.clear())
        self.play(Indicate(entry, color=colors.HIGHLIGHT), run_time=0.8)
        self.finish()

    def why_two(self) -> None:
        f = self.fact
        self.say(f"Why {self.num(self.trace.up[0])}? The row is {f.first_name} plus {f.last_name}, so the dot "
                 f"product splits in two: one for each name. A vector with only one of the names scores less.")
        m, j = self.symbols(f.first_name, f.last_name)
        split = MathTex("(", m, "+", j, r")\cdot E", "=", m, r"\cdot E", "+", j, r"\cdot E", font_size=34)
        for k in (1, 6):
            split[k].set_color(self.concept_color(f.first_name))
        for k in (3, 9):
            split[k].set_color(self.concept_color(f.last_name))
        values = MathTex("=", self.tex_num(self.readout_first), "+", self.tex_num(self.readout_last), "=",
                         self.tex_num(self.trace.up[0]), font_size=34)
        panel = VGroup(split, values).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        values.shift(RIGHT * (split[5].get_center()[0] - values[0].get_center()[0]))
        panel.next_to(self.shape_label, DOWN, buff=0.6).align_to(self.matrix, LEFT)
        self.play(Write(split), run_time=1.5)
        self.play(FadeIn(values, shift=DOWN * 0.2), run_time=1.0)

        header = self.text("row 0 · E for the vector of", SMALL, colors.TEXT_DIM)
        lines = VGroup()
        for row in self.gate_rows:
            name = self.full_name(row.first, row.last, SMALL)
            value = self.text(self.num(row.dot), SMALL, colors.TEXT)
            lines.add(VGroup(name, value))
        name_w = max(l[0].width for l in lines)
        for line in lines:
            line[1].next_to(line[0], RIGHT, buff=0.3 + name_w - line[0].width)
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        for line in lines:  # right-align the numbers, on the names' cap height
            line[1].align_to(lines[0][1], RIGHT).align_to(line[0], UP)
        table = VGroup(header, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        table.move_to([3.4, 0, 0]).align_to(panel, UP)
        self.why_panel = VGroup(panel, table)
        self.play(FadeIn(header), run_time=0.6)
        self.play(LaggedStart(*(FadeIn(l, shift=RIGHT * 0.2) for l in lines), lag_ratio=0.5), run_time=2.5)
        self.play(Indicate(lines[0][1], color=colors.HIGHLIGHT), run_time=0.8)
        self.finish(1.5)

    def other_rows(self) -> None:
        f = self.fact
        partial = [i for i, other in enumerate(self.mlp.facts)
                   if i in self.output.shown_rows and i > 0
                   and (other.first_name == f.first_name) != (other.last_name == f.last_name)]
        echo = ""
        if partial:
            names = " and ".join(self.mlp.facts[i].full_name for i in partial)
            values = sorted({self.num(self.trace.up[i]) for i in partial})
            echo = (f" The rows that ask about {names} answer {' and '.join(values)}: "
                    f"one of their two names matches.")
        self.say("Every other row asks a question of its own, all at the same time: one number per row, one "
                 "answer per question." + echo)
        self.play(FadeOut(self.why_panel), FadeOut(self.row_label), run_time=0.6)
        others = [i for i in self.output.shown_rows if i != 0]
        self.play(LaggedStart(*(self.output.get_entry(i).animate.set_opacity(1) for i in others), lag_ratio=0.3),
                  run_time=1.5)
        labels = VGroup()
        for i in self.output.shown_rows[: self.labelled_rows]:
            meaning = self.mlp.neuron_meaning(i)
            if meaning is not None:
                fact = self.mlp.facts[i]
                label = self.markup((fact.first_name, "name"), " + ", (fact.last_name, "name"), "?", font_size=SMALL)
            else:
                label = self.text("another question", SMALL, colors.TEXT_DIM)
            label.next_to(self.output, RIGHT, buff=0.35)
            label.set_y(self.output.get_entry(i).get_center()[1])
            keep_inside(label)
            labels.add(label)
        rest = self.text("other questions", SMALL, colors.TEXT_DIM).next_to(self.output, RIGHT, buff=0.35)
        rest.set_y(self.output.get_entry(self.output.shown_rows[-1]).get_center()[1])
        labels.add(rest)
        self.row_questions = labels
        self.play(LaggedStart(*(FadeIn(l, shift=LEFT * 0.2) for l in labels), lag_ratio=0.4), run_time=2.5)
        self.finish(1.5)

    def real_size(self) -> None:
        hp, tally = self.gpt3.hp, self.gpt3
        rows, cols = tally.matrix_shapes["up"]
        ratio = rows // cols if rows % cols == 0 else rows / cols
        self.say(f"And in GPT-3? Its W-up has {format_int(rows)} rows, {ratio} times its {format_int(cols)} "
                 f"dimensions: {format_int(tally.up_matrix)} weights in this one matrix.")
        self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
        height = 6.2
        box = Rectangle(width=height * cols / rows, height=height, stroke_color=colors.MLP, stroke_width=3)
        box.set_fill(colors.MLP, opacity=0.2)
        box.move_to([-3.6, -0.25, 0])
        left = Brace(box, LEFT, buff=0.1)
        left_text = self.text(f"{format_int(rows)} rows", SMALL).next_to(left, LEFT, buff=0.1)
        top = Brace(box, UP, buff=0.1)
        top_text = self.text(f"{format_int(cols)} columns", SMALL).next_to(top, UP, buff=0.1)
        name = MathTex(r"W_{\uparrow}", font_size=44, color=colors.MLP).move_to(box)
        self.play(Create(box), FadeIn(name), run_time=1.2)
        self.play(FadeIn(left), FadeIn(left_text), FadeIn(top), FadeIn(top_text), run_time=1.0)

        lines = VGroup(
            self.text(f"GPT-3: {format_int(rows)} × {format_int(cols)}", 28),
            self.text(f"= {format_int(tally.up_matrix)} weights", 28, colors.MLP),
            self.text(f"{format_int(rows)} = {ratio} × {format_int(hp.d_model)}", SMALL, colors.TEXT_DIM),
            self.text(f"(our toy W↑: {self.mlp.d_hidden} × {self.mlp.d_model} "
                      f"= {format_int(self.mlp.W_up.size)} weights)", SMALL, colors.TEXT_DIM),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        lines.move_to([2.6, 0.2, 0])
        self.play(LaggedStart(*(FadeIn(l, shift=UP * 0.2) for l in lines), lag_ratio=0.6), run_time=3.0)
        self.finish(2.0)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _align_rows(self, vector: EmbeddingVector) -> None:
        """Move ``vector`` vertically so that its rows line up with the matrix rows."""
        vector.shift(UP * (self.matrix.elements.get_center()[1] - vector.elements.get_center()[1]))

    @staticmethod
    def symbols(first: str, last: str) -> tuple[str, str]:
        """Short symbols of the two names for formulas: initials (``M``, ``J``), or first two letters when
        the initials coincide."""
        if first[0].upper() != last[0].upper():
            return first[0].upper(), last[0].upper()
        return rf"\text{{{first[:2]}}}", rf"\text{{{last[:2]}}}"

    def tex_num(self, value: float) -> str:
        """:meth:`num` for MathTex, with a plain ``-`` (LaTeX draws its own minus)."""
        return format_fixed(value, self.decimals)
