"""Features spread over neurons: the numbers behind WhatTheToyShows and FeaturesOutro.

The toy block of the earlier scenes gives its fact one neuron of its own, because it was built that way.
This module computes what the two closing scenes show instead:

* :func:`learned_block` - the same toy fact (and its distractors) stored by a block *trained* from random
  weights with plain gradient descent, and :func:`answer_contributions`, which says how much each neuron
  adds to the attribute's reading: the hand-built block has one neuron doing it all, the trained one
  spreads it over many;
* :func:`spread_example` - a layer that must carry more feature directions ``F`` than it has neurons ``N``
  (random unit directions): which neurons each feature reaches, and how many features reach every neuron.
  Every statement about it is about *this* random example, and it needs ``F > N``;
* :func:`feature_pair` - two random feature directions in a transformer's neuron space (GPT-3's 49,152
  neurons by default), the angle between them and how little any one neuron carries;
* :func:`sparse_code_example` - the sparse-autoencoder picture: a neuron pattern made from a few of many
  dictionary directions, and the few directions a greedy sparse search (orthogonal matching pursuit) finds
  to rebuild it.

Pure NumPy; nothing here imports manim. Functions whose first argument is a lecture are meant to be called
through :meth:`llmfacts.compute.lecture.Lecture.cached`.

Example::

    >>> ex = spread_example(24, 8, seed=3, threshold=0.05)
    >>> ex.n_features > ex.n_neurons
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from llmfacts.compute.lecture import Lecture

__all__ = [
    "unit_vectors",
    "neuron_pattern",
    "largest_share",
    "neurons_for_share",
    "answer_contributions",
    "LearnedBlock",
    "learned_block",
    "SpreadExample",
    "spread_example",
    "FeaturePair",
    "feature_pair",
    "SparseCode",
    "sparse_code_example",
]


def unit_vectors(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` random directions in ``d`` dimensions, uniform on the unit sphere, as float64 rows ``(n, d)``
    (standard normal rows from NumPy's PCG64 seeded with ``seed``, divided by their length)."""
    if n < 0 or d < 1:
        raise ValueError(f"need n >= 0 and d >= 1, got n={n}, d={d}")
    g = np.random.default_rng(seed).standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def neuron_pattern(direction: np.ndarray, spread: float = 2.0) -> np.ndarray:
    """How brightly to draw each neuron when a feature with this ``direction`` is present.

    The components divided by ``spread`` times their RMS and clipped to [-1, 1], so a typical neuron is
    visibly lit; negative components (the neuron pushed below zero) are drawn dark.
    """
    v = np.asarray(direction, dtype=float).reshape(-1)
    rms = float(np.sqrt(np.mean(v**2)))
    return np.clip(v / (spread * rms), -1.0, 1.0) if rms > 0 else v


def largest_share(direction: np.ndarray) -> float:
    """Share of a direction's squared length carried by its single largest component (0 for zero)."""
    v = np.asarray(direction, dtype=float).reshape(-1)
    total = float(v @ v)
    return float(np.max(v**2)) / total if total > 0 else 0.0


def neurons_for_share(direction: np.ndarray, share: float = 0.5) -> int:
    """The fewest components whose squares add up to at least ``share`` of the direction's squared length
    (its largest ones): how many neurons it takes to carry that share of a feature."""
    if not 0 < share <= 1:
        raise ValueError(f"share must lie in (0, 1], got {share}")
    v = np.sort(np.asarray(direction, dtype=float).reshape(-1) ** 2)[::-1]
    total = float(v.sum())
    if total == 0:
        return 0
    return int(np.searchsorted(np.cumsum(v), share * total * (1 - 1e-12)) + 1)


def answer_contributions(W_up: np.ndarray, b_up: np.ndarray, W_down: np.ndarray, x: np.ndarray,
                         direction: np.ndarray) -> np.ndarray:
    """What each neuron adds to the reading along ``direction`` when ``x`` flows in (ReLU block):
    ``relu(W_up x + b_up)_j * (column j of W_down . direction)``. They sum to the block's output reading
    along ``direction`` without ``b_down``."""
    post = np.maximum(np.asarray(W_up) @ np.asarray(x) + np.asarray(b_up), 0.0)
    return post * (np.asarray(W_down).T @ np.asarray(direction))


# ------------------------------------------------------------------------------------------------- learned
@dataclass(frozen=True, eq=False)
class LearnedBlock:
    """A block ``W_down relu(W_up x + b_up)`` trained to store the toy's facts, and how it stores the
    lecture's fact.

    Attributes:
        W_up, b_up, W_down: the trained weights (``d_hidden x d_model``, ``d_hidden``, ``d_model x d_hidden``).
        names: the named concepts, in the toy's order.
        inputs, targets: the training examples (rows): every first+last name pair (the stored facts map to
            their attribute, the other pairs to zero) and every named concept alone (to zero).
        loss: the final mean squared error per example.
        steps: gradient steps taken.
        answer: the trained block's reading of the attribute for the full name (1 when stored perfectly).
        contributions: what each neuron adds to that reading (:func:`answer_contributions`).
        active: neurons that fire for the full name.
        top_neuron: the neuron that adds the most.
        top_readings: what ``top_neuron``'s row of ``W_up`` reads of each named direction.
    """

    W_up: np.ndarray
    b_up: np.ndarray
    W_down: np.ndarray
    names: tuple[str, ...]
    inputs: np.ndarray
    targets: np.ndarray
    loss: float
    steps: int
    answer: float
    contributions: np.ndarray
    active: int
    top_neuron: int
    top_readings: dict[str, float]

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The block's output (no residual) for the vectors ``x`` (rows)."""
        return np.maximum(np.asarray(x) @ self.W_up.T + self.b_up, 0.0) @ self.W_down.T

    @property
    def top_share(self) -> float:
        """What the top neuron adds, as a share of the answer."""
        return float(self.contributions[self.top_neuron] / self.answer) if self.answer else 0.0

    def contributing(self, share: float = 0.05) -> int:
        """Neurons that each add at least ``share`` of the answer."""
        return int(np.sum(self.contributions >= share * self.answer))


def _training_examples(mlp) -> tuple[np.ndarray, np.ndarray]:
    directions = mlp.directions
    stored = {(f.first_name, f.last_name): f.attribute for f in mlp.facts}
    zero = np.zeros(mlp.d_model)
    inputs, targets = [], []
    for first in mlp.first_names:
        for last in mlp.last_names:
            inputs.append(directions[first] + directions[last])
            attribute = stored.get((first, last))
            targets.append(directions[attribute] if attribute is not None else zero)
    for name in mlp.names:
        inputs.append(directions[name])
        targets.append(zero)
    return np.array(inputs), np.array(targets)


def learned_block(lecture: Lecture, steps: int = 3000, seed: int = 0, learning_rate: float = 0.01) -> LearnedBlock:
    """Train a block of the toy's size from random weights to store the toy's facts (full-batch gradient
    descent with Adam on the mean squared error) and measure how it stores the lecture's fact.

    Raises ``ValueError`` if the training does not store the facts (final loss above ``1e-3``)."""
    mlp = lecture.toy_mlp()
    X, Y = _training_examples(mlp)
    d, h = mlp.d_model, mlp.d_hidden
    rng = np.random.default_rng(seed)
    W_up = rng.standard_normal((h, d)) / np.sqrt(d)
    b_up = np.zeros(h)
    W_down = rng.standard_normal((d, h)) / np.sqrt(h)
    params = [W_up, b_up, W_down]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    loss = np.inf
    for t in range(1, steps + 1):
        pre = X @ W_up.T + b_up
        post = np.maximum(pre, 0.0)
        err = post @ W_down.T - Y
        loss = float(np.mean(np.sum(err**2, axis=1)))
        g_out = 2.0 * err / len(X)
        g_pre = (g_out @ W_down) * (pre > 0)
        grads = (g_pre.T @ X, g_pre.sum(axis=0), g_out.T @ post)
        for p, g, m, v in zip(params, grads, first, second):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= learning_rate * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    if not loss <= 1e-3:
        raise ValueError(f"learned_block: training did not store the facts (loss {loss:.3g} after {steps} steps)")
    fact = lecture.fact
    x = mlp.direction(fact.first_name) + mlp.direction(fact.last_name)
    attribute = mlp.direction(fact.attribute)
    contributions = answer_contributions(W_up, b_up, W_down, x, attribute)
    top = int(np.argmax(contributions))
    return LearnedBlock(
        W_up=W_up, b_up=b_up, W_down=W_down, names=mlp.names, inputs=X, targets=Y, loss=loss, steps=steps,
        answer=float(contributions.sum()), contributions=contributions,
        active=int(np.sum(W_up @ x + b_up > 0)), top_neuron=top,
        top_readings={n: float(W_up[top] @ mlp.direction(n)) for n in mlp.names},
    )


# ------------------------------------------------------------------------------------------------- spread
@dataclass(frozen=True, eq=False)
class SpreadExample:
    """``F`` random feature directions in a layer of ``N`` neurons (``F > N``): what reaches what.

    Attributes:
        directions: ``(F, N)`` unit rows; component ``[f, j]`` is how much neuron ``j`` picks up of feature ``f``.
        threshold: a neuron picks up a feature when ``|component|`` exceeds it.
        reach: ``(F, N)`` bool, ``|directions| > threshold``.
    """

    directions: np.ndarray
    threshold: float
    reach: np.ndarray
    seed: int

    @property
    def n_features(self) -> int:
        return int(self.directions.shape[0])

    @property
    def n_neurons(self) -> int:
        return int(self.directions.shape[1])

    @property
    def neurons_per_feature(self) -> np.ndarray:
        """``(F,)`` how many neurons each feature reaches."""
        return self.reach.sum(axis=1)

    @property
    def features_per_neuron(self) -> np.ndarray:
        """``(N,)`` how many features each neuron picks up."""
        return self.reach.sum(axis=0)

    @property
    def reaching_every_neuron(self) -> int:
        """Features that reach all ``N`` neurons."""
        return int(np.sum(self.neurons_per_feature == self.n_neurons))

    @property
    def share_reaching_every_neuron(self) -> float:
        return self.reaching_every_neuron / self.n_features

    @property
    def fewest_per_neuron(self) -> int:
        """The fewest features any one neuron picks up."""
        return int(self.features_per_neuron.min())

    @property
    def fewest_per_feature(self) -> int:
        """The fewest neurons any one feature reaches."""
        return int(self.neurons_per_feature.min())


def spread_example(n_features: int, n_neurons: int, seed: int = 3, threshold: float = 0.05) -> SpreadExample:
    """``n_features`` random unit feature directions in a layer of ``n_neurons`` neurons. Needs more
    features than neurons (with fewer, each feature could have a neuron of its own)."""
    if n_neurons < 1 or n_features <= n_neurons:
        raise ValueError(f"spread_example needs more features than neurons (1 <= n_neurons < n_features), "
                         f"got {n_features} features and {n_neurons} neurons")
    if not 0 < threshold < 1:
        raise ValueError(f"spread_example: threshold must lie in (0, 1), got {threshold}")
    directions = unit_vectors(n_features, n_neurons, seed)
    return SpreadExample(directions=directions, threshold=float(threshold),
                         reach=np.abs(directions) > threshold, seed=seed)


# ------------------------------------------------------------------------------------------------- a pair
@dataclass(frozen=True, eq=False)
class FeaturePair:
    """Two random feature directions in a neuron space of ``n_neurons`` dimensions."""

    directions: np.ndarray  #: ``(2, n_neurons)`` unit rows
    cos: float  #: their cosine
    angle_deg: float  #: the angle between them
    largest_share: float  #: share of the first direction's squared length in its largest component
    half_neurons: int  #: the fewest neurons that carry half of the first direction's squared length

    @property
    def n_neurons(self) -> int:
        return int(self.directions.shape[1])

    def patterns(self, spread: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
        """:func:`neuron_pattern` of each direction."""
        return neuron_pattern(self.directions[0], spread), neuron_pattern(self.directions[1], spread)


def feature_pair(lecture: Lecture, seed: int = 7) -> FeaturePair:
    """Two random directions in the neuron space of the lecture's transformer (its MLP width)."""
    dirs = unit_vectors(2, int(lecture.transformer.d_mlp), seed)
    cos = float(np.clip(dirs[0] @ dirs[1], -1.0, 1.0))
    return FeaturePair(directions=dirs, cos=cos, angle_deg=float(np.degrees(np.arccos(cos))),
                       largest_share=largest_share(dirs[0]), half_neurons=neurons_for_share(dirs[0], 0.5))


# ------------------------------------------------------------------------------------------------- sparse
@dataclass(frozen=True, eq=False)
class SparseCode:
    """The sparse-autoencoder picture, computed.

    Attributes:
        dictionary: ``(F, N)`` unit rows, the candidate feature directions.
        code: ``(F,)`` the sparse code that made the pattern (a few non-zero strengths).
        neurons: ``(N,)`` the neuron pattern, ``code @ dictionary``.
        found: indices of the dictionary directions the sparse search picked, in the order picked.
        found_code: ``(F,)`` their least-squares strengths (zero elsewhere).
        rebuilt: ``(N,)`` ``found_code @ dictionary``.
    """

    dictionary: np.ndarray
    code: np.ndarray
    neurons: np.ndarray
    found: tuple[int, ...]
    found_code: np.ndarray
    rebuilt: np.ndarray

    @property
    def active(self) -> tuple[int, ...]:
        """The directions the code switched on."""
        return tuple(int(k) for k in np.flatnonzero(self.code))

    @property
    def error(self) -> float:
        """Length of ``neurons - rebuilt`` relative to the length of ``neurons``."""
        return float(np.linalg.norm(self.neurons - self.rebuilt) / np.linalg.norm(self.neurons))

    @property
    def recovered(self) -> bool:
        """Whether the search found exactly the directions that made the pattern."""
        return set(self.found) == set(self.active)


def sparse_code_example(n_neurons: int, n_features: int, active: tuple[int, ...], seed: int) -> SparseCode:
    """``n_features`` random dictionary directions in ``n_neurons`` dimensions; the code switches on the
    features in ``active`` (strengths 1, 0.8, 0.6, ...) and the neuron pattern is their sum. Orthogonal
    matching pursuit then looks for ``len(active)`` dictionary directions that rebuild the pattern: at each
    step it adds the direction most aligned with what is still unexplained and refits all strengths by least
    squares."""
    if n_neurons < 1 or n_features < 1:
        raise ValueError(f"need n_neurons >= 1 and n_features >= 1, got {n_neurons}, {n_features}")
    if not active or len(set(active)) != len(active) or any(not 0 <= a < n_features for a in active):
        raise ValueError(f"active features must be distinct and lie in [0, {n_features}), got {active}")
    if len(active) > n_neurons:
        raise ValueError(f"at most n_neurons={n_neurons} active features can be rebuilt, got {len(active)}")
    dictionary = unit_vectors(n_features, n_neurons, seed)
    code = np.zeros(n_features)
    for k, a in enumerate(active):
        code[a] = 1.0 - 0.2 * k
    neurons = code @ dictionary
    found: list[int] = []
    strengths = np.zeros(0)
    residual = neurons.copy()
    for _ in range(len(active)):
        scores = np.abs(dictionary @ residual)
        scores[found] = -1.0
        found.append(int(np.argmax(scores)))
        basis = dictionary[found]  # (k, N)
        strengths, *_ = np.linalg.lstsq(basis.T, neurons, rcond=None)
        residual = neurons - strengths @ basis
    found_code = np.zeros(n_features)
    found_code[found] = strengths
    return SparseCode(dictionary=dictionary, code=code, neurons=neurons, found=tuple(found),
                      found_code=found_code, rebuilt=found_code @ dictionary)

