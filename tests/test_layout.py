"""Layout checks on every key frame (llmfacts.layout_check): texts inside the title-safe frame, readable,
clear of each other, and no prose on screen.

The checker itself is tested on tiny synthetic scenes (one breaking each rule, one clean). Then every scene
of the storyboard, for each example lecture (``examples/*.py`` defining ``LECTURE``), renders its key frames
with the checker watching the end of every step (the default lecture is checked by ``tests/test_scenes.py``
in the same render as its control frames); a test fails with the
list of every violation (scene, step, rule, the text, what was measured), also written to
``tests/output/layout/<Scene>-<lecture>.txt`` (and ``.tsv``, one violation a line).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    DecimalNumber,
    FadeIn,
    MathTex,
    MovingCameraScene,
    Paragraph,
    Text,
    ThreeDScene,
    VGroup,
)

from llmfacts import style
from llmfacts.compute.lecture import Lecture
from llmfacts.layout_check import (
    MAX_WORDS_PER_FRAME,
    MAX_WORDS_PER_TEXT,
    Violation,
    check_frame,
    format_violations,
    summary_table,
    text_mobjects,
    word_count,
)
from llmfacts.story import StoryScene
from llmfacts.storyboard import REPO_ROOT, STORY
from llmfacts.testing import render_keyframes
from tests.test_scenes import report_layout

OUTPUT = Path(__file__).parent / "output" / "layout"

FAST_PATH: dict[str, dict] = {
    # same lighter experiment as tests/test_scenes.py: a fresh checkout has no cache of the real runs
    "PerpendicularityExperiment": {"n": 1500, "d": 40, "opt_steps": 60, "classic_steps": 60},
}


def run_checked(scene_class, name: str | None = None, media_dir=None, **attributes) -> list[Violation]:
    """Render ``scene_class``'s key frames with the layout checker after every step; its violations."""
    found: list[Violation] = []
    attributes["step_observers"] = [lambda scene, step: found.extend(check_frame(scene, step))]
    checked = type(name or scene_class.__name__, (scene_class,), attributes)
    frames = render_keyframes(checked, media_dir=media_dir)
    assert len(frames) == len(scene_class.steps)
    return found


# -- the checker on synthetic scenes ------------------------------------------------------------------------------
def _scene(name, build, base=StoryScene):
    """A one-step story scene that adds what ``build()`` returns."""

    def show(self):
        self.add(*build())

    return type(name, (base,), {"steps": ("show",), "show": show})


def _rules(violations):
    return sorted(v.rule for v in violations)


def test_a_clean_frame_has_no_violation():
    def build():
        title = style.text("Inside the MLP", size=style.TITLE).to_edge(UP, buff=0.6)
        label = style.text("basketball", size=style.LABEL).shift(LEFT * 3)
        formula = style.math(rf"{style.W_UP} {style.VEC}", size=style.BODY).shift(RIGHT * 3)
        number = DecimalNumber(0.73, font_size=style.MIN_MATH_FONT_SIZE).shift(DOWN * 2)
        hidden = style.text("a sentence of far too many words hidden here for later use", size=10)
        hidden.set_opacity(0)  # fully transparent: not on screen
        return [VGroup(title, VGroup(label, formula)), number, hidden]

    assert run_checked(_scene("Clean", build)) == []


def test_text_outside_the_safe_frame_is_named_with_scene_and_step():
    found = run_checked(_scene("Outside", lambda: [style.text("corner", size=style.LABEL).to_corner(UP + RIGHT, buff=0.1)]))
    assert _rules(found) == ["outside"]
    v = found[0]
    assert (v.scene, v.step, v.text) == ("Outside", "show", "corner")
    assert "right edge" in v.detail and "top" in v.detail
    assert str(v).startswith("Outside.show: outside: 'corner'")


def test_small_text_is_flagged_by_its_overall_size_not_its_subscripts():
    def build():
        small_text = Text("tiny", font_size=style.MIN_FONT_SIZE * 0.8).shift(UP * 2)
        scaled = style.text("shrunk", size=style.BODY).scale(0.5).shift(UP)  # 18 after scaling
        small_number = DecimalNumber(3.5, font_size=24).shift(DOWN)
        # a readable formula whose subscript glyphs are small: fine
        subscripts = style.math(r"W_{\uparrow, i j}", size=style.CAPTION).shift(DOWN * 2.5)
        return [small_text, scaled, small_number, subscripts]

    found = run_checked(_scene("Small", build))
    assert _rules(found) == ["too small"] * 3
    assert {v.text for v in found} == {"tiny", "shrunk", "3.50"}
    by_text = {v.text: v.detail for v in found}
    assert "19.2" in by_text["tiny"] and "18.0" in by_text["shrunk"] and "LaTeX" in by_text["3.50"]


def test_overlapping_texts_are_flagged_but_a_text_and_its_parts_are_not():
    def build():
        a = style.text("Michael", size=style.BODY)
        b = style.text("Jordan", size=style.BODY).move_to(a.get_right())  # on top of a's last letters
        apart = style.text("plays", size=style.BODY).next_to(a, DOWN, buff=0.6)
        formula = style.math(r"E + \mathrm{MLP}(E)", size=style.BODY).shift(DOWN * 2.5)  # its parts touch
        return [VGroup(a, b), apart, formula]

    found = run_checked(_scene("Overlap", build))
    assert _rules(found) == ["overlap"]
    assert found[0].text == "Michael / Jordan"


def test_overlap_uses_glyphs_not_boxes():
    """A short label in the empty corner of a two-line text's box is not an overlap."""

    def build():
        block = Paragraph("a long first line", "x", font_size=style.BODY)
        corner = style.text("ok", size=style.LABEL)
        corner.move_to(block.get_corner(DOWN + RIGHT) + LEFT * corner.width / 2 + UP * corner.height / 2)
        return [block, corner]

    assert run_checked(_scene("Corner", build)) == []


def test_prose_in_one_text_and_on_the_frame():
    sentence = "the computation says that this claim is simply not true"
    assert word_count(Text(sentence)) == 10 > MAX_WORDS_PER_TEXT

    def one_long():
        return [style.text(sentence, size=style.CAPTION)]

    found = run_checked(_scene("OneSentence", one_long))
    assert _rules(found) == ["prose"] and "10 words in one text" in found[0].detail

    def many_short():
        phrases = [style.text(f"label number {k} here now", size=style.CAPTION) for k in range(7)]  # 4 words each
        return [VGroup(*phrases).arrange(DOWN, buff=0.25)]

    found = run_checked(_scene("ManyLabels", many_short))
    assert _rules(found) == ["prose"]
    assert f"28 words on the frame > {MAX_WORDS_PER_FRAME}" in found[0].detail


def test_word_count_counts_prose_only():
    assert word_count(Text("E")) == 0  # a variable
    assert word_count(Text("n3 = 0.73")) == 0  # a label and a number
    assert word_count(Text("first name Michael")) == 3
    assert word_count(MathTex(r"W_{\uparrow} E + B_{\uparrow}")) == 0
    assert word_count(MathTex(r"\text{at most } 10^{4}")) == 2
    assert word_count(DecimalNumber(12.5)) == 0


def test_text_mobjects_stops_at_a_text_and_skips_duplicates():
    label = Text("a b")
    formula = MathTex("x", "y")
    group = VGroup(label, VGroup(formula, label))
    assert text_mobjects([group, label]) == [label, formula]
    number = DecimalNumber(2.5)
    digit_group = VGroup(number.submobjects[0])  # a part of a text reached on its own is not a text
    assert text_mobjects([number, digit_group]) == [number]
    assert text_mobjects([VGroup(formula), formula]) == [formula]


def test_faded_in_texts_count_after_the_animation():
    def show(self):
        self.play(FadeIn(style.text("late", size=style.LABEL).to_edge(DOWN, buff=0.05)))

    cls = type("FadedIn", (StoryScene,), {"steps": ("show",), "show": show})
    assert _rules(run_checked(cls)) == ["outside"]


def test_a_zoomed_camera_shrinks_text_on_screen():
    """A moving camera that zooms out twice draws a LABEL text at half its size: too small, and positions are
    measured in the camera's frame."""

    def show(self):
        self.add(style.text("far", size=style.LABEL).shift(RIGHT * 4))
        self.camera.frame.set(width=self.camera.frame.width * 2)

    cls = type("Zoomed", (MovingCameraScene, StoryScene), {"steps": ("show",), "show": show})
    found = run_checked(cls)
    assert _rules(found) == ["too small"]
    assert "15.0" in found[0].detail


def test_three_d_scene_fixed_in_frame_title_and_projected_label():
    def show(self):
        self.set_camera_orientation(phi=60 * 3.14159 / 180, theta=-45 * 3.14159 / 180)
        title = style.text("directions", size=style.HEADING).to_edge(UP, buff=0.02)
        self.add_fixed_in_frame_mobjects(title)
        self.add(style.text("E", size=style.BODY))

    cls = type("ThreeD", (ThreeDScene, StoryScene), {"steps": ("show",), "show": show})
    found = run_checked(cls)
    # the fixed title is measured where it is drawn (too high); the label lies in the tilted plane (shorter)
    assert [(v.rule, v.text) for v in found] == [("outside", "directions"), ("too small", "E")]


def test_format_violations_is_a_readable_list():
    found = [Violation("A", "one", "overlap", "x / y", "glyphs of two texts overlap"),
             Violation("A", "one", "outside", "z", "right edge 7.00 > 6.40"),
             *(Violation("A", "one", "too small", f"{k}.0", "LaTeX font_size 28.0 < 32.2") for k in range(8)),
             Violation("B", "two", "prose", "words", "30 words on the frame > 25")]
    assert format_violations(found).splitlines() == [
        "A / one:",
        "    overlap   'x / y': glyphs of two texts overlap",
        "    outside   'z': right edge 7.00 > 6.40",
        "    too small '0.0', '1.0', '2.0', '3.0', '4.0', '5.0' and 2 more: LaTeX font_size 28.0 < 32.2",
        "B / two:",
        "    prose     'words': 30 words on the frame > 25",
    ]
    assert summary_table(found).splitlines() == [
        "| scene | outside | too small | overlap | prose | total |",
        "| --- | --- | --- | --- | --- | --- |",
        "| A | 1 | 8 | 1 | 0 | 10 |",
        "| B | 0 | 0 | 0 | 1 | 1 |",
    ]


# -- every scene of the story ------------------------------------------------------------------------------------
def _example_lectures() -> list[tuple[str, Lecture]]:
    lectures = []
    for path in sorted((REPO_ROOT / "examples").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"layout_example_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if isinstance(getattr(module, "LECTURE", None), Lecture):
            lectures.append((path.stem, module.LECTURE))
    return lectures


LECTURES = _example_lectures()


@pytest.mark.parametrize("lecture", [lec for _, lec in LECTURES], ids=[name for name, _ in LECTURES])
@pytest.mark.parametrize("entry", STORY, ids=[e.name for e in STORY])
def test_scene_layout(entry, lecture, manim_media_dir):
    attributes = dict(FAST_PATH.get(entry.name, {}), lecture=lecture)
    found = run_checked(entry.scene_class(), entry.name, media_dir=manim_media_dir, **attributes)
    report = report_layout(entry.name, lecture.name, found)
    if found:
        pytest.fail(f"{len(found)} layout violations (also in {report.relative_to(REPO_ROOT)}):\n"
                    + format_violations(found), pytrace=False)
