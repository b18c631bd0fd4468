r"""The two matrix-vector animations of the video: a row dotted with a vector, and columns rescaled and added.

Both take *every* number from the caller (the compute layer): the products, the running sums, the rescaled
columns and their total. The mobjects only check that those numbers agree with each other and with the
values already on screen, and raise :class:`InconsistentNumbersError` when they do not, so the video can never
show a sum that the displayed terms do not add up to.

:class:`RowDotProduct` -- ``W[row] · x``, one term at a time: the weight and the vector entry fly to a
scratch spot, become their product, and the product drops into a running sum that counts up. Terms hidden
behind an ellipsis are added in one jump (the ellipsis flashes).

:class:`ScaledColumnSum` -- ``W↓ n`` read column by column: each neuron value flies onto its column, the
column's numbers become the rescaled column (dimming when the neuron is off), and finally the columns add
into one result vector.

Both are helpers (not mobjects) whose methods return animations to play; the mobjects they create are
attributes (``.result`` ...). Play the methods in order.

Examples
--------

.. code-block:: python

    import numpy as np
    from manim import LEFT, RIGHT, Scene
    from llmfacts.mobjects import EmbeddingVector, RowDotProduct, WeightMatrix

    class DotProduct(Scene):
        def construct(self):
            w = np.array([[1.0, 1.0, 0.0, -0.5], [0.2, -1.0, 0.5, 0.0]])
            x = np.array([1.0, 1.0, 0.3, 0.0])
            products = w[0] * x            # in the video these come from llmfacts.compute
            partial_sums = np.cumsum(products)
            matrix = WeightMatrix(w).shift(LEFT * 2.5)
            vector = EmbeddingVector(x).next_to(matrix, RIGHT)
            self.add(matrix, vector)
            dot = RowDotProduct(matrix, vector, 0, products=products, partial_sums=partial_sums)
            self.play(dot.highlight())
            self.play(dot.accumulate(run_time=4))
            self.play(dot.clear())   # the rectangles go, dot.result stays
"""

from __future__ import annotations

__all__ = ["InconsistentNumbersError", "RowDotProduct", "ScaledColumnSum", "check_running_sum"]

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    ChangeDecimalToValue,
    Create,
    DecimalNumber,
    FadeIn,
    FadeOut,
    Indicate,
    MathTex,
    Mobject,
    Succession,
    SurroundingRectangle,
    VGroup,
)

from llmfacts import colors, style
from llmfacts.mobjects.weight_matrix import ChangeDecimalAndColor, EmbeddingVector, HiddenEntryError, NumberGrid


class InconsistentNumbersError(ValueError):
    """The numbers passed in do not agree with each other or with the values on screen."""


def _tolerance(*arrays: np.ndarray, rtol: float) -> float:
    """Absolute tolerance: ``rtol`` times the largest magnitude involved (float32 sums drift this much)."""
    biggest = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    return rtol * max(biggest, 1e-12) + 1e-12


def check_running_sum(products: Sequence[float], partial_sums: Sequence[float], *, bias: float | None = None,
                      rtol: float = 1e-4) -> None:
    """Raise :class:`InconsistentNumbersError` unless ``partial_sums`` is the running sum of ``products``
    (then ``+ bias`` as one more step when ``bias`` is given)."""
    p = np.asarray(products, dtype=float).reshape(-1)
    s = np.asarray(partial_sums, dtype=float).reshape(-1)
    expected_len = p.size + (1 if bias is not None else 0)
    if s.size != expected_len:
        raise InconsistentNumbersError(
            f"expected {expected_len} partial sums ({p.size} products{' + bias' if bias is not None else ''}), got {s.size}"
        )
    steps = p if bias is None else np.append(p, bias)
    previous = np.concatenate([[0.0], s[:-1]])
    tol = _tolerance(steps, s, rtol=rtol)
    bad = np.flatnonzero(np.abs(previous + steps - s) > tol)
    if bad.size:
        k = int(bad[0])
        raise InconsistentNumbersError(
            f"partial_sums[{k}] = {s[k]!r} but partial_sums[{k - 1}] + term = {previous[k]!r} + {steps[k]!r} "
            f"= {previous[k] + steps[k]!r}"
        )


def _lazy(animation: Animation) -> Animation:
    """Add the animation's mobject to the scene only when the animation starts.

    Inside a :class:`~manim.Succession`, manim adds every non-introducer mobject to the scene when the whole
    succession starts; temporaries (copies, scratch numbers) would then show too early. Flagging the
    animation as an introducer makes :meth:`Animation._setup_scene` add its mobject when it begins instead.
    """
    animation.introducer = True
    return animation


def _as_point(target: Mobject | np.ndarray | Sequence[float]) -> np.ndarray:
    if isinstance(target, Mobject):
        return target.get_center()
    p = np.asarray(target, dtype=float)
    return np.append(p, 0.0) if p.size == 2 else p


class RowDotProduct:
    """Animate ``matrix[row] · vector`` term by term, with a running sum counting up to the result.

    Parameters
    ----------
    matrix
        The :class:`~llmfacts.mobjects.WeightMatrix` on screen.
    vector
        The :class:`~llmfacts.mobjects.EmbeddingVector` on screen (length = number of matrix columns).
    row
        Original index of the row (must be shown).
    products
        ``w_k x_k`` for every ``k`` (all of them, hidden ones included), from the compute layer.
    partial_sums
        Running sums of ``products`` (same length); one more entry when ``bias`` is given.
    bias
        Optional bias added as a last step (``partial_sums[-1] = partial_sums[-2] + bias``).
    result_target
        Where the running sum sits: a point, or a mobject to sit on. Default: right of the vector, at the
        height of the row.
    scratch_position
        Where each ``w × x`` term is shown before it joins the sum (default: 0.75 above the result).
    run_time
        Default total run time of :meth:`accumulate` (``None``: ``time_per_term`` per term).
    decimals
        Digits of the products and sums.
    font_size
        Size of the scratch terms and of the running sum.
    check_products
        Also check ``products[k]`` against the matrix and vector values.
    rtol
        Relative tolerance of the checks (the largest magnitude involved sets the scale).

    Attributes
    ----------
    result : DecimalNumber
        The running sum (shows ``0`` until :meth:`accumulate` plays, then ``partial_sums[-1]``).
    final_value : float
        ``partial_sums[-1]``.
    row_rect, vector_rect : SurroundingRectangle
        The highlights.
    """

    def __init__(
        self,
        matrix: NumberGrid,
        vector: EmbeddingVector,
        row: int,
        *,
        products: Sequence[float] | np.ndarray,
        partial_sums: Sequence[float] | np.ndarray,
        bias: float | None = None,
        result_target: Mobject | np.ndarray | Sequence[float] | None = None,
        scratch_position: Mobject | np.ndarray | Sequence[float] | None = None,
        run_time: float | None = None,
        decimals: int = 2,
        font_size: float = style.MIN_MATH_FONT_SIZE,
        check_products: bool = True,
        rtol: float = 1e-4,
        highlight_color: str = colors.HIGHLIGHT,
        result_color: str = colors.TEXT,
    ) -> None:
        self.matrix, self.vector = matrix, vector
        n = matrix.shape[1]
        if vector.shape[0] != n:
            raise ValueError(f"matrix has {n} columns but the vector has {vector.shape[0]} entries")
        self.row = row % matrix.shape[0]
        if self.row not in matrix.shown_rows:
            raise HiddenEntryError(f"row {self.row} is hidden by the ellipsis (shown rows: {matrix.shown_rows})")
        self.products = np.asarray(products, dtype=float).reshape(-1)
        self.partial_sums = np.asarray(partial_sums, dtype=float).reshape(-1)
        self.bias = bias
        if self.products.size != n:
            raise InconsistentNumbersError(f"expected {n} products (one per column), got {self.products.size}")
        check_running_sum(self.products, self.partial_sums, bias=bias, rtol=rtol)
        if check_products:
            expected = matrix.values[self.row] * vector.values[:, 0]
            tol = _tolerance(expected, self.products, rtol=rtol)
            bad = np.flatnonzero(np.abs(expected - self.products) > tol)
            if bad.size:
                k = int(bad[0])
                raise InconsistentNumbersError(
                    f"products[{k}] = {self.products[k]!r} but the matrix and vector on screen give "
                    f"{matrix.values[self.row, k]!r} × {vector.values[k, 0]!r} = {expected[k]!r}"
                )
        self.final_value = float(self.partial_sums[-1])
        self.decimals, self.font_size = decimals, font_size
        self.highlight_color = highlight_color

        self.row_rect = matrix.row_rectangle(self.row, color=highlight_color)
        self.vector_rect = vector.vector_rectangle(color=highlight_color)
        self.result = DecimalNumber(0.0, num_decimal_places=decimals, font_size=font_size, color=result_color,
                                    include_sign=False)
        if result_target is None:
            y = matrix.get_row(self.row).get_center()[1]
            self.result.move_to([vector.get_right()[0] + 0.9 + self.result.width / 2, y, 0])
        else:
            self.result.move_to(_as_point(result_target))
        self.scratch_point = (self.result.get_center() + UP * 0.75 if scratch_position is None
                              else _as_point(scratch_position))
        self.run_time = run_time

    # -- pieces ---------------------------------------------------------------------------------------------
    def _term_steps(self) -> list[tuple[str, int, int]]:
        """``("shown", k, k)`` for a displayed term, ``("hidden", first, last)`` for a run behind dots."""
        n = self.products.size
        shown = set(self.matrix.shown_cols) & set(self.vector.shown_rows)
        steps: list[tuple[str, int, int]] = []
        k = 0
        while k < n:
            if k in shown:
                steps.append(("shown", k, k))
                k += 1
            else:
                start = k
                while k < n and k not in shown:
                    k += 1
                steps.append(("hidden", start, k - 1))
        return steps

    def _shown_term(self, k: int, run_time: float) -> Animation:
        w_src = self.matrix.get_entry(self.row, k)
        x_src = self.vector.get_entry(k)
        w, x = w_src.copy(), x_src.copy()  # same numbers, same colours as on screen
        times = MathTex(r"\times", font_size=self.matrix.font_size, color=colors.TEXT)
        term = VGroup(w, times, x).arrange(RIGHT, buff=0.12)
        term.scale(self.font_size / self.matrix.font_size, about_point=term.get_center())
        term.move_to(self.scratch_point)
        product = DecimalNumber(self.products[k], num_decimal_places=self.decimals, font_size=self.font_size,
                                color=colors.TEXT).move_to(self.scratch_point)
        w_glow = SurroundingRectangle(w_src, color=self.highlight_color, buff=0.04, stroke_width=2)
        x_glow = SurroundingRectangle(x_src, color=self.highlight_color, buff=0.04, stroke_width=2)
        return Succession(
            AnimationGroup(
                FadeIn(w_glow), FadeIn(x_glow),
                FadeIn(w, target_position=w_src), FadeIn(x, target_position=x_src), FadeIn(times),
                run_time=run_time * 0.4,
            ),
            AnimationGroup(
                _lazy(FadeOut(VGroup(w, times, x), target_position=self.scratch_point, scale=0.6)),
                FadeIn(product, scale=1.4),
                run_time=run_time * 0.25,
            ),
            AnimationGroup(
                _lazy(FadeOut(product, target_position=self.result.get_center(), scale=0.5)),
                _lazy(FadeOut(w_glow)), _lazy(FadeOut(x_glow)),
                _lazy(ChangeDecimalToValue(self.result, float(self.partial_sums[k]))),
                run_time=run_time * 0.35,
            ),
        )

    def _hidden_terms(self, first: int, last: int, run_time: float) -> Animation:
        flashes = []
        for grid in (self.matrix, self.vector):
            if len(grid.get_ellipses()):
                flash = grid.get_ellipses().copy().set_color(self.highlight_color)
                flashes.append(flash)
        anims: list[Animation] = [_lazy(ChangeDecimalToValue(self.result, float(self.partial_sums[last])))]
        if flashes:
            return Succession(
                AnimationGroup(*(FadeIn(f) for f in flashes), run_time=run_time * 0.3),
                AnimationGroup(*anims, run_time=run_time * 0.4),
                AnimationGroup(*(_lazy(FadeOut(f)) for f in flashes), run_time=run_time * 0.3),
            )
        return AnimationGroup(*anims, run_time=run_time)

    def _bias_term(self, run_time: float) -> Animation:
        bias = DecimalNumber(self.bias, num_decimal_places=self.decimals, font_size=self.font_size,
                             color=colors.BIAS, include_sign=True).move_to(self.scratch_point)
        return Succession(
            FadeIn(bias, shift=DOWN * 0.2, run_time=run_time * 0.4),
            AnimationGroup(
                _lazy(FadeOut(bias, target_position=self.result.get_center(), scale=0.5)),
                _lazy(ChangeDecimalToValue(self.result, self.final_value)),
                run_time=run_time * 0.6,
            ),
        )

    # -- public animations ----------------------------------------------------------------------------------
    def highlight(self, run_time: float = 1.0) -> Animation:
        """Frame the row and the vector, and show the running sum at 0."""
        return AnimationGroup(Create(self.row_rect), Create(self.vector_rect), FadeIn(self.result), run_time=run_time)

    def accumulate(self, *, run_time: float | None = None, time_per_term: float = 0.9) -> Animation:
        """Add the terms one by one; the running sum ends exactly on ``partial_sums[-1]``.

        ``run_time`` (total; default the constructor's ``run_time``) overrides ``time_per_term``. A run of
        hidden terms takes one step.
        """
        if run_time is None:
            run_time = self.run_time
        steps = self._term_steps()
        n_steps = len(steps) + (1 if self.bias is not None else 0)
        per = (run_time / n_steps) if run_time is not None else time_per_term
        anims: list[Animation] = []
        for kind, first, last in steps:
            if kind == "shown":
                anims.append(self._shown_term(first, per))
            else:
                anims.append(self._hidden_terms(first, last, per))
        if self.bias is not None:
            anims.append(self._bias_term(per))
        return Succession(*anims)

    def clear(self, run_time: float = 0.6) -> Animation:
        """Fade the two rectangles (the result stays)."""
        return AnimationGroup(FadeOut(self.row_rect), FadeOut(self.vector_rect), run_time=run_time)

    def animation(self, *, run_time: float | None = None, time_per_term: float = 0.9) -> Animation:
        """:meth:`highlight`, :meth:`accumulate` and :meth:`clear` in one :class:`Succession`."""
        return Succession(self.highlight(), self.accumulate(run_time=run_time, time_per_term=time_per_term),
                          self.clear())


class ScaledColumnSum:
    """Animate ``W↓ n`` column by column: rescale each column by its neuron, then add the columns.

    Parameters
    ----------
    matrix
        The ``W↓`` :class:`~llmfacts.mobjects.WeightMatrix` on screen (``d x m``). Build it with
        ``reserve_values=scaled_columns`` if rescaled numbers can be wider than the originals
        (e.g. ``12.5`` replacing ``2.5``), so they stay inside the brackets.
    neuron_values
        The ``m`` neuron values (after the activation), from the compute layer.
    scaled_columns
        ``d x m`` array: column ``j`` is ``matrix[:, j] * neuron_values[j]`` (from the compute layer).
    result
        ``d`` values: the sum of the scaled columns (from the compute layer; add ``b↓`` yourself later).
    neuron_sources
        Optional mobjects the values fly from, one per *shown* column (e.g. the numbers of a
        :class:`~llmfacts.mobjects.NeuronLayer`), as a dict ``{column index: mobject}`` or a sequence
        aligned with ``matrix.shown_cols``. Default: the values appear above the columns.
    result_position
        Where the result vector goes (default: right of the matrix).
    result_label
        Optional label under the result vector.
    dim_threshold
        Neurons with ``|value|`` at or below this dim their column to near invisible.
    rtol
        Relative tolerance of the consistency checks.

    Attributes
    ----------
    result_vector : EmbeddingVector
        The summed vector (created, not on screen until :meth:`add_columns`).
    value_labels : VGroup
        The neuron values placed above the shown columns.
    """

    def __init__(
        self,
        matrix: NumberGrid,
        *,
        neuron_values: Sequence[float] | np.ndarray,
        scaled_columns: np.ndarray,
        result: Sequence[float] | np.ndarray,
        neuron_sources: dict[int, Mobject] | Sequence[Mobject] | None = None,
        result_position: Mobject | np.ndarray | Sequence[float] | None = None,
        result_label: str | Mobject | None = None,
        dim_threshold: float = 0.0,
        decimals: int | None = None,
        rtol: float = 1e-4,
        font_size: float | None = None,
    ) -> None:
        self.matrix = matrix
        d, m = matrix.shape
        self.neuron_values = np.asarray(neuron_values, dtype=float).reshape(-1)
        self.scaled_columns = np.asarray(scaled_columns, dtype=float)
        self.result_values = np.asarray(result, dtype=float).reshape(-1)
        if self.neuron_values.size != m:
            raise InconsistentNumbersError(f"W↓ has {m} columns but {self.neuron_values.size} neuron values were given")
        if self.scaled_columns.shape != (d, m):
            raise InconsistentNumbersError(f"scaled_columns should have shape {(d, m)}, got {self.scaled_columns.shape}")
        if self.result_values.size != d:
            raise InconsistentNumbersError(f"result should have {d} entries, got {self.result_values.size}")
        expected = matrix.values * self.neuron_values[None, :]
        tol = _tolerance(expected, self.scaled_columns, rtol=rtol)
        bad = np.argwhere(np.abs(expected - self.scaled_columns) > tol)
        if bad.size:
            i, j = map(int, bad[0])
            raise InconsistentNumbersError(
                f"scaled_columns[{i}, {j}] = {self.scaled_columns[i, j]!r} but W↓[{i}, {j}] × n[{j}] = "
                f"{matrix.values[i, j]!r} × {self.neuron_values[j]!r} = {expected[i, j]!r}"
            )
        sums = self.scaled_columns.sum(axis=1)
        tol = _tolerance(sums, self.result_values, self.scaled_columns, rtol=rtol)
        bad = np.flatnonzero(np.abs(sums - self.result_values) > tol)
        if bad.size:
            i = int(bad[0])
            raise InconsistentNumbersError(
                f"result[{i}] = {self.result_values[i]!r} but the scaled columns add up to {sums[i]!r}"
            )
        self.dim_threshold = dim_threshold
        self.decimals = matrix.decimals if decimals is None else decimals
        fs = matrix.font_size if font_size is None else font_size

        # the neuron values, one above each shown column
        self.value_labels = VGroup()
        self._labels: dict[int, DecimalNumber] = {}
        top = matrix.get_top()[1] + 0.3
        for j in matrix.shown_cols:
            col = matrix.get_column(j)
            lab = DecimalNumber(self.neuron_values[j], num_decimal_places=self.decimals, font_size=fs,
                                color=colors.NEURON_ACTIVE if abs(self.neuron_values[j]) > dim_threshold
                                else colors.NEURON_INACTIVE)
            lab.move_to([col.get_center()[0], top, 0])
            self._labels[j] = lab
            self.value_labels.add(lab)
        self._sources: dict[int, Mobject] = {}
        if neuron_sources is not None:
            if isinstance(neuron_sources, dict):
                self._sources = dict(neuron_sources)
            else:
                if len(neuron_sources) != len(matrix.shown_cols):
                    raise ValueError("neuron_sources must have one mobject per shown column")
                self._sources = dict(zip(matrix.shown_cols, neuron_sources))

        self.result_vector = EmbeddingVector(self.result_values, max_rows=len(matrix._row_slots), decimals=self.decimals,
                                             color_by_sign=True, font_size=fs, label=result_label)
        # align the result's rows with the matrix rows
        self.result_vector.shift(UP * (matrix.elements.get_center()[1] - self.result_vector.elements.get_center()[1]))
        if result_position is None:
            self.equals = MathTex("=", font_size=fs * 1.4, color=colors.TEXT).next_to(matrix, RIGHT, buff=0.3)
            self.result_vector.next_to(self.equals, RIGHT, buff=0.3)
            self.result_vector.shift(UP * (matrix.elements.get_center()[1] - self.result_vector.elements.get_center()[1]))
        else:
            self.result_vector.move_to(_as_point(result_position))
            self.equals = MathTex("=", font_size=fs * 1.4, color=colors.TEXT).next_to(self.result_vector, LEFT, buff=0.3)

    def _column_color(self, i: int, j: int) -> str:
        value = self.scaled_columns[i, j]
        if abs(self.neuron_values[j]) <= self.dim_threshold:
            return colors.WEIGHT_ZERO
        return self.matrix._entry_color(value)

    def bring_values(self, run_time: float = 1.2) -> Animation:
        """Each neuron value flies (from its source, if given) to the top of its column."""
        anims = []
        for j, lab in self._labels.items():
            if j in self._sources:
                anims.append(FadeIn(lab, target_position=self._sources[j]))
            else:
                anims.append(FadeIn(lab, shift=DOWN * 0.3))
        return AnimationGroup(*anims, lag_ratio=0.1, run_time=run_time)

    def scale_column(self, j: int, run_time: float = 1.0) -> Animation:
        """Column ``j``'s numbers become the rescaled column (dimmed if the neuron is off)."""
        if j not in self.matrix.shown_cols:
            raise HiddenEntryError(f"column {j} is hidden by the ellipsis (shown: {self.matrix.shown_cols})")
        anims: list[Animation] = []
        for i in self.matrix.shown_rows:
            entry = self.matrix.get_entry(i, j)
            anims.append(ChangeDecimalAndColor(entry, self.scaled_columns[i, j], self._column_color(i, j)))
        lab = self._labels[j]
        if abs(self.neuron_values[j]) > self.dim_threshold:
            anims.append(_lazy(Indicate(lab, color=colors.NEURON_ACTIVE, scale_factor=1.3)))
        else:
            anims.append(_lazy(lab.animate.set_opacity(0.5).build()))
        return AnimationGroup(*anims, run_time=run_time)

    def scale_columns(self, *, run_time: float = 3.0, lag_ratio: float = 0.6) -> Animation:
        """:meth:`scale_column` for every shown column, one after the other (overlapping by ``lag_ratio``)."""
        per = run_time / max(1, len(self.matrix.shown_cols))
        return AnimationGroup(*(self.scale_column(j, run_time=per * 1.5) for j in self.matrix.shown_cols),
                              lag_ratio=lag_ratio, run_time=run_time)

    def add_columns(self, run_time: float = 1.5) -> Animation:
        """Copies of every shown column slide into the result vector, which appears with the sum."""
        moving = []
        for j in self.matrix.shown_cols:
            # fresh numbers showing the rescaled column, laid exactly over the matrix entries
            col = VGroup()
            for i in self.matrix.shown_rows:
                entry = self.matrix.get_entry(i, j)
                num = DecimalNumber(self.scaled_columns[i, j], num_decimal_places=entry.num_decimal_places,
                                    font_size=entry.font_size, color=self._column_color(i, j))
                col.add(num.move_to(entry, aligned_edge=RIGHT))
            moving.append(_lazy(FadeOut(col, target_position=self.result_vector.elements, scale=0.7)))
        return Succession(
            AnimationGroup(FadeIn(self.equals), *moving, lag_ratio=0.05, run_time=run_time * 0.6),
            FadeIn(self.result_vector, scale=1.1, run_time=run_time * 0.4),
        )

    def animation(self) -> Animation:
        """:meth:`bring_values`, :meth:`scale_columns`, :meth:`add_columns` in one :class:`Succession`."""
        return Succession(self.bring_values(), self.scale_columns(), self.add_columns())
