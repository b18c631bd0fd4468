"""Scene 9: the block's output is added back to the vector that flowed in, as arrows; what it reads; the scale.

What flows out is ``E + MLP(E)`` for the full name. The arrows are exact shadows of the toy block's
vectors on two perpendicular directions - the two names' sum and the attribute - (coordinates from
:func:`residual_plane`), so the picture shows how far each vector really reaches along them. The dot
products with the first-name, last-name and attribute directions (``trace.readout_in``, ``trace.gained``,
``trace.readout_out``) are shown as they come out, b↓'s small effect on the names included and said from the
computed values. The transformer's neuron count per token (``d_mlp``) and context length come from the
lecture's transformer.

Render::

    .venv/bin/manim render -ql scenes/residual.py ResidualAdd
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Brace,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    ShowPassingFlash,
    Transform,
    VGroup,
)

from llmfacts import colors, style
from llmfacts.compute.lecture import Lecture
from llmfacts.formatting import format_int, format_signed, tex_int
from llmfacts.mobjects import MlpBlockDiagram, TokenRow, grid_table
from scenes._mlp_common import MlpFactScene

__all__ = ["ResidualAdd", "residual_plane"]


def residual_plane(lecture: Lecture) -> dict[str, np.ndarray]:
    """Coordinates of ``E``, ``MLP(E)`` and ``E + MLP(E)`` (the full name's trace) along two orthonormal
    directions: ``u`` = the two name directions' sum, normalised (orthogonalised against the attribute), and
    ``a`` = the attribute direction. Exact projections: the picture's arrows are the vectors' shadows."""
    mlp, fact, trace = lecture.toy_mlp(), lecture.fact, lecture.trace()
    a = mlp.direction(fact.attribute)
    names = mlp.direction(fact.first_name) + mlp.direction(fact.last_name)
    u = names - (names @ a) * a
    u = u / np.linalg.norm(u)
    return {key: np.array([vec @ u, vec @ a]) for key, vec in
            (("E", trace.x), ("MLP", trace.down), ("out", trace.out))}


class ResidualAdd(MlpFactScene):
    """E + MLP(E) as arrows: what flows out still holds the two names and now the attribute; the scale of a
    real block.

    Layout parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene`): ``decimals`` (2).
    """

    steps = ("add_back", "read_out", "gpt3_scale")

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        f = lecture.fact
        return (f"E + MLP(E) as arrows: {f.first_name}, {f.last_name} and now {f.attribute}; "
                f"{format_int(lecture.transformer.d_mlp)} neurons per token in {lecture.transformer.name}")

    def prepare(self) -> None:
        super().prepare()
        f = self.fact
        self.concepts = (f.first_name, f.last_name, f.attribute)
        self.plane = self.lecture.cached(residual_plane)
        self.hp = self.lecture.transformer
        self.n_tokens = len(self.lecture.prompt_tokens())

    # -- add back -----------------------------------------------------------------------------------------
    def add_back(self) -> None:
        with self.beat("Finally, what the block computed is added to the vector that flowed in: the vector "
                       "takes a detour through the block, and the two paths meet again.") as beat:
            self.diagram = MlpBlockDiagram().scale(0.62)
            self.diagram.move_to([0, style.SAFE_FRAME.y_max - self.diagram.height / 2, 0])
            self.play(FadeIn(self.diagram), run_time=1.2)
            flash = self.diagram.get_residual_path().copy().set_stroke(colors.HIGHLIGHT, width=6)
            beat.wait_until("meet")
            self.play(ShowPassingFlash(flash, time_width=0.6),
                      Indicate(self.diagram.get_add_node(), color=colors.HIGHLIGHT), run_time=1.5)
        with self.beat(f"As arrows: E points along the two names; the block's output points along "
                       f"{self.fact.attribute}; placed tip to tail, they add up to what flows on.") as beat:
            self.draw_sum(beat)

    def draw_sum(self, beat) -> None:
        p = self.plane
        xs = [0.0, p["E"][0], p["out"][0]]
        ys = [0.0, p["E"][1], p["out"][1], p["MLP"][1]]
        axes = Axes(x_range=(min(xs) - 0.2, max(xs) + 0.3, 0.5), y_range=(min(ys) - 0.2, max(ys) + 0.3, 0.5),
                    x_length=5.0, y_length=4.6, tips=False,
                    axis_config={"stroke_color": colors.DATA_DIM, "stroke_width": 2, "include_ticks": False})
        axes.move_to([0, -0.1, 0])
        x_label = style.text(f"{self.fact.first_name} + {self.fact.last_name}", style.CAPTION, colors.TEXT_DIM)
        x_label.next_to(axes.x_axis.get_right(), DOWN, buff=0.15).align_to(axes.x_axis, RIGHT)
        y_label = style.text(self.fact.attribute, style.CAPTION, colors.ATTRIBUTE)
        y_label.next_to(axes.y_axis.get_top(), RIGHT, buff=0.15)
        origin = axes.c2p(0, 0)
        e_end = axes.c2p(*p["E"])
        out_end = axes.c2p(*p["out"])
        e_arrow = Arrow(origin, e_end, buff=0, color=colors.VECTOR, stroke_width=6, max_tip_length_to_length_ratio=0.08)
        mlp_arrow = Arrow(origin, axes.c2p(*p["MLP"]), buff=0, color=colors.MLP, stroke_width=6,
                          max_tip_length_to_length_ratio=0.12)
        out_arrow = Arrow(origin, out_end, buff=0, color=colors.HIGHLIGHT, stroke_width=6,
                          max_tip_length_to_length_ratio=0.08)
        e_tex = style.math("E", style.LABEL).next_to(origin + 0.35 * (e_end - origin), DOWN, buff=0.12)  # clear of the axis name
        mlp_tex = style.math(r"\mathrm{MLP}(E)", style.LABEL, colors.MLP)
        sum_tex = style.math(r"E + \mathrm{MLP}(E)", style.LABEL, colors.HIGHLIGHT)
        self.play(FadeOut(self.diagram), Create(axes), FadeIn(x_label), FadeIn(y_label), run_time=1.0)
        self.play(GrowArrow(e_arrow), FadeIn(e_tex), run_time=1.0)
        mlp_tex.next_to(mlp_arrow, LEFT, buff=0.12)
        self.play(GrowArrow(mlp_arrow), FadeIn(mlp_tex), run_time=1.0)
        beat.wait_until("tip to tail")
        self.play(mlp_arrow.animate.shift(e_end - origin), mlp_tex.animate.next_to(e_end + (out_end - e_end) / 2,
                                                                                  RIGHT, buff=0.15), run_time=1.2)
        sum_tex.next_to(out_arrow.get_center(), LEFT + UP, buff=0.15)
        self.play(GrowArrow(out_arrow), FadeIn(sum_tex), run_time=1.0)
        self.sum_picture = VGroup(axes, x_label, y_label, e_arrow, mlp_arrow, out_arrow, e_tex, mlp_tex, sum_tex)

    # -- read out -----------------------------------------------------------------------------------------
    def nudge_sentence(self) -> str:
        """What b↓ does to the two names, from the computed gains."""
        f, gained = self.fact, self.trace.gained
        names = (f.first_name, f.last_name)
        shifts = [format_signed(gained[n], self.decimals + 1, true_minus=True) for n in names]
        if all(abs(gained[n]) < 0.5 * 10.0 ** -(self.decimals + 1) for n in names):
            return "The names come out exactly as they went in."
        mlp, post = self.mlp, self.trace.post
        from_weights = [float((mlp.W_down @ post) @ mlp.direction(n)) for n in names]
        who = "The small bias B↓ also" if max(abs(w) for w in from_weights) < 1e-9 else "The block also"
        return f"{who} nudges the names: {f.first_name} by {shifts[0]} and {f.last_name} by {shifts[1]}."

    def read_out(self) -> None:
        trace, f = self.trace, self.fact
        with self.beat(f"Read what comes out along our three directions. {f.first_name} and {f.last_name} are "
                       f"still there, and {f.attribute} has been added: {self.num(trace.readout_out[f.attribute])}. "
                       + self.nudge_sentence()) as beat:
            header = [style.text("reads", style.CAPTION, colors.TEXT_DIM), style.math("E", style.LABEL),
                      style.math(r"+\,\mathrm{MLP}(E)", style.LABEL, colors.MLP),
                      style.math(r"=", style.LABEL, colors.HIGHLIGHT)]
            body = [[style.text(name, style.LABEL, self.concept_color(name)),
                     style.math(self.num(trace.readout_in[name]), style.LABEL),
                     style.math(format_signed(trace.gained[name], self.decimals + 1), style.LABEL,
                                colors.MLP),
                     style.math(self.num(trace.readout_out[name]), style.LABEL, colors.HIGHLIGHT)]
                    for name in self.concepts]
            table = grid_table([header, *body], col_buff=0.4, row_buff=0.3)
            safe = style.SAFE_FRAME
            table.move_to([safe.x_max - table.width / 2, 0, 0])
            style.fit_in_safe_frame(table)
            room = table.get_left()[0] - 0.5 - safe.x_min  # the picture takes what the table leaves
            target = self.sum_picture.copy()
            if target.width > room:
                target.scale(room / target.width)
            target.move_to([safe.x_min + target.width / 2, 0, 0])
            self.play(Transform(self.sum_picture, target), FadeIn(table[0]), run_time=1.0)
            self.play(LaggedStart(*(FadeIn(line, shift=LEFT * 0.2) for line in table[1:]), lag_ratio=0.4),
                      run_time=2.0)
            beat.wait_until("has been added")
            self.play(Indicate(table[3][3], color=colors.ATTRIBUTE), run_time=1.0)
            beat.wait_until("nudges" if "nudges" in beat.speech.spoken else "names")
            self.play(Indicate(VGroup(table[1][2], table[2][2]), color=colors.MLP), run_time=1.0)
        self.read_table = table

    # -- scale --------------------------------------------------------------------------------------------
    def gpt3_scale(self) -> None:
        hp, n_tok = self.hp, self.n_tokens
        here, full = hp.d_mlp * n_tok, hp.d_mlp * hp.context
        with self.beat(f"In {hp.name} each token gets {format_int(hp.d_mlp)} neurons in every MLP block. With "
                       f"these {n_tok} tokens that is {format_int(here)} neuron values in one block; with a full "
                       f"context of {format_int(hp.context)} tokens, {format_int(full)}.") as beat:
            self.play(FadeOut(self.sum_picture), FadeOut(self.read_table), run_time=0.6)
            words = list(self.lecture.prompt_tokens())
            row = TokenRow(words, font_size=style.LABEL,
                           token_colors=[colors.FIRST_NAME, colors.LAST_NAME] + [None] * (n_tok - 2))
            row.move_to([0, 2.2, 0])
            style.fit_in_safe_frame(row)
            brace = Brace(row, DOWN, buff=0.2, color=colors.NEURON_ACTIVE)
            counts = VGroup(brace, style.math(rf"{tex_int(hp.d_mlp)}\ \text{{neurons per token}}", style.LABEL,
                                              colors.NEURON_ACTIVE).next_to(brace, DOWN, buff=0.15))
            lines = VGroup(
                style.math(rf"{n_tok} \times {tex_int(hp.d_mlp)} = {tex_int(here)}", style.BODY),
                style.math(rf"{tex_int(hp.context)} \times {tex_int(hp.d_mlp)} = {tex_int(full)}",
                           style.BODY, colors.NEURON_ACTIVE),
            ).arrange(DOWN, buff=0.45).move_to([0, -1.5, 0])
            self.play(FadeIn(row), run_time=0.8)
            beat.wait_until("neurons")
            self.play(GrowFromCenter(brace), FadeIn(counts[1], shift=DOWN * 0.2), run_time=1.2)
            beat.wait_until("these")
            self.play(FadeIn(lines[0], shift=UP * 0.2), run_time=1.0)
            beat.wait_until("full context")
            self.play(FadeIn(lines[1], shift=UP * 0.2), run_time=1.0)
