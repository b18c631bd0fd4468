r"""A number that counts up (parameter tallies, running totals).

ManimCE's :class:`~manim.ChangeDecimalToValue` already animates a :class:`~manim.DecimalNumber` from its value
to another; :class:`CountingNumber` is a :class:`~manim.DecimalNumber` preset for large whole numbers
(thousands separators, no decimals) with a :meth:`CountingNumber.count_to` shortcut that returns that
animation. Values are floats, exact for integers up to 2**53 (GPT-3's 175,181,291,520 is fine).

Examples
--------

.. code-block:: python

    from manim import Scene
    from llmfacts.mobjects import CountingNumber

    class Tally(Scene):
        def construct(self):
            total = CountingNumber(0)
            self.add(total)
            self.play(total.count_to(603_979_776, run_time=2))
            self.play(total.count_to(1_207_959_552))
"""

from __future__ import annotations

__all__ = ["CountingNumber"]

from manim import Animation, ChangeDecimalToValue, DecimalNumber, rate_functions

from llmfacts import colors, style


class CountingNumber(DecimalNumber):
    """A whole number with thousands separators that can count to a new value.

    Parameters
    ----------
    number
        Starting value.
    decimals
        Digits after the decimal point (0 for counts).
    group_with_commas
        Write ``1,207,959,552`` rather than ``1207959552``.
    font_size, color
        Look (default colour :data:`~llmfacts.colors.TEXT`).
    """

    def __init__(
        self,
        number: float = 0,
        *,
        decimals: int = 0,
        group_with_commas: bool = True,
        font_size: float = style.math_size(style.LABEL),
        color: str = colors.TEXT,
        **kwargs,
    ) -> None:
        super().__init__(
            number,
            num_decimal_places=decimals,
            group_with_commas=group_with_commas,
            font_size=font_size,
            color=color,
            **kwargs,
        )

    def count_to(self, value: float, *, run_time: float = 1.5,
                 rate_func=rate_functions.smooth, **kwargs) -> Animation:
        """Animation counting from the current value to ``value`` (a :class:`~manim.ChangeDecimalToValue`)."""
        return ChangeDecimalToValue(self, value, run_time=run_time, rate_func=rate_func, **kwargs)
