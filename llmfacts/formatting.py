"""How numbers are written on screen and in the narration, defined once.

Every scene formats its figures with these functions, so the same kind of number reads the same way
everywhere. They return plain strings (for :class:`~manim.Text`, or LaTeX for :class:`~manim.MathTex` where
the name starts with ``tex_``); this module imports no manim, so the compute layer and the tests may use it.

Conventions kept by every function:

* a value that rounds to zero is written without a sign (``0.00``, never ``-0.00``);
* rounding is Python's (``format``): the exact binary value is rounded to the nearest, an exact half to
  the even digit, so ``0.125 -> '0.12'`` but ``0.005 -> '0.01'`` and ``0.015 -> '0.01'`` (stored a hair
  above and below the half);
* a negative sign is ``-`` unless ``true_minus=True`` asks for the typographic minus ``−`` (U+2212), which
  the MLP scenes show next to matrix entries.

Summary
-------

* :func:`format_fixed` - fixed decimals: ``-0.5 -> '-0.50'`` (or ``'−0.50'``);
* :func:`format_signed` - fixed decimals with an explicit ``+``: ``1 -> '+1.00'``;
* :func:`format_spoken` - rounded, without trailing zeros (subtitles): ``1.0000001 -> '1'``;
* :func:`format_int` - a whole number with thousands separators: ``49152 -> '49,152'``;
* :func:`format_percent` - a share as a percentage with fixed decimals: ``0.96466 -> '96.5%'``;
* :func:`format_percent_significant` - a share as a percentage with significant digits and a spaced
  ``%``: ``0.66197 -> '66.2 %'``, ``5.086e-5 -> '0.00509 %'``;
* :func:`format_degrees` - an angle with fixed decimals: ``84.2857 -> '84.3°'``;
* :func:`format_in_words` - a rounded count in words: ``1207959552 -> '1.2 billion'``;
* :func:`format_compact` - a short count for axis labels: ``5e7 -> '50M'``;
* :func:`tex_int` - :func:`format_int` for LaTeX math mode: ``12288 -> '12{,}288'``;
* :func:`tex_count_from_log10` - a count given by its log10, for LaTeX: ``10.87 -> '7\\times 10^{10}'``.

Examples
--------

>>> format_fixed(-0.004)
'0.00'
>>> format_fixed(-0.5, true_minus=True)
'−0.50'
>>> format_int(175_181_291_520)
'175,181,291,520'
>>> format_percent(0.0176684), format_percent_significant(5.086e-05, 2)
('1.8%', '0.0051 %')
"""

from __future__ import annotations

__all__ = [
    "MINUS",
    "format_fixed",
    "format_signed",
    "format_spoken",
    "format_int",
    "format_percent",
    "format_percent_significant",
    "format_degrees",
    "format_in_words",
    "format_compact",
    "tex_int",
    "tex_count_from_log10",
]

import math
import numbers

import numpy as np

#: The typographic minus sign (U+2212), wider than the hyphen ``-`` and level with ``+``.
MINUS = "\u2212"


def format_fixed(value: float, decimals: int = 2, *, true_minus: bool = False) -> str:
    """``value`` with exactly ``decimals`` digits after the point, never ``-0.00``.

    Parameters
    ----------
    value
        The number.
    decimals
        Digits after the decimal point (``0``: no point).
    true_minus
        Write a negative sign as ``−`` (U+2212) instead of ``-``.

    Examples
    --------
    >>> format_fixed(0.3333), format_fixed(-0.51), format_fixed(2.0, 0)
    ('0.33', '-0.51', '2')
    >>> format_fixed(-1e-17), format_fixed(-0.001, true_minus=True)
    ('0.00', '0.00')
    >>> format_fixed(-0.1587, true_minus=True)
    '−0.16'
    """
    text = f"{float(value):.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS) if true_minus else text


def format_signed(value: float, decimals: int = 2, *, true_minus: bool = False) -> str:
    """Like :func:`format_fixed`, with a ``+`` in front of anything not negative (terms being added).

    A value that rounds to zero is ``+0.00``.

    Examples
    --------
    >>> format_signed(1.0), format_signed(-0.06), format_signed(-0.0001)
    ('+1.00', '-0.06', '+0.00')
    >>> format_signed(-0.06, true_minus=True)
    '−0.06'
    """
    text = format_fixed(value, decimals, true_minus=true_minus)
    return text if text.startswith(MINUS if true_minus else "-") else "+" + text


def format_spoken(value: float, decimals: int = 2) -> str:
    """``value`` rounded to ``decimals`` digits for a subtitle, without trailing zeros (never ``-0``).

    Examples
    --------
    >>> format_spoken(1.0000000000000002), format_spoken(0.25), format_spoken(1.5), format_spoken(-1e-12)
    ('1', '0.25', '1.5', '0')
    >>> format_spoken(-0.504)
    '-0.5'
    """
    text = format_fixed(value, decimals)
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_int(n: float) -> str:
    """A whole number with thousands separators: ``49152 -> '49,152'``.

    Integers (Python or NumPy) are written exactly, however large; any other number is first rounded to
    the nearest integer (halves to even, like :func:`round`).

    Examples
    --------
    >>> format_int(49_152), format_int(7), format_int(-1_234_567)
    ('49,152', '7', '-1,234,567')
    >>> format_int(3282.8), format_int(2.5), format_int(3.5)
    ('3,283', '2', '4')
    >>> format_int(10**20 + 1)
    '100,000,000,000,000,000,001'
    """
    if isinstance(n, numbers.Integral):
        return f"{int(n):,}"
    return f"{int(round(float(n))):,}"


def format_percent(share: float, decimals: int = 1) -> str:
    """A share (``0.25`` is a quarter) as a percentage with ``decimals`` digits after the point and no
    space before ``%``; never ``-0.0%``.

    Examples
    --------
    >>> format_percent(0.9646631559719038), format_percent(0.1382), format_percent(1.0)
    ('96.5%', '13.8%', '100.0%')
    >>> format_percent(0.662, 0), format_percent(-1e-9)
    ('66%', '0.0%')
    """
    return format_fixed(100.0 * float(share), decimals) + "%"


def format_percent_significant(share: float, significant: int = 3) -> str:
    """A share as a percentage with ``significant`` significant digits and a space before ``%`` (tiny
    shares keep their digits): ``0.66197 -> '66.2 %'``, ``5.086e-5 -> '0.00509 %'``, ``0 -> '0 %'``.

    Examples
    --------
    >>> format_percent_significant(0.6619663320541319), format_percent_significant(0.6619663320541319, 2)
    ('66.2 %', '66 %')
    >>> format_percent_significant(5.086004333275692e-05), format_percent_significant(1.0)
    ('0.00509 %', '100 %')
    >>> format_percent_significant(0.0)
    '0 %'
    """
    pct = 100.0 * float(share)
    if pct == 0:
        return "0 %"
    decimals = max(0, significant - 1 - int(np.floor(np.log10(abs(pct)))))
    return f"{pct:.{decimals}f} %"


def format_degrees(angle: float, decimals: int = 1) -> str:
    """An angle in degrees with ``decimals`` digits after the point: ``84.2857 -> '84.3°'``.

    Examples
    --------
    >>> format_degrees(84.2857), format_degrees(90), format_degrees(95.714, 0)
    ('84.3°', '90.0°', '96°')
    """
    return format_fixed(angle, decimals) + "\u00b0"


def format_in_words(n: float) -> str:
    """A count rounded and written in words: three significant digits from ten of a unit up, one decimal
    below ten (``1207959552 -> '1.2 billion'``, ``115964116992 -> '116 billion'``); below a thousand, the
    whole number.

    Examples
    --------
    >>> format_in_words(1_207_959_552), format_in_words(115_964_116_992), format_in_words(603_979_776)
    ('1.2 billion', '116 billion', '604 million')
    >>> format_in_words(61_440), format_in_words(950), format_in_words(2.5e12)
    ('61 thousand', '950', '2.5 trillion')
    """
    n = float(n)
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(n) >= size:
            x = n / size
            return f"{x:.1f} {word}" if abs(x) < 10 else f"{x:,.0f} {word}"
    return f"{n:,.0f}"


def format_compact(value: float, *, digits: int = 3) -> str:
    """Short form of a big count for axis labels: ``950``, ``12k``, ``3.5M``, ``175B`` (``digits``
    significant digits at most, trailing zeros dropped).

    Examples
    --------
    >>> format_compact(5e7), format_compact(1_500), format_compact(0), format_compact(175_181_291_520)
    ('50M', '1.5k', '0', '175B')
    >>> format_compact(0.25)
    '0.25'
    """
    v = float(value)
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= factor:
            text = f"{v / factor:.{digits}g}"
            return f"{text}{suffix}"
    return f"{v:.{digits}g}" if v != int(v) else str(int(v))


def tex_int(n: float) -> str:
    """:func:`format_int` for LaTeX math mode: the commas are braced so they add no math spacing.

    Examples
    --------
    >>> tex_int(12_288), tex_int(603_979_776)
    ('12{,}288', '603{,}979{,}776')
    """
    return format_int(n).replace(",", "{,}")


def tex_count_from_log10(log10_value: float, exact_below: float = 6.0) -> str:
    r"""A count given by its ``log10``, as LaTeX: exact below ``10**exact_below`` (``'12{,}288'``), else
    rounded *down* to one digit times a power of ten (``'7\times 10^{10}'``; ``'10^{41}'`` for a leading
    1), since these are "at least" counts; ``inf`` is ``'\infty'``.

    Examples
    --------
    >>> tex_count_from_log10(math.log10(12_288)), tex_count_from_log10(math.log10(7.36e10))
    ('12{,}288', '7\\times 10^{10}')
    >>> tex_count_from_log10(math.log10(1.4e41)), tex_count_from_log10(math.inf)
    ('10^{41}', '\\infty')
    """
    if not math.isfinite(log10_value):
        return r"\infty"
    if log10_value < exact_below:
        return tex_int(int(math.floor(10 ** log10_value + 1e-9)))
    exp = math.floor(log10_value)
    mant = int(10 ** (log10_value - exp) + 1e-9)  # round down: these are "at least" counts
    return f"10^{{{exp}}}" if mant < 2 else rf"{mant}\times 10^{{{exp}}}"
