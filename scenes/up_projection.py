"""Scene 5: the up projection W↑ E, read row by row as dot products.

Each row of W↑ is a direction of the embedding space, so each entry of W↑ E is one dot product: the row's
entries times E's, added up. Everything comes from the lecture's toy block (:mod:`llmfacts.compute.toy_mlp`):

* row 0 is the first-name direction plus the last-name direction (checked, not assumed); its products with
  E (``trace.row_products[0]``) add up to ``trace.up[0]`` (2 for perpendicular names), and the split
  ``(first + last) · E = first · E + last · E`` uses E's readouts of the two names;
* the lecture's contrast pairs (``lecture.gate_table()``) show what row 0 gives with one name or none;
* the other rows shown are swept one by one, each with its own terms and sum: the other facts' rows (one
  name shared) and the toy's random rows;
* last, the real size: the lecture's transformer's W↑ (:func:`llmfacts.compute.gpt3.count_parameters`, via
  ``lecture.parameter_tally()``) drawn to scale as W↑ times E.

Every sentence is built from these values and branched on them.

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
    Brace,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Transform,
    VGroup,
    Write,
)

import llmfacts.style as style
from llmfacts import colors
from llmfacts.compute.lecture import Lecture
from llmfacts.compute.mlp_story import gate_groups
from llmfacts.formatting import format_fixed, format_int, tex_int
from llmfacts.mobjects import EmbeddingVector, RowDotProduct, WeightMatrix
from llmfacts.mobjects.weight_matrix import shown_indices
from llmfacts.story import Float, Int
from scenes._mlp_common import MlpFactScene

__all__ = ["UpProjection"]

#: Font size of the numbers in the matrix and the vectors (the smallest the design allows, rounded up).
NUMBER_SIZE = 34
#: Gap between the row labels (left) and the matrix, and between the pieces of the product.
LABEL_GAP, PIECE_GAP = 0.25, 0.25
#: Height of the matrix's centre in the opening frame; top of the product once it has moved up.
OPEN_Y, WORK_TOP = 0.1, 3.45
#: Gap between the product (moved up) and the line of terms under it.
TERMS_GAP = 0.5


def _num(value: float, decimals: int = 2) -> str:
    return format_fixed(value, decimals, true_minus=True)


def _tex(value: float, decimals: int = 2) -> str:
    """A number for LaTeX (plain ``-``: LaTeX draws its own minus)."""
    return format_fixed(value, decimals)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _values_phrase(values: list[float], decimals: int) -> str:
    """``"1.00"`` when the values read the same at ``decimals``, else ``"from 0.90 to 1.10"``."""
    if len({_num(v, decimals) for v in values}) == 1:
        return _num(values[0], decimals)
    return f"from {_num(min(values), decimals)} to {_num(max(values), decimals)}"


def _times(rows: int, cols: int) -> str:
    """``"4 times"`` when ``rows`` is a whole multiple of ``cols``, else ``"1.33 times"``."""
    return f"{rows // cols} times" if rows % cols == 0 else f"{rows / cols:.2f} times"


class UpProjection(MlpFactScene):
    """W↑ times E, one row (one dot product) at a time; then the real W↑ of the lecture's transformer.

    Layout parameters (class attributes; the fact and the toy block come from the lecture):

    * ``shown_rows`` (6), ``shown_cols`` (5) - cells shown per matrix axis, ellipsis included;
    * ``decimals`` (2) - digits shown;
    * ``time_per_term`` (0.8) - seconds per term of row 0's running sum.
    """

    steps = ("show_product", "rows_are_directions", "dot_product", "why_two", "other_rows", "real_size")

    shown_cols: int = 5
    time_per_term: float = 0.8
    parameter_rules = {**MlpFactScene.parameter_rules, "shown_rows": Int(3, 6), "shown_cols": Int(3, 5),
                       "decimals": Int(1, 2), "time_per_term": Float(0.2, 3.0)}

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        f, mlp = lecture.fact, lecture.toy_mlp()
        up0 = float(lecture.trace().up[0])
        rows, cols = lecture.parameter_tally().matrix_shapes["up"]
        row0 = "row 0" if not _row0_is_names(lecture) else f"row 0 ({f.first_name} + {f.last_name})"
        return (f"W↑ E as {mlp.d_hidden} dot products, one per row: {row0} gives {_num(up0)} for {f.full_name}; "
                f"then {lecture.transformer.name}'s W↑, {format_int(rows)} × {format_int(cols)}")

    # -- numbers and sentences -------------------------------------------------------------------------------
    def prepare(self) -> None:
        super().prepare()
        f = self.fact
        self.row0_is_names = _row0_is_names(self.lecture)
        self.readout_first = float(self.trace.readout_in[f.first_name])
        self.readout_last = float(self.trace.readout_in[f.last_name])
        self.groups = self.lecture.cached(gate_groups)
        self.tally = self.lecture.parameter_tally()
        self.rows_shown = shown_indices(self.mlp.d_hidden, self.shown_rows)[0]
        n_facts = len(self.mlp.facts)
        self.fact_rows = [i for i in self.rows_shown if 0 < i < n_facts]
        self.random_rows = [i for i in self.rows_shown if i >= n_facts]
        self.lines = self.narration()

    def shared(self, i: int) -> int:
        """How many of the lecture's two names fact row ``i`` asks about."""
        fact, other = self.fact, self.mlp.facts[i]
        return int(other.first_name == fact.first_name) + int(other.last_name == fact.last_name)

    def narration(self) -> dict[str, str]:
        """The sentence of every step, built from the computed values."""
        f, mlp, d = self.fact, self.mlp, self.decimals
        show = (f"The block's first step multiplies E, the vector of {f.full_name}, by a matrix of learned "
                f"weights called W↑. Here it has {mlp.d_hidden} rows of {mlp.d_model} numbers.")
        rows = (f"Read it one row at a time. Each row is a list of {mlp.d_model} numbers, just like E, so each "
                "row is a direction in the same space. ")
        if self.row0_is_names:
            rows += f"Row 0 is exactly the direction of {f.first_name} plus the direction of {f.last_name}."
        else:
            rows += f"Row 0 is not simply {f.first_name} plus {f.last_name} here."
        dot = (f"Row 0 times E is a dot product: multiply the matching entries, then add up all {mlp.d_model} "
               f"products. For {f.full_name} the sum comes to {_num(self.trace.up[0], d)}.")
        return {"show_product": show, "rows_are_directions": rows, "dot_product": dot,
                "why_two": self._why_line(), "other_rows": self._other_rows_line(), "real_size": self._size_line()}

    def _why_line(self) -> str:
        f, d, rows = self.fact, self.decimals, self.gate_rows
        full = _num(rows[0].dot, d)
        if self.row0_is_names:
            line = (f"Why {full}? Row 0 is {f.first_name} plus {f.last_name}, so the dot product splits in two: "
                    f"{f.first_name} · E gives {_num(self.readout_first, d)}, and {f.last_name} · E gives "
                    f"{_num(self.readout_last, d)}.")
        else:
            line = f"Row 0 gives {full} for {f.full_name}."
        one, none = self.groups.get(1, ()), self.groups.get(0, ())
        parts = []
        if one:
            parts.append(f"with only one of the names row 0 gives {_values_phrase([r.dot for r in one], d)}")
        if none:
            parts.append(f"with neither, {_values_phrase([r.dot for r in none], d)}")
        if parts:
            joined = ", and ".join(parts)
            line += " " + joined[0].upper() + joined[1:] + "."
        above = [r for r in rows[1:] if r.dot >= rows[0].dot - 1e-9]
        if not above and len(rows) > 1:
            line += f" Only the full name reaches {full}."
        elif above:
            line += f" {_and([f'{r.first} {r.last}' for r in above])} scores as high as the full name."
        return line

    def _other_rows_line(self) -> str:
        f, mlp, d = self.fact, self.mlp, self.decimals
        line = "Every other row asks E a question of its own, all at the same time: one dot product per row."
        if self.fact_rows:
            names = _and([mlp.facts[i].full_name for i in self.fact_rows])
            numbers = _and([str(i) for i in self.fact_rows])
            label = "Row" if len(self.fact_rows) == 1 else "Rows"
            line += f" {label} {numbers} ask about {names}"
            shared = {self.shared(i) for i in self.fact_rows}
            values = [float(self.trace.up[i]) for i in self.fact_rows]
            if shared == {1}:
                each = "it shares" if len(self.fact_rows) == 1 else "each shares"
                line += f"; {each} one name with {f.full_name}, and gives {_values_phrase(values, d)}."
            else:
                line += f", and give {_values_phrase(values, d)}."
        if self.random_rows:
            said = _and([f"row {i} gives {_num(self.trace.up[i], d)}" for i in self.random_rows])
            which = "The rest of this toy's rows" if self.fact_rows else "The other rows of this toy"
            line += f" {which} hold random numbers: {said}."
        return line

    def _size_line(self) -> str:
        t = self.tally
        rows, cols = t.matrix_shapes["up"]
        layers = t.matrices["up"]
        per_layer = f"in each of its {format_int(layers)} layers" if layers != 1 else "in its one layer"
        return (f"And in {t.hp.name}? Its W↑ has {format_int(rows)} rows, {_times(rows, cols)} its "
                f"{format_int(cols)} dimensions: {format_int(t.up_matrix)} weights, and one such matrix "
                f"{per_layer}. Every row is still one dot product with E.")

    # -- pictures --------------------------------------------------------------------------------------------
    def _build_product(self) -> None:
        """W↑ E = (hidden), with their labels; the left column of row labels; placed for the opening."""
        mlp, trace, d = self.mlp, self.trace, self.decimals
        self.matrix = WeightMatrix(mlp.W_up, max_rows=self.shown_rows, max_cols=self.shown_cols, decimals=d,
                                   font_size=NUMBER_SIZE)
        self.vector = EmbeddingVector(trace.x, max_rows=self.shown_cols, decimals=d, font_size=NUMBER_SIZE)
        self.output = EmbeddingVector(trace.up, max_rows=self.shown_rows, decimals=d, font_size=NUMBER_SIZE)
        self.equals = style.math("=", style.BODY)
        row = VGroup(self.matrix, self.vector, self.equals, self.output).arrange(RIGHT, buff=PIECE_GAP)
        self.output.shift(UP * (self.matrix.elements.get_y() - self.output.elements.get_y()))
        self.vector.set_y(self.matrix.get_y())
        self.output.get_entries().set_opacity(0)
        self.w_label = style.math(style.W_UP, style.BODY, colors.MLP)
        self.shape_label = style.math(rf"{mlp.d_hidden} \times {mlp.d_model}", style.CAPTION, colors.TEXT_DIM)
        VGroup(self.w_label, self.shape_label).arrange(RIGHT, buff=0.3).next_to(self.matrix, DOWN, buff=0.25)
        self.e_label = style.math(style.VEC, style.BODY, colors.DATA).next_to(self.vector, UP, buff=0.2)
        self.e_name = self.full_name(self.fact.first_name, self.fact.last_name, style.CAPTION)
        self.e_name.next_to(self.vector, DOWN, buff=0.25)
        self.out_label = style.math(style.W_UP + style.VEC, style.BODY).next_to(self.output, UP, buff=0.2)
        self.out_label[0][:2].set_color(colors.MLP)
        self.product = VGroup(row, self.w_label, self.shape_label, self.e_label, self.e_name, self.out_label)
        self.row_labels = {i: self._row_label(i) for i in self.rows_shown}
        column = max(label.width for label in self.row_labels.values())
        if column + LABEL_GAP + self.product.width > style.SAFE_FRAME.width - 0.2:  # long names: initials
            self.row_labels = {i: self._row_label(i, short=True) for i in self.rows_shown}
            column = max(label.width for label in self.row_labels.values())
        # the opening: the product alone, centred; at work: the row labels' column on its left, all centred
        self.product.shift(LEFT * self.product.get_x() + UP * (OPEN_Y - self.matrix.get_y()))
        work_left = -(column + LABEL_GAP + self.product.width) / 2 + column + LABEL_GAP
        self.work_shift = np.array([work_left - self.product.get_left()[0], WORK_TOP - self.product.get_top()[1], 0.0])
        self.terms_y = self.product.get_bottom()[1] + self.work_shift[1] - TERMS_GAP

    def _row_label(self, i: int, short: bool = False):
        """What row ``i`` asks: ``Michael + Jordan`` for a fact's row (``M + J``, each initial in its name's
        colour, when ``short``), ``random`` for the others."""
        if i == 0 and not self.row0_is_names:
            return style.text("row 0", style.CAPTION, colors.TEXT_DIM)
        if i < len(self.mlp.facts):
            first, last = self.mlp.facts[i].first_name, self.mlp.facts[i].last_name
            if short:
                return self.markup((first[0], self.concept_color(first)), " + ", (last[0], self.concept_color(last)),
                                   font_size=style.CAPTION)
            return self.full_name(first, last, style.CAPTION, joiner=" + ")
        return style.text("random", style.CAPTION, colors.TEXT_DIM)

    def _place_row_label(self, i: int):
        label = self.row_labels[i]
        label.next_to(self.matrix, LEFT, buff=LABEL_GAP).set_y(self.matrix.get_row(i).get_y())
        return label

    def _terms(self, i: int):
        """``row i · E = t0 + t1 + ⋯ + tn = sum`` from the trace's products of row ``i`` (the columns shown)."""
        d, products = self.decimals, self.trace.row_products[i]
        shown = self.matrix.shown_cols
        pieces = []
        for k, j in enumerate(shown):
            if self.matrix.cols_truncated and k == len(shown) - 1:
                pieces.append(r"+\cdots")
            negative = _tex(products[j], d).startswith("-")
            sign = "-" if negative else ("+" if k else "")
            pieces.append(sign + _tex(abs(products[j]), d))
        terms = _math(rf"\text{{row {i}}}\cdot {style.VEC} =", " ".join(pieces), "=", _tex(self.trace.up[i], d),
                      size=style.CAPTION)
        terms[-1].set_color(colors.HIGHLIGHT)
        return terms.move_to([0, self.terms_y, 0])

    # -- steps -----------------------------------------------------------------------------------------------
    def show_product(self) -> None:
        self._build_product()
        with self.beat(self.lines["show_product"]) as beat:
            self.play(FadeIn(self.vector), Write(self.e_label), FadeIn(self.e_name), run_time=1.0)
            beat.wait_until("W↑")
            self.play(FadeIn(self.matrix), Write(self.w_label), run_time=1.2)
            beat.wait_until("rows")
            self.play(FadeIn(self.shape_label), Write(self.equals), FadeIn(self.output), Write(self.out_label),
                      run_time=1.0)

    def rows_are_directions(self) -> None:
        with self.beat(self.lines["rows_are_directions"]) as beat:
            self.play(self.product.animate.shift(self.work_shift), run_time=0.8)
            self.row_rect = self.matrix.row_rectangle(0)
            beat.wait_until("one row")
            self.play(Create(self.row_rect), run_time=0.6)
            self.play(Indicate(self.vector, color=colors.HIGHLIGHT, scale_factor=1.05), run_time=0.8)
            beat.wait_until("Row 0 is")
            self.play(FadeIn(self._place_row_label(0), shift=RIGHT * 0.2), run_time=0.8)

    def dot_product(self) -> None:
        trace = self.trace
        self.dot = RowDotProduct(self.matrix, self.vector, 0, products=trace.row_products[0],
                                 partial_sums=trace.partial_sums[0], result_target=self.output.get_entry(0),
                                 scratch_position=[0, self.terms_y, 0], decimals=self.decimals,
                                 font_size=style.math_size(style.LABEL))
        self.terms = self._terms(0)
        entry = self.output.get_entry(0)
        with self.beat(self.lines["dot_product"]) as beat:
            self.play(FadeOut(self.row_rect), self.dot.highlight(), run_time=0.6)
            beat.wait_until("multiply")
            self.play(self.dot.accumulate(time_per_term=self.time_per_term))
            self.play(FadeOut(self.dot.result), entry.animate.set_opacity(1), self.dot.clear(), run_time=0.5)
            beat.wait_until("sum comes")
            self.play(FadeIn(self.terms, shift=UP * 0.2), Indicate(entry, color=colors.HIGHLIGHT), run_time=1.0)

    def _split(self):
        """``(F + L) · E = F · E + L · E = a + b = sum``, each name in its colour."""
        f, d = self.fact, self.decimals
        first, last = _symbols(f.first_name, f.last_name)
        split = _math("(", first, "+", last, r")\cdot " + style.VEC, "=", first, r"\cdot " + style.VEC, "+",
                      last, r"\cdot " + style.VEC, size=style.LABEL)
        for k in (1, 6):
            split[k].set_color(colors.FIRST_NAME)
        for k in (3, 9):
            split[k].set_color(colors.LAST_NAME)
        values = _math("=", _tex(self.readout_first, d), "+", _tex(self.readout_last, d), "=",
                       _tex(self.trace.up[0], d), size=style.LABEL)
        values[-1].set_color(colors.HIGHLIGHT)
        panel = VGroup(split, values).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        values.shift(RIGHT * (split[5].get_x() - values[0].get_x()))
        return panel

    def _pair_table(self):
        header = style.math(r"\text{row 0}\cdot " + style.VEC, style.CAPTION, colors.TEXT_DIM)
        lines = VGroup()
        for row in self.gate_rows:
            name = self.full_name(row.first, row.last, style.CAPTION)
            value = style.math(_tex(row.dot, self.decimals), style.CAPTION)
            lines.add(VGroup(name, value))
        name_w = max(line[0].width for line in lines)
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        for line in lines:
            line[1].move_to([line[0].get_left()[0] + name_w + 0.35, line[0].get_y(), 0], aligned_edge=LEFT)
        for line in lines:
            line[1].align_to(lines[0][1], RIGHT)
        lines[0][1].set_color(colors.HIGHLIGHT)
        header.next_to(lines, UP, buff=0.25).align_to(VGroup(*(line[1] for line in lines)), RIGHT)
        return VGroup(header, lines)

    def why_two(self) -> None:
        panel = self._split() if self.row0_is_names else VGroup()
        table = self._pair_table()
        top = self.terms_y + 0.2
        if self.row0_is_names:
            panel.move_to([0, 0, 0]).align_to([style.SAFE_FRAME.x_min + 0.3, 0, 0], LEFT).set_y(top - panel.height / 2)
        table.align_to([style.SAFE_FRAME.x_max - 0.3, 0, 0], RIGHT).set_y(top - table.height / 2)
        self.why_panel = VGroup(panel, table)
        with self.beat(self.lines["why_two"]) as beat:
            self.play(FadeOut(self.terms), run_time=0.4)
            if self.row0_is_names:
                self.play(Write(panel[0]), run_time=1.2)
                beat.wait_until("gives")
                self.play(FadeIn(panel[1], shift=DOWN * 0.2), run_time=1.0)
            if len(self.gate_rows) > 1:
                beat.wait_until("with only one" if self.groups.get(1) else "with neither")
            self.play(FadeIn(table[0]), LaggedStart(*(FadeIn(line, shift=LEFT * 0.2) for line in table[1]),
                                                     lag_ratio=0.4), run_time=beat.fit(0.5, 1.5))

    def other_rows(self) -> None:
        others = [i for i in self.rows_shown if i != 0]
        per = 1.1
        with self.beat(self.lines["other_rows"]) as beat:
            self.play(FadeOut(self.why_panel), run_time=0.5)
            rect = self.matrix.row_rectangle(0)
            self.play(Create(rect), FadeIn(self.terms), run_time=0.4)
            for k, i in enumerate(others):
                if k == 0 and self.fact_rows:
                    beat.wait_until("Row" if len(self.fact_rows) == 1 else "Rows")
                elif i in self.random_rows and i == self.random_rows[0]:
                    beat.wait_until("hold random")
                new_terms = self._terms(i)
                self.play(Transform(rect, self.matrix.row_rectangle(i)),
                          ReplacementTransform(self.terms, new_terms),
                          FadeIn(self._place_row_label(i), shift=RIGHT * 0.2), run_time=per * 0.55)
                self.terms = new_terms
                entry = self.output.get_entry(i).set_opacity(1)
                self.play(FadeIn(entry, scale=1.5), run_time=per * 0.45)
            self.play(FadeOut(rect), run_time=0.4)

    def _real_product(self):
        """The transformer's W↑ times E to scale: W↑ (its rows and columns), E (as many entries as W↑ has
        columns) and W↑E (as many as W↑ has rows), row 0 and its one number lit."""
        rows, cols = self.tally.matrix_shapes["up"]
        height = 5.4
        unit = height / rows
        width = max(0.2, cols * unit)
        box = Rectangle(width=width, height=height, stroke_color=colors.MLP, stroke_width=3, fill_color=colors.MLP,
                        fill_opacity=0.25)
        name = style.math(style.W_UP, style.LABEL)
        e_bar = Rectangle(width=0.3, height=max(0.2, cols * unit), stroke_color=colors.DATA, stroke_width=2,
                          fill_color=colors.DATA, fill_opacity=0.25)
        equals = style.math("=", style.LABEL)
        out_bar = Rectangle(width=0.3, height=height, stroke_color=colors.TEXT, stroke_width=2, fill_color=colors.TEXT,
                            fill_opacity=0.15)
        VGroup(box, e_bar, equals, out_bar).arrange(RIGHT, buff=0.3, aligned_edge=UP)
        equals.set_y(box.get_y())
        name.move_to(box)
        e_label = style.math(style.VEC, style.LABEL, colors.DATA).next_to(e_bar, DOWN, buff=0.15)
        out_label = style.math(style.W_UP + style.VEC, style.LABEL).next_to(out_bar, RIGHT, buff=0.15)
        out_label[0][:2].set_color(colors.MLP)
        thin = max(0.04, unit)
        strip = Rectangle(width=width, height=thin, stroke_width=0, fill_color=colors.HIGHLIGHT, fill_opacity=1.0)
        strip.align_to(box, UP).align_to(box, LEFT)
        cell = Rectangle(width=0.3, height=thin, stroke_width=0, fill_color=colors.HIGHLIGHT, fill_opacity=1.0)
        cell.align_to(out_bar, UP).align_to(out_bar, LEFT)
        left = Brace(box, LEFT, buff=0.08, color=colors.TEXT_DIM)
        left_text = style.text(f"{format_int(rows)} rows", style.CAPTION).next_to(left, LEFT, buff=0.1)
        top = Brace(box, UP, buff=0.08, color=colors.TEXT_DIM)
        top_text = style.text(f"{format_int(cols)} columns", style.CAPTION).next_to(top, UP, buff=0.08)
        picture = VGroup(box, name, e_bar, e_label, equals, out_bar, out_label, strip, cell, left, left_text, top,
                         top_text)
        picture.move_to([0, -0.2, 0]).align_to([style.SAFE_FRAME.x_min + 0.2, 0, 0], LEFT)
        return picture

    def real_size(self) -> None:
        t = self.tally
        rows, cols = t.matrix_shapes["up"]
        picture = self._real_product()
        box, name, e_bar, e_label, equals, out_bar, out_label, strip, cell, left, left_text, top, top_text = picture
        lines = VGroup(
            style.math(rf"{tex_int(rows)} \times {tex_int(cols)}", style.BODY),
            style.math(rf"= {tex_int(t.up_matrix)}", style.BODY, colors.MLP),
            style.text(f"weights, in {t.hp.name}", style.LABEL, colors.TEXT_DIM),
            style.math(rf"\text{{toy: }}{self.mlp.d_hidden} \times {self.mlp.d_model} = "
                       rf"{tex_int(self.mlp.W_up.size)}", style.CAPTION, colors.TEXT_DIM),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        lines[3].shift(DOWN * 0.35)
        lines.move_to([2.9, 0.0, 0])
        with self.beat(self.lines["real_size"]) as beat:
            self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
            self.play(Create(box), FadeIn(name), run_time=1.0)
            beat.wait_until("rows")
            self.play(FadeIn(left), FadeIn(left_text), FadeIn(top), FadeIn(top_text), run_time=1.0)
            self.play(LaggedStart(*(FadeIn(line, shift=UP * 0.2) for line in lines[:3]), lag_ratio=0.5), run_time=1.5)
            beat.wait_until("Every row")
            self.play(FadeIn(e_bar), FadeIn(e_label), FadeIn(equals), FadeIn(out_bar), FadeIn(out_label),
                      FadeIn(lines[3]), run_time=0.8)
            self.play(FadeIn(strip), FadeIn(cell), run_time=0.6)


def _math(*pieces: str, size: float, color: str = colors.TEXT) -> MathTex:
    """A formula of several pieces (each a submobject, for colouring), as tall as :func:`llmfacts.style.math`."""
    return MathTex(*pieces, font_size=style.math_size(size), color=color)


def _row0_is_names(lecture: Lecture) -> bool:
    """Whether row 0 of W↑ is exactly the first-name direction plus the last-name direction."""
    mlp, f = lecture.toy_mlp(), lecture.fact
    return bool(np.allclose(mlp.W_up[0], mlp.direction(f.first_name) + mlp.direction(f.last_name), atol=1e-12))


def _symbols(first: str, last: str) -> tuple[str, str]:
    """Short symbols of the two names for formulas: initials (``M``, ``J``), or the first two letters when the
    initials coincide."""
    if first[0].upper() != last[0].upper():
        return first[0].upper(), last[0].upper()
    return rf"\text{{{first[:2]}}}", rf"\text{{{last[:2]}}}"
