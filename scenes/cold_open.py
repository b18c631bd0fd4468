"""Scene 1: the prompt, the toy model's guess, and the question of where a fact could live.

Every number on screen comes from the lecture (:class:`~llmfacts.compute.lecture.Lecture`): the guess is
the toy block's :meth:`~llmfacts.compute.lecture.Lecture.next_token_guess` (labelled as the toy's, with its
softmax temperature, never as a real model's), and the MLP share of the transformer's weights is its
:meth:`~llmfacts.compute.lecture.Lecture.parameter_tally`. For the default lecture the prompt is
"Michael Jordan plays the sport of ___".

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
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from llmfacts import colors, style
from llmfacts.compute.lecture import Lecture
from llmfacts.formatting import format_fixed, format_percent
from llmfacts.mobjects import ProbabilityBars, TokenRow, TransformerFlow
from llmfacts.story import Float, Int, StoryScene

__all__ = ["ColdOpen"]


class ColdOpen(StoryScene):
    """The prompt, the toy model's guess for the blank, and the question of where a fact lives.

    Layout parameters (class attributes; the fact and the model come from ``self.lecture``):

    * ``candidates`` - words the toy model chooses between (``None``: every attribute it stores).
    * ``temperature`` - softmax temperature of the toy's guess (0.25; said on screen and in the narration).
    * ``n_layers_drawn`` - attention + MLP layers drawn in the "where does it live" diagram (2).
    """

    steps = ("prompt", "toy_guess", "where_does_it_live", "mlp_share", "partial_answer")
    parameter_rules = {"n_layers_drawn": Int(1, 4), "temperature": Float(positive=True, maximum=100.0)}

    candidates: tuple[str, ...] | None = None
    temperature: float = 0.25
    n_layers_drawn: int = 2

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        return f"The prompt '{lecture.prompt} ___', the toy model's guess, and where facts live"

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        lecture = self.lecture
        self.fact = lecture.fact
        self.guess = lecture.next_token_guess(self.candidates, self.temperature)
        self.best = max(self.guess, key=self.guess.get)
        self.tally = lecture.parameter_tally()
        self.mlp_fraction = self.tally.mlp_share

    def guess_sentence(self) -> str:
        """What the narration says about the toy's guess, from the computed distribution."""
        toy = self.lecture.toy
        pct = format_percent(self.guess[self.best])
        verdict = "the right word" if self.best == self.fact.attribute else f"'{self.best}', not '{self.fact.attribute}'"
        return (f"Our hand-built toy block, {toy.d_model}-dimensional and far from a real language model, "
                f"puts {pct} on {verdict}, reading its output through a softmax at temperature "
                f"{format_fixed(self.temperature, 2)}.")

    # -- steps ------------------------------------------------------------------------------------------
    def prompt(self):
        words = [self.fact.first_name, self.fact.last_name, *self.lecture.prompt_words, "___"]
        with self.beat(f"Give a language model the words '{self.lecture.prompt}' and ask it for the "
                       "next word.") as beat:
            token_colors = [colors.FIRST_NAME, colors.LAST_NAME] + [None] * (len(words) - 2)
            self.tokens = TokenRow(words, token_colors=token_colors, font_size=style.HEADING)
            self.tokens.move_to([0, 2.6, 0])
            self.token_scale = 1.0
            if self.tokens.width > style.SAFE_FRAME.width - 0.6:  # room for the answer to widen the blank
                self.token_scale = (style.SAFE_FRAME.width - 0.6) / self.tokens.width
                self.tokens.scale(self.token_scale)
            self.play(LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in self.tokens.cells), lag_ratio=0.15),
                      run_time=2)
            beat.wait_until("next word")
            self.play(Indicate(self.tokens.get_box(len(words) - 1), color=colors.HIGHLIGHT), run_time=1)

    def toy_guess(self):
        with self.beat(self.guess_sentence()) as beat:
            title = style.text(f"toy block's guess  (softmax, T = {format_fixed(self.temperature, 2)})",
                               style.LABEL, colors.TEXT_DIM)
            word_colors = {self.fact.attribute: colors.ATTRIBUTE}
            self.bars = ProbabilityBars(self.guess, max_width=5.5, word_colors=word_colors, font_size=style.BODY)
            block = VGroup(title, self.bars).arrange(DOWN, buff=0.4)
            block.next_to(self.tokens, DOWN, buff=0.8)
            self.play(FadeIn(title), LaggedStart(*(FadeIn(w) for w in self.bars.words), lag_ratio=0.2), run_time=1)
            self.play(*(GrowFromEdge(b, LEFT) for b in self.bars.bars), run_time=1.5)
            self.play(LaggedStart(*(FadeIn(v) for v in self.bars.values), lag_ratio=0.2), run_time=1)
            beat.wait_until("on")
            self.fill_blank()
            self.toy_block = VGroup(title, self.bars)
        with self.beat("A model that gets this right must hold the fact somewhere in its weights."):
            self.play(Indicate(self.answer, color=colors.HIGHLIGHT), run_time=1.2)

    def fill_blank(self):
        k = list(self.guess).index(self.best)
        color = colors.ATTRIBUTE if self.best == self.fact.attribute else colors.TEXT
        answer = style.text(self.best, style.HEADING, color).scale(self.token_scale)
        blank = self.tokens.get_box(len(self.tokens.tokens) - 1)
        answer.move_to(blank)
        if answer.width > blank.width - 0.1:  # widen the blank so the answer fits, keep the row centred
            target = self.tokens.copy()
            box = target.get_box(len(self.tokens.tokens) - 1)
            left = box.get_left()
            box.stretch_to_fit_width(answer.width + 0.3).move_to(left, aligned_edge=LEFT)
            target.set_x(0)
            if target.width > style.SAFE_FRAME.width:
                shrink = style.SAFE_FRAME.width / target.width
                target.scale(shrink).set_x(0)
                answer.scale(shrink)
            self.play(Transform(self.tokens, target), run_time=0.6)
            answer.move_to(blank)
        self.play(TransformFromCopy(self.bars.words[k], answer), run_time=1.2)
        self.answer = answer

    def where_does_it_live(self):
        f = self.fact
        with self.beat("So where, among all the numbers inside the network, could a fact like this "
                       "live?") as beat:
            self.flow = TransformerFlow(n_layers=self.n_layers_drawn,
                                        token_labels=(f.first_name, f.last_name, *self.lecture.prompt_words))
            self.flow.scale_to_fit_width(min(self.flow.width, style.SAFE_FRAME.width - 0.5))
            if self.flow.height > 4.4:
                self.flow.scale_to_fit_height(4.4)
            self.flow.move_to([0, 0.75, 0])
            for word, color in zip(self.flow.get_tokens(), (colors.FIRST_NAME, colors.LAST_NAME)):
                word.set_color(color)
            question = style.markup(f'<span foreground="{colors.FIRST_NAME}">{f.first_name}</span> '
                                    f'<span foreground="{colors.LAST_NAME}">{f.last_name}</span> → '
                                    f'<span foreground="{colors.ATTRIBUTE}">{f.attribute}</span>  ?', style.BODY)
            question.next_to(self.flow, DOWN, buff=0.4)
            self.play(FadeOut(self.toy_block), FadeOut(self.tokens), FadeOut(self.answer), run_time=0.8)
            self.play(FadeIn(self.flow, lag_ratio=0.05), run_time=2.5)
            beat.wait_until("live")
            self.play(Write(question), run_time=1.0)
            self.question = question

    def mlp_share(self):
        share = format_percent(self.mlp_fraction, 0)
        name = self.lecture.transformer.name
        with self.beat(f"Here is one clue. In {name}, {share} of the weights sit in the MLP blocks, so "
                       "they have plenty of room for facts.") as beat:
            mlps = self.flow.get_mlp_blocks()
            frames = VGroup(*(SurroundingRectangle(b, color=colors.MLP, buff=0.06, stroke_width=5) for b in mlps))
            self.play(FadeOut(self.question), run_time=0.6)
            beat.wait_until("MLP blocks")
            self.play(Create(frames), run_time=1.0)
            self.share_bar = self.weight_share_bar(share)
            bar, mlp_label, rest_label, caption = self.share_bar
            overlap = self.flow.get_bottom()[1] - caption.get_top()[1]
            if overlap < 0.1:  # keep the bar clear of the diagram
                self.play(VGroup(self.flow, frames).animate.shift(UP * (0.1 - overlap)), run_time=0.5)
            self.play(GrowFromEdge(bar[0], LEFT), FadeIn(caption), run_time=1.2)
            self.play(GrowFromEdge(bar[1], LEFT), FadeIn(mlp_label), FadeIn(rest_label), run_time=1)
            self.mlp_frames = frames

    def weight_share_bar(self, share: str) -> VGroup:
        """One bar split by share: the MLP weights against every other weight of the transformer."""
        width = 9.0
        mlp_bar = Rectangle(width=width * self.mlp_fraction, height=0.55, stroke_width=0)
        mlp_bar.set_fill(colors.MLP_PARAMETERS, opacity=0.9)
        rest_bar = Rectangle(width=width * (1 - self.mlp_fraction), height=0.55, stroke_width=0)
        rest_bar.set_fill(colors.OTHER_PARAMETERS, opacity=0.9)
        bar = VGroup(mlp_bar, rest_bar).arrange(RIGHT, buff=0)
        bar.next_to(self.flow, DOWN, buff=0.8)
        floor = style.SAFE_FRAME[2] + 0.05
        if bar.get_bottom()[1] < floor:
            bar.shift(UP * (floor - bar.get_bottom()[1]))
        mlp_label = style.text(f"MLP {share}", style.LABEL, colors.BACKGROUND).move_to(mlp_bar)
        rest_label = style.text(format_percent(1 - self.mlp_fraction, 0), style.LABEL, colors.TEXT).move_to(rest_bar)
        billions = format_fixed(self.tally.total_weights / 1e9, 0)
        caption = style.text(f"{self.lecture.transformer.name}: {billions} billion weights", style.CAPTION,
                             colors.TEXT_DIM)
        caption.next_to(bar, UP, buff=0.12).align_to(bar, LEFT)
        return VGroup(bar, mlp_label, rest_label, caption)

    def partial_answer(self):
        with self.beat("Researchers at Google DeepMind who studied athletes and their sports found a "
                       "partial answer: facts like this seem to be looked up inside the MLP blocks.") as beat:
            self.play(FadeOut(self.share_bar), self.flow.get_attention_blocks().animate.fade(0.7),
                      self.flow.get_norm_blocks().animate.fade(0.7), run_time=1)
            beat.wait_until("inside")
            self.play(*(Indicate(b, color=colors.MLP) for b in self.flow.get_mlp_blocks()), run_time=1.2)
        with self.beat("How exactly is still unsolved. This video shows one way an MLP block could store "
                       "one fact.") as beat:
            goal = style.text("one MLP, one fact", style.HEADING, colors.MLP)
            goal.next_to(self.flow, DOWN, buff=0.45)
            beat.wait_until("one way")
            self.play(FadeIn(goal, shift=0.2 * UP), run_time=1)
