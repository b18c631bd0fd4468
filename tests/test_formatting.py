"""llmfacts.formatting: every way a number is written on screen, with the edge cases that went wrong before
(minus zero, halves, huge counts, tiny shares)."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from llmfacts import formatting
from llmfacts.formatting import (
    MINUS,
    format_compact,
    format_degrees,
    format_fixed,
    format_in_words,
    format_int,
    format_percent,
    format_percent_significant,
    format_signed,
    format_spoken,
    tex_count_from_log10,
    tex_int,
)


def test_docstring_examples():
    result = doctest.testmod(formatting)
    assert result.attempted > 20 and result.failed == 0


def test_no_manim_import():
    """The module must stay importable where manim is not (compute layer, tests)."""
    source = formatting.__file__
    with open(source, encoding="utf-8") as f:
        text = f.read()
    assert "import manim" not in text and "from manim" not in text


def test_everything_listed_in_all_exists():
    assert all(hasattr(formatting, name) for name in formatting.__all__)


# -- fixed decimals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2.0, 2, "2.00"),
        (0.3333, 2, "0.33"),
        (0.8413, 2, "0.84"),
        (-0.51, 2, "-0.51"),
        (1.0000000000000002, 2, "1.00"),
        (0.005, 2, "0.01"),  # stored just above the half
        (0.015, 2, "0.01"),  # stored just below the half
        (0.125, 2, "0.12"),  # an exact half goes to the even digit
        (0.375, 2, "0.38"),
        (-0.005, 2, "-0.01"),
        (-0.004, 2, "0.00"),  # never minus zero
        (-0.0, 2, "0.00"),
        (-1e-17, 2, "0.00"),
        (-0.4, 0, "0"),
        (2.5, 0, "2"),
        (1234.5678, 1, "1234.6"),  # no thousands separator
        (-0.5, 1, "-0.5"),
    ],
)
def test_format_fixed(value, decimals, text):
    assert format_fixed(value, decimals) == text
    assert format_fixed(value, decimals, true_minus=True) == text.replace("-", MINUS)


def test_true_minus_is_u2212_and_only_for_negative_values():
    assert MINUS == "\u2212"
    assert format_fixed(-1.0, true_minus=True) == "\u22121.00"
    assert format_fixed(-0.1587, true_minus=True) == "\u22120.16"
    assert format_fixed(-0.001, true_minus=True) == "0.00"
    assert "-" not in format_fixed(-3.25, true_minus=True)


def test_format_fixed_takes_numpy_scalars():
    assert format_fixed(np.float32(0.25)) == "0.25"
    assert format_fixed(np.float64(-2.0), 1) == "-2.0"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "+1.00"), (0.0, "+0.00"), (-0.0001, "+0.00"), (-0.06, "\u22120.06"), (12.345, "+12.35")],
)
def test_format_signed(value, text):
    assert format_signed(value, true_minus=True) == text


def test_format_signed_with_a_hyphen_minus():
    assert format_signed(-0.06) == "-0.06"
    assert format_signed(0.06) == "+0.06"
    assert format_signed(-0.5, 1) == "-0.5"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0000000000000002, "1"), (0.0, "0"), (-1e-12, "0"), (0.25, "0.25"), (1.5, "1.5"), (0.5049, "0.5"),
     (-0.504, "-0.5"), (10.0, "10"), (100.004, "100")],
)
def test_format_spoken_drops_trailing_zeros_only(value, text):
    assert format_spoken(value) == text


def test_format_spoken_decimals():
    assert format_spoken(1.23456, 3) == "1.235"
    assert format_spoken(20.0, 0) == "20"  # no point: the zeros of the integer part stay


# -- whole numbers ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (49_152, "49,152"),
        (603_979_776, "603,979,776"),
        (175_181_291_520, "175,181,291,520"),
        (-1_234_567, "-1,234,567"),
        (10**20 + 1, "100,000,000,000,000,000,001"),  # exact beyond float precision
        (np.int64(12_288), "12,288"),
        (49_995_000, "49,995,000"),
        (3282.8, "3,283"),
        (49_995_000.0, "49,995,000"),
        (2.5, "2"),  # halves to even
        (3.5, "4"),
        (-0.4, "0"),
    ],
)
def test_format_int(n, text):
    assert format_int(n) == text


def test_tex_int_braces_every_comma():
    assert tex_int(12_288) == "12{,}288"
    assert tex_int(175_181_291_520) == "175{,}181{,}291{,}520"
    assert tex_int(950) == "950"
    assert tex_int(3282.8) == "3{,}283"


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (12_288, "12{,}288"),
        (999_999, "999{,}999"),
        (7.36e10, r"7\times 10^{10}"),
        (7.99e10, r"7\times 10^{10}"),  # rounded down: an "at least" count
        (1.4e41, "10^{41}"),
        (1e6, "10^{6}"),
        (1, "1"),
    ],
)
def test_tex_count_from_log10(count, text):
    assert tex_count_from_log10(math.log10(count)) == text


def test_tex_count_from_log10_limits():
    assert tex_count_from_log10(math.inf) == r"\infty"
    assert tex_count_from_log10(math.log10(12_288), exact_below=4.0) == r"10^{4}"
    assert tex_count_from_log10(math.log10(2_000_000), exact_below=7.0) == "2{,}000{,}000"


# -- percentages and angles -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("share", "decimals", "text"),
    [
        (0.9646631559719038, 1, "96.5%"),
        (0.0176684, 1, "1.8%"),
        (0.1382, 1, "13.8%"),
        (1.0, 1, "100.0%"),
        (0.0, 1, "0.0%"),
        (-1e-9, 1, "0.0%"),  # never minus zero
        (-0.0, 1, "0.0%"),
        (0.6619663320541319, 0, "66%"),
        (0.33802, 0, "34%"),
        (0.00005, 2, "0.01%"),  # 0.005 % rounds up (stored just above the half)
        (-0.25, 1, "-25.0%"),
    ],
)
def test_format_percent(share, decimals, text):
    assert format_percent(share, decimals) == text


@pytest.mark.parametrize(
    ("share", "significant", "text"),
    [
        (0.6619663320541319, 3, "66.2 %"),
        (0.6619663320541319, 2, "66 %"),
        (5.086004333275692e-05, 2, "0.0051 %"),
        (5.086004333275692e-05, 3, "0.00509 %"),
        (1.0, 3, "100 %"),
        (12.5, 3, "1250 %"),  # more integer digits than significant ones: no decimals, nothing cut
        (0.0, 3, "0 %"),
        (0.001, 3, "0.100 %"),  # significant zeros are kept
        (-0.5, 2, "-50 %"),
    ],
)
def test_format_percent_significant(share, significant, text):
    assert format_percent_significant(share, significant) == text


def test_the_two_percent_styles_differ_only_in_digits_and_spacing():
    assert format_percent(0.662) == "66.2%"
    assert format_percent_significant(0.662) == "66.2 %"


@pytest.mark.parametrize(
    ("angle", "decimals", "text"),
    [(84.2857, 1, "84.3°"), (90, 1, "90.0°"), (95.714, 0, "96°"), (0.04, 1, "0.0°"), (84.29, 2, "84.29°"),
     (179.96, 1, "180.0°")],
)
def test_format_degrees(angle, decimals, text):
    assert format_degrees(angle, decimals) == text


# -- counts in words and short counts ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1_207_959_552, "1.2 billion"),
        (115_964_116_992, "116 billion"),
        (175_181_291_520, "175 billion"),
        (603_979_776, "604 million"),
        (61_440, "61 thousand"),
        (1_000, "1.0 thousand"),
        (950, "950"),
        (999.6, "1,000"),  # below a thousand before rounding: the whole number
        (2.5e12, "2.5 trillion"),
        (1.5e15, "1,500 trillion"),
        (-2_000_000, "-2.0 million"),
    ],
)
def test_format_in_words(n, text):
    assert format_in_words(n) == text


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (5e7, 3, "50M"),
        (1_500, 3, "1.5k"),
        (0, 3, "0"),
        (950, 3, "950"),
        (12_000, 3, "12k"),
        (3.5e6, 3, "3.5M"),
        (175_181_291_520, 3, "175B"),
        (2e12, 3, "2T"),
        (0.25, 3, "0.25"),
        (-4_500, 3, "-4.5k"),
    ],
)
def test_format_compact(value, digits, text):
    assert format_compact(value, digits=digits) == text
