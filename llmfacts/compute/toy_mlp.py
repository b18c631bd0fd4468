"""A toy MLP block that stores one fact, built by hand so that every number in it can be explained.

The model lives in a small embedding space (``d_model`` dimensions, 12 by default) in which every
*named concept* - each first name, last name and attribute that the configuration mentions - owns a
unit vector. The vectors come from a seeded random rotation, so they look like arbitrary lists of
numbers, yet they are exactly perpendicular (``overlap=0``) or nearly so (``overlap>0``).

The block itself is the usual two-layer perceptron with a residual connection::

    out = x + W_down @ act(W_up @ x + b_up) + b_down

and its parameters are chosen so that it "knows" that Michael Jordan plays basketball:

* row 0 of ``W_up`` is ``direction("Michael") + direction("Jordan")``, so its dot product with a vector
  that encodes both names is 2, and only 1 (or less) when one of the names is missing;
* ``b_up[0] = -1`` moves that to 1 for the full name and 0 (or less) otherwise; after the ReLU the
  neuron behaves like an AND gate;
* column 0 of ``W_down`` is ``direction("basketball")``, so the active neuron adds basketball to the
  vector that flowed in.

A few *distractor* facts (Michael Phelps -> swimming, Alexis Jordan -> singing) get their own AND-gate
rows and columns in the same way; they share one name with the main fact, which is what makes the
bias necessary. All remaining rows and columns are seeded random values of a realistic size, designed
not to disturb the story: every extra neuron has a negative bias large enough that it stays silent
for any vector made of up to three named concepts, and every extra column of ``W_down`` (as well as
``b_down``) is perpendicular to all attribute directions, so it never writes an attribute.

The other words of a prompt ("plays", "the", "sport", "of") name no concept of the configuration, yet
each of their tokens also flows through the block. :meth:`ToyMLP.word_direction` gives any word a unit
vector: a named concept keeps its direction, every other word gets a *filler* direction. A filler
direction is drawn from its own random stream, seeded by ``config.seed`` and the word itself (never from
the stream that builds the block, so asking for one changes no direction, weight or bias, and the answer
does not depend on which words were asked before), and is then made perpendicular to every named
direction: its ``|cos|`` with each of them is below ``1e-12`` (round-off), whatever ``overlap`` is. Two
filler words are *not* made perpendicular to each other: only ``d_model - len(names)`` dimensions are free
(5 by default), and the block treats every token on its own, so their overlap changes no token's numbers.

This is the vector of a word's token *before* attention: the first-name token holds only the first name,
and a filler token only its own direction. Attention is what later brings the first name to the last-name
token, whose vector is then ``token_vector(first, last)``.

For a filler token the fact neurons see ``0 + bias = -1`` and stay silent; the extra neurons that fire
write only perpendicular to the attributes, so the block adds exactly nothing (up to round-off) along
any attribute direction.

Floating-point round-off (below ``1e-12``) is snapped to exactly zero in the traced values, so a gate
sitting exactly at its threshold reads 0 and not ``2.2e-16`` or ``-0.00``.

Nothing here imports manim; :class:`TorchMLPBlock` is the same block as a ``torch.nn.Module``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Union

import numpy as np
import torch
from scipy.special import erf

__all__ = [
    "ACTIVATIONS",
    "AndGateRow",
    "MLPTrace",
    "TorchMLPBlock",
    "ToyFact",
    "ToyMLP",
    "ToyMLPConfig",
    "and_gate_table",
    "build_toy_mlp",
    "gelu",
    "next_token_distribution",
    "relu",
    "to_torch",
]

#: Values smaller than this in magnitude are treated as round-off and shown as exactly zero.
SNAP_TOLERANCE = 1e-12

#: Standard deviation (times sqrt(d_model)) of the random rows of ``W_up``; rows have norm ~1.2.
_UP_SCALE = 1.2
#: Standard deviation (times sqrt(d_model)) of the random columns of ``W_down``.
_DOWN_SCALE = 0.9
#: Standard deviation of the entries of ``b_down``.
_B_DOWN_SCALE = 0.05
#: The extra neurons stay silent for any sum of up to this many named directions.
_SILENT_FOR = 3
#: Extra margin (uniform in this range) below the silence threshold of every extra neuron.
_MARGIN = (0.1, 0.6)
#: Smallest eigenvalue allowed for the Gram matrix of the named directions when ``overlap > 0``.
_MIN_GRAM_EIGENVALUE = 0.05
#: Tag of the random streams of filler words (kept apart from the stream that builds the block).
_WORD_STREAM = 0x776F7264  # "word"


# --------------------------------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------------------------------


def relu(x: np.ndarray | float) -> np.ndarray:
    """Rectified linear unit, ``max(x, 0)`` element-wise (returns a float64 array)."""
    a = np.asarray(x, dtype=np.float64)
    return np.maximum(a, 0.0)


def gelu(x: np.ndarray | float) -> np.ndarray:
    """Gaussian error linear unit, exact form ``x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))`` (float64)."""
    a = np.asarray(x, dtype=np.float64)
    return 0.5 * a * (1.0 + erf(a / math.sqrt(2.0)))


#: Activation functions by the names accepted everywhere in this module.
ACTIVATIONS = {"relu": relu, "gelu": gelu}


def _activation(name: str):
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None


def _snap(a: np.ndarray) -> np.ndarray:
    """Round-off below :data:`SNAP_TOLERANCE` becomes exactly 0.0 (never -0.0)."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.abs(a) < SNAP_TOLERANCE, 0.0, a) + 0.0


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToyFact:
    """One fact of the form "<first name> <last name> is associated with <attribute>"."""

    first_name: str = "Michael"
    last_name: str = "Jordan"
    attribute: str = "basketball"

    def __post_init__(self) -> None:
        for label in ("first_name", "last_name", "attribute"):
            value = getattr(self, label)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"ToyFact.{label} must be a non-empty string, got {value!r}")

    @property
    def full_name(self) -> str:
        """``"Michael Jordan"``."""
        return f"{self.first_name} {self.last_name}"

    @property
    def meaning(self) -> str:
        """``"Michael Jordan -> basketball"``: what the neuron built from this fact detects and writes."""
        return f"{self.full_name} -> {self.attribute}"


_DEFAULT_DISTRACTORS: tuple[ToyFact, ...] = (
    ToyFact("Michael", "Phelps", "swimming"),
    ToyFact("Alexis", "Jordan", "singing"),
)


@dataclass(frozen=True)
class ToyMLPConfig:
    """Everything that determines a :class:`ToyMLP` (the build is deterministic given this).

    Attributes:
        fact: the fact the block stores in neuron 0.
        d_model: dimension of the embedding space; must be at least the number of named concepts.
        hidden_factor: ``d_hidden = hidden_factor * d_model`` (GPT-3 uses 4).
        bias: ``b_up`` of every fact neuron (row 0 and the distractor rows); -1 makes them AND gates.
        seed: seed of every random choice (directions, extra rows, extra columns, biases).
        overlap: 0 gives exactly orthonormal named directions; ``0 < overlap < 1`` makes them nearly
            perpendicular, with every pairwise ``|cos|`` at most ``overlap``.
        distractors: further facts, each stored by its own neuron (rows/columns 1, 2, ...). A
            distractor with the same full name as ``fact`` is ignored, so the main fact can be changed
            freely.
    """

    fact: ToyFact = ToyFact()
    d_model: int = 12
    hidden_factor: int = 4
    bias: float = -1.0
    seed: int = 0
    overlap: float = 0.0
    distractors: tuple[ToyFact, ...] = _DEFAULT_DISTRACTORS

    def __post_init__(self) -> None:
        if not isinstance(self.fact, ToyFact):
            raise ValueError(f"fact must be a ToyFact, got {self.fact!r}")
        if not isinstance(self.distractors, tuple) or not all(isinstance(f, ToyFact) for f in self.distractors):
            raise ValueError("distractors must be a tuple of ToyFact")
        for label in ("d_model", "hidden_factor", "seed"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{label} must be an integer, got {value!r}")
        if self.d_model < 1:
            raise ValueError(f"d_model must be positive, got {self.d_model}")
        if self.hidden_factor < 1:
            raise ValueError(f"hidden_factor must be positive, got {self.hidden_factor}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}")
        if not math.isfinite(float(self.bias)):
            raise ValueError(f"bias must be finite, got {self.bias}")
        if not (0.0 <= float(self.overlap) < 1.0):
            raise ValueError(f"overlap must be in [0, 1), got {self.overlap}")

        seen: set[tuple[str, str]] = set()
        for f in self.distractors:
            key = (f.first_name, f.last_name)
            if key in seen:
                raise ValueError(f"two distractors share the full name {f.full_name!r}")
            seen.add(key)

        roles: dict[str, str] = {}
        for f in self.facts:
            for role, word in (("first name", f.first_name), ("last name", f.last_name), ("attribute", f.attribute)):
                if roles.setdefault(word, role) != role:
                    raise ValueError(
                        f"{word!r} is used both as a {roles[word]} and as a {role}; every word names one concept"
                    )

        n_names = len(roles)
        if self.d_model < n_names:
            raise ValueError(
                f"d_model={self.d_model} is too small: {n_names} named concepts ({', '.join(roles)}) "
                f"need at least {n_names} dimensions to get their own directions"
            )
        if self.d_hidden < len(self.facts):
            raise ValueError(f"d_hidden={self.d_hidden} is too small for {len(self.facts)} fact neurons")

    @property
    def d_hidden(self) -> int:
        """Number of neurons: ``hidden_factor * d_model``."""
        return self.hidden_factor * self.d_model

    @property
    def facts(self) -> tuple[ToyFact, ...]:
        """The stored facts in neuron order: ``fact`` first, then the distractors that differ from it."""
        main = (self.fact.first_name, self.fact.last_name)
        return (self.fact,) + tuple(f for f in self.distractors if (f.first_name, f.last_name) != main)

    @property
    def names(self) -> tuple[str, ...]:
        """Every named concept, in order of first appearance (fact's first, last, attribute, then ...)."""
        out: dict[str, None] = {}
        for f in self.facts:
            for word in (f.first_name, f.last_name, f.attribute):
                out.setdefault(word, None)
        return tuple(out)


# --------------------------------------------------------------------------------------------------
# traces
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MLPTrace:
    """Every intermediate value of one pass of a vector through the toy block (all float64, read-only).

    Attributes:
        x: ``(d_model,)`` the vector flowing in.
        row_products: ``(d_hidden, d_model)``, ``W_up[i, k] * x[k]`` (the terms of each row's dot product).
        partial_sums: ``(d_hidden, d_model)``, running sums of ``row_products`` along ``k``; the last
            column is ``up``.
        up: ``(d_hidden,)`` ``W_up @ x``.
        pre_activation: ``(d_hidden,)`` ``up + b_up``.
        activation: ``"relu"`` or ``"gelu"``.
        post: ``(d_hidden,)`` the activation applied to ``pre_activation`` (the neuron values).
        scaled_columns: ``(d_model, d_hidden)``, ``W_down[:, j] * post[j]`` (each column rescaled).
        down: ``(d_model,)`` ``W_down @ post + b_down`` (= ``scaled_columns.sum(1) + b_down``).
        out: ``(d_model,)`` ``x + down``, the residual add.
        readout_in: dot product of ``x`` with every named direction.
        readout_out: dot product of ``out`` with every named direction.
        active: ``(d_hidden,)`` bool, ``post > 0``.
    """

    x: np.ndarray
    row_products: np.ndarray
    partial_sums: np.ndarray
    up: np.ndarray
    pre_activation: np.ndarray
    activation: str
    post: np.ndarray
    scaled_columns: np.ndarray
    down: np.ndarray
    out: np.ndarray
    readout_in: dict[str, float]
    readout_out: dict[str, float]
    active: np.ndarray

    @property
    def gained(self) -> dict[str, float]:
        """``readout_out - readout_in`` for every named direction: what the block added."""
        return {k: self.readout_out[k] - self.readout_in[k] for k in self.readout_in}


@dataclass(frozen=True)
class AndGateRow:
    """One line of the AND-gate table: a first/last name pair and what one neuron makes of it."""

    first: str
    last: str
    dot: float  #: ``W_up[neuron] . token_vector(first, last)``
    pre: float  #: ``dot + b_up[neuron]``
    relu: float  #: ``relu(pre)``
    gelu: float  #: ``gelu(pre)``


# --------------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------------

VectorOrNames = Union[np.ndarray, Sequence[float], str, Sequence[str]]


@dataclass(frozen=True, eq=False)
class ToyMLP:
    """The toy MLP block; build it with :func:`build_toy_mlp`. All arrays are float64 and read-only.

    Attributes:
        config: the configuration it was built from.
        directions: unit vector ``(d_model,)`` of every named concept, keyed by the plain word.
        W_up: ``(d_hidden, d_model)``; row ``i`` is fact ``i``'s first + last name directions for the
            fact neurons (``i < len(config.facts)``), seeded random values otherwise.
        b_up: ``(d_hidden,)``; ``config.bias`` for the fact neurons, silencing negative values otherwise.
        W_down: ``(d_model, d_hidden)``; column ``j`` is fact ``j``'s attribute direction for the fact
            neurons, seeded random values perpendicular to every attribute direction otherwise.
        b_down: ``(d_model,)`` small seeded values perpendicular to every attribute direction.
    """

    config: ToyMLPConfig
    directions: dict[str, np.ndarray]
    W_up: np.ndarray
    b_up: np.ndarray
    W_down: np.ndarray
    b_down: np.ndarray
    roles: dict[str, str] = field(default_factory=dict)

    # -- shapes and names ---------------------------------------------------------------------------

    @property
    def d_model(self) -> int:
        return self.config.d_model

    @property
    def d_hidden(self) -> int:
        return self.config.d_hidden

    @property
    def names(self) -> tuple[str, ...]:
        """Every named concept in a fixed order (the keys of :attr:`directions`)."""
        return tuple(self.directions)

    @property
    def facts(self) -> tuple[ToyFact, ...]:
        """Stored facts; ``facts[j]`` lives in neuron ``j``."""
        return self.config.facts

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attribute words (basketball, swimming, ...), in neuron order."""
        return tuple(f.attribute for f in self.facts)

    @property
    def first_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if self.roles[n] == "first")

    @property
    def last_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if self.roles[n] == "last")

    def direction(self, name: str) -> np.ndarray:
        """The unit vector of one named concept (KeyError, listing the known names, if unknown)."""
        try:
            return self.directions[name]
        except KeyError:
            raise KeyError(f"unknown concept {name!r}; known: {', '.join(self.names)}") from None

    def is_named(self, word: str) -> bool:
        """Whether ``word`` is one of the named concepts (a first name, last name or attribute)."""
        return word in self.directions

    def word_direction(self, word: str) -> np.ndarray:
        """The unit vector of any word of a prompt, as its token holds it before attention.

        A named concept ("Michael", "basketball") gets :meth:`direction`. Any other word ("plays", "the")
        gets a *filler* direction: a Gaussian vector from a random stream of its own (seeded by
        ``config.seed``, a tag and a SHA-256 digest of the word, so it is the same in every process and
        whatever was asked before; the stream that built the block is not touched), with its component
        along the named directions removed, then normalised. Its ``|cos|`` with every named direction is
        below ``1e-12``. Filler words are not perpendicular to each other (see the module docstring).

        Raises ``ValueError`` for an empty word, and when the named directions fill the whole space
        (``d_model == len(names)``) so that no direction is left for a filler word.
        """
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"a word must be a non-empty string, got {word!r}")
        if self.is_named(word):
            return self.direction(word)
        named = np.stack(list(self.directions.values()), axis=1)  # (d_model, n_names)
        if named.shape[1] >= self.d_model:
            raise ValueError(
                f"no direction left for the word {word!r}: the {named.shape[1]} named concepts fill all "
                f"d_model={self.d_model} dimensions"
            )
        basis, _ = np.linalg.qr(named)  # orthonormal basis of the named span
        digest = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:8], "little")
        rng = np.random.default_rng([int(self.config.seed), _WORD_STREAM, digest])
        while True:
            v = rng.standard_normal(self.d_model)
            for _ in range(2):  # twice: the second pass removes the round-off of the first
                v = v - basis @ (basis.T @ v)
            norm = float(np.linalg.norm(v))
            if norm > 1e-6:  # a draw (almost) inside the named span is redrawn
                return _frozen(v / norm)

    def neuron_meaning(self, j: int) -> str | None:
        """``"Michael Jordan -> basketball"`` for a neuron built from a fact, ``None`` for the others."""
        if not -self.d_hidden <= j < self.d_hidden:
            raise IndexError(f"neuron {j} out of range for d_hidden={self.d_hidden}")
        j %= self.d_hidden
        return self.facts[j].meaning if j < len(self.facts) else None

    # -- computation --------------------------------------------------------------------------------

    def token_vector(self, *names: str) -> np.ndarray:
        """Sum of the named directions, e.g. ``token_vector("Michael", "Jordan")``."""
        if len(names) == 1 and not isinstance(names[0], str):
            names = tuple(names[0])
        if not names:
            raise ValueError("token_vector needs at least one name")
        return _frozen(np.sum([self.direction(n) for n in names], axis=0))

    def as_vector(self, x_or_names: VectorOrNames) -> np.ndarray:
        """A vector as given, or the sum of the directions of a name / sequence of names."""
        if isinstance(x_or_names, str):
            return self.token_vector(x_or_names)
        if isinstance(x_or_names, (tuple, list)) and x_or_names and all(isinstance(n, str) for n in x_or_names):
            return self.token_vector(*x_or_names)
        x = np.asarray(x_or_names, dtype=np.float64)
        if x.shape != (self.d_model,):
            raise ValueError(f"expected a vector of shape ({self.d_model},), got shape {x.shape}")
        return x

    def readout(self, vector: VectorOrNames) -> dict[str, float]:
        """Dot product of ``vector`` with every named direction (round-off snapped to 0)."""
        v = self.as_vector(vector)
        return {n: float(_snap(np.dot(v, d))) for n, d in self.directions.items()}

    def run(self, x_or_names: VectorOrNames, activation: str = "relu") -> MLPTrace:
        """Push one vector (or the sum of some named directions) through the block, keeping every step."""
        act = _activation(activation)
        x = _frozen(self.as_vector(x_or_names))
        row_products = self.W_up * x[None, :]
        partial_sums = np.cumsum(row_products, axis=1)
        up = _snap(self.W_up @ x)
        pre = _snap(up + self.b_up)
        post = _snap(act(pre))
        scaled_columns = self.W_down * post[None, :]
        down = _snap(self.W_down @ post + self.b_down)
        out = _snap(x + down)
        return MLPTrace(
            x=x,
            row_products=_frozen(row_products),
            partial_sums=_frozen(partial_sums),
            up=_frozen(up),
            pre_activation=_frozen(pre),
            activation=activation,
            post=_frozen(post),
            scaled_columns=_frozen(scaled_columns),
            down=_frozen(down),
            out=_frozen(out),
            readout_in=self.readout(x),
            readout_out=self.readout(out),
            active=np.asarray(post > 0),
        )


def _named_directions(config: ToyMLPConfig, rng: np.random.Generator) -> np.ndarray:
    """``(n_names, d_model)`` unit rows: a seeded random orthonormal set, skewed when overlap > 0."""
    n, d = len(config.names), config.d_model
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))[None, :]  # a uniformly random rotation
    basis = q[:, :n].T  # (n, d), orthonormal rows
    if config.overlap == 0 or n < 2:
        return basis
    # Target Gram matrix I + S with |S_ij| <= overlap, shrunk until comfortably positive definite.
    s = rng.uniform(-config.overlap, config.overlap, size=(n, n))
    s = np.triu(s, 1)
    s = s + s.T
    while np.linalg.eigvalsh(np.eye(n) + s)[0] < _MIN_GRAM_EIGENVALUE:
        s *= 0.8
    chol = np.linalg.cholesky(np.eye(n) + s)  # rows have unit norm and the wanted dot products
    return chol @ basis


def build_toy_mlp(config: ToyMLPConfig = ToyMLPConfig()) -> ToyMLP:
    """Build the toy block for ``config``; the same config always gives the same numbers.

    See the module docstring for how each row, column and bias is chosen.
    """
    rng = np.random.default_rng(config.seed)
    d, h = config.d_model, config.d_hidden
    facts = config.facts
    n_facts = len(facts)

    names = config.names
    dir_rows = _named_directions(config, rng)
    directions = {name: _frozen(row) for name, row in zip(names, dir_rows)}
    roles: dict[str, str] = {}
    for f in facts:
        roles.setdefault(f.first_name, "first")
        roles.setdefault(f.last_name, "last")
        roles.setdefault(f.attribute, "attribute")

    # Up projection: fact rows ask "first AND last?", the rest ask random other questions.
    W_up = rng.normal(0.0, _UP_SCALE / math.sqrt(d), size=(h, d))
    b_up = np.empty(h)
    for i, f in enumerate(facts):
        W_up[i] = directions[f.first_name] + directions[f.last_name]
        b_up[i] = config.bias
    # Extra neurons: silent for any combination of up to _SILENT_FOR named directions with weights in
    # [0, 1]: the largest such dot product is the sum of the largest positive projections.
    proj = W_up[n_facts:] @ dir_rows.T  # (h - n_facts, n_names)
    top = -np.sort(-np.clip(proj, 0.0, None), axis=1)[:, :_SILENT_FOR].sum(axis=1)
    b_up[n_facts:] = -(top + rng.uniform(*_MARGIN, size=h - n_facts))

    # Down projection: fact columns write their attribute, the rest write anything but an attribute.
    attrs = np.stack([directions[a] for a in dict.fromkeys(f.attribute for f in facts)], axis=1)  # (d, n_attr)
    project_out = np.eye(d) - attrs @ np.linalg.pinv(attrs)
    W_down = project_out @ rng.normal(0.0, _DOWN_SCALE / math.sqrt(d), size=(d, h))
    for j, f in enumerate(facts):
        W_down[:, j] = directions[f.attribute]
    b_down = project_out @ rng.normal(0.0, _B_DOWN_SCALE, size=d)

    return ToyMLP(
        config=config,
        directions=directions,
        W_up=_frozen(W_up),
        b_up=_frozen(b_up),
        W_down=_frozen(W_down),
        b_down=_frozen(b_down),
        roles=roles,
    )


# --------------------------------------------------------------------------------------------------
# tables a scene shows
# --------------------------------------------------------------------------------------------------


def _default_pairs(mlp: ToyMLP) -> tuple[tuple[str, str], ...]:
    """The fact's full name, then every known pair that shares exactly one name with it."""
    f = mlp.config.fact
    pairs = [(f.first_name, f.last_name)]
    pairs += [(f.first_name, last) for last in mlp.last_names if last != f.last_name]
    pairs += [(first, f.last_name) for first in mlp.first_names if first != f.first_name]
    return tuple(pairs)


def and_gate_table(
    mlp: ToyMLP,
    pairs: Iterable[tuple[str, str]] | None = None,
    neuron: int = 0,
) -> list[AndGateRow]:
    """How one neuron responds to first/last name pairs: dot product, + bias, ReLU and GELU.

    ``pairs=None`` uses the fact's full name followed by every pair of known names that shares exactly
    one name with it; for the default configuration that is Michael Jordan, Michael Phelps, Alexis Jordan.
    """
    if pairs is None:
        pairs = _default_pairs(mlp)
    rows = []
    for first, last in pairs:
        dot = float(_snap(np.dot(mlp.W_up[neuron], mlp.token_vector(first, last))))
        pre = float(_snap(dot + mlp.b_up[neuron]))
        rows.append(AndGateRow(first, last, dot, pre, float(_snap(relu(pre))), float(_snap(gelu(pre)))))
    return rows


def next_token_distribution(
    mlp: ToyMLP,
    names: VectorOrNames = ("Michael", "Jordan"),
    candidates: Sequence[str] | None = None,
    temperature: float = 0.25,
    activation: str = "relu",
) -> dict[str, float]:
    """The *toy model's* guess for "<name> plays the sport of ___", as probabilities per candidate.

    This is not a real language model's prediction. The toy block has no unembedding matrix, so the
    named directions stand in for it: the logit of each candidate is the dot product of the block's
    output (for the vector made of ``names``) with that candidate's direction, divided by
    ``temperature``, and the probabilities are the softmax of those logits. The default temperature
    of 0.25 is a presentation choice that makes a readout gap of 1 look like a confident guess.

    Args:
        mlp: the toy block.
        names: the names (or a vector) flowing into the block.
        candidates: words to choose between; all attributes (in neuron order) by default.
        temperature: softmax temperature (> 0).
        activation: ``"relu"`` or ``"gelu"``.

    Returns:
        ``{candidate: probability}`` in candidate order, summing to 1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if candidates is None:
        candidates = mlp.attributes
    candidates = tuple(dict.fromkeys(candidates))
    if not candidates:
        raise ValueError("need at least one candidate")
    out = mlp.run(names, activation=activation).out
    logits = np.array([np.dot(out, mlp.direction(c)) for c in candidates]) / temperature
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return {c: float(v) for c, v in zip(candidates, p)}


# --------------------------------------------------------------------------------------------------
# PyTorch twin
# --------------------------------------------------------------------------------------------------


class TorchMLPBlock(torch.nn.Module):
    """The same block in PyTorch: ``forward(x) = x + down(act(up(x)))``.

    ``up`` is ``Linear(d_model, d_hidden)``, ``act`` is ReLU or (exact, erf) GELU, ``down`` is
    ``Linear(d_hidden, d_model)``. Works on a single vector or a batch ``(..., d_model)``.
    """

    def __init__(self, d_model: int, d_hidden: int, activation: str = "relu", dtype: torch.dtype = torch.float64):
        super().__init__()
        _activation(activation)
        self.activation = activation
        self.up = torch.nn.Linear(d_model, d_hidden, dtype=dtype)
        self.act = torch.nn.ReLU() if activation == "relu" else torch.nn.GELU(approximate="none")
        self.down = torch.nn.Linear(d_hidden, d_model, dtype=dtype)

    def neurons(self, x: torch.Tensor) -> torch.Tensor:
        """The neuron values ``act(up(x))``."""
        return self.act(self.up(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(self.neurons(x))


def to_torch(mlp: ToyMLP, activation: str = "relu") -> TorchMLPBlock:
    """A :class:`TorchMLPBlock` (float64) holding exactly the weights of ``mlp``."""
    block = TorchMLPBlock(mlp.d_model, mlp.d_hidden, activation=activation, dtype=torch.float64)
    with torch.no_grad():
        block.up.weight.copy_(torch.from_numpy(np.array(mlp.W_up)))
        block.up.bias.copy_(torch.from_numpy(np.array(mlp.b_up)))
        block.down.weight.copy_(torch.from_numpy(np.array(mlp.W_down)))
        block.down.bias.copy_(torch.from_numpy(np.array(mlp.b_down)))
    return block
