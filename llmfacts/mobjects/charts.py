r"""Charts: the histogram of angles between vectors, activation-function graphs, the parameter tally bar.

:class:`AngleHistogram` takes the counts computed elsewhere (e.g. 360 bins of 0.5° over 0°-180°), optionally
merges them into wider display bars, and keeps a fixed ``y_max`` so that successive snapshots of an
optimisation can be animated with :meth:`AngleHistogram.update_counts`.

Examples
--------

.. code-block:: python

    import numpy as np
    from manim import DOWN, LEFT, RIGHT, UP, Scene
    from llmfacts.mobjects import ActivationGraph, AngleHistogram, BarTally

    class Charts(Scene):
        def construct(self):
            edges = np.linspace(0, 180, 361)
            centres = (edges[:-1] + edges[1:]) / 2
            counts = 5e6 * np.exp(-((centres - 90) / 5.7) ** 2 / 2)
            hist = AngleHistogram(counts, edges, display_bin_deg=1, width=7, height=3).to_corner(UP + LEFT)
            self.add(hist, hist.mark_angle(84.29, "Welch"), hist.shade_band(89, 91))
            self.play(hist.update_counts(counts * np.exp(-((centres - 90) / 3) ** 2)))
            relu = ActivationGraph(lambda x: max(x, 0.0), label="ReLU", width=4, height=2.6)
            relu.to_corner(UP + RIGHT)
            tally = BarTally({"MLP": 116e9, "attention": 58e9, "embeddings": 1.2e9}, width=11).to_edge(DOWN)
            self.add(relu, relu.dot_at(1.5), tally)
"""

from __future__ import annotations

__all__ = ["AngleHistogram", "ActivationGraph", "BarTally", "rebin_counts", "nice_ceiling"]

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Axes,
    DashedLine,
    Dot,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    Text,
    Transform,
    VGroup,
    VMobject,
)

from llmfacts import colors, style
from llmfacts.formatting import format_compact, format_int, format_percent


def nice_ceiling(value: float) -> float:
    """Smallest "round" number ``>= value``: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 or 10 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * power >= value * (1 - 1e-12):
            return m * power
    return 10 * power


def _nice_step(span: float, target_ticks: int = 4) -> float:
    raw = span / max(1, target_ticks)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw * (1 - 1e-12):
            return m * power
    return 10 * power


def rebin_counts(
    counts: Sequence[float] | np.ndarray,
    edges_deg: Sequence[float] | np.ndarray,
    *,
    display_bin_deg: float | None = None,
    x_range: tuple[float, float] = (0.0, 180.0),
) -> tuple[np.ndarray, np.ndarray, float]:
    """Merge fine bins into display bins of ``display_bin_deg`` over ``x_range``.

    Each fine bin goes to the display bin that holds its centre. Returns ``(display_counts, display_edges,
    outside)`` where ``outside`` is the total of the fine bins whose centre lies outside ``x_range`` (they
    are not drawn). Without ``display_bin_deg`` the fine bins inside ``x_range`` are kept as they are.
    The total is preserved: ``display_counts.sum() + outside == counts.sum()``.
    """
    c = np.asarray(counts, dtype=float).reshape(-1)
    e = np.asarray(edges_deg, dtype=float).reshape(-1)
    if e.size != c.size + 1:
        raise ValueError(f"need len(edges) == len(counts) + 1, got {e.size} edges for {c.size} counts")
    if np.any(np.diff(e) <= 0):
        raise ValueError("edges must increase")
    lo, hi = map(float, x_range)
    centres = (e[:-1] + e[1:]) / 2
    inside = (centres >= lo) & (centres <= hi)
    outside = float(c[~inside].sum())
    if display_bin_deg is None:
        keep = np.flatnonzero(inside)
        if keep.size == 0:
            return np.zeros(0), np.array([lo, hi]), outside
        new_edges = np.concatenate([e[keep], [e[keep[-1] + 1]]])
        return c[keep].copy(), new_edges, outside
    if display_bin_deg <= 0:
        raise ValueError("display_bin_deg must be positive")
    n_bins = max(1, int(round((hi - lo) / display_bin_deg)))
    new_edges = np.linspace(lo, hi, n_bins + 1)
    idx = np.clip(np.searchsorted(new_edges, centres[inside], side="right") - 1, 0, n_bins - 1)
    new_counts = np.bincount(idx, weights=c[inside], minlength=n_bins).astype(float)
    return new_counts, new_edges, outside


class AngleHistogram(VGroup):
    """Bar chart of how many pairs of vectors sit at each angle.

    Parameters
    ----------
    counts, edges_deg
        Fine counts and their bin edges in degrees (``len(edges) == len(counts) + 1``), e.g. 360 bins of
        0.5° from ``AngleStats``.
    x_range
        Angles shown; fine bins whose centre falls outside are left out (their total is
        :attr:`outside_count`).
    y_max
        Top of the y axis, fixed for later :meth:`update_counts` calls (default: a round number above the
        tallest display bar). Taller bars are clipped.
    log_scale
        Bar heights on a ``log10(1 + count)`` scale (the axis then shows powers of ten).
    width, height
        Size of the plotting area.
    bar_color
        Fill of the bars.
    x_step
        Degrees between x labels.
    display_bin_deg
        Merge the fine bins into display bars this many degrees wide (``None``: keep the fine bins).
    x_label, y_label
        Axis titles (``None`` to leave out).
    font_size
        Size of the axis numbers, a size of the type scale (titles are a little larger; powers of ten are set
        by LaTeX as tall).
    """

    def __init__(
        self,
        counts: Sequence[float] | np.ndarray,
        edges_deg: Sequence[float] | np.ndarray,
        *,
        x_range: tuple[float, float] = (0.0, 180.0),
        y_max: float | None = None,
        log_scale: bool = False,
        width: float = 10.0,
        height: float = 4.5,
        bar_color: str = colors.CURVE_RANDOM,
        x_step: float = 30,
        display_bin_deg: float | None = None,
        x_label: str | None = "angle between the two vectors",
        y_label: str | None = "pairs",
        font_size: float = style.CAPTION,
        axis_color: str = colors.TEXT_DIM,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.x_range = (float(x_range[0]), float(x_range[1]))
        self.edges_deg = np.asarray(edges_deg, dtype=float).reshape(-1)
        self.display_bin_deg = display_bin_deg
        self.log_scale = log_scale
        self.plot_width, self.plot_height = width, height
        self.bar_color = bar_color
        self.font_size = font_size
        self.display_counts, self.display_edges, self.outside_count = rebin_counts(
            counts, self.edges_deg, display_bin_deg=display_bin_deg, x_range=self.x_range
        )
        self.counts = np.asarray(counts, dtype=float).reshape(-1).copy()
        top = float(self.display_counts.max()) if self.display_counts.size else 1.0
        if y_max is None:
            y_max = 10 ** math.ceil(math.log10(max(top, 1.0) + 1)) if log_scale else nice_ceiling(max(top, 1.0) * 1.05)
        self.y_max = float(y_max)

        self.origin = np.array([-width / 2, -height / 2, 0.0])
        # axes
        x_axis = Line(self.origin, self.origin + RIGHT * width, stroke_width=2, color=axis_color)
        y_axis = Line(self.origin, self.origin + UP * height, stroke_width=2, color=axis_color)
        self.x_ticks = VGroup()
        self.x_labels = VGroup()
        lo, hi = self.x_range
        first = math.ceil(lo / x_step - 1e-9) * x_step
        deg = first
        while deg <= hi + 1e-9:
            p = self.angle_to_point(deg)
            self.x_ticks.add(Line(p, p + DOWN * 0.1, stroke_width=2, color=axis_color))
            lab = Text(f"{deg:g}°", font_size=font_size, color=colors.TEXT_DIM)
            lab.next_to(p + DOWN * 0.1, DOWN, buff=0.08)
            self.x_labels.add(lab)
            deg += x_step
        self.y_ticks = VGroup()
        self.y_labels = VGroup()
        for value in self._y_tick_values():
            p = self.count_to_point(value)
            self.y_ticks.add(Line(p, p + LEFT * 0.1, stroke_width=2, color=axis_color))
            if log_scale and value >= 10:
                lab = MathTex(f"10^{{{int(round(math.log10(value)))}}}", font_size=style.math_size(font_size),
                              color=colors.TEXT_DIM)
            else:
                lab = Text(format_compact(value), font_size=font_size, color=colors.TEXT_DIM)
            lab.next_to(p + LEFT * 0.1, LEFT, buff=0.08)
            self.y_labels.add(lab)
        self.axes = VGroup(x_axis, y_axis, self.x_ticks, self.y_ticks)
        self.titles = VGroup()
        if x_label:
            xt = Text(x_label, font_size=font_size * 1.1, color=colors.TEXT_DIM)
            xt.next_to(self.x_labels, DOWN, buff=0.15).set_x(0)
            self.titles.add(xt)
        if y_label:
            yt = Text(y_label, font_size=font_size * 1.1, color=colors.TEXT_DIM)
            yt.next_to(y_axis, UP, buff=0.15).align_to(y_axis, LEFT).shift(LEFT * 0.2)
            self.titles.add(yt)
        self.bars = self._make_bars(self.display_counts)
        self.add(self.bars, self.axes, self.x_labels, self.y_labels, self.titles)

    # -- coordinates ----------------------------------------------------------------------------------------
    def _y_tick_values(self) -> list[float]:
        if self.log_scale:
            top = int(math.floor(math.log10(self.y_max)))
            step = max(1, math.ceil(top / 5))
            return [10.0**k for k in range(0, top + 1, step)]
        step = _nice_step(self.y_max, 4)
        n = int(math.floor(self.y_max / step + 1e-9))
        return [k * step for k in range(0, n + 1)]

    def _height_of(self, count: float) -> float:
        c = max(0.0, float(count))
        if self.log_scale:
            frac = math.log10(1 + c) / math.log10(1 + self.y_max)
        else:
            frac = c / self.y_max
        return self.plot_height * min(1.0, frac)

    def angle_to_point(self, deg: float) -> np.ndarray:
        """Point on the x axis at angle ``deg`` (in the histogram's current position)."""
        return self._to_current(self._local_x(deg), 0.0)

    def count_to_point(self, count: float, deg: float | None = None) -> np.ndarray:
        """Point at height ``count`` (on the y axis, or above angle ``deg``)."""
        x = self._local_x(self.x_range[0] if deg is None else deg)
        return self._to_current(x, self._height_of(count))

    def _local_x(self, deg: float) -> float:
        lo, hi = self.x_range
        return (deg - lo) / (hi - lo) * self.plot_width

    def _to_current(self, x: float, y: float) -> np.ndarray:
        # the x axis line tells where the plot is now (after any shift/scale of the whole chart)
        return self._origin_now() + RIGHT * x * self._scale_now() + UP * y * self._scale_now()

    def _origin_now(self) -> np.ndarray:
        if not self.submobjects:
            return self.origin.copy()
        x_axis = self.axes[0]
        return x_axis.get_start()

    def _scale_now(self) -> float:
        if not self.submobjects:
            return 1.0
        return float(np.linalg.norm(self.axes[0].get_end() - self.axes[0].get_start())) / self.plot_width

    # -- bars -----------------------------------------------------------------------------------------------
    def _make_bars(self, display_counts: np.ndarray) -> VGroup:
        bars = VGroup()
        s = self._scale_now()
        for k, c in enumerate(display_counts):
            left = self._local_x(self.display_edges[k])
            right = self._local_x(self.display_edges[k + 1])
            h = max(self._height_of(c), 1e-4)
            bar = Rectangle(width=max(right - left, 1e-4) * s, height=h * s, stroke_width=0)
            bar.set_fill(self.bar_color, opacity=1.0 if c > 0 else 0.0)
            bar.move_to(self._to_current((left + right) / 2, h / 2))
            bars.add(bar)
        return bars

    def get_bars(self) -> VGroup:
        return self.bars

    def bar_heights(self) -> np.ndarray:
        """Current heights of the bars on screen (scene units)."""
        return np.array([b.height if b.get_fill_opacity() > 0 else 0.0 for b in self.bars])

    def _new_display_counts(self, counts) -> np.ndarray:
        c = np.asarray(counts, dtype=float).reshape(-1)
        if c.size != self.counts.size:
            raise ValueError(f"expected {self.counts.size} counts, got {c.size}")
        self.counts = c.copy()
        self.display_counts, _, self.outside_count = rebin_counts(
            c, self.edges_deg, display_bin_deg=self.display_bin_deg, x_range=self.x_range
        )
        return self.display_counts

    def set_counts(self, counts: Sequence[float] | np.ndarray) -> "AngleHistogram":
        """Redraw the bars for new fine counts (same bins; the y axis stays fixed)."""
        new = self._make_bars(self._new_display_counts(counts))
        self.bars.become(new)
        return self

    def update_counts(self, counts: Sequence[float] | np.ndarray, **kwargs) -> Animation:
        """Animation growing/shrinking the bars to new fine counts (y axis fixed)."""
        new = self._make_bars(self._new_display_counts(counts))
        return Transform(self.bars, new, **kwargs)

    # -- annotations ----------------------------------------------------------------------------------------
    def mark_angle(
        self,
        deg: float,
        label: str | Mobject | None = None,
        color: str = colors.HIGHLIGHT,
        *,
        dashed: bool = True,
        label_side: np.ndarray = UP,
        label_height: float = 1.0,
        font_size: float | None = None,
    ) -> VGroup:
        """A vertical line at ``deg`` with an optional label (not added to the histogram; add or animate it).

        ``label_side`` ``UP`` puts the label above the line, ``LEFT``/``RIGHT`` beside its top;
        ``label_height`` (0-1) sets how tall the line is, as a fraction of the plot height.
        """
        bottom = self.angle_to_point(deg)
        top = bottom + UP * self.plot_height * label_height * self._scale_now()
        line = (DashedLine if dashed else Line)(bottom, top, color=color, stroke_width=3)
        group = VGroup(line)
        if label is not None:
            lab = label if isinstance(label, Mobject) else Text(label, font_size=font_size or self.font_size,
                                                                    color=color)
            if np.allclose(label_side, UP):
                lab.next_to(line, UP, buff=0.08)
            else:
                lab.next_to(top, label_side, buff=0.1).shift(DOWN * lab.height / 2)
            group.add(lab)
        return group

    def shade_band(self, lo_deg: float, hi_deg: float, color: str = colors.HIGHLIGHT, *,
                   opacity: float = 0.18) -> Rectangle:
        """A translucent band over ``[lo_deg, hi_deg]`` (not added; add or animate it)."""
        left, right = self.angle_to_point(lo_deg), self.angle_to_point(hi_deg)
        band = Rectangle(width=max(right[0] - left[0], 1e-3), height=self.plot_height * self._scale_now(),
                         stroke_width=0)
        band.set_fill(color, opacity=opacity)
        band.move_to((left + right) / 2 + UP * self.plot_height * self._scale_now() / 2)
        return band


class ActivationGraph(VGroup):
    """Axes with the graph of an activation function (ReLU, GELU ...); more curves with :meth:`add_function`.

    Parameters
    ----------
    function
        ``f(x) -> float`` (the compute layer's own implementation, so the drawing matches the model).
    x_range, y_range
        Visible ranges.
    label
        Name written near the curve (``None`` for none).
    color
        Curve colour (default :data:`~llmfacts.colors.RELU`).
    width, height
        Size of the axes.
    font_size
        Size of the axis numbers (a size of the type scale; LaTeX numbers as tall); the label is 1.3 times it.
    """

    def __init__(
        self,
        function: Callable[[float], float],
        *,
        x_range: tuple[float, float] = (-3.0, 3.0),
        y_range: tuple[float, float] = (-1.0, 3.0),
        label: str | Mobject | None = "ReLU",
        color: str = colors.RELU,
        width: float = 5.0,
        height: float = 3.5,
        x_step: float = 1.0,
        y_step: float = 1.0,
        include_numbers: bool = True,
        font_size: float = style.CAPTION,
        stroke_width: float = 4,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.axes = Axes(
            x_range=(x_range[0], x_range[1], x_step),
            y_range=(y_range[0], y_range[1], y_step),
            x_length=width,
            y_length=height,
            tips=False,
            axis_config={"color": colors.TEXT_DIM, "include_numbers": include_numbers,
                         "font_size": style.math_size(font_size), "stroke_width": 2,
                         "decimal_number_config": {"num_decimal_places": 0 if float(x_step).is_integer()
                                                   and float(y_step).is_integer() else 1}},
        )
        self.x_range, self.y_range = x_range, y_range
        self.functions: list[Callable[[float], float]] = []
        self.graphs = VGroup()
        self.labels = VGroup()
        self.add(self.axes, self.graphs, self.labels)
        self.function = function
        self.graph = self.add_function(function, color=color, label=label, stroke_width=stroke_width,
                                       font_size=font_size * 1.3)

    def add_function(self, function: Callable[[float], float], *, color: str = colors.GELU,
                     label: str | Mobject | None = None, stroke_width: float = 4, font_size: float = style.LABEL,
                     label_x: float | None = None):
        """Overlay another curve on the same axes; returns the graph (the label, if any, is in ``labels``)."""
        lo, hi = self.x_range
        graph = self.axes.plot(lambda x: float(function(x)), x_range=(lo, hi, (hi - lo) / 400),
                               color=color, stroke_width=stroke_width, use_smoothing=False)
        self.functions.append(function)
        self.graphs.add(graph)
        if label is not None:
            lab = label if isinstance(label, Mobject) else Text(label, font_size=font_size, color=color)
            x = label_x if label_x is not None else lo + 0.3 * (hi - lo)
            y = float(function(x))
            anchor = self.axes.c2p(x, min(max(y, self.y_range[0]), self.y_range[1]))
            lab.next_to(anchor, UP + LEFT * 0.3, buff=0.2)
            # keep the label inside the axes box
            box_top = self.axes.c2p(lo, self.y_range[1])[1]
            if lab.get_top()[1] > box_top:
                lab.shift(DOWN * (lab.get_top()[1] - box_top))
            self.labels.add(lab)
        return graph

    def get_axes(self) -> Axes:
        return self.axes

    def get_graph(self, k: int = 0):
        """The ``k``-th curve (0: the one given to the constructor)."""
        return self.graphs[k]

    def point_at(self, x: float, k: int = 0) -> np.ndarray:
        """Scene point of ``(x, f_k(x))``."""
        return self.axes.c2p(x, float(self.functions[k](x)))

    def dot_at(self, x: float, k: int = 0, *, color: str = colors.HIGHLIGHT, radius: float = 0.08) -> Dot:
        """A dot on curve ``k`` at ``x`` (not added)."""
        return Dot(self.point_at(x, k), radius=radius, color=color)


def _default_segment_color(name: str, k: int) -> str:
    low = name.lower()
    if "mlp" in low or "perceptron" in low:
        return colors.MLP_PARAMETERS
    if "attention" in low or any(w in low for w in ("query", "key", "value", "output")):
        return colors.ATTENTION
    if "embed" in low:
        return colors.DATA
    if "norm" in low:
        return colors.NORM
    return colors.OTHER_PARAMETERS if k % 2 == 0 else colors.DATA_DIM


class BarTally(VGroup):
    """One horizontal bar split into segments proportional to counts (e.g. where GPT-3's parameters live).

    Parameters
    ----------
    counts
        ``{name: count}`` in display order.
    segment_colors
        ``{name: colour}``; missing names get a default (MLP :data:`~llmfacts.colors.MLP_PARAMETERS`, attention
        :data:`~llmfacts.colors.ATTENTION`, embeddings :data:`~llmfacts.colors.DATA`, others grey).
    width, height
        Bar size.
    show_values, show_percent
        Write each count (with thousands separators) and its share of the total under the name.
    min_label_gap
        Labels of narrow segments are stacked on lower rows (with a leader line) when they would overlap.

    Labels sit under the bar; :meth:`get_segment`, :meth:`get_label` look them up by name, and
    :meth:`grow` returns an animation drawing the segments left to right.
    """

    def __init__(
        self,
        counts: Mapping[str, float],
        *,
        segment_colors: Mapping[str, str] | None = None,
        width: float = 12.0,
        height: float = 0.6,
        show_values: bool = True,
        show_percent: bool = True,
        font_size: float = style.LABEL,
        min_label_gap: float = 0.25,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not counts:
            raise ValueError("BarTally needs at least one category")
        self.counts = {k: float(v) for k, v in counts.items()}
        if any(v < 0 for v in self.counts.values()):
            raise ValueError("counts must be non-negative")
        self.total = float(sum(self.counts.values()))
        if self.total <= 0:
            raise ValueError("counts add up to zero")
        segment_colors = dict(segment_colors or {})
        self.segments = VGroup()
        self.labels = VGroup()
        self.leaders = VGroup()
        self._segments: dict[str, Rectangle] = {}
        self._labels: dict[str, VGroup] = {}
        x = -width / 2
        bottom = -height / 2
        placed: list[tuple[int, float, float]] = []  # (row, left, right) of every label so far
        leaders: list[tuple[int, float]] = []  # (row reached, x) of every leader line so far
        row_pitch = None
        for k, (name, count) in enumerate(self.counts.items()):
            w = width * count / self.total
            seg = Rectangle(width=max(w, 1e-3), height=height, stroke_color=colors.BACKGROUND, stroke_width=1)
            seg.set_fill(segment_colors.get(name, _default_segment_color(name, k)), opacity=1)
            seg.move_to([x + w / 2, 0, 0])
            self._segments[name] = seg
            self.segments.add(seg)
            lines = [Text(name, font_size=font_size, color=colors.TEXT)]
            detail = []
            if show_values:
                detail.append(format_int(count))
            if show_percent:
                detail.append(format_percent(count / self.total))
            if detail:
                lines.append(Text("  ".join(detail), font_size=max(font_size * 0.85, style.CAPTION),
                                  color=colors.TEXT_DIM))
            label = VGroup(*lines).arrange(DOWN, buff=0.06)
            if row_pitch is None:
                row_pitch = label.height + 0.2
            centre = x + w / 2
            lw = label.width

            def free(row: int, left: float, right: float, leader_x: float | None) -> bool:
                for r, a, b in placed:  # no overlap with a label of the same row
                    if r == row and a - min_label_gap < right and left < b + min_label_gap:
                        return False
                for r, lx in leaders:  # do not cover a leader line that passes through this row
                    if r >= row and left - 0.1 < lx < right + 0.1:
                        return False
                if leader_x is not None:  # our leader must not cross labels of the rows above ours
                    for r, a, b in placed:
                        if r < row and a - 0.1 < leader_x < b + 0.1:
                            return False
                return True

            # 1. directly under the segment, on the first row, if the segment is wide enough
            direct_x = min(max(centre, -width / 2 + lw / 2), width / 2 - lw / 2)
            if w >= lw * 0.6 and abs(direct_x - centre) < w / 2 and free(0, direct_x - lw / 2, direct_x + lw / 2, None):
                row, label_x, leader = 0, direct_x, False
            else:
                # 2. beside a leader line dropped from the segment: the label sits on the side with more room
                if centre > 0:
                    label_x = max(centre - 0.15 - lw / 2, -width / 2 + lw / 2)
                else:
                    label_x = min(centre + 0.15 + lw / 2, width / 2 - lw / 2)
                row, max_rows = 0, len(self.counts) + 1
                while row < max_rows and not free(row, label_x - lw / 2, label_x + lw / 2, centre):
                    row += 1
                if row == max_rows:  # no row keeps the leader clear of every label: let it cross one
                    row = 0  # a row below every placed label and leader is always free, so this ends
                    while not free(row, label_x - lw / 2, label_x + lw / 2, None):
                        row += 1
                leader = True
            label_y = bottom - 0.2 - label.height / 2 - row * row_pitch
            label.move_to([label_x, label_y, 0])
            placed.append((row, label.get_left()[0], label.get_right()[0]))
            if leader:
                near = label.get_right()[0] + 0.06 if centre > label_x else label.get_left()[0] - 0.06
                elbow = VMobject(stroke_color=colors.TEXT_DIM, stroke_width=1.5)
                elbow.set_points_as_corners([[centre, bottom, 0], [centre, label_y, 0], [near, label_y, 0]])
                self.leaders.add(elbow)
                leaders.append((row, centre))
            self._labels[name] = label
            self.labels.add(label)
            x += w
        self.add(self.segments, self.leaders, self.labels)

    def get_segment(self, name: str) -> Rectangle:
        return self._segments[name]

    def get_label(self, name: str) -> VGroup:
        return self._labels[name]

    def share(self, name: str) -> float:
        """Fraction of the total held by ``name``."""
        return self.counts[name] / self.total

    def grow(self, run_time: float = 2.0) -> Animation:
        """Segments grow from the left one after the other, labels fade in."""
        from manim import AnimationGroup, FadeIn, GrowFromEdge, Succession

        return Succession(
            AnimationGroup(*(GrowFromEdge(s, LEFT) for s in self.segments), lag_ratio=1.0, run_time=run_time * 0.7),
            AnimationGroup(FadeIn(self.leaders), FadeIn(self.labels), run_time=run_time * 0.3),
        )
