"""Scene 3: directions carry meaning, and the toy example's assumptions about three of them.

The word arrows of the first two steps are an illustrative 2-D picture (said on screen): there is no real
embedding offline. Everything after that is the toy block's own numbers
(:func:`llmfacts.compute.toy_mlp.build_toy_mlp`): its direction vectors, their dot products and angles,
and the dot products of the full-name vector with each direction.

Render::

    .venv/bin/manim render -ql scenes/directions.py MeaningDirections
"""

from __future__ import annotations

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
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
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from llmfacts import colors
from llmfacts.compute.toy_mlp import ToyFact, ToyMLPConfig, build_toy_mlp
from llmfacts.formatting import format_fixed, format_spoken
from llmfacts.mobjects import EmbeddingVector, TokenRow
from llmfacts.story import StoryScene

__all__ = ["MeaningDirections", "angle_degrees", "span_coordinates"]


def angle_degrees(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between two vectors, in degrees."""
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def span_coordinates(vectors: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of ``vectors`` (k x d) in an orthonormal basis of their span (k x k).

    Lengths and angles are kept exactly, so a drawing made from them is faithful to the d-dimensional
    vectors (for k = 3 it is a true 3-D picture).
    """
    q, r = np.linalg.qr(np.asarray(vectors, dtype=float).T)  # d x k, k x k
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    r = r * signs[:, None]  # first basis vector along vector 0, second on vector 1's side, ...
    return r.T  # row i: coordinates of vector i in the basis q


class MeaningDirections(StoryScene):
    """Directions carry meaning (illustrative word arrows), then the toy's three nearly perpendicular directions.

    Parameters (class attributes):

    * ``first_name``, ``last_name``, ``attribute`` - the fact of the toy block and its three directions.
    * ``d_model`` - dimension of the toy's space.
    * ``seed`` - seed of the toy block.
    * ``overlap`` - 0 makes the toy directions exactly perpendicular; a small positive value makes them only
      nearly so (every dot product is recomputed and shown as it comes out).
    * ``rows_shown`` - most entries shown per vector (the ``⋮`` included).
    * ``illustrative_words`` - the made-up 2-D positions of the word arrows (no number of them is shown).
    * ``projection`` - 2 x 3 matrix that draws 3-D coordinates on the screen (an oblique view).
    * ``arrow_length`` - screen length of a unit direction.
    """

    summary = "Directions carry meaning; the toy assumptions (Michael, Jordan, basketball)"
    steps = ("word_arrows", "gender_direction", "toy_directions", "measured_angles", "dot_product_rule",
             "full_name_vector", "attention_moved_it")

    first_name = "Michael"
    last_name = "Jordan"
    attribute = "basketball"
    d_model = 12
    seed = 0
    overlap = 0.0
    rows_shown = 8
    illustrative_words: dict[str, tuple[float, float]] = {
        "man": (1.0, 0.3),
        "woman": (0.8, 2.0),
        "uncle": (3.6, -0.2),
        "aunt": (3.45, 1.6),
    }
    projection = ((1.0, 0.0, -0.55), (-0.18, 1.0, -0.45))
    arrow_length = 2.1

    # -- numbers ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        fact = ToyFact(self.first_name, self.last_name, self.attribute)
        self.toy = build_toy_mlp(ToyMLPConfig(fact=fact, d_model=self.d_model, seed=self.seed,
                                              overlap=self.overlap))
        self.names3 = (self.first_name, self.last_name, self.attribute)
        self.dirs = {n: self.toy.direction(n) for n in self.names3}
        self.pairs = [(a, b) for i, a in enumerate(self.names3) for b in self.names3[i + 1:]]
        self.pair_dots = {(a, b): float(np.dot(self.dirs[a], self.dirs[b])) for a, b in self.pairs}
        self.pair_angles = {(a, b): angle_degrees(self.dirs[a], self.dirs[b]) for a, b in self.pairs}
        self.norms = {n: float(np.linalg.norm(v)) for n, v in self.dirs.items()}
        self.coords3 = span_coordinates(np.stack([self.dirs[n] for n in self.names3]))
        # the full name: the vector of the "Jordan" token once attention has added "Michael" to it
        self.full = self.toy.token_vector(self.first_name, self.last_name)
        self.full_readout = self.toy.readout(self.full)
        self.last_alone = self.toy.token_vector(self.last_name)
        self.last_alone_readout = self.toy.readout(self.last_alone)
        self.first_alone_readout = self.toy.readout(self.toy.token_vector(self.first_name))
        # the illustrative picture: where uncle + (woman - man) lands, and which word is nearest to it
        w = {k: np.array(v, dtype=float) for k, v in self.illustrative_words.items()}
        self.word_points = w
        self.landing = w["uncle"] + (w["woman"] - w["man"])
        self.nearest_word = min(w, key=lambda k: np.linalg.norm(w[k] - self.landing))

    def _color(self, name: str) -> str:
        return {self.first_name: colors.FIRST_NAME, self.last_name: colors.LAST_NAME,
                self.attribute: colors.ATTRIBUTE}.get(name, colors.OTHER_CONCEPT)

    def _role(self, name: str) -> str:
        return {self.first_name: f"first name {name}", self.last_name: f"last name {name}"}.get(name, name)

    # -- steps ------------------------------------------------------------------------------------------
    def word_arrows(self):
        t = self.narrate("These vectors live in a space with a huge number of dimensions, and directions in "
                         "that space can carry meaning. Here is a made-up picture in two.")
        plane = NumberPlane(x_range=(-0.5, 4.5, 1), y_range=(-1, 2.6, 1), x_length=6.8, y_length=4.9,
                            background_line_style={"stroke_color": colors.DATA_DIM, "stroke_opacity": 0.35,
                                                   "stroke_width": 1},
                            axis_config={"stroke_color": colors.DATA_DIM, "stroke_opacity": 0.6})
        plane.to_edge(LEFT, buff=0.4).shift(0.2 * DOWN)
        self.plane = plane
        self.word_arrows_group = VGroup()
        self.word_tips = {}
        for word, xy in self.word_points.items():
            tip = plane.c2p(*xy)
            arrow = Arrow(plane.c2p(0, 0), tip, buff=0, stroke_width=4, color=colors.DATA,
                          max_tip_length_to_length_ratio=0.12)
            label = Text(word, font_size=28, color=colors.TEXT)
            label.next_to(tip, UP if xy[1] > 1 else RIGHT, buff=0.12)
            self.word_arrows_group.add(VGroup(arrow, label))
            self.word_tips[word] = tip
        note = Text("an illustration: real embeddings\nhave thousands of dimensions,\nand these arrows are made up",
                    font_size=22, color=colors.TEXT_DIM, line_spacing=0.8)
        note.next_to(plane, RIGHT, buff=0.5).align_to(plane, UP)
        self.illustration_note = note
        self.play(FadeIn(plane), FadeIn(note), run_time=1)
        self.play(LaggedStart(*(GrowArrow(g[0]) for g in self.word_arrows_group), lag_ratio=0.25), run_time=2)
        self.play(LaggedStart(*(FadeIn(g[1]) for g in self.word_arrows_group), lag_ratio=0.25), run_time=1)
        self.wait(max(0.5, t - 4))

    def gender_direction(self):
        t = self.narrate("Take the step from 'man' to 'woman' and add it to 'uncle': you land near 'aunt'. "
                         "That step points along a direction that encodes gender.")
        step = Arrow(self.word_tips["man"], self.word_tips["woman"], buff=0.05, stroke_width=5,
                     color=colors.HIGHLIGHT, max_tip_length_to_length_ratio=0.2)
        moved = step.copy()
        shift = self.word_tips["uncle"] - self.word_tips["man"]
        landing = Dot(self.plane.c2p(*self.landing), radius=0.08, color=colors.HIGHLIGHT)
        nearest = self.word_arrows_group[list(self.word_points).index(self.nearest_word)][1]
        lines = VGroup(
            Text("woman \u2212 man", font_size=28, color=colors.HIGHLIGHT),
            Text("added to uncle", font_size=26, color=colors.TEXT),
            Text(f"lands near {self.nearest_word}", font_size=26, color=colors.TEXT),
            Text("so this direction\nencodes gender", font_size=26, color=colors.HIGHLIGHT, line_spacing=0.8),
            Text("a trained model can use\nother directions for\nother features",
                 font_size=22, color=colors.TEXT_DIM, line_spacing=0.8),
        ).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        lines.next_to(self.illustration_note, DOWN, buff=0.45, aligned_edge=LEFT)
        self.play(GrowArrow(step), FadeIn(lines[0]), run_time=1.2)
        self.play(moved.animate.shift(shift), FadeIn(lines[1]), run_time=1.5)
        self.play(FadeIn(landing, scale=1.5), FadeIn(lines[2]), run_time=0.6)
        self.play(Indicate(nearest, color=colors.HIGHLIGHT), run_time=1)
        self.play(FadeIn(lines[3]), run_time=0.8)
        self.play(FadeIn(lines[4]), run_time=0.8)
        self.word_scene = VGroup(self.plane, self.word_arrows_group, self.illustration_note, step, moved, landing,
                                 lines)
        self.wait(max(0.5, t - 5.9))

    def _screen(self, xyz: np.ndarray) -> np.ndarray:
        p = np.array(self.projection, dtype=float) @ np.asarray(xyz, dtype=float)[:3]
        return self.origin3 + self.arrow_length * np.array([p[0], p[1], 0.0])

    def toy_directions(self):
        exact = max(abs(d) for d in self.pair_dots.values()) < 1e-9
        t = self.narrate(f"For our toy, assume three directions: one for the first name {self.first_name}, "
                         f"one for the last name {self.last_name}, and one for {self.attribute}. "
                         + ("Here they are exactly perpendicular; in a real model they would only be nearly so."
                            if exact else "They are nearly perpendicular."))
        self.play(FadeOut(self.word_scene), run_time=0.8)
        title = Text("the toy's assumptions", font_size=32, color=colors.TEXT).to_edge(UP, buff=0.35)
        self.origin3 = np.array([-4.4, -0.8, 0.0])
        self.dir_arrows = VGroup()
        self.dir_labels = VGroup()
        label_dirs = (DOWN, UP, DOWN)
        k3 = self.coords3.shape[1]
        for name, xyz, side in zip(self.names3, self.coords3, label_dirs):
            xyz = np.pad(xyz, (0, max(0, 3 - k3)))
            end = self._screen(xyz)
            arrow = Arrow(self.origin3, end, buff=0, stroke_width=5, color=self._color(name),
                          max_tip_length_to_length_ratio=0.12)
            label = Text(self._role(name), font_size=26, color=self._color(name))
            label.next_to(end, side, buff=0.12)
            self.dir_arrows.add(arrow)
            self.dir_labels.add(label)
        for label in self.dir_labels:  # keep the labels inside the frame
            if label.get_left()[0] < -6.9:
                label.shift(RIGHT * (-6.9 - label.get_left()[0]))
        note = Text(f"drawn in 3-D; the toy space has {self.d_model} dimensions", font_size=22,
                    color=colors.TEXT_DIM)
        note.next_to(VGroup(self.dir_arrows, self.dir_labels), DOWN, buff=0.35)
        note.to_edge(LEFT, buff=0.3)
        self.play(FadeIn(title), run_time=0.6)
        for arrow, label in zip(self.dir_arrows, self.dir_labels):
            self.play(GrowArrow(arrow), FadeIn(label), run_time=1)
        self.play(FadeIn(note), run_time=0.6)
        self.toy_title, self.dir_note = title, note
        self.wait(max(0.5, t - 4.2))

    def measured_angles(self):
        t = self.narrate(f"Each direction is a list of {self.d_model} numbers from the toy model. "
                         "Their dot products measure how much they overlap, and here they give the angles.")
        cols = VGroup()
        for name in self.names3:
            col = EmbeddingVector(self.dirs[name], max_rows=self.rows_shown, decimals=2, font_size=26,
                                  color=self._color(name), label=self._short(name), label_color=self._color(name),
                                  label_font_size=30)
            cols.add(col)
        cols.arrange(RIGHT, buff=0.4, aligned_edge=UP)
        cols.move_to([3.4, 1.1, 0])
        lines = VGroup()
        for a, b in self.pairs:
            dot = self.pair_dots[(a, b)]
            ang = self.pair_angles[(a, b)]
            line = VGroup(
                Text(self._short(a), font_size=26, color=self._color(a)),
                Text("\u00b7", font_size=26, color=colors.TEXT),
                Text(self._short(b), font_size=26, color=self._color(b)),
                Text(f"= {format_fixed(dot)}", font_size=26, color=colors.TEXT),
                Text(f"{ang:.1f}\u00b0", font_size=26, color=colors.HIGHLIGHT),
            ).arrange(RIGHT, buff=0.12)
            line[4].shift(0.25 * RIGHT)
            lines.add(line)
        lengths = Text("each has length " + ", ".join(format_fixed(self.norms[n]) for n in self.names3),
                       font_size=22, color=colors.TEXT_DIM)
        table = VGroup(*lines).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        for line in lines:  # line up the angle column
            line[4].align_to(lines[0][4], LEFT)
        block = VGroup(table, lengths).arrange(DOWN, buff=0.3)
        block.next_to(cols, DOWN, buff=0.4)
        self.play(FadeIn(cols, lag_ratio=0.1), run_time=1.5)
        for line in lines:
            self.play(FadeIn(line), run_time=0.7)
        self.play(FadeIn(lengths), run_time=0.6)
        self.dir_columns, self.angle_block = cols, block
        self.wait(max(1.0, t - 4.2))

    def _short(self, name: str) -> str:
        """One capital letter per direction (M, J, B), or the whole word if two would clash."""
        letters = [n[0].upper() for n in self.names3]
        return name[0].upper() if len(set(letters)) == len(letters) else name

    def dot_product_rule(self):
        t = self.narrate(f"What does 'encodes' mean? A dot product of 1 with the {self.first_name} direction "
                         f"means 'first name {self.first_name}'; 0 or less means not.")
        m = self._short(self.first_name)
        rule = VGroup(
            Text(f"vector \u00b7 {m} = 1", font_size=28, color=colors.TEXT),
            Text(f"\u2192  first name {self.first_name}", font_size=28, color=colors.FIRST_NAME),
            Text(f"vector \u00b7 {m} \u2264 0", font_size=28, color=colors.TEXT),
            Text(f"\u2192  not {self.first_name}", font_size=28, color=colors.TEXT_DIM),
        )
        rule[1].next_to(rule[0], RIGHT, buff=0.25)
        rule[2].next_to(rule[0], DOWN, buff=0.3, aligned_edge=LEFT)
        rule[3].next_to(rule[2], RIGHT, buff=0.25).align_to(rule[1], LEFT)
        rule.move_to([3.2, 2.3, 0])
        if rule.get_right()[0] > 6.9:
            rule.shift(LEFT * (rule.get_right()[0] - 6.9))
        self.play(FadeOut(self.dir_columns), FadeOut(self.angle_block), run_time=0.8)
        self.play(FadeIn(VGroup(rule[0], rule[1])), run_time=1)
        self.play(FadeIn(VGroup(rule[2], rule[3])), run_time=1)
        self.rule = rule
        self.wait(max(0.5, t - 2.8))

    def full_name_vector(self):
        m, j, b = (self._short(n) for n in self.names3)
        dots = [format_spoken(self.full_readout[n]) for n in self.names3]
        t = self.narrate(f"So a vector for the full name {self.first_name} {self.last_name} is {m} plus {j}. "
                         f"Its dot products with the three directions come out {dots[0]}, {dots[1]} "
                         f"and {dots[2]}.")
        # the arrow E = M + J in the same 3-D drawing, and its coordinates along each direction
        xyz = np.pad(self.coords3[0] + self.coords3[1], (0, max(0, 3 - self.coords3.shape[1])))
        end = self._screen(xyz)
        guide_m = DashedLine(self.dir_arrows[0].get_end(), end, color=colors.LAST_NAME, stroke_width=2)
        guide_j = DashedLine(self.dir_arrows[1].get_end(), end, color=colors.FIRST_NAME, stroke_width=2)
        e_arrow = Arrow(self.origin3, end, buff=0, stroke_width=6, color=colors.DATA,
                        max_tip_length_to_length_ratio=0.1)
        e_label = Text(f"E = {m} + {j}", font_size=26, color=colors.TEXT).next_to(end, RIGHT, buff=0.15)
        col = EmbeddingVector(self.full, max_rows=self.rows_shown, decimals=2, font_size=26, label="E",
                              label_font_size=30)
        readouts = VGroup()
        for name in self.names3:
            readouts.add(VGroup(
                Text("E \u00b7 ", font_size=28, color=colors.TEXT),
                Text(self._short(name), font_size=28, color=self._color(name)),
                Text(f"= {format_fixed(self.full_readout[name])}", font_size=28, color=colors.TEXT),
            ).arrange(RIGHT, buff=0.1))
        readouts.arrange(DOWN, buff=0.35, aligned_edge=LEFT)
        group = VGroup(col, readouts).arrange(RIGHT, buff=0.8)
        group.next_to(self.rule, DOWN, buff=0.6)
        if group.get_bottom()[1] < -3.7:
            group.shift(UP * (-3.7 - group.get_bottom()[1]))
        group.set_x(self.rule.get_x())
        self.play(Create(guide_m), Create(guide_j), run_time=0.8)
        self.play(GrowArrow(e_arrow), FadeIn(e_label), run_time=1)
        self.play(FadeIn(col), run_time=1)
        for r in readouts:
            self.play(FadeIn(r, shift=0.1 * RIGHT), run_time=0.6)
        self.e_parts = VGroup(guide_m, guide_j, e_arrow, e_label, col, readouts)
        self.wait(max(0.5, t - 4.6))

    def attention_moved_it(self):
        t = self.narrate(f"One more assumption: '{self.first_name}' and '{self.last_name}' are separate tokens, "
                         f"so an earlier attention block must already have copied '{self.first_name}' into the "
                         f"'{self.last_name}' vector.")
        self.play(FadeOut(VGroup(self.e_parts, self.rule, self.dir_arrows, self.dir_labels, self.dir_note)),
                  run_time=0.8)
        tokens = TokenRow([self.first_name, self.last_name], token_colors=[colors.FIRST_NAME, colors.LAST_NAME],
                          font_size=32, buff=3.2)
        tokens.next_to(self.toy_title, DOWN, buff=0.6)
        first_vec = EmbeddingVector(self.toy.token_vector(self.first_name), max_rows=self.rows_shown, decimals=2,
                                    font_size=26)
        last_vec = EmbeddingVector(self.last_alone, max_rows=self.rows_shown, decimals=2, font_size=26)
        first_vec.next_to(tokens.get_token(0), DOWN, buff=0.3)
        last_vec.next_to(tokens.get_token(1), DOWN, buff=0.3)

        def readout_text(values: dict[str, float]) -> VGroup:
            parts = VGroup()
            for name in self.names3[:2]:
                parts.add(VGroup(Text("dot with", font_size=24, color=colors.TEXT_DIM),
                                 Text(self._short(name), font_size=26, color=self._color(name)),
                                 Text(f": {format_fixed(values[name])}", font_size=26, color=colors.TEXT)
                                 ).arrange(RIGHT, buff=0.1))
            return parts.arrange(DOWN, buff=0.15, aligned_edge=LEFT)

        first_read = readout_text(self.first_alone_readout).next_to(first_vec, DOWN, buff=0.25)
        last_read = readout_text(self.last_alone_readout).next_to(last_vec, DOWN, buff=0.25)
        self.play(FadeIn(tokens), FadeIn(first_vec), FadeIn(last_vec), run_time=1)
        self.play(FadeIn(first_read), FadeIn(last_read), run_time=0.8)
        self.wait(1)
        arrow = Arrow(first_vec.get_right(), last_vec.get_left(), buff=0.2, stroke_width=5, color=colors.ATTENTION,
                      max_tip_length_to_length_ratio=0.15)
        arrow_label = Text("attention\n(an earlier layer)", font_size=22, color=colors.ATTENTION, line_spacing=0.8)
        arrow_label.next_to(arrow, UP, buff=0.1)
        self.play(GrowArrow(arrow), FadeIn(arrow_label), run_time=1)
        new_read = readout_text(self.full_readout).move_to(last_read)
        self.play(*last_vec.change_values_animations(self.full), Transform(last_read, new_read), run_time=1.5)
        caption = Text(f"the \u201c{self.last_name}\u201d vector now encodes both names", font_size=26,
                       color=colors.HIGHLIGHT)
        caption.next_to(VGroup(first_read, last_read), DOWN, buff=0.35)
        self.play(FadeIn(caption), run_time=0.8)
        self.wait(max(1.0, t - 5.1))
