r"""Matrices and vectors of real numbers, shortened with ellipses when they are too big to show.

The video never shows made-up digits: a :class:`WeightMatrix` or :class:`EmbeddingVector` is built from the
array the compute layer produced. When the array is larger than the room on screen, the first rows (and
columns) are shown, then a row of dots, then the last one, as a mathematician would write it by hand; the
accessors always take indices of the *original* array.

Examples
--------

.. code-block:: python

    import numpy as np
    from manim import LEFT, RIGHT, Scene
    from llmfacts.mobjects import EmbeddingVector, WeightMatrix

    class MatrixAndVector(Scene):
        def construct(self):
            rng = np.random.default_rng(0)
            w = WeightMatrix(rng.normal(size=(10, 12)))          # 6 x 6 shown, with dots
            e = EmbeddingVector(rng.normal(size=12), label="$E$")  # 8 rows shown
            w.shift(LEFT * 2)
            e.next_to(w, RIGHT, buff=0.6)
            self.add(w, e, w.row_rectangle(0), e.get_entry(11).copy().set_color("#FFFF66"))
"""

from __future__ import annotations

__all__ = [
    "NumberGrid",
    "WeightMatrix",
    "EmbeddingVector",
    "LabeledVector",
    "HiddenEntryError",
    "ChangeDecimalAndColor",
    "shown_indices",
    "make_bracket",
    "make_label",
]

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    ChangeDecimalToValue,
    DecimalNumber,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    Rectangle,
    SurroundingRectangle,
    Tex,
    Text,
    VGroup,
    VMobject,
)

from llmfacts import colors, style


class HiddenEntryError(IndexError):
    """Raised when asking for an entry that the ellipsis hides."""


def shown_indices(n: int, max_shown: int) -> tuple[list[int], bool]:
    """Which of ``n`` indices are displayed when at most ``max_shown`` cells fit.

    Returns ``(indices, truncated)``. When ``n <= max_shown`` every index is shown; otherwise the first
    ``max_shown - 2`` indices, then an ellipsis cell, then the last index (so ``max_shown`` cells in all,
    the ellipsis included).
    """
    if max_shown < 3:
        raise ValueError(f"need room for at least 3 cells (first, dots, last), got max_shown={max_shown}")
    if n <= max_shown:
        return list(range(n)), False
    return list(range(max_shown - 2)) + [n - 1], True


def make_bracket(height: float, *, side: str = "left", tick: float = 0.12, color: str = colors.TEXT,
                 stroke_width: float = 2.5) -> VMobject:
    """A square bracket ``[`` or ``]`` drawn as a polyline (no LaTeX), centred on the origin."""
    sign = 1 if side == "left" else -1
    h = height / 2
    bracket = VMobject(stroke_color=color, stroke_width=stroke_width)
    bracket.set_points_as_corners(
        [
            [sign * tick, h, 0],
            [0, h, 0],
            [0, -h, 0],
            [sign * tick, -h, 0],
        ]
    )
    return bracket


def make_label(label: str | Mobject, *, font_size: float = style.math_size(style.LABEL),
               color: str = colors.TEXT) -> Mobject:
    """Turn a label into a mobject: strings with ``$`` or ``\\`` go through LaTeX (:class:`Tex`, at
    ``font_size``), other strings through Pango (:class:`Text` in the video's typeface, as tall as the LaTeX
    would be); mobjects pass unchanged. Write notation as TeX: ``f"${style.W_UP}$"``."""
    if isinstance(label, Mobject):
        return label
    if "$" in label or "\\" in label:
        return Tex(label, font_size=font_size, color=color)
    return Text(label, font_size=font_size / style.MATH_SCALE, color=color)


class NumberGrid(VGroup):
    """A grid of real numbers in square brackets, with ellipsis rows/columns when truncated.

    Base class of :class:`WeightMatrix` and :class:`EmbeddingVector`; use those.

    Parameters
    ----------
    values
        A 2-D array (a 1-D array is shown as a column).
    max_rows, max_cols
        Most cells shown along each axis, ellipsis cell included.
    decimals
        Digits after the decimal point.
    scale
        The ``|value|`` that gets full colour when colouring by sign (default: largest ``|value|``).
    color_by_sign
        Colour entries with :func:`llmfacts.colors.weight_color`; otherwise every entry is ``color``.
    color
        Colour of the entries when not colouring by sign.
    font_size
        Font size of the entries (LaTeX ``font_size``; default the smallest readable,
        :data:`llmfacts.style.MIN_MATH_FONT_SIZE`).
    h_buff, v_buff
        Horizontal / vertical gap between cells.
    bracket_color
        Colour of the brackets.
    ellipsis_color
        Colour of the dots.
    min_color_strength
        Entries near zero are coloured as if ``|value|`` were at least this fraction of ``scale``, so that
        small numbers stay readable on black (``0`` gives the raw :func:`~llmfacts.colors.weight_color`).
    reserve_values
        Values (same shape) the grid will later be animated to, e.g. the rescaled columns of ``W↓``:
        columns are made wide enough for them too, so that numbers that grow do not run into the
        brackets. (:meth:`set_values` re-lays the grid out anyway; animations cannot.)
    """

    BRACKET_BUFF = 0.12  # gap between the numbers and a bracket

    def __init__(
        self,
        values: np.ndarray | Sequence,
        *,
        max_rows: int = 6,
        max_cols: int = 6,
        decimals: int = 1,
        scale: float | None = None,
        color_by_sign: bool = True,
        color: str = colors.DATA,
        font_size: float = style.MIN_MATH_FONT_SIZE,
        h_buff: float = 0.28,
        v_buff: float = 0.16,
        bracket_color: str = colors.TEXT,
        ellipsis_color: str = colors.TEXT_DIM,
        min_color_strength: float = 0.5,
        reserve_values: np.ndarray | Sequence | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.min_color_strength = min_color_strength
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.size == 0:
            raise ValueError(f"expected a non-empty 1-D or 2-D array, got shape {np.shape(values)}")
        self.values = arr.copy()
        self.decimals = decimals
        self.color_by_sign = color_by_sign
        self.base_color = color
        self.font_size = font_size
        self.h_buff = h_buff
        self.v_buff = v_buff
        max_abs = float(np.max(np.abs(arr))) if arr.size else 0.0
        self.color_scale = float(scale) if scale is not None else (max_abs if max_abs > 0 else 1.0)

        self.shown_rows, self.rows_truncated = shown_indices(arr.shape[0], max_rows)
        self.shown_cols, self.cols_truncated = shown_indices(arr.shape[1], max_cols)
        # display slots: an original index, or None for the ellipsis slot (second to last)
        self._row_slots: list[int | None] = list(self.shown_rows)
        if self.rows_truncated:
            self._row_slots.insert(len(self._row_slots) - 1, None)
        self._col_slots: list[int | None] = list(self.shown_cols)
        if self.cols_truncated:
            self._col_slots.insert(len(self._col_slots) - 1, None)

        self._entries: dict[tuple[int, int], DecimalNumber] = {}
        self._cells: list[list[Mobject]] = []
        ellipses = []
        for i in self._row_slots:
            row_cells: list[Mobject] = []
            for j in self._col_slots:
                if i is not None and j is not None:
                    cell: Mobject = self._make_entry(self.values[i, j])
                    self._entries[(i, j)] = cell  # type: ignore[assignment]
                else:
                    sym = r"\ddots" if (i is None and j is None) else (r"\vdots" if i is None else r"\cdots")
                    cell = MathTex(sym, font_size=font_size, color=ellipsis_color)
                    ellipses.append(cell)
                row_cells.append(cell)
            self._cells.append(row_cells)

        self._reserve_widths = self._widths_for(reserve_values) if reserve_values is not None else {}
        grid_box = self._layout()
        self.entries = VGroup(*self._entries.values())
        self.ellipses = VGroup(*ellipses)
        self.rows = VGroup(*(VGroup(*r) for r in self._cells))
        self.columns = VGroup(*(VGroup(*(r[c] for r in self._cells)) for c in range(len(self._col_slots))))
        self.elements = VGroup(*(cell for r in self._cells for cell in r))
        # an invisible box around the grid's columns (reserved widths included): the brackets hug it
        self.grid_box = grid_box
        height = max(self.elements.height, grid_box.height) + 2 * v_buff
        self.brackets = VGroup(
            make_bracket(height, side="left", color=bracket_color).next_to(grid_box, LEFT, buff=self.BRACKET_BUFF),
            make_bracket(height, side="right", color=bracket_color).next_to(grid_box, RIGHT, buff=self.BRACKET_BUFF),
        )
        self.brackets.set_y(self.elements.get_center()[1])
        self.add(self.grid_box, self.elements, self.brackets)
        self._bracket_height0 = height
        self.center()

    # -- construction -------------------------------------------------------------------------------------
    def _entry_color(self, value: float) -> str:
        if self.color_by_sign:
            floor = self.min_color_strength * self.color_scale
            shown = value if abs(value) >= floor else (floor if value >= 0 else -floor)
            return colors.weight_color(shown, self.color_scale)
        return self.base_color

    def _make_entry(self, value: float) -> DecimalNumber:
        num = DecimalNumber(
            value,
            num_decimal_places=self.decimals,
            font_size=self.font_size,
            edge_to_fix=RIGHT,
        )
        num.set_color(self._entry_color(value))
        return num

    def _widths_for(self, values: np.ndarray | Sequence) -> dict[int, float]:
        """Width needed by the widest of ``values`` in each displayed column (by display column index)."""
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape != self.values.shape:
            raise ValueError(f"reserve_values should have shape {self.values.shape}, got {arr.shape}")
        widths = {}
        for c, j in enumerate(self._col_slots):
            if j is None:
                continue
            column = [arr[i, j] for i in self.shown_rows]
            widest = max(column, key=lambda v: len(f"{v:.{self.decimals}f}"))
            widths[c] = DecimalNumber(widest, num_decimal_places=self.decimals, font_size=self.font_size).width
        return widths

    def _layout(self, unit: float = 1.0) -> Rectangle:
        """Place the cells on a grid with its top-left cell at the origin (``unit``: current scale factor);
        returns an invisible rectangle spanning the columns and rows."""
        n_r, n_c = len(self._row_slots), len(self._col_slots)
        # reference size of a number so that ellipsis-only rows/columns get the same pitch
        ref = DecimalNumber(-8.8, num_decimal_places=self.decimals, font_size=self.font_size)
        col_w = [
            max([ref.width * 0.6 * unit, self._reserve_widths.get(c, 0.0) * unit]
                + [self._cells[r][c].width for r in range(n_r)
                   if self._col_slots[c] is not None and self._row_slots[r] is not None])
            for c in range(n_c)
        ]
        row_h = ref.height * 1.25 * unit
        h_buff, v_buff = self.h_buff * unit, self.v_buff * unit
        x = 0.0
        xs = []
        for c in range(n_c):
            xs.append(x + col_w[c] / 2)
            x += col_w[c] + h_buff
        for r in range(n_r):
            y = -r * (row_h + v_buff)
            for c in range(n_c):
                cell = self._cells[r][c]
                if self._row_slots[r] is not None and self._col_slots[c] is not None:
                    # right-align numbers inside their column so the decimal points line up
                    cell.move_to([xs[c] + col_w[c] / 2 - cell.width / 2, y, 0])
                else:
                    cell.move_to([xs[c], y, 0])
        width = x - h_buff
        bottom = -(n_r - 1) * (row_h + v_buff)
        box = Rectangle(width=width, height=-bottom + row_h, stroke_width=0, stroke_opacity=0, fill_opacity=0)
        return box.move_to([width / 2, bottom / 2, 0])

    def relayout(self) -> "NumberGrid":
        """Re-space the columns for the numbers now shown (keeping the grid's centre and scale) and move the
        brackets (and label) to fit."""
        unit = self.brackets[0].height / self._bracket_height0
        centre = self.grid_box.get_center()  # the box has not moved yet; the numbers may have grown
        box = self._layout(unit)
        shift = centre - box.get_center()
        self.elements.shift(shift)
        self.grid_box.become(box.shift(shift))
        self.brackets[0].next_to(self.grid_box, LEFT, buff=self.BRACKET_BUFF * unit)
        self.brackets[1].next_to(self.grid_box, RIGHT, buff=self.BRACKET_BUFF * unit)
        label = getattr(self, "label", None)
        if label is not None:
            label.set_x(self.brackets.get_center()[0])
        return self

    # -- look-up ------------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """Shape of the original array (a vector is ``(n, 1)``)."""
        return self.values.shape  # type: ignore[return-value]

    @property
    def is_truncated(self) -> bool:
        return self.rows_truncated or self.cols_truncated

    def _check_index(self, index: int, size: int, shown: list[int], what: str) -> int:
        if not -size <= index < size:
            raise IndexError(f"{what} {index} out of range for {size} {what}s")
        index %= size
        if index not in shown:
            raise HiddenEntryError(
                f"{what} {index} is hidden by the ellipsis (shown {what}s: {shown}); "
                f"raise max_{what}s or pick a shown index"
            )
        return index

    def get_entry(self, i: int, j: int = 0) -> DecimalNumber:
        """The number showing ``values[i, j]`` (indices of the original array; negative ones count from the
        end). Raises :class:`HiddenEntryError` if the entry is behind an ellipsis."""
        i = self._check_index(i, self.shape[0], self.shown_rows, "row")
        j = self._check_index(j, self.shape[1], self.shown_cols, "col")
        return self._entries[(i, j)]

    def is_shown(self, i: int, j: int = 0) -> bool:
        """Whether ``values[i, j]`` is displayed."""
        return (i % self.shape[0]) in self.shown_rows and (j % self.shape[1]) in self.shown_cols

    def get_row(self, i: int) -> VGroup:
        """The displayed cells of original row ``i`` (numbers and the ``⋯`` cell, if any)."""
        i = self._check_index(i, self.shape[0], self.shown_rows, "row")
        return self.rows[self._row_slots.index(i)]

    def get_column(self, j: int) -> VGroup:
        """The displayed cells of original column ``j`` (numbers and the ``⋮`` cell, if any)."""
        j = self._check_index(j, self.shape[1], self.shown_cols, "col")
        return self.columns[self._col_slots.index(j)]

    def get_row_entries(self, i: int) -> VGroup:
        """Only the numbers of original row ``i``, in column order."""
        i = self._check_index(i, self.shape[0], self.shown_rows, "row")
        return VGroup(*(self._entries[(i, j)] for j in self.shown_cols))

    def get_column_entries(self, j: int) -> VGroup:
        """Only the numbers of original column ``j``, in row order."""
        j = self._check_index(j, self.shape[1], self.shown_cols, "col")
        return VGroup(*(self._entries[(i, j)] for i in self.shown_rows))

    def get_entries(self) -> VGroup:
        """All displayed numbers (no ellipses)."""
        return self.entries

    def get_brackets(self) -> VGroup:
        """The two brackets (left, right)."""
        return self.brackets

    def get_ellipses(self) -> VGroup:
        """The ``⋮ ⋯ ⋱`` cells (empty when nothing is truncated)."""
        return self.ellipses

    def row_rectangle(self, i: int, *, color: str = colors.HIGHLIGHT, buff: float = 0.08, **kwargs) -> SurroundingRectangle:
        """A rectangle around original row ``i``, as wide as the grid (not added to the grid)."""
        row = self.get_row(i)
        span = Line(self.grid_box.get_left(), self.grid_box.get_right()).set_y(row.get_center()[1])
        return SurroundingRectangle(VGroup(row, span), color=color, buff=buff, **kwargs)

    def column_rectangle(self, j: int, *, color: str = colors.HIGHLIGHT, buff: float = 0.08, **kwargs) -> SurroundingRectangle:
        """A rectangle around original column ``j`` (not added to the grid)."""
        return SurroundingRectangle(self.get_column(j), color=color, buff=buff, **kwargs)

    # -- changing values ----------------------------------------------------------------------------------
    def set_values(self, values: np.ndarray | Sequence) -> "NumberGrid":
        """Show new values (same shape) in place; colours follow the new values (same colour scale)."""
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape != self.values.shape:
            raise ValueError(f"expected shape {self.values.shape}, got {arr.shape}")
        self.values = arr.copy()
        for (i, j), num in self._entries.items():
            num.set_value(arr[i, j])
            num.set_color(self._entry_color(arr[i, j]))
        return self.relayout()

    def change_values_animations(self, values: np.ndarray | Sequence) -> list:
        """Animations (one per shown entry) that count each number to its new value and recolour it.

        Play them together: ``self.play(*grid.change_values_animations(new))``. ``grid.values`` is updated
        immediately. Each number keeps its right edge; if the new numbers are wider than the old ones,
        build the grid with ``reserve_values=new`` so that they fit inside the brackets.
        """
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape != self.values.shape:
            raise ValueError(f"expected shape {self.values.shape}, got {arr.shape}")
        self.values = arr.copy()
        anims = []
        for (i, j), num in self._entries.items():
            target_color = self._entry_color(arr[i, j])
            anims.append(ChangeDecimalAndColor(num, arr[i, j], target_color))
        return anims


class ChangeDecimalAndColor(ChangeDecimalToValue):
    """:class:`~manim.ChangeDecimalToValue` that also blends the number's colour to ``color``.

    ``self.play(ChangeDecimalAndColor(number, 2.5, "#58C4DD"))``
    """

    def __init__(self, decimal_mob: DecimalNumber, target_number: float, color: str, **kwargs) -> None:
        self._end_color = ManimColor(color)
        super().__init__(decimal_mob, target_number, **kwargs)

    def begin(self) -> None:
        self._start_color = ManimColor(self.mobject.get_color())
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        super().interpolate_mobject(alpha)
        self.mobject.set_color(self._start_color.interpolate(self._end_color, self.rate_func(alpha)))


class WeightMatrix(NumberGrid):
    """A weight matrix showing its real values, coloured blue/red by sign and faded by size.

    Parameters are those of :class:`NumberGrid` (``values``, ``max_rows=6``, ``max_cols=6``,
    ``decimals=1``, ``scale=None``, ``color_by_sign=True``, ``font_size=style.MIN_MATH_FONT_SIZE``, ``h_buff``,
    ``v_buff``,
    ``bracket_color``, ``ellipsis_color``).

    Accessors take indices of the original array: :meth:`get_entry`, :meth:`get_row`, :meth:`get_column`,
    :meth:`row_rectangle`, :meth:`column_rectangle`; :attr:`shown_rows` / :attr:`shown_cols` list the
    original indices on screen.
    """

    def __init__(self, values: np.ndarray | Sequence, *, max_rows: int = 6, max_cols: int = 6, **kwargs) -> None:
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 2:
            raise ValueError(f"WeightMatrix needs a 2-D array, got shape {arr.shape}")
        super().__init__(arr, max_rows=max_rows, max_cols=max_cols, **kwargs)


class EmbeddingVector(NumberGrid):
    """A column vector of real numbers (data: grey by default), with an optional label underneath.

    Parameters
    ----------
    values
        1-D array.
    max_rows
        Most cells shown, the ``⋮`` included.
    decimals, font_size
        As for :class:`NumberGrid`.
    color
        Colour of the entries (default :data:`llmfacts.colors.DATA`).
    color_by_sign
        Colour entries blue/red by sign instead (default ``False``).
    label
        A name shown under the vector: ``"$E$"`` (LaTeX) or ``"Michael Jordan"`` (plain text) or a mobject.
    label_color, label_font_size
        Look of the label (LaTeX ``font_size``; a plain-text label is made as tall, see :func:`make_label`).
    """

    def __init__(
        self,
        values: np.ndarray | Sequence,
        *,
        max_rows: int = 8,
        decimals: int = 1,
        color: str = colors.DATA,
        color_by_sign: bool = False,
        font_size: float = style.MIN_MATH_FONT_SIZE,
        label: str | Mobject | None = None,
        label_color: str = colors.TEXT,
        label_font_size: float = style.math_size(style.LABEL),
        **kwargs,
    ) -> None:
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.reshape(-1)
        if arr.ndim != 1:
            raise ValueError(f"EmbeddingVector needs a 1-D array, got shape {np.shape(values)}")
        super().__init__(
            arr,
            max_rows=max_rows,
            max_cols=3,
            decimals=decimals,
            color=color,
            color_by_sign=color_by_sign,
            font_size=font_size,
            **kwargs,
        )
        self.label: Mobject | None = None
        if label is not None:
            self.label = make_label(label, font_size=label_font_size, color=label_color)
            self.label.next_to(self.brackets, DOWN, buff=0.2)
            self.add(self.label)

    @property
    def n(self) -> int:
        """Length of the original vector."""
        return self.values.shape[0]

    @property
    def vector_values(self) -> np.ndarray:
        """The original values as a 1-D array."""
        return self.values[:, 0]

    def get_entry(self, i: int, j: int = 0) -> DecimalNumber:  # noqa: D401 - same meaning, vector index
        """The number showing ``values[i]``; raises :class:`HiddenEntryError` if hidden by ``⋮``."""
        return super().get_entry(i, j)

    def get_label(self) -> Mobject | None:
        """The label mobject (``None`` without a label)."""
        return self.label

    def entry_rectangle(self, i: int, *, color: str = colors.HIGHLIGHT, buff: float = 0.06, **kwargs) -> SurroundingRectangle:
        """A rectangle around entry ``i``."""
        return SurroundingRectangle(self.get_entry(i), color=color, buff=buff, **kwargs)

    def vector_rectangle(self, *, color: str = colors.HIGHLIGHT, buff: float = 0.08, **kwargs) -> SurroundingRectangle:
        """A rectangle around the vector, brackets included (the label left out)."""
        return SurroundingRectangle(VGroup(self.elements, self.brackets), color=color, buff=buff, **kwargs)


def LabeledVector(values: np.ndarray | Sequence, label: str | Mobject, **kwargs) -> EmbeddingVector:
    """An :class:`EmbeddingVector` with a name underneath (shortcut for ``EmbeddingVector(values, label=...)``)."""
    return EmbeddingVector(values, label=label, **kwargs)
