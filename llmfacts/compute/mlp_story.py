"""Numbers the MLP scenes tell (BiasShift, ReluGate, DownProjection), computed from a lecture.

Every function takes the :class:`~llmfacts.compute.lecture.Lecture` first, so scenes call them through
``lecture.cached(func, *args)`` and each is computed once per lecture. Nothing here imports manim.

* :func:`gate_groups` sorts the lecture's contrast pairs by how many names they share with the full name
  (2, 1 or 0), which is what the narration's "only one of the names" and "neither" refer to;
* :func:`gelu_minimum` is where GELU dips lowest (found numerically from the compute layer's own GELU);
* :func:`column_arrows` gives each column of W↓ as an arrow with its true length, split into its part along
  the attribute direction and the rest, and what its neuron's value makes of it;
* :func:`output_plane` projects the down projection onto the plane spanned by the attribute direction and
  the direction of the rest of the output: the scaled columns added tip to tail, then b↓, end exactly at
  the output, which lies in that plane (so its drawn length is its true length);
* :func:`bias_down_readout` is what b↓ alone adds along every named direction.

Example::

    from llmfacts.compute.lecture import DEFAULT_LECTURE
    from llmfacts.compute.mlp_story import bias_down_readout

    DEFAULT_LECTURE.cached(bias_down_readout)["Jordan"]   # 0.0734...: b↓ nudges the last name up
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize_scalar

from llmfacts.compute.toy_mlp import AndGateRow, gelu

__all__ = [
    "shared_names",
    "gate_groups",
    "gelu_minimum",
    "ColumnArrow",
    "column_arrows",
    "OutputPlane",
    "output_plane",
    "bias_down_readout",
    "shown_columns",
]

#: Below this, a length or a cosine's distance from 0 or 1 is round-off.
EPS = 1e-9


def shared_names(lecture, row: AndGateRow) -> int:
    """How many of the fact's two names the pair of ``row`` keeps (2 for the full name, 0 for neither)."""
    fact = lecture.fact
    return int(row.first == fact.first_name) + int(row.last == fact.last_name)


def gate_groups(lecture, neuron: int = 0) -> dict[int, tuple[AndGateRow, ...]]:
    """The gate table of ``neuron`` grouped by :func:`shared_names`: ``{2: (...), 1: (...), 0: (...)}``
    (a group with no pair is left out)."""
    groups: dict[int, list[AndGateRow]] = {}
    for row in lecture.gate_table(neuron=neuron):
        groups.setdefault(shared_names(lecture, row), []).append(row)
    return {k: tuple(groups[k]) for k in sorted(groups, reverse=True)}


@lru_cache(maxsize=1)
def gelu_minimum() -> tuple[float, float]:
    """``(x, gelu(x))`` where GELU is lowest (about ``(-0.752, -0.170)``), found numerically."""
    found = minimize_scalar(lambda x: float(gelu(x)), bounds=(-3.0, 0.0), method="bounded",
                            options={"xatol": 1e-10})
    return float(found.x), float(found.fun)


def shown_columns(lecture, max_cols: int) -> tuple[int, ...]:
    """The columns of W↓ a matrix with ``max_cols`` cells across shows (the ellipsis takes one cell):
    the first ones and the last, like :class:`llmfacts.mobjects.WeightMatrix`."""
    n = lecture.toy_mlp().d_hidden
    if n <= max_cols:
        return tuple(range(n))
    return (*range(max_cols - 2), n - 1)


@dataclass(frozen=True)
class ColumnArrow:
    """Column ``j`` of W↓ as an arrow, and that arrow rescaled by neuron ``j``'s value.

    ``along`` is the column's dot product with the attribute direction; ``across`` the length of the rest
    (always ≥ 0), so ``hypot(along, across)`` is the column's true length. ``scaled_*`` are the same for
    ``value * column``.
    """

    column: int
    along: float
    across: float
    value: float
    meaning: str | None  #: the attribute the column writes when it is built from a fact, else None

    @property
    def length(self) -> float:
        return math.hypot(self.along, self.across)

    @property
    def scaled_along(self) -> float:
        return self.value * self.along

    @property
    def scaled_across(self) -> float:
        return abs(self.value) * self.across

    @property
    def survives(self) -> bool:
        """Whether the rescaled column is more than round-off (its neuron is not silent)."""
        return abs(self.value) * self.length > EPS


def column_arrows(lecture, columns: tuple[int, ...]) -> tuple[ColumnArrow, ...]:
    """:class:`ColumnArrow` of each of ``columns`` for the full name's trace (ReLU)."""
    mlp, trace = lecture.toy_mlp(), lecture.trace()
    a = mlp.direction(lecture.fact.attribute)
    facts = mlp.facts
    out = []
    for j in columns:
        col = np.asarray(mlp.W_down[:, j])
        along = float(col @ a)
        across = float(np.linalg.norm(col - along * a))
        meaning = facts[j].attribute if j < len(facts) else None
        out.append(ColumnArrow(int(j), _clean(along), _clean(across), float(trace.post[j]), meaning))
    return tuple(out)


@dataclass(frozen=True)
class OutputPlane:
    """The down projection seen in the plane of the attribute direction ``a`` and a second unit direction
    ``u`` perpendicular to it (the direction of the part of the output not along ``a``).

    Coordinates are ``(v · a, v · u)``. ``terms`` are the active neurons' rescaled columns in neuron order,
    as ``(neuron, (x, y))``; ``column_sum`` is ``W↓ n`` (their sum), ``bias`` is b↓, ``output`` is
    ``W↓ n + b↓``. Because projecting is linear, the terms added tip to tail end at ``column_sum`` and one
    more step of ``bias`` ends at ``output``. ``output_off_plane`` is the output's distance from the plane
    (zero up to round-off: the plane is chosen to hold it); ``terms_off_plane`` the largest such distance
    of a term (zero when every active column lies in the plane).
    """

    a: np.ndarray
    u: np.ndarray
    terms: tuple[tuple[int, tuple[float, float]], ...]
    column_sum: tuple[float, float]
    bias: tuple[float, float]
    output: tuple[float, float]
    output_off_plane: float
    terms_off_plane: float

    def chain(self) -> list[tuple[float, float]]:
        """The points visited adding the terms tip to tail from the origin, then b↓ (first point: origin)."""
        points = [(0.0, 0.0)]
        for _, (x, y) in (*self.terms, (None, self.bias)):
            px, py = points[-1]
            points.append((px + x, py + y))
        return points


def output_plane(lecture) -> OutputPlane:
    """The :class:`OutputPlane` of the full name's trace (ReLU)."""
    mlp, trace = lecture.toy_mlp(), lecture.trace()
    a = np.asarray(mlp.direction(lecture.fact.attribute))
    output = np.asarray(trace.down)
    candidates = [output, np.asarray(mlp.b_down), *np.asarray(mlp.W_down).T, *np.eye(mlp.d_model)]
    u = None
    for v in candidates:  # the first with a part off the attribute direction fixes the second axis
        rest = v - (v @ a) * a
        norm = float(np.linalg.norm(rest))
        if norm > 1e-6:
            u = rest / norm
            break
    assert u is not None  # the identity's rows span the space, so one of them is off a

    def coords(v: np.ndarray) -> tuple[float, float]:
        return _clean(float(v @ a)), _clean(float(v @ u))

    def off(v: np.ndarray) -> float:
        return float(np.linalg.norm(v - (v @ a) * a - (v @ u) * u))

    active = [j for j in range(mlp.d_hidden) if trace.post[j] != 0.0]
    scaled = {j: np.asarray(trace.scaled_columns[:, j]) for j in active}
    column_sum = np.asarray(trace.scaled_columns).sum(axis=1)
    return OutputPlane(
        a=a, u=u,
        terms=tuple((j, coords(scaled[j])) for j in active),
        column_sum=coords(column_sum),
        bias=coords(np.asarray(mlp.b_down)),
        output=coords(output),
        output_off_plane=off(output),
        terms_off_plane=max((off(v) for v in scaled.values()), default=0.0),
    )


def bias_down_readout(lecture) -> dict[str, float]:
    """What b↓ alone adds along every named direction (its dot product with each)."""
    mlp = lecture.toy_mlp()
    return dict(mlp.readout(mlp.b_down))


def _clean(x: float) -> float:
    """Round-off below :data:`EPS` becomes exactly 0.0."""
    return 0.0 if abs(x) < EPS else float(x)
