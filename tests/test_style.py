"""The design system: typeface, type scale, safe frame, notation (llmfacts.style) and colour roles
(llmfacts.colors). Colour distances are checked with CIEDE2000, itself checked against published values."""

from __future__ import annotations

import itertools

import manimpango
import numpy as np
import pytest
from manim import MathTex, Square, Text, config

from llmfacts import colors, style

PX_PER_UNIT = 1080 / config.frame_height  # pixels per manim unit at 1920x1080


# -- colour science ------------------------------------------------------------------------------------------
# CIEDE2000 test pairs published by Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula:
# implementation notes, supplementary test data, and mathematical observations", table 1.
SHARMA_PAIRS = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA_PAIRS)
def test_delta_e_matches_published_ciede2000_pairs(lab1, lab2, expected):
    assert colors.delta_e(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert colors.delta_e(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_hex_to_lab_matches_reference_values():
    # sRGB white is the D65 white point; pure sRGB red is L*a*b* (53.24, 80.09, 67.20) in every reference.
    assert colors.hex_to_lab("#FFFFFF") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert colors.hex_to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=0.01)
    assert colors.hex_to_lab("#FF0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.02)
    assert colors.delta_e("#123456", "#123456") == 0.0


def test_the_old_confusions_fail_the_threshold():
    """The check bites: the old bias / neuron yellows and the old other-concept / weight blues were
    confusable, and both pairs are below the minimum distance."""
    assert colors.delta_e("#F7D96F", "#FFE066") < colors.MIN_ROLE_DELTA_E
    assert colors.delta_e("#9CDCEB", "#58C4DD") < colors.MIN_ROLE_DELTA_E


# -- colour roles ----------------------------------------------------------------------------------------------
def _pairs_below(palette: dict[str, str], minimum: float) -> list[str]:
    return [
        f"{a} {palette[a]} ~ {b} {palette[b]}: dE2000 = {colors.delta_e(palette[a], palette[b]):.1f}"
        for a, b in itertools.combinations(palette, 2)
        if colors.delta_e(palette[a], palette[b]) < minimum
    ]


def test_no_two_roles_are_confusable():
    close = _pairs_below(colors.ROLES, colors.MIN_ROLE_DELTA_E)
    assert not close, "confusable colour roles:\n" + "\n".join(close)


def test_highlight_neuron_bias_attention_are_distinct_hues():
    four = {name: colors.ROLES[name] for name in ("HIGHLIGHT", "NEURON_ACTIVE", "BIAS", "ATTENTION")}
    for a, b in itertools.combinations(four, 2):
        assert colors.hue_difference(four[a], four[b]) >= 45, (a, b)


def test_other_concept_is_far_from_the_positive_weight_blue():
    assert colors.delta_e(colors.OTHER_CONCEPT, colors.WEIGHT_POSITIVE) >= 20
    assert colors.hue_difference(colors.OTHER_CONCEPT, colors.WEIGHT_POSITIVE) >= 45


def test_weight_signs_are_never_a_concept_colour():
    for sign in (colors.WEIGHT_POSITIVE, colors.WEIGHT_NEGATIVE):
        for concept, color in colors.CONCEPT_COLORS.items():
            assert colors.delta_e(sign, color) >= 20, (sign, concept)


def test_neutral_roles_are_grey_and_chromatic_roles_are_not():
    for name, color in colors.NEUTRAL_ROLES.items():
        assert colors.lab_to_lch(colors.hex_to_lab(color))[1] <= colors.MAX_NEUTRAL_CHROMA, name
    for name, color in colors.ROLES.items():
        lightness, chroma, _ = colors.lab_to_lch(colors.hex_to_lab(color))
        assert chroma >= 1.5 * colors.MAX_NEUTRAL_CHROMA, name
        assert lightness >= 55, f"{name} is too dark on the black background"
        # and no chromatic role can be mistaken for a grey
        for grey_name, grey in colors.NEUTRAL_ROLES.items():
            assert colors.delta_e(color, grey) >= 10, (name, grey_name)


def test_every_colour_constant_is_a_checked_role_or_an_alias():
    constants = {
        name: getattr(colors, name)
        for name in colors.__all__
        if name.isupper() and isinstance(getattr(colors, name), str)
    }
    classified = set(colors.ROLES) | set(colors.NEUTRAL_ROLES) | set(colors.ALIASES)
    assert set(constants) == classified
    for name in colors.ROLES:
        assert constants[name] == colors.ROLES[name]
    for alias, target in colors.ALIASES.items():
        assert constants[alias] == constants[target], alias
    # concept colours are roles, each used for one concept
    assert len(set(colors.CONCEPT_COLORS.values())) == len(colors.CONCEPT_COLORS)


def test_shades_of_a_role_grow_brighter_and_end_at_the_role():
    series = colors.shades(colors.CURVE_RANDOM, 4)
    assert series[-1] == colors.CURVE_RANDOM
    lightness = [colors.hex_to_lab(c)[0] for c in series]
    assert lightness == sorted(lightness) and len(set(series)) == 4
    assert colors.shades(colors.MLP, 1) == [colors.MLP]
    with pytest.raises(ValueError):
        colors.shades(colors.MLP, 0)


# -- typeface and type scale -------------------------------------------------------------------------------------
def test_the_shipped_font_is_registered_and_the_default():
    assert style.FONT in manimpango.list_fonts()
    assert Text("basketball").font == style.FONT
    for name in style.FONT_FILES:
        assert (style.FONTS_DIR / name).is_file()
    licence = (style.FONTS_DIR / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_pango_draws_the_shipped_font_not_a_fallback():
    """The default Text has the same outlines as one asking for CMU Serif by name, and other outlines than a
    sans serif: the registered file is really used."""
    ours = Text("Hamburgefonstiv")
    named = Text("Hamburgefonstiv", font="CMU Serif")
    sans = Text("Hamburgefonstiv", font="DejaVu Sans")
    assert ours.width == pytest.approx(named.width, rel=1e-6)
    assert abs(ours.width - sans.width) > 0.02 * ours.width


def _x_height_px(size: float) -> float:
    return Text("x", font_size=size).height * PX_PER_UNIT


def test_type_scale_is_ordered_and_the_smallest_size_is_readable():
    scale = [style.TITLE, style.HEADING, style.BODY, style.LABEL, style.CAPTION]
    assert scale == sorted(scale, reverse=True) and len(set(scale)) == 5
    assert style.MIN_FONT_SIZE == style.CAPTION
    # x-height of the smallest size at 1080p: about 20 px
    assert _x_height_px(style.CAPTION) >= 19.0
    assert Text("H", font_size=style.CAPTION).height * PX_PER_UNIT >= 28.0


def test_math_stands_as_tall_as_text_of_the_same_size():
    for size in (style.CAPTION, style.BODY, style.TITLE):
        cap_text = style.text("H", size=size).height
        cap_math = style.math("H", size=size).height
        assert cap_math == pytest.approx(cap_text, rel=0.05)
    assert style.MIN_MATH_FONT_SIZE == pytest.approx(style.CAPTION * style.MATH_SCALE)


def test_text_markup_and_math_helpers_use_size_and_colour():
    label = style.text("MLP", size=style.LABEL, color=colors.MLP)
    assert label.font_size == pytest.approx(style.LABEL)
    assert label.get_color().to_hex().upper() == colors.MLP
    assert style.markup("<b>E</b>", size=style.CAPTION).font == style.FONT
    formula = style.math(style.W_UP, size=style.BODY)
    assert isinstance(formula, MathTex)
    assert formula.font_size == pytest.approx(style.BODY * style.MATH_SCALE)


def test_notation_compiles_in_latex():
    for tex in (style.W_UP, style.W_DOWN, style.B_UP, style.B_DOWN, style.VEC):
        assert MathTex(tex).height > 0
    assert style.VEC == "E"


# -- safe frame ------------------------------------------------------------------------------------------------------
def test_safe_frame_is_ninety_percent_of_the_frame():
    frame = style.SAFE_FRAME
    assert frame.width == pytest.approx(0.9 * config.frame_width)
    assert frame.height == pytest.approx(0.9 * config.frame_height)
    assert frame.x_min == pytest.approx(-frame.x_max) and frame.y_min == pytest.approx(-frame.y_max)


def test_fit_in_safe_frame_shrinks_and_shifts_but_never_grows():
    frame = style.SAFE_FRAME
    big = Square(side_length=20).shift([3, 1, 0])
    style.fit_in_safe_frame(big)
    assert frame.contains(big)
    assert big.height == pytest.approx(frame.height)  # shrunk exactly to fit, proportions kept
    assert big.width == pytest.approx(big.height)

    off = Square(side_length=1).move_to([9, -5, 0])
    style.fit_in_safe_frame(off)
    assert frame.contains(off) and off.width == pytest.approx(1.0)
    np.testing.assert_allclose(off.get_corner([1, -1, 0])[:2], [frame.x_max, frame.y_min])

    inside = Square(side_length=1).move_to([1, 1, 0])
    style.fit_in_safe_frame(inside)
    np.testing.assert_allclose(inside.get_center(), [1, 1, 0])
    assert inside.width == pytest.approx(1.0)


def test_math_accepts_the_true_minus_of_formatted_numbers():
    """formatting writes U+2212 for text; LaTeX cannot set it, so style.math sets TeX's own minus instead."""
    from llmfacts import style
    from llmfacts.formatting import format_fixed

    written = format_fixed(-0.09, 2, true_minus=True)
    assert "\u2212" in written
    shown = style.math(written, style.LABEL)
    plain = style.math("-0.09", style.LABEL)
    assert len(shown.submobjects[0]) == len(plain.submobjects[0]) == 5  # minus, 0, point, 0, 9
    assert abs(shown.width - plain.width) < 1e-6
