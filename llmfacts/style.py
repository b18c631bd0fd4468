"""The video's design system, defined once: one typeface, a type scale, LaTeX for mathematics, one notation,
and the title-safe frame. Colours live beside it in :mod:`llmfacts.colors` (as roles).

Importing this module (``llmfacts.story`` does, so every scene does) registers the shipped typeface with
Pango and makes it the default of ManimCE's ``Text``, ``MarkupText`` and ``Paragraph``: a scene that writes
``Text("basketball")`` gets the video's typeface without naming it.

**Typeface.** :data:`FONT` is *CMU Serif* (Computer Modern Unicode, SIL Open Font License 1.1, from Debian's
``fonts-cmu``; the files and their licence are in ``assets/fonts/``). It is the text face of LaTeX's
Computer Modern, so a label written with :func:`text` and a formula written with :func:`math` are the same
design side by side: no sans/serif mix inside one line, and the look of the 3Blue1Brown videos the viewer
compares this one with. CMU Serif lacks a few mathematical signs (``≈``, ``≤``, ``≥``, ``∑``): write those
with :func:`math`.

**Type scale.** Sizes are ManimCE ``font_size`` values of ``Text``. Measured with CMU Serif at 1920x1080
(135 px per manim unit; see ``tests/test_layout.py``), the x-height / cap-height in pixels is:

=========  =========  ========  ==========
name       font_size  x-height  cap-height
=========  =========  ========  ==========
TITLE      56         45        72
HEADING    44         36        56
BODY       36         29        46
LABEL      30         24        38
CAPTION    24         19.4      31
=========  =========  ========  ==========

:data:`CAPTION` is the smallest size on screen (:data:`MIN_FONT_SIZE`, checked by
:mod:`llmfacts.layout_check`). LaTeX draws Computer Modern smaller than Pango at the same ``font_size``
(cap height 45.9 px against 61.5 px at 48), so :func:`math` multiplies by :data:`MATH_SCALE` and a formula
of size ``BODY`` stands as tall as a label of size ``BODY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import manimpango
from manim import MarkupText, MathTex, Mobject, Paragraph, Text, config

from llmfacts import colors

__all__ = [
    "FONT",
    "FONT_FILES",
    "FONTS_DIR",
    "TITLE",
    "HEADING",
    "BODY",
    "LABEL",
    "CAPTION",
    "MIN_FONT_SIZE",
    "MATH_SCALE",
    "MIN_MATH_FONT_SIZE",
    "math_size",
    "text",
    "markup",
    "math",
    "SafeFrame",
    "SAFE_FRAME",
    "SAFE_SHARE",
    "fit_in_safe_frame",
    "W_UP",
    "W_DOWN",
    "B_UP",
    "B_DOWN",
    "VEC",
    "StyleError",
]


class StyleError(RuntimeError):
    """The design system cannot be set up (e.g. the shipped font is missing)."""


# -- typeface ------------------------------------------------------------------------------------------------
FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
#: The one text typeface of the video (family name as Pango knows it).
FONT = "CMU Serif"
#: The shipped files of :data:`FONT`: roman, bold, italic, bold italic.
FONT_FILES = ("cmunrm.ttf", "cmunbx.ttf", "cmunti.ttf", "cmunbi.ttf")


def _register_fonts() -> None:
    for name in FONT_FILES:
        path = FONTS_DIR / name
        if not path.is_file():
            raise StyleError(f"font file {path} is missing (the video's typeface {FONT} ships in assets/fonts/)")
        if not manimpango.register_font(str(path)):
            raise StyleError(f"Pango could not register the font file {path}")


_register_fonts()
Text.set_default(font=FONT)
MarkupText.set_default(font=FONT)
Paragraph.set_default(font=FONT)

# -- type scale ----------------------------------------------------------------------------------------------
TITLE = 56
HEADING = 44
BODY = 36
LABEL = 30
CAPTION = 24
#: Smallest ``Text`` font size allowed on screen (x-height 19.4 px at 1080p with CMU Serif).
MIN_FONT_SIZE = CAPTION
#: ``MathTex`` font size per ``Text`` font size of the same cap height (61.5 px / 45.9 px, measured at 48).
MATH_SCALE = 1.34
#: Smallest ``MathTex`` / ``DecimalNumber`` font size allowed on screen.
MIN_MATH_FONT_SIZE = MIN_FONT_SIZE * MATH_SCALE


def math_size(size: float) -> float:
    """The ``MathTex`` / ``DecimalNumber`` ``font_size`` as tall as a ``Text`` of ``size`` (``size * MATH_SCALE``);
    e.g. ``DecimalNumber(x, font_size=math_size(LABEL))``."""
    return size * MATH_SCALE


def text(content: str, size: float = BODY, color: str = colors.TEXT, **kwargs: Any) -> Text:
    """A ``Text`` in the video's typeface at a size of the type scale."""
    return Text(content, font_size=size, color=color, **kwargs)


def markup(content: str, size: float = BODY, color: str = colors.TEXT, **kwargs: Any) -> MarkupText:
    """A ``MarkupText`` (Pango markup: ``<b>``, ``<i>``, ``<span foreground=...>``) in the video's typeface."""
    return MarkupText(content, font_size=size, color=color, **kwargs)


def math(tex: str, size: float = BODY, color: str = colors.TEXT, **kwargs: Any) -> MathTex:
    """A formula set by LaTeX, as tall as a :func:`text` of the same ``size``.

    A true minus sign (U+2212, as :mod:`llmfacts.formatting` writes it for text) becomes TeX's ``-``, which is
    set as the same minus in math mode."""
    return MathTex(tex.replace("\u2212", "-"), font_size=math_size(size), color=color, **kwargs)


# -- notation (TeX) ------------------------------------------------------------------------------------------
W_UP = r"W_{\uparrow}"
W_DOWN = r"W_{\downarrow}"
B_UP = r"B_{\uparrow}"
B_DOWN = r"B_{\downarrow}"
#: The vector flowing through the network is called E everywhere.
VEC = "E"


# -- title-safe frame ----------------------------------------------------------------------------------------
class SafeFrame(NamedTuple):
    """A rectangle of the frame in manim units."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    @property
    def width(self) -> float:
        return self.x_max - self.x_min

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    def contains(self, mobject: Mobject, tolerance: float = 1e-3) -> bool:
        """Whether ``mobject``'s bounding box lies inside (``tolerance`` in manim units)."""
        return (
            mobject.get_left()[0] >= self.x_min - tolerance
            and mobject.get_right()[0] <= self.x_max + tolerance
            and mobject.get_bottom()[1] >= self.y_min - tolerance
            and mobject.get_top()[1] <= self.y_max + tolerance
        )


#: Share of the frame's width and height that is title-safe.
SAFE_SHARE = 0.9
SAFE_FRAME = SafeFrame(
    x_min=-config.frame_width * SAFE_SHARE / 2,
    x_max=config.frame_width * SAFE_SHARE / 2,
    y_min=-config.frame_height * SAFE_SHARE / 2,
    y_max=config.frame_height * SAFE_SHARE / 2,
)


def fit_in_safe_frame(mobject: Mobject, frame: SafeFrame = SAFE_FRAME) -> Mobject:
    """Shrink ``mobject`` (keeping its proportions) if it is larger than ``frame``, then shift it the least
    distance that brings it inside. Returns ``mobject``. Never enlarges."""
    width, height = mobject.width, mobject.height
    factor = min(
        frame.width / width if width > 0 else 1.0,
        frame.height / height if height > 0 else 1.0,
        1.0,
    )
    if factor < 1.0:
        mobject.scale(factor)
    dx = max(0.0, frame.x_min - mobject.get_left()[0]) - max(0.0, mobject.get_right()[0] - frame.x_max)
    dy = max(0.0, frame.y_min - mobject.get_bottom()[1]) - max(0.0, mobject.get_top()[1] - frame.y_max)
    if dx or dy:
        mobject.shift([dx, dy, 0.0])
    return mobject
