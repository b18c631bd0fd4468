"""Scene 1: the prompt, the toy model's guess, and the question of where a fact could live.

Every number on screen comes from the compute layer: the guess is
:func:`llmfacts.compute.toy_mlp.next_token_distribution` of the project's toy block (labelled as the toy's,
never as a real model's), and the MLP share of GPT-3's weights is
:func:`llmfacts.compute.gpt3.count_parameters`.

Render::

    .venv/bin/manim render -ql scenes/cold_open.py ColdOpen
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
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Rectangle,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.gpt3 import count_parameters
from llmfacts.compute.toy_mlp import ToyFact, ToyMLPConfig, build_toy_mlp, next_token_distribution
from llmfacts.formatting import format_percent
from llmfacts.mobjects import ProbabilityBars, TokenRow, TransformerFlow
from llmfacts.story import StoryScene

__all__ = ["ColdOpen"]


class ColdOpen(StoryScene):
    """The prompt 'Michael Jordan plays the sport of ___', the toy model's guess, and where facts live.

    Parameters (class attributes):

    * ``first_name``, ``last_name``, ``attribute`` - the fact of the toy block.
    * ``prompt_tail`` - the words after the name, up to the blank.
    * ``d_model`` - dimension of the toy block's embedding space.
    * ``seed`` - seed of the toy block.
    * ``candidates`` - words the toy model chooses between (``None``: every attribute it stores).
    * ``n_layers_drawn`` - attention + MLP layers drawn in the "where does it live" diagram.
    """

    summary = "The prompt 'Michael Jordan plays the sport of ___', the toy model's guess, and where facts live"
    steps = ("prompt", "toy_guess", "where_does_it_live", "mlp_share", "partial_answer")

    first_name = "Michael"
    last_name = "Jordan"
    attribute = "basketball"
    prompt_tail: tuple[str, ...] = ("plays", "the", "sport", "of")
    d_model = 12
    seed = 0
    candidates: tuple[str, ...] | None = None
    n_layers_drawn = 2

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        fact = ToyFact(self.first_name, self.last_name, self.attribute)
        self.mlp = build_toy_mlp(ToyMLPConfig(fact=fact, d_model=self.d_model, seed=self.seed))
        self.guess = next_token_distribution(self.mlp, names=(self.first_name, self.last_name),
                                             candidates=self.candidates)
        self.best = max(self.guess, key=self.guess.get)
        self.tally = count_parameters()
        self.mlp_fraction = self.tally.mlp_share

    # -- steps ------------------------------------------------------------------------------------------
    def prompt(self):
        t = self.narrate(f"Give a language model the words '{self.first_name} {self.last_name} "
                         f"{' '.join(self.prompt_tail)}' and ask it for the next word.")
        words = [self.first_name, self.last_name, *self.prompt_tail, "___"]
        token_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * (len(words) - 2)
        self.tokens = TokenRow(words, token_colors=token_colors, font_size=34).to_edge(UP, buff=0.7)
        if self.tokens.width > 13:
            self.tokens.scale_to_fit_width(13)
        self.play(LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in self.tokens.cells), lag_ratio=0.15),
                  run_time=2)
        self.play(Indicate(self.tokens.get_box(len(words) - 1), color=colors.HIGHLIGHT), run_time=1)
        self.wait(max(0.5, t - 3))

    def toy_guess(self):
        pct = format_percent(self.guess[self.best])
        t = self.narrate(f"The small toy model we build in this video answers '{self.best}' with {pct} "
                         "of its guess. A model that gets this right must hold the fact somewhere in its weights.")
        title = Text("the toy model's guess for ___", font_size=30, color=colors.TEXT)
        note = Text(f"a hand-built {self.d_model}-dimensional toy, not a real language model;\n"
                    f"it picks among the {len(self.guess)} words it has directions for",
                    font_size=22, color=colors.TEXT_DIM, line_spacing=0.8)
        word_colors = {self.attribute: colors.ATTRIBUTE}
        self.bars = ProbabilityBars(self.guess, max_width=5.5, word_colors=word_colors)
        block = VGroup(title, note, self.bars).arrange(DOWN, buff=0.35)
        block.next_to(self.tokens, DOWN, buff=0.8)
        self.play(FadeIn(title), FadeIn(note), run_time=1)
        self.play(LaggedStart(*(FadeIn(w) for w in self.bars.words), lag_ratio=0.2), run_time=1)
        self.play(*(GrowFromEdge(b, LEFT) for b in self.bars.bars), run_time=1.5)
        self.play(LaggedStart(*(FadeIn(v) for v in self.bars.values), lag_ratio=0.2), run_time=1)
        k = list(self.guess).index(self.best)
        answer = Text(self.best, font_size=30, color=colors.ATTRIBUTE if self.best == self.attribute else colors.TEXT)
        blank = self.tokens.get_box(len(self.tokens.tokens) - 1)
        answer.move_to(blank)
        if answer.width > blank.width - 0.1:  # widen the blank so the answer fits, keep the row centred
            target = self.tokens.copy()
            box = target.get_box(len(self.tokens.tokens) - 1)
            left = box.get_left()
            box.stretch_to_fit_width(answer.width + 0.3).move_to(left, aligned_edge=LEFT)
            target.set_x(0)
            self.play(Transform(self.tokens, target), run_time=0.6)
            answer.move_to(blank)
        self.play(TransformFromCopy(self.bars.words[k], answer), run_time=1.2)
        self.answer = answer
        self.toy_block = VGroup(title, note, self.bars)
        self.wait(max(0.5, t - 6.3))

    def where_does_it_live(self):
        t = self.narrate("So where, among all the numbers inside the network, could a fact like this live?")
        self.flow = TransformerFlow(n_layers=self.n_layers_drawn,
                                    token_labels=(self.first_name, self.last_name, *self.prompt_tail))
        self.flow.scale_to_fit_width(min(self.flow.width, 12.5))
        if self.flow.height > 4.6:
            self.flow.scale_to_fit_height(4.6)
        self.flow.next_to(self.tokens, DOWN, buff=0.5)
        for word, color in zip(self.flow.get_tokens(), (colors.FIRST_NAME, colors.LAST_NAME)):
            word.set_color(color)
        fact = f"{self.first_name} {self.last_name} → {self.attribute}"
        question = Text(f"where in here is “{fact}” stored?", font_size=30, color=colors.HIGHLIGHT)
        question.next_to(self.flow, DOWN, buff=0.5)
        self.play(FadeOut(self.toy_block), run_time=0.8)
        self.play(FadeIn(self.flow, lag_ratio=0.05), run_time=2.5)
        self.play(Write(question), run_time=1.2)
        self.question = question
        self.wait(max(0.5, t - 4.5))

    def mlp_share(self):
        share = format_percent(self.mlp_fraction, 0)
        t = self.narrate(f"Here is one clue. In GPT-3, {share} of the weights sit in the MLP blocks, "
                         "so they have room to spare for storing facts.")
        mlps = self.flow.get_mlp_blocks()
        frames = VGroup(*(SurroundingRectangle(b, color=colors.MLP, buff=0.06, stroke_width=5) for b in mlps))
        self.play(FadeOut(self.question), Create(frames), run_time=1.2)
        # one bar split by share: MLP weights vs every other weight of GPT-3
        width = 9.0
        mlp_bar = Rectangle(width=width * self.mlp_fraction, height=0.5, stroke_width=0)
        mlp_bar.set_fill(colors.MLP_PARAMETERS, opacity=0.9)
        rest_bar = Rectangle(width=width * (1 - self.mlp_fraction), height=0.5, stroke_width=0)
        rest_bar.set_fill(colors.OTHER_PARAMETERS, opacity=0.9)
        bar = VGroup(mlp_bar, rest_bar).arrange(RIGHT, buff=0)
        bar.next_to(self.flow, DOWN, buff=0.8)
        if bar.get_bottom()[1] < -3.3:
            bar.shift(UP * (-3.3 - bar.get_bottom()[1]))
        mlp_label = Text(f"MLP weights {share}", font_size=24, color=colors.TEXT).move_to(mlp_bar)
        rest_label = Text(f"the rest {format_percent(1 - self.mlp_fraction, 0)}", font_size=22,
                          color=colors.TEXT).move_to(rest_bar)
        total = self.tally.total_weights / 1e9
        caption = Text(f"GPT-3: {total:,.0f} billion weights", font_size=22, color=colors.TEXT_DIM)
        caption.next_to(bar, UP, buff=0.12).align_to(bar, LEFT)
        self.share_bar = VGroup(bar, mlp_label, rest_label, caption)
        # keep the bar clear of the diagram
        overlap = self.flow.get_bottom()[1] - caption.get_top()[1]
        if overlap < 0.1:
            self.flow.generate_target()
            self.play(VGroup(self.flow, frames).animate.shift(UP * (0.1 - overlap)), run_time=0.5)
        self.play(GrowFromEdge(mlp_bar, LEFT), run_time=1.2)
        self.play(GrowFromEdge(rest_bar, LEFT), FadeIn(mlp_label), FadeIn(rest_label), FadeIn(caption), run_time=1)
        self.mlp_frames = frames
        self.wait(max(0.5, t - 3.4))

    def partial_answer(self):
        t = self.narrate("Researchers at Google DeepMind who studied athletes and their sports found a partial "
                         "answer: facts like this seem to be looked up inside the MLP blocks. How exactly is "
                         "still unsolved. This video shows one way an MLP block could store a fact.")
        lines = VGroup(
            Text("a partial result, not the full story:", font_size=26, color=colors.TEXT),
            Text("facts seem to be recalled inside the MLP blocks", font_size=28, color=colors.MLP),
            Text("(how, exactly, is still an open question)", font_size=24, color=colors.TEXT_DIM),
        ).arrange(DOWN, buff=0.15)
        lines.next_to(self.flow, DOWN, buff=0.35)
        self.play(FadeOut(self.share_bar), self.flow.get_attention_blocks().animate.fade(0.7),
                  self.flow.get_norm_blocks().animate.fade(0.7), run_time=1)
        self.play(FadeIn(lines[0]), run_time=0.8)
        self.play(FadeIn(lines[1]), run_time=0.8)
        self.play(FadeIn(lines[2]), run_time=0.8)
        self.wait(max(0.5, t / 2 - 3.4))
        goal = Text("this video: how one MLP block could store one fact", font_size=30, color=colors.HIGHLIGHT)
        goal.move_to(lines)
        self.play(FadeOut(lines, shift=0.2 * UP), FadeIn(goal, shift=0.2 * UP), run_time=1)
        self.wait(max(0.5, t / 2 - 1))
