"""Automatic layout checks of a frame: is every text readable, inside the title-safe frame, clear of the other
texts, and is the frame pictures and labels rather than sentences?

:func:`check_frame` looks at what a scene shows at the end of a step (the mobjects of ``scene.mobjects`` and
their families) and returns a list of :class:`Violation`. A *text* is any ``Text``, ``MarkupText``,
``Paragraph``, ``MathTex`` / ``Tex`` / ``SingleStringMathTex``, ``DecimalNumber`` or ``Integer``; the walk
stops at a text, so a text's own glyphs and parts are never compared with each other. Texts that are fully
transparent or have no size are not on screen and are skipped. Positions and sizes are measured where the
camera puts them (a moving camera's zoom, a 3-D camera's projection, fixed-in-frame mobjects), in units of
the standard 14.2 x 8 frame.

The rules (limits are module constants):

* ``outside``: a text's bounding box leaves :data:`llmfacts.style.SAFE_FRAME` (by more than
  :data:`EDGE_TOLERANCE`).
* ``too small``: a text's effective font size is below :data:`llmfacts.style.MIN_FONT_SIZE` (``Text``,
  ``MarkupText``, ``Paragraph``) or :data:`llmfacts.style.MIN_MATH_FONT_SIZE` (LaTeX and numbers). The size is
  the whole mobject's ``font_size`` (its height against the height it was created with), so a formula's
  subscripts do not count against it; the camera's zoom is included. (A label rotated on its side is measured
  along the frame's vertical and reads larger than it is.)
* ``overlap``: two visible texts have glyphs whose boxes intersect by more than :data:`OVERLAP_TOLERANCE` in
  both directions (glyph boxes, not the texts' boxes, so a text may sit inside the empty corner of another).
* ``prose``: one text has more than :data:`MAX_WORDS_PER_TEXT` words, or all texts of the frame together
  more than :data:`MAX_WORDS_PER_FRAME`. A word is a run of characters with at least two letters (labels
  such as ``E``, ``W↑``, ``n3`` and numbers are not prose); in LaTeX only ``\\text{...}`` counts. Sentences
  belong to the narration and its subtitles; on screen go labels and numbers.

Use it from a test through :attr:`llmfacts.story.StoryScene.step_observers`::

    found = []
    cls = type("ReluGate", (ReluGate,), {"step_observers": [lambda s, step: found.extend(check_frame(s, step))]})
    render_keyframes(cls)
    assert not found, format_violations(found)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from manim import DecimalNumber, MarkupText, Mobject, Paragraph, SingleStringMathTex, Text, config

from llmfacts import style

__all__ = [
    "Violation",
    "check_frame",
    "check_mobjects",
    "format_violations",
    "summary_table",
    "text_mobjects",
    "text_content",
    "word_count",
    "effective_font_size",
    "MAX_WORDS_PER_TEXT",
    "MAX_WORDS_PER_FRAME",
    "EDGE_TOLERANCE",
    "OVERLAP_TOLERANCE",
    "SIZE_TOLERANCE",
    "RULES",
]

#: Most words one text may carry (a short label or phrase).
MAX_WORDS_PER_TEXT = 8
#: Most words all the texts of one frame may carry together.
MAX_WORDS_PER_FRAME = 25
#: How far (manim units; 0.02 = 2.7 px at 1080p) a text may poke out of the safe frame (anti-aliasing).
EDGE_TOLERANCE = 0.02
#: How deep (manim units, in both directions) two glyph boxes may intersect before texts overlap.
OVERLAP_TOLERANCE = 0.02
#: Relative slack on the minimum font size (rounding of measured heights).
SIZE_TOLERANCE = 0.02
#: Opacity below which a mobject counts as invisible.
INVISIBLE = 0.02

RULES = ("outside", "too small", "overlap", "prose")

_TEXT_TYPES = (Text, MarkupText, Paragraph, SingleStringMathTex, DecimalNumber)
_LATEX_TYPES = (SingleStringMathTex, DecimalNumber)
_TAG = re.compile(r"<[^>]+>")
_TEX_TEXT = re.compile(r"\\(?:text|textrm|textit|textbf|mbox)\{([^{}]*)\}")


@dataclass(frozen=True)
class Violation:
    """One broken layout rule on one key frame."""

    scene: str  #: scene class name
    step: str  #: the step (beat) at whose end the frame was checked
    rule: str  #: one of :data:`RULES`
    text: str  #: the offending text's content (both, joined by " / ", for an overlap)
    detail: str  #: what was measured

    def __str__(self) -> str:
        return f"{self.scene}.{self.step}: {self.rule}: {self.text!r} ({self.detail})"


# -- what is on screen ---------------------------------------------------------------------------------------
def text_mobjects(mobjects: Iterable[Mobject]) -> list[Mobject]:
    """The text mobjects among ``mobjects`` and their families, each once, without descending into a text."""
    found: list[Mobject] = []
    seen: set[int] = set()

    def walk(mob: Mobject) -> None:
        if id(mob) in seen:
            return
        seen.add(id(mob))
        if isinstance(mob, _TEXT_TYPES):
            found.append(mob)
            return
        for sub in mob.submobjects:
            walk(sub)

    for mob in mobjects:
        walk(mob)
    # a text reached on its own (added to the scene by itself) that is also part of another text is that text
    inner = {id(part) for text in found for part in text.get_family()[1:]}
    return [text for text in found if id(text) not in inner]


def text_content(mob: Mobject) -> str:
    """What a text mobject says, as a plain string."""
    if isinstance(mob, Paragraph):
        return " / ".join(mob.lines_text.original_text.split("\n"))
    if isinstance(mob, MarkupText):
        return _TAG.sub("", mob.original_text)
    if isinstance(mob, Text):
        return mob.original_text
    if isinstance(mob, DecimalNumber):
        value = mob.get_value()
        places = getattr(mob, "num_decimal_places", 0)
        return f"{value:.{places}f}" if isinstance(value, (int, float)) else str(value)
    if isinstance(mob, SingleStringMathTex):
        return mob.tex_string
    return type(mob).__name__


def _words(string: str) -> int:
    return sum(1 for token in string.split() if sum(ch.isalpha() for ch in token) >= 2)


def word_count(mob: Mobject) -> int:
    """Words of prose in a text mobject (see the module's ``prose`` rule)."""
    if isinstance(mob, DecimalNumber):
        return 0
    if isinstance(mob, SingleStringMathTex):
        return sum(_words(part) for part in _TEX_TEXT.findall(mob.tex_string))
    return _words(text_content(mob).replace(" / ", " "))


def _visible(mob: Mobject) -> bool:
    for leaf in mob.family_members_with_points():
        if leaf.get_fill_opacity() > INVISIBLE:
            return True
        if leaf.get_stroke_width() > 0 and leaf.get_stroke_opacity() > INVISIBLE:
            return True
    return False


def _screen_points(scene, leaf: Mobject) -> np.ndarray:
    """``leaf``'s points where the camera draws them, in standard-frame units centred on the frame."""
    camera = scene.renderer.camera
    points = camera.transform_points_pre_display(leaf, leaf.points) - camera.frame_center
    return points[:, :2] * np.array(
        [config.frame_width / camera.frame_width, config.frame_height / camera.frame_height]
    )


def _glyph_boxes(scene, mob: Mobject) -> np.ndarray:
    """Screen boxes ``[x0, y0, x1, y1]`` of every leaf (glyph / stroke) of ``mob`` that has points."""
    boxes = []
    for leaf in mob.family_members_with_points():
        pts = _screen_points(scene, leaf)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts):
            boxes.append([*pts.min(axis=0), *pts.max(axis=0)])
    return np.array(boxes, dtype=float).reshape(-1, 4)


def effective_font_size(mob: Mobject, zoom: float = 1.0) -> float:
    """The font size a text shows with: its ``font_size`` (height against creation height) times ``zoom``."""
    if isinstance(mob, Paragraph):
        size = mob.lines_text.font_size
    else:
        size = mob.font_size
    return float(size) * zoom


@dataclass
class _Item:
    mob: Mobject
    content: str
    boxes: np.ndarray
    box: np.ndarray


# -- the checks ------------------------------------------------------------------------------------------------
def check_mobjects(scene, scene_name: str, step: str, mobjects: Iterable[Mobject]) -> list[Violation]:
    """Check the texts among ``mobjects`` as drawn by ``scene``'s camera (see the module's rules)."""
    violations: list[Violation] = []
    items: list[_Item] = []
    camera = scene.renderer.camera
    if hasattr(camera, "reset_rotation_matrix"):  # a 3-D camera updates its rotation only when it draws
        camera.reset_rotation_matrix()
    for mob in text_mobjects(mobjects):
        if not _visible(mob):
            continue
        boxes = _glyph_boxes(scene, mob)
        if not len(boxes):
            continue
        box = np.array([*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0)])
        if box[2] - box[0] <= 1e-6 and box[3] - box[1] <= 1e-6:
            continue
        items.append(_Item(mob, text_content(mob), boxes, box))

    def add(rule: str, text: str, detail: str) -> None:
        violations.append(Violation(scene_name, step, rule, text, detail))

    frame = style.SAFE_FRAME
    for item in items:
        x0, y0, x1, y1 = item.box
        out = []
        if x0 < frame.x_min - EDGE_TOLERANCE:
            out.append(f"left edge {x0:.2f} < {frame.x_min:.2f}")
        if x1 > frame.x_max + EDGE_TOLERANCE:
            out.append(f"right edge {x1:.2f} > {frame.x_max:.2f}")
        if y0 < frame.y_min - EDGE_TOLERANCE:
            out.append(f"bottom {y0:.2f} < {frame.y_min:.2f}")
        if y1 > frame.y_max + EDGE_TOLERANCE:
            out.append(f"top {y1:.2f} > {frame.y_max:.2f}")
        if out:
            add("outside", item.content, "outside the title-safe frame: " + ", ".join(out))

        world_height = item.mob.height
        zoom = (y1 - y0) / world_height if world_height > 1e-9 else 1.0
        size = effective_font_size(item.mob, zoom)
        latex = isinstance(item.mob, _LATEX_TYPES)
        minimum = style.MIN_MATH_FONT_SIZE if latex else style.MIN_FONT_SIZE
        if size < minimum * (1 - SIZE_TOLERANCE):
            kind = "LaTeX font_size" if latex else "font_size"
            add("too small", item.content, f"{kind} {size:.1f} < {minimum:.1f}")

        words = word_count(item.mob)
        if words > MAX_WORDS_PER_TEXT:
            add("prose", item.content, f"{words} words in one text > {MAX_WORDS_PER_TEXT}")

    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if not _boxes_overlap(a.box[None, :], b.box[None, :]):
                continue
            if _boxes_overlap(a.boxes, b.boxes):
                add("overlap", f"{a.content} / {b.content}", "glyphs of two texts overlap")

    total = sum(word_count(item.mob) for item in items)
    if total > MAX_WORDS_PER_FRAME:
        wordy = sorted(items, key=lambda it: -word_count(it.mob))[:3]
        add("prose", " | ".join(it.content for it in wordy),
            f"{total} words on the frame > {MAX_WORDS_PER_FRAME}")
    return violations


def _boxes_overlap(first: np.ndarray, second: np.ndarray, tolerance: float = OVERLAP_TOLERANCE) -> bool:
    """Whether some box of ``first`` and some box of ``second`` intersect by more than ``tolerance`` in both
    directions (boxes as rows ``[x0, y0, x1, y1]``)."""
    a = first[:, None, :]
    b = second[None, :, :]
    dx = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    dy = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return bool(np.any((dx > tolerance) & (dy > tolerance)))


def check_frame(scene, step: str) -> list[Violation]:
    """The layout violations of what ``scene`` shows now (call it at the end of ``step``)."""
    return check_mobjects(scene, type(scene).__name__, step, scene.mobjects)


def format_violations(violations: Iterable[Violation], *, max_texts: int = 6) -> str:
    """A readable list, grouped by scene and step; violations of one rule with the same measurement (e.g.
    every entry of a matrix that is too small) share one line naming up to ``max_texts`` of the texts."""
    lines: list[str] = []
    groups: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = {}
    for v in violations:
        groups.setdefault((v.scene, v.step), {}).setdefault((v.rule, v.detail), []).append(v.text)
    for (scene, step), by_kind in groups.items():
        lines.append(f"{scene} / {step}:")
        for (rule, detail), texts in by_kind.items():
            shown = ", ".join(repr(t) for t in texts[:max_texts])
            more = f" and {len(texts) - max_texts} more" if len(texts) > max_texts else ""
            lines.append(f"    {rule:9s} {shown}{more}: {detail}")
    return "\n".join(lines)


def summary_table(violations: Iterable[Violation]) -> str:
    """A markdown table: violations per scene and rule."""
    counts: dict[str, dict[str, int]] = {}
    for v in violations:
        row = counts.setdefault(v.scene, dict.fromkeys(RULES, 0))
        row[v.rule] += 1
    lines = ["| scene | " + " | ".join(RULES) + " | total |", "| --- |" + " --- |" * (len(RULES) + 1)]
    for scene, row in counts.items():
        lines.append(f"| {scene} | " + " | ".join(str(row[r]) for r in RULES) + f" | {sum(row.values())} |")
    return "\n".join(lines)
