r"""Layout helpers: a table of mobjects aligned by column, and keeping a mobject inside the frame.

ManimCE's :class:`~manim.Table` draws lines and pads every cell alike; :func:`grid_table` only places
existing mobjects (words, numbers, TeX) in rows and columns: label columns left-aligned, number columns
right-aligned so that their decimal points line up, every row on an even pitch. :func:`fit_width` and
:func:`keep_inside` shrink a mobject that would be too wide (a lecturer's long names) and never enlarge it.

All three move or scale the mobjects they are given and return them, so they chain like
:meth:`~manim.Mobject.next_to`.

Examples
--------

.. code-block:: python

    from manim import RIGHT, Scene, Text
    from llmfacts.mobjects import fit_width, grid_table, keep_inside

    class Layout(Scene):
        def construct(self):
            rows = [[Text("name"), Text("dot")],
                    [Text("Michael Jordan"), Text("2.00")],
                    [Text("Alexis Phelps"), Text("−1.00")]]
            table = fit_width(grid_table(rows), 5.0)
            note = keep_inside(Text("a label too long to fit at the right edge").next_to(table, RIGHT))
            self.add(table, note)
"""

from __future__ import annotations

__all__ = ["grid_table", "keep_inside", "fit_width", "boxes_meet"]

from collections.abc import Sequence

from manim import LEFT, RIGHT, Mobject, VGroup, config


def grid_table(
    rows: Sequence[Sequence[Mobject]],
    *,
    col_buff: float = 0.45,
    row_buff: float = 0.2,
    left_columns: int = 1,
    center_header: bool = True,
) -> VGroup:
    """Lay mobjects out as a table: ``rows[r][c]``; the first ``left_columns`` columns are left-aligned, the
    others (numbers) right-aligned; every cell of a row sits on the row's top line (cap height).

    Returns a VGroup of row VGroups (so ``table[r][c]`` is the cell); a header row is just the first row.
    With ``center_header`` the cells of the first row (the header) are centred over their columns.
    Body rows are evenly spaced (the pitch of the tallest body cell), whatever letters they hold.

    Parameters
    ----------
    rows
        The cells, row by row (rows may be shorter than the widest one).
    col_buff, row_buff
        Gaps between columns and between rows.
    left_columns
        How many leading columns are left-aligned (labels); the rest are right-aligned.
    center_header
        Centre the first row's cells over their columns instead of aligning them.
    """
    n_cols = max(len(r) for r in rows)
    widths = [max((r[c].width for r in rows if c < len(r)), default=0.0) for c in range(n_cols)]
    body_height = max(cell.height for r in rows[1:] for cell in r) if len(rows) > 1 else 0.0
    heights = [max(cell.height for cell in rows[0])] + [body_height] * (len(rows) - 1)  # even row pitch
    x_left = [sum(widths[:c]) + c * col_buff for c in range(n_cols)]
    table = VGroup()
    y = 0.0
    for r, row in enumerate(rows):
        line = VGroup()
        for c, cell in enumerate(row):
            if c < left_columns:
                cell.move_to([x_left[c] + cell.width / 2, 0, 0])
            elif r == 0 and center_header:
                cell.move_to([x_left[c] + widths[c] / 2, 0, 0])
            else:
                cell.move_to([x_left[c] + widths[c] - cell.width / 2, 0, 0])
            cell.set_y(y - cell.height / 2)
            line.add(cell)
        table.add(line)
        y -= heights[r] + row_buff
    return table


def keep_inside(mobject: Mobject, margin: float = 0.2) -> Mobject:
    """Shrink ``mobject`` (about its left edge) if it runs past the right edge of the frame (long names of a
    lecturer's own fact), then nudge it back inside horizontally.

    Parameters
    ----------
    mobject
        Already placed where it should be; it keeps its left edge unless that is off the frame.
    margin
        Distance kept from the left and right edges of the frame.
    """
    right_limit = config.frame_x_radius - margin
    left_limit = -config.frame_x_radius + margin
    if mobject.get_right()[0] > right_limit and mobject.get_left()[0] < right_limit:
        available = right_limit - max(mobject.get_left()[0], left_limit)
        if available < mobject.width:
            mobject.scale(available / mobject.width, about_edge=LEFT)
    if mobject.get_left()[0] < left_limit:
        mobject.shift(RIGHT * (left_limit - mobject.get_left()[0]))
    return mobject


def fit_width(mobject: Mobject, max_width: float) -> Mobject:
    """Scale ``mobject`` down (never up), about its centre, to at most ``max_width``."""
    if mobject.width > max_width > 0:
        mobject.scale(max_width / mobject.width)
    return mobject


def boxes_meet(a: Mobject, b: Mobject, pad: float = 0.05) -> bool:
    """Whether the bounding boxes of ``a`` and ``b`` come within ``pad`` of each other (to place a label
    clear of its neighbours)."""
    return not (a.get_right()[0] + pad < b.get_left()[0] or b.get_right()[0] + pad < a.get_left()[0]
                or a.get_top()[1] + pad < b.get_bottom()[1] or b.get_top()[1] + pad < a.get_bottom()[1])
