r"""Simple bars: a model's guess as one bar per candidate word, and one bar split into shares.

:class:`ProbabilityBars` shows a probability distribution over a few words (the toy model's guess for the
next word), each bar labelled with its percentage. :class:`SegmentedBar` is a single bar cut into segments
as wide as their shares of a total, with no labels (place your own, or use
:class:`~llmfacts.mobjects.BarTally` for a labelled tally).

Both take the numbers computed elsewhere (:mod:`llmfacts.compute`); percentages are written by
:func:`llmfacts.formatting.format_percent`.

Examples
--------

.. code-block:: python

    from manim import DOWN, LEFT, UP, GrowFromEdge, Scene
    from llmfacts import colors
    from llmfacts.mobjects import ProbabilityBars, SegmentedBar

    class Bars(Scene):
        def construct(self):
            guess = ProbabilityBars({"basketball": 0.96, "tennis": 0.03, "golf": 0.01},
                                    word_colors={"basketball": colors.ATTRIBUTE}).to_edge(UP)
            self.add(guess.words, guess.values)
            self.play(*(GrowFromEdge(bar, LEFT) for bar in guess.bars))
            tally = SegmentedBar([116, 58, 1.2], [colors.MLP_PARAMETERS, colors.OTHER_PARAMETERS,
                                                  colors.OTHER_PARAMETERS], width=10).to_edge(DOWN)
            self.add(tally)
"""

from __future__ import annotations

__all__ = ["ProbabilityBars", "SegmentedBar"]

from collections.abc import Mapping, Sequence

from manim import LEFT, RIGHT, Rectangle, Text, VGroup

from llmfacts import colors, style
from llmfacts.formatting import format_percent


class ProbabilityBars(VGroup):
    """Horizontal bars, one per candidate word, each labelled with its probability.

    Rows go downwards in the order of ``probabilities``; the words are right-aligned at ``x = 0``, the bars
    start just right of them and the percentages follow each bar.

    Parameters
    ----------
    probabilities
        Word -> probability (a share: ``0.96`` is 96 %), in display order.
    max_width
        Length of a bar of probability 1.
    bar_height
        Thickness of a bar (rows are ``bar_height + 0.28`` apart).
    font_size
        Size of the words and percentages.
    word_colors
        Colour of a word and its bar (default :data:`~llmfacts.colors.OTHER_CONCEPT`).
    decimals
        Digits after the point of the percentages.

    Attributes
    ----------
    words, bars, values
        The words, bars and percentages, one entry per candidate, in order.
    rows
        One ``VGroup(word, bar, value)`` per candidate.

    Examples
    --------

    .. code-block:: python

        from manim import Scene
        from llmfacts.mobjects import ProbabilityBars

        class Guess(Scene):
            def construct(self):
                self.add(ProbabilityBars({"basketball": 0.9647, "baseball": 0.0177, "tennis": 0.0176}))
    """

    def __init__(
        self,
        probabilities: Mapping[str, float],
        *,
        max_width: float = 5.0,
        bar_height: float = 0.42,
        font_size: float = style.LABEL,
        word_colors: Mapping[str, str] | None = None,
        decimals: int = 1,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        word_colors = word_colors or {}
        self.words, self.bars, self.values, self.rows = VGroup(), VGroup(), VGroup(), VGroup()
        for k, (word, p) in enumerate(probabilities.items()):
            color = word_colors.get(word, colors.OTHER_CONCEPT)
            label = Text(word, font_size=font_size, color=color)
            bar = Rectangle(width=max(0.02, max_width * float(p)), height=bar_height, stroke_width=0)
            bar.set_fill(color, opacity=0.85)
            value = Text(format_percent(p, decimals), font_size=font_size, color=colors.TEXT)
            y = -k * (bar_height + 0.28)
            label.move_to([0, y, 0], aligned_edge=RIGHT)
            bar.move_to([0.25, y, 0], aligned_edge=LEFT)
            value.next_to(bar, RIGHT, buff=0.2)
            self.words.add(label)
            self.bars.add(bar)
            self.values.add(value)
            self.rows.add(VGroup(label, bar, value))
        self.add(self.rows)


class SegmentedBar(VGroup):
    """Rectangles side by side, each as wide as its share of ``sum(values)``, centred on the origin.

    The segments are the bar's submobjects, in the order of ``values`` (``bar[k]`` is segment ``k``); there
    are no labels. A zero value gets a sliver (1/1000 of a unit) so that every segment exists.

    Parameters
    ----------
    values
        Sizes of the segments (any positive numbers; only their ratios matter).
    segment_colors
        Fill colour of each segment (default: all :data:`~llmfacts.colors.OTHER_PARAMETERS`).
    width, height
        Size of the whole bar.
    stroke_color
        Thin outline of each segment, separating neighbours (default the background colour).

    Examples
    --------

    .. code-block:: python

        from manim import Scene
        from llmfacts import colors
        from llmfacts.mobjects import SegmentedBar

        class Shares(Scene):
            def construct(self):
                bar = SegmentedBar([2, 1, 1], [colors.MLP_PARAMETERS] + [colors.OTHER_PARAMETERS] * 2, width=8)
                self.add(bar)
    """

    def __init__(
        self,
        values: Sequence[float],
        segment_colors: Sequence[str] | None = None,
        *,
        width: float = 10.0,
        height: float = 0.5,
        stroke_color: str = colors.BACKGROUND,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if segment_colors is None:
            segment_colors = [colors.OTHER_PARAMETERS] * len(values)
        if len(segment_colors) != len(values):
            raise ValueError(f"{len(values)} values but {len(segment_colors)} colours")
        total = float(sum(values))
        self.shares = [float(value) / total for value in values]
        x = -width / 2
        for value, color in zip(values, segment_colors):
            w = width * float(value) / total
            seg = Rectangle(width=max(w, 1e-3), height=height, stroke_width=1, stroke_color=stroke_color,
                            fill_color=color, fill_opacity=1.0)
            seg.move_to([x + w / 2, 0, 0])
            self.add(seg)
            x += w

    def get_segment(self, k: int) -> Rectangle:
        """Segment ``k`` (in the order of ``values``)."""
        return self.submobjects[k]
