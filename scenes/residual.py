"""Scene 9: the block's output is added back to the vector that flowed in; every token goes through at once.

What flows out is ``E + MLP(E)`` for the full name: its dot products with the first-name, last-name and
attribute directions (``trace.readout_in``, ``trace.gained``, ``trace.readout_out``) are computed by the toy
block and shown as they come out, small side effects of b↓ included. Then the same block runs on every
token of the prompt in parallel, each token's real toy vector in and out: the first-name token holds only
the first name (attention has not yet brought the last name to it), the last-name token holds both names,
and every other word ("plays", "the", ...) holds its own direction, perpendicular to every named one
(:meth:`llmfacts.compute.toy_mlp.ToyMLP.word_direction`). Under each token is its output's dot product
with the attribute direction (``readout_out``); the narration says which tokens gained the attribute,
from ``gained``. GPT-3's neuron count per token (``d_mlp``) and its context length come from
:func:`llmfacts.compute.gpt3.count_parameters`.

Render::

    .venv/bin/manim render -ql scenes/residual.py ResidualAdd
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    MathTex,
    ShowPassingFlash,
    SurroundingRectangle,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import count_parameters
from llmfacts.formatting import format_int, format_signed
from llmfacts.mobjects import (
    EmbeddingVector,
    LabeledBox,
    MlpBlockDiagram,
    TokenRow,
    VectorIcon,
    fit_width,
    grid_table,
)
from scenes._mlp_common import MEDIUM, SMALL, MlpFactScene

__all__ = ["ResidualAdd"]


class ResidualAdd(MlpFactScene):
    """E + MLP(E): what flows out encodes the two names and the attribute; all tokens in parallel.

    Parameters (class attributes; see :class:`scenes._mlp_common.MlpFactScene`):

    * ``first_name``, ``last_name``, ``attribute`` - the fact (Michael, Jordan, basketball);
    * ``d_model`` (12), ``hidden_factor`` (4), ``up_bias`` (-1), ``seed``, ``overlap`` - the toy block;
    * ``shown_rows`` (6) - entries shown per vector, ellipsis included; ``decimals`` (2);
    * ``prompt_tail`` - the prompt's words after the name (``("plays", "the", "sport", "of")``); each one's
      token holds the word's own direction (``ToyMLP.word_direction``) and gets its own readout;
    * ``column_pitch`` (2.0) - horizontal distance between the tokens' columns.
    """

    summary = "The output added back: Michael, Jordan and basketball; every token at once"
    steps = ("add_back", "read_out", "every_token", "gpt3_scale")

    prompt_tail: tuple[str, ...] = ("plays", "the", "sport", "of")
    column_pitch: float = 2.0

    def prepare(self) -> None:
        super().prepare()
        f = self.fact
        self.concepts = (f.first_name, f.last_name, f.attribute)
        # the first-name token alone (before attention has brought the last name to it)
        self.first_alone = self.mlp.run((f.first_name,), activation="relu")
        self.hp = count_parameters().hp
        self.tokens = (f.first_name, f.last_name, *self.prompt_tail)
        # every token through the block: the first name alone, the last name holding both names (self.trace),
        # every other word its own direction
        self.token_traces = (
            self.first_alone,
            self.trace,
            *(self.mlp.run(self.mlp.word_direction(w), activation="relu") for w in self.prompt_tail),
        )

    def add_back(self) -> None:
        trace = self.trace
        self.say("Finally, what the block computed is added to the vector that flowed in. "
                 "The vector takes a detour through the block, and the two paths meet again.")
        diagram = MlpBlockDiagram().scale(0.65)
        diagram.move_to([0, 2.6, 0])
        self.diagram = diagram
        opts = dict(max_rows=self.shown_rows, decimals=self.decimals)
        x = EmbeddingVector(trace.x, **opts)
        plus = MathTex("+", font_size=44)
        down = EmbeddingVector(trace.down, **opts)
        equals = MathTex("=", font_size=44)
        out = EmbeddingVector(trace.out, **opts)
        row = VGroup(x, plus, down, equals, out).arrange(RIGHT, buff=0.5)
        row.move_to([0, -0.9, 0]).to_edge(LEFT, buff=0.6)
        labels = VGroup(
            MathTex("E", font_size=36, color=colors.DATA),
            MathTex(r"\mathrm{MLP}(E)", font_size=36, color=colors.MLP),
            MathTex(r"E + \mathrm{MLP}(E)", font_size=36),
        )
        for lab, vec in zip(labels, (x, down, out)):
            lab.next_to(vec, UP, buff=0.25)
        labels.set_y(max(l.get_y() for l in labels))
        self.vectors = VGroup(row, labels)
        self.out_vec = out
        self.play(FadeIn(diagram), run_time=1.2)
        self.play(FadeIn(x), FadeIn(labels[0]), run_time=0.8)
        self.play(FadeIn(plus), FadeIn(down), FadeIn(labels[1]), run_time=0.8)
        flash = diagram.get_residual_path().copy().set_stroke(colors.HIGHLIGHT, width=6)
        self.play(ShowPassingFlash(flash, time_width=0.6), Indicate(diagram.get_add_node(), color=colors.HIGHLIGHT),
                  run_time=1.5)
        self.play(FadeIn(equals), FadeIn(out), FadeIn(labels[2]), run_time=1.0)
        self.finish()

    def read_out(self) -> None:
        trace, f = self.trace, self.fact
        self.say(f"Read what comes out along our three directions. {f.first_name} and {f.last_name} are still "
                 f"there, and {f.attribute} has been added: {self.num(trace.readout_out[f.attribute])}. The small "
                 f"bias b-down nudges the names by a few hundredths.")
        header = [self.text("direction", MEDIUM, colors.TEXT_DIM),
                  MathTex("E", font_size=32, color=colors.DATA),
                  MathTex(r"+\,\mathrm{MLP}", font_size=32, color=colors.MLP),
                  MathTex("=", font_size=32)]
        body = []
        for name in self.concepts:
            body.append([self.word(name, MEDIUM),
                         self.text(self.num(trace.readout_in[name]), MEDIUM),
                         self.text(format_signed(trace.gained[name], self.decimals, true_minus=True), MEDIUM,
                                   colors.MLP),
                         self.text(self.num(trace.readout_out[name]), MEDIUM)])
        table = grid_table([header, *body], col_buff=0.45, row_buff=0.3)
        caption = self.text("dot products with the vector", SMALL, colors.TEXT_DIM)
        block = VGroup(caption, table).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        fit_width(block, 6.6 - (self.out_vec.get_right()[0] + 0.5))
        block.move_to([0, -0.6, 0]).to_edge(RIGHT, buff=0.5)
        self.play(FadeIn(caption), FadeIn(table[0]), run_time=0.8)
        self.play(LaggedStart(*(FadeIn(line, shift=LEFT * 0.2) for line in table[1:]), lag_ratio=0.4), run_time=2.0)
        self.play(Indicate(table[3][3], color=colors.ATTRIBUTE), run_time=1.0)
        self.finish(1.5)

    def every_token_narration(self) -> str:
        """What :meth:`every_token` says, from the tokens' traces: which vectors moved along the attribute
        (``gained``, as shown) and what each token reads (``readout_out``)."""
        f, attr = self.fact, self.fact.attribute
        zero = self.num(0.0)
        readings = [self.num(t.readout_out[attr]) for t in self.token_traces]
        moved = [k for k, t in enumerate(self.token_traces) if self.num(t.gained[attr]) != zero]
        rest = [k for k in range(len(self.tokens)) if k not in moved]
        # a change of the vector is visible when some entry moves by at least half the last decimal shown
        all_changed = all(float(abs(t.down).max()) >= 0.5 * 10.0 ** -self.decimals for t in self.token_traces)
        text = ("And this happens to every token's vector at the same time, each one on its own: the vectors "
                "do not talk to each other here. ")
        lead = "Every vector comes out changed, but along" if all_changed else "Along"
        if moved == [1]:
            text += (f"{lead} {attr} only the vector at {f.last_name} moves, since it already holds both "
                     f"names: it reads {readings[1]}.")
        elif moved:
            text += f"{lead} {attr} these move: " + ", ".join(f"{self.tokens[k]} to {readings[k]}" for k in moved) + "."
        else:
            text += f"{lead} {attr} none of them moves."
        if rest:
            names = [self.tokens[k] if k < 2 else f"“{self.tokens[k]}”" for k in rest]
            if len({readings[k] for k in rest}) == 1:
                text += f" At {_spoken_list(names)} the {attr} reading is {readings[rest[0]]}."
            else:
                text += " Elsewhere it reads " + _spoken_list(
                    [f"{readings[k]} at {name}" for k, name in zip(rest, names)]) + "."
        return text

    def every_token(self) -> None:
        f, attr = self.fact, self.fact.attribute
        self.say(self.every_token_narration())
        self.play(*(FadeOut(m) for m in self.mobjects), run_time=0.8)
        token_colors = [self.concept_color(f.first_name), self.concept_color(f.last_name)] + [None] * len(self.prompt_tail)
        row = TokenRow(self.tokens, font_size=26, token_colors=token_colors)
        n = len(self.tokens)
        pitch = min(self.column_pitch, 13.2 / n)
        xs = [(k - (n - 1) / 2) * pitch for k in range(n)]
        for k, x in enumerate(xs):
            row.get_token(k).set_x(x)
        row.set_y(3.0)
        columns = VGroup()
        readouts = VGroup()
        icon = dict(n_cells=self.mlp.d_model, cell_width=0.2, cell_height=0.1)
        for k, (x, trace) in enumerate(zip(xs, self.token_traces)):
            vec_in = VectorIcon(trace.x, **icon).move_to([x, 1.65, 0])
            box = LabeledBox("MLP", width=min(1.25, pitch * 0.8), height=0.75, font_size=26).move_to([x, 0.1, 0])
            vec_out = VectorIcon(trace.out, **icon).move_to([x, -1.45, 0])
            a1 = Arrow(vec_in.get_bottom(), box.get_top(), buff=0.08, color=colors.TEXT_DIM, stroke_width=3,
                       max_tip_length_to_length_ratio=0.3)
            a2 = Arrow(box.get_bottom(), vec_out.get_top(), buff=0.08, color=colors.TEXT_DIM, stroke_width=3,
                       max_tip_length_to_length_ratio=0.3)
            columns.add(VGroup(vec_in, a1, box, a2, vec_out))
            readout = VGroup(self.word(attr, SMALL), self.text(self.num(trace.readout_out[attr]), SMALL))
            fit_width(readout.arrange(DOWN, buff=0.12), pitch * 0.9).next_to(vec_out, DOWN, buff=0.25)
            readouts.add(readout)
        gainers = [k for k, t in enumerate(self.token_traces) if self.num(t.gained[attr]) != self.num(0.0)]
        marks = VGroup(*(SurroundingRectangle(readouts[k], color=colors.ATTRIBUTE, buff=0.1, corner_radius=0.08)
                         for k in gainers))
        self.token_row, self.columns = row, columns
        self.play(FadeIn(row), run_time=0.8)
        self.play(LaggedStart(*(FadeIn(c[0], shift=DOWN * 0.2) for c in columns), lag_ratio=0.1), run_time=1.0)
        self.play(*(FadeIn(VGroup(c[1], c[2], c[3])) for c in columns), run_time=1.0)
        self.play(*(FadeIn(c[4], shift=DOWN * 0.3) for c in columns), run_time=1.2)
        self.play(LaggedStart(*(FadeIn(r, shift=UP * 0.2) for r in readouts), lag_ratio=0.2), run_time=1.2)
        if len(marks):
            self.play(*(Create(m) for m in marks), run_time=0.6)
        self.token_readouts = VGroup(readouts, marks)
        self.finish(1.5)

    def gpt3_scale(self) -> None:
        hp = self.hp
        n_tok = len(self.tokens)
        here = hp.d_mlp * n_tok
        full = hp.d_mlp * hp.context
        self.say(f"In GPT-3 each token gets {format_int(hp.d_mlp)} neurons. With these {n_tok} tokens that is "
                 f"{format_int(here)} neuron values in one block; with a full context of {format_int(hp.context)} "
                 f"tokens, {format_int(full)}.")
        self.play(FadeOut(self.token_readouts), run_time=0.5)
        per = VGroup(*(self.text(format_int(hp.d_mlp), SMALL, colors.NEURON_ACTIVE).move_to(c[2])
                       for c in self.columns))
        self.play(*(c[2].label.animate.set_opacity(0) for c in self.columns), FadeIn(per), run_time=1.0)
        lines = VGroup(
            self.text(f"{n_tok} tokens × {format_int(hp.d_mlp)} neurons = {format_int(here)}", MEDIUM),
            self.text(f"{format_int(hp.context)} tokens × {format_int(hp.d_mlp)} neurons = {format_int(full)}",
                      MEDIUM, colors.NEURON_ACTIVE),
        ).arrange(DOWN, buff=0.25)
        lines.move_to([0, -2.75, 0])
        self.play(FadeIn(lines[0], shift=UP * 0.2), run_time=1.0)
        self.play(FadeIn(lines[1], shift=UP * 0.2), run_time=1.0)
        self.finish(2.0)


def _spoken_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
