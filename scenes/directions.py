"""Scene 3: directions carry meaning, and the toy example's assumptions about three of them.

The word arrows of the first two steps are an illustrative 2-D picture (said on screen): there is no real
embedding offline. Everything after that is the lecture's toy block
(:meth:`~llmfacts.compute.lecture.Lecture.toy_mlp`): its direction vectors, their dot products and angles
(:mod:`llmfacts.compute.geometry`), and the dot products of the full-name vector with each direction.

Render::

    .venv/bin/manim render -ql scenes/directions.py MeaningDirections
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
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    NumberPlane,
    Transform,
    VGroup,
)

from llmfacts import colors, style
from llmfacts.compute.geometry import angle_degrees, nearest_point, span_coordinates
from llmfacts.compute.lecture import Lecture
from llmfacts.formatting import format_fixed, format_spoken
from llmfacts.mobjects import EmbeddingVector, TokenRow, boxes_meet
from llmfacts.story import Float, Int, StoryScene

__all__ = ["MeaningDirections"]

NUMBERS = style.MIN_MATH_FONT_SIZE  # entries of the columns of numbers


class MeaningDirections(StoryScene):
    """Directions carry meaning (illustrative word arrows), then the toy's three nearly perpendicular directions.

    Layout parameters (class attributes; the fact and the toy block come from ``self.lecture``):

    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included) (8).
    * ``illustrative_words`` - the made-up 2-D positions of the word arrows (no number of them is shown).
    * ``projection`` - 2 x 3 matrix that draws 3-D coordinates on the screen (an oblique view).
    * ``arrow_length`` - screen length of a unit direction.
    """

    steps = ("word_arrows", "gender_direction", "toy_directions", "measured_angles", "dot_product_rule",
             "full_name_vector", "attention_moved_it")
    parameter_rules = {"rows_shown": Int(3, 14), "arrow_length": Float(0.5, 3.0)}

    rows_shown: int = 8
    illustrative_words: dict[str, tuple[float, float]] = {
        "man": (1.0, 0.3),
        "woman": (0.8, 2.0),
        "uncle": (3.6, -0.2),
        "aunt": (3.45, 1.6),
    }
    projection = ((1.0, 0.0, -0.55), (-0.18, 1.0, -0.45))
    arrow_length = 2.1

    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        f = lecture.fact
        return f"Directions carry meaning; the toy's assumptions ({f.first_name}, {f.last_name}, {f.attribute})"

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.toy = self.lecture.toy_mlp()
        fact = self.lecture.fact
        self.first_name, self.last_name, self.attribute = fact.first_name, fact.last_name, fact.attribute
        self.names3 = (self.first_name, self.last_name, self.attribute)
        self.dirs = {n: self.toy.direction(n) for n in self.names3}
        self.pairs = [(a, b) for i, a in enumerate(self.names3) for b in self.names3[i + 1:]]
        self.pair_dots = {(a, b): float(np.dot(self.dirs[a], self.dirs[b])) for a, b in self.pairs}
        self.pair_angles = {(a, b): angle_degrees(self.dirs[a], self.dirs[b]) for a, b in self.pairs}
        self.norms = {n: float(np.linalg.norm(v)) for n, v in self.dirs.items()}
        self.coords3 = span_coordinates(np.stack([self.dirs[n] for n in self.names3]))
        # the full name: the vector of the last-name token once attention has added the first name to it
        self.full = self.toy.token_vector(self.first_name, self.last_name)
        self.full_readout = self.toy.readout(self.full)
        self.last_alone = self.toy.token_vector(self.last_name)
        self.last_alone_readout = self.toy.readout(self.last_alone)
        self.first_alone_readout = self.toy.readout(self.toy.token_vector(self.first_name))
        # the illustrative picture: where uncle + (woman - man) lands, and which word is nearest to it
        w = {k: np.array(v, dtype=float) for k, v in self.illustrative_words.items()}
        self.word_points = w
        self.landing = w["uncle"] + (w["woman"] - w["man"])
        self.nearest_word = nearest_point({k: v for k, v in w.items() if k != "uncle"}, self.landing)

    @property
    def exactly_perpendicular(self) -> bool:
        return max(abs(d) for d in self.pair_dots.values()) < 1e-9

    def _color(self, name: str) -> str:
        return {self.first_name: colors.FIRST_NAME, self.last_name: colors.LAST_NAME,
                self.attribute: colors.ATTRIBUTE}.get(name, colors.OTHER_CONCEPT)

    def _role(self, name: str) -> str:
        return {self.first_name: f"first name {name}", self.last_name: f"last name {name}"}.get(name, name)

    def _short(self, name: str) -> str:
        """One capital letter per direction (M, J, B), or the whole word if two would clash."""
        letters = [n[0].upper() for n in self.names3]
        return name[0].upper() if len(set(letters)) == len(letters) else name

    def _tex_name(self, name: str) -> str:
        return r"\vec{" + self._short(name) + "}" if len(self._short(name)) == 1 else r"\text{" + name + "}"

    @staticmethod
    def _clear_label(point, labels, obstacles):
        """The first of ``labels`` that fits beside ``point`` (right, up-right, up, down-right) clear of
        ``obstacles``, placed there; the last one, to the right, if none does."""
        for label in labels:
            for side in (RIGHT, UP + RIGHT, UP, DOWN + RIGHT):
                label.next_to(point, side, buff=0.15)
                if not any(boxes_meet(label, ob, pad=0.1) for ob in obstacles):
                    return label
        return labels[-1].next_to(point, RIGHT, buff=0.15)

    # -- steps ------------------------------------------------------------------------------------------
    def word_arrows(self):
        with self.beat("These vectors live in a space with a huge number of dimensions, and directions in "
                       "that space can carry meaning. Here is a made-up picture in two.") as beat:
            plane = NumberPlane(x_range=(-0.5, 4.5, 1), y_range=(-1, 2.6, 1), x_length=7.2, y_length=5.2,
                                background_line_style={"stroke_color": colors.DATA_DIM, "stroke_opacity": 0.35,
                                                       "stroke_width": 1},
                                axis_config={"stroke_color": colors.DATA_DIM, "stroke_opacity": 0.6})
            plane.move_to([-2.6, -0.3, 0])
            self.plane = plane
            self.word_arrows_group = VGroup()
            self.word_tips = {}
            for word, xy in self.word_points.items():
                tip = plane.c2p(*xy)
                arrow = Arrow(plane.c2p(0, 0), tip, buff=0, stroke_width=4, color=colors.VECTOR,
                              max_tip_length_to_length_ratio=0.12)
                label = style.text(word, style.LABEL)
                label.next_to(tip, UP if xy[1] > 1 else RIGHT, buff=0.12)
                self.word_arrows_group.add(VGroup(arrow, label))
                self.word_tips[word] = tip
            note = style.text("made up, in 2-D", style.CAPTION, colors.TEXT_DIM)
            note.next_to(plane, UP, buff=0.15).align_to(plane, LEFT)
            self.illustration_note = note
            self.play(FadeIn(plane), run_time=1)
            self.play(LaggedStart(*(GrowArrow(g[0]) for g in self.word_arrows_group), lag_ratio=0.25), run_time=2)
            self.play(LaggedStart(*(FadeIn(g[1]) for g in self.word_arrows_group), lag_ratio=0.25), run_time=1)
            beat.wait_until("made-up")
            self.play(FadeIn(note), run_time=0.6)

    def gender_direction(self):
        with self.beat(f"Take the step from 'man' to 'woman' and add it to 'uncle': you land near "
                       f"'{self.nearest_word}'.") as beat:
            step = Arrow(self.word_tips["man"], self.word_tips["woman"], buff=0.05, stroke_width=6,
                         color=colors.HIGHLIGHT, max_tip_length_to_length_ratio=0.2)
            moved = step.copy()
            shift = self.word_tips["uncle"] - self.word_tips["man"]
            landing = Dot(self.plane.c2p(*self.landing), radius=0.09, color=colors.HIGHLIGHT)
            nearest = self.word_arrows_group[list(self.word_points).index(self.nearest_word)][1]
            formula = style.math(r"\text{uncle} + (\text{woman} - \text{man}) \approx \text{" + self.nearest_word
                                 + "}", style.BODY)
            formula.move_to([3.6, 1.6, 0])
            style.fit_in_safe_frame(formula)
            self.play(GrowArrow(step), run_time=1.2)
            beat.wait_until("add it")
            self.play(moved.animate.shift(shift), run_time=1.5)
            self.play(FadeIn(landing, scale=1.5), FadeIn(formula), run_time=0.8)
            self.play(Indicate(nearest, color=colors.HIGHLIGHT), run_time=1)
        with self.beat("That step points along a direction that encodes gender; a trained model can use other "
                       "directions for other features.") as beat:
            label = style.text("gender", style.BODY, colors.HIGHLIGHT).next_to(moved, RIGHT, buff=0.15)
            self.play(Indicate(moved, color=colors.HIGHLIGHT), FadeIn(label), run_time=1.2)
        self.word_scene = VGroup(self.plane, self.word_arrows_group, self.illustration_note, step, moved, landing,
                                 formula, label)

    def _screen(self, xyz: np.ndarray) -> np.ndarray:
        p = np.array(self.projection, dtype=float) @ np.asarray(xyz, dtype=float)[:3]
        return self.origin3 + self.arrow_length * np.array([p[0], p[1], 0.0])

    def toy_directions(self):
        f = self.lecture.fact
        with self.beat(f"For our toy, assume three directions: one for the first name {f.first_name}, "
                       f"one for the last name {f.last_name}, and one for {f.attribute}. "
                       + ("Here they are exactly perpendicular; in a real model they would only be nearly so."
                          if self.exactly_perpendicular else "They are nearly perpendicular.")) as beat:
            self.play(FadeOut(self.word_scene), run_time=0.8)
            self.origin3 = np.array([-4.2, -1.0, 0.0])
            self.dir_arrows, self.dir_labels = VGroup(), VGroup()
            k3 = self.coords3.shape[1]
            for name, xyz, side in zip(self.names3, self.coords3, (DOWN, UP, DOWN)):
                end = self._screen(np.pad(xyz, (0, max(0, 3 - k3))))
                self.dir_arrows.add(Arrow(self.origin3, end, buff=0, stroke_width=5, color=self._color(name),
                                          max_tip_length_to_length_ratio=0.12))
                self.dir_labels.add(style.text(self._role(name), style.LABEL, self._color(name))
                                    .next_to(end, side, buff=0.12))
            for label in self.dir_labels:
                style.fit_in_safe_frame(label)
            note = style.text(f"3 of {self.lecture.toy.d_model} dimensions", style.CAPTION, colors.TEXT_DIM)
            note.next_to(VGroup(self.dir_arrows, self.dir_labels), DOWN, buff=0.35).align_to(self.dir_labels, LEFT)
            style.fit_in_safe_frame(note)
            for name, arrow, label in zip(self.names3, self.dir_arrows, self.dir_labels):
                beat.wait_until(name)
                self.play(GrowArrow(arrow), FadeIn(label), run_time=0.9)
            self.play(FadeIn(note), run_time=0.6)
            self.dir_note = note

    def measured_angles(self):
        with self.beat(f"Each direction is a list of {self.lecture.toy.d_model} numbers from the toy model. "
                       "Their dot products measure how much they overlap, and here they give the angles.") as beat:
            cols = VGroup(*(EmbeddingVector(self.dirs[n], max_rows=self.rows_shown, decimals=2, font_size=NUMBERS,
                                            color=self._color(n), label=self._short(n), label_color=self._color(n),
                                            label_font_size=style.BODY * style.MATH_SCALE) for n in self.names3))
            cols.arrange(RIGHT, buff=0.45, aligned_edge=UP)
            cols.move_to([3.4, 0.9, 0])
            lines = VGroup()
            for a, b in self.pairs:
                tex = (self._tex_name(a) + r"\cdot" + self._tex_name(b) + "=" + format_fixed(self.pair_dots[(a, b)])
                       + r"\qquad " + f"{self.pair_angles[(a, b)]:.1f}" + r"^\circ")
                line = style.math(tex, style.LABEL)
                line[0][0:2].set_color(self._color(a))
                lines.add(line)
            lines.arrange(DOWN, buff=0.22, aligned_edge=LEFT).next_to(cols, DOWN, buff=0.4)
            style.fit_in_safe_frame(VGroup(cols, lines))
            self.play(FadeIn(cols, lag_ratio=0.1), run_time=1.5)
            beat.wait_until("dot products")
            self.play(LaggedStart(*(FadeIn(line) for line in lines), lag_ratio=0.5), run_time=2.0)
            self.dir_columns, self.angle_block = cols, lines

    def dot_product_rule(self):
        f = self.lecture.fact
        with self.beat(f"What does 'encodes' mean? A dot product of 1 with the {f.first_name} direction "
                       f"means 'first name {f.first_name}'; 0 or less means not.") as beat:
            m = self._tex_name(f.first_name)
            yes = style.math(r"E \cdot " + m + r" = 1 \;\Rightarrow\; \text{" + f.first_name + "}", style.LABEL,
                             tex_to_color_map={m: colors.FIRST_NAME})
            no = style.math(r"E \cdot " + m + r" \le 0 \;\Rightarrow\; \text{not " + f.first_name + "}",
                            style.LABEL, colors.TEXT_DIM)
            self.rule = VGroup(yes, no).arrange(DOWN, buff=0.3, aligned_edge=LEFT).move_to([3.2, 2.3, 0])
            style.fit_in_safe_frame(self.rule)
            self.play(FadeOut(self.dir_columns), FadeOut(self.angle_block), run_time=0.8)
            self.play(FadeIn(yes), run_time=1)
            beat.wait_until("0 or less")
            self.play(FadeIn(no), run_time=1)

    def full_name_vector(self):
        m, j = (self._tex_name(n) for n in self.names3[:2])
        dots = [format_spoken(self.full_readout[n]) for n in self.names3]
        f = self.lecture.fact
        with self.beat(f"So a vector for the full name {f.first_name} {f.last_name} is the sum of the two name "
                       f"directions. Its dot products with the three directions come out {dots[0]}, {dots[1]} "
                       f"and {dots[2]}.") as beat:
            xyz = np.pad(self.coords3[0] + self.coords3[1], (0, max(0, 3 - self.coords3.shape[1])))
            end = self._screen(xyz)
            guide_m = DashedLine(self.dir_arrows[0].get_end(), end, color=colors.LAST_NAME, stroke_width=2)
            guide_j = DashedLine(self.dir_arrows[1].get_end(), end, color=colors.FIRST_NAME, stroke_width=2)
            e_arrow = Arrow(self.origin3, end, buff=0, stroke_width=6, color=colors.VECTOR,
                            max_tip_length_to_length_ratio=0.1)
            e_label = style.math("E = " + m + " + " + j, style.LABEL).next_to(end, RIGHT, buff=0.15)
            col = EmbeddingVector(self.full, max_rows=self.rows_shown, decimals=2, font_size=NUMBERS, label="$E$",
                                  label_font_size=style.BODY * style.MATH_SCALE)
            readouts = VGroup(*(style.math(r"E \cdot " + self._tex_name(n) + " = " + format_fixed(self.full_readout[n]),
                                           style.LABEL, tex_to_color_map={self._tex_name(n): self._color(n)})
                                for n in self.names3))
            readouts.arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            group = VGroup(col, readouts).arrange(RIGHT, buff=0.8)
            group.next_to(self.rule, DOWN, buff=0.5).set_x(self.rule.get_x())
            style.fit_in_safe_frame(group)
            e_label = self._clear_label(end, [e_label, style.math("E", style.LABEL)],
                                       [group, *self.dir_labels, *self.dir_arrows])
            self.play(Create(guide_m), Create(guide_j), run_time=0.8)
            self.play(GrowArrow(e_arrow), FadeIn(e_label), run_time=1)
            self.play(FadeIn(col), run_time=1)
            beat.wait_until("dot products")
            self.play(LaggedStart(*(FadeIn(r, shift=0.1 * RIGHT) for r in readouts), lag_ratio=0.5), run_time=1.8)
            self.e_parts = VGroup(guide_m, guide_j, e_arrow, e_label, col, readouts)

    def attention_moved_it(self):
        f = self.lecture.fact
        with self.beat(f"One more assumption: '{f.first_name}' and '{f.last_name}' are separate tokens, so an "
                       f"earlier attention block must already have copied '{f.first_name}' into the "
                       f"'{f.last_name}' vector.") as beat:
            self.play(FadeOut(VGroup(self.e_parts, self.rule, self.dir_arrows, self.dir_labels, self.dir_note)),
                      run_time=0.8)
            tokens = TokenRow([f.first_name, f.last_name], token_colors=[colors.FIRST_NAME, colors.LAST_NAME],
                              font_size=style.BODY, buff=3.4)
            tokens.move_to([0, 2.7, 0])
            first_vec = EmbeddingVector(self.toy.token_vector(f.first_name), max_rows=self.rows_shown, decimals=2,
                                        font_size=NUMBERS)
            last_vec = EmbeddingVector(self.last_alone, max_rows=self.rows_shown, decimals=2, font_size=NUMBERS)
            first_vec.next_to(tokens.get_token(0), DOWN, buff=0.3)
            last_vec.next_to(tokens.get_token(1), DOWN, buff=0.3)
            first_read = self.readout(self.first_alone_readout).next_to(first_vec, DOWN, buff=0.25)
            last_read = self.readout(self.last_alone_readout).next_to(last_vec, DOWN, buff=0.25)
            self.play(FadeIn(tokens), FadeIn(first_vec), FadeIn(last_vec), run_time=1)
            self.play(FadeIn(first_read), FadeIn(last_read), run_time=0.8)
            arrow = Arrow(first_vec.get_right(), last_vec.get_left(), buff=0.25, stroke_width=5,
                          color=colors.ATTENTION, max_tip_length_to_length_ratio=0.15)
            arrow_label = style.text("attention", style.LABEL, colors.ATTENTION).next_to(arrow, UP, buff=0.12)
            beat.wait_until("attention")
            self.play(GrowArrow(arrow), FadeIn(arrow_label), run_time=1)
            new_read = self.readout(self.full_readout).move_to(last_read)
            self.play(*last_vec.change_values_animations(self.full), Transform(last_read, new_read), run_time=1.5)
        first, last = (format_spoken(self.full_readout[n]) for n in self.names3[:2])
        with self.beat(f"The '{f.last_name}' vector now reads {first} on {f.first_name} and {last} on "
                       f"{f.last_name}.") as beat:
            self.play(Indicate(last_read, color=colors.HIGHLIGHT), run_time=1.2)

    def readout(self, values: dict[str, float]) -> VGroup:
        """Dot products with the two name directions, one per line."""
        lines = VGroup()
        for name in self.names3[:2]:
            line = style.math(r"\cdot\," + self._tex_name(name) + " = " + format_fixed(values[name]), style.LABEL)
            line[0][1:3].set_color(self._color(name))
            lines.add(line)
        return lines.arrange(DOWN, buff=0.15, aligned_edge=LEFT)
