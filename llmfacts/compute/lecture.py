"""What a video is *about*, as one frozen, validated object: :class:`Lecture`.

A lecture holds the fact the toy MLP block stores (a first name, a last name, the attribute and the words
of the prompt), the toy block's sizes and seed, the superposition experiment's specification and the
transformer whose parameters are tallied. Scenes only lay it out: every number they show comes from the
lecture's computations, which run once, lazily, and are cached per lecture (:meth:`Lecture.cached`).

Bad values raise :class:`LectureError` when the lecture is built, with one line naming the field::

    >>> Lecture(fact=ToyFact("Marie", "Curie", "Curie"))
    Traceback (most recent call last):
    ...
    llmfacts.compute.lecture.LectureError: Lecture.fact.attribute: 'Curie' is also a name of the fact; ...

Example: the whole story for another fact, in 20 dimensions::

    from llmfacts.compute.lecture import Lecture, ToyBlock
    from llmfacts.compute.toy_mlp import ToyFact

    LECTURE = Lecture(
        name="marie-curie",
        fact=ToyFact("Marie", "Curie", "chemistry"),
        prompt_words=("worked", "in", "the", "field", "of"),
        toy=ToyBlock(d_model=20),
    )
    LECTURE.trace().readout_out["chemistry"]  # the attribute's reading after the block

A lecture file for ``render.py --lecture FILE`` is a Python file that defines ``LECTURE = Lecture(...)``
(or ``render.py --lecture package.module:NAME``); :func:`load_lecture` reads either form. The active
lecture of a render process is named by the environment variable :data:`LECTURE_ENV`; without it, scenes
tell :data:`DEFAULT_LECTURE`.

This module never imports manim.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import json
import math
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmfacts.compute.gpt3 import GPT3_175B, GPTHyperparameters, ParameterTally, count_parameters
from llmfacts.compute.toy_mlp import (
    AndGateRow,
    MLPTrace,
    ToyFact,
    ToyMLP,
    ToyMLPConfig,
    and_gate_table,
    build_toy_mlp,
    next_token_distribution,
)

__all__ = [
    "Lecture",
    "ToyBlock",
    "SuperpositionSpec",
    "LectureError",
    "DEFAULT_LECTURE",
    "LECTURE_ENV",
    "DEFAULT_DISTRACTORS",
    "load_lecture",
    "active_lecture",
    "check_int",
    "check_float",
    "check_choice",
]

#: Environment variable naming the lecture a render process tells (``FILE.py``, ``FILE.py:NAME`` or
#: ``package.module:NAME``); ``render.py --lecture`` sets it for the manim processes it starts.
LECTURE_ENV = "LLMFACTS_LECTURE"

#: The other facts of the default toy block: they share one name each with the default fact.
DEFAULT_DISTRACTORS: tuple[ToyFact, ...] = (
    ToyFact("Michael", "Phelps", "swimming"),
    ToyFact("Alexis", "Jordan", "singing"),
)

_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_RESERVED_NAMES = {"low", "medium", "high", "production", "4k", "logs", "stills", "sections", "cache"}


class LectureError(ValueError):
    """A lecture (or a scene parameter) with a value that cannot be told; the message is one line that
    names the field and says what is allowed."""


# ---------------------------------------------------------------------------------------------- checks
# Shared by the lecture and by the scenes' layout parameters (llmfacts.story validates those with them).
def check_int(where: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int, or :class:`LectureError` naming ``where`` and the allowed range."""
    if isinstance(value, bool) or not isinstance(value, int):
        if not (hasattr(value, "__index__") and not isinstance(value, bool)):
            raise LectureError(f"{where}: must be an integer{_range_text(minimum, maximum)}, got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise LectureError(f"{where}: must be an integer{_range_text(minimum, maximum)}, got {value!r}")
    return value


def check_float(where: str, value: Any, *, minimum: float | None = None, maximum: float | None = None,
                exclusive_minimum: bool = False) -> float:
    """``value`` as a finite float within the limits, or :class:`LectureError`."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(float(value))
    lo_ok = minimum is None or (float(value) > minimum if exclusive_minimum else float(value) >= minimum) if ok else False
    hi_ok = maximum is None or float(value) <= maximum if ok else False
    if not (ok and lo_ok and hi_ok):
        lo = "" if minimum is None else (f" > {minimum:g}" if exclusive_minimum else f" ≥ {minimum:g}")
        hi = "" if maximum is None else f" ≤ {maximum:g}"
        joiner = " and" if lo and hi else ""
        raise LectureError(f"{where}: must be a finite number{lo}{joiner}{hi}, got {value!r}")
    return float(value)


def check_choice(where: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``, else :class:`LectureError` listing them."""
    if value not in choices:
        raise LectureError(f"{where}: must be one of {', '.join(repr(c) for c in choices)}, got {value!r}")
    return value


def _range_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" ≥ {minimum}"
    if maximum is not None:
        return f" ≤ {maximum}"
    return ""


def _check_word(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LectureError(f"{where}: must be a non-empty word, got {value!r}")
    if value != value.strip():
        raise LectureError(f"{where}: must not start or end with a space, got {value!r}")
    return value


# ---------------------------------------------------------------------------------------------- parts
@dataclass(frozen=True)
class ToyBlock:
    """Sizes and seed of the toy MLP block that stores the lecture's fact.

    * ``d_model`` - dimension of the toy embedding space (at least the number of named concepts);
    * ``hidden_factor`` - neurons per dimension (GPT-3 uses 4);
    * ``up_bias`` - the bias of each fact's neuron (-1 makes it an AND gate of the two names);
    * ``seed`` - seed of every random choice of the build;
    * ``overlap`` - 0 gives exactly perpendicular named directions, ``0 < overlap < 1`` nearly perpendicular;
    * ``distractors`` - the other facts the block stores, each in its own neuron.
    """

    d_model: int = 12
    hidden_factor: int = 4
    up_bias: float = -1.0
    seed: int = 0
    overlap: float = 0.0
    distractors: tuple[ToyFact, ...] = DEFAULT_DISTRACTORS

    def __post_init__(self) -> None:
        check_int("Lecture.toy.d_model", self.d_model, minimum=1)
        check_int("Lecture.toy.hidden_factor", self.hidden_factor, minimum=1)
        check_float("Lecture.toy.up_bias", self.up_bias)
        check_int("Lecture.toy.seed", self.seed, minimum=0)
        check_float("Lecture.toy.overlap", self.overlap, minimum=0.0, maximum=0.95)
        if not isinstance(self.distractors, tuple) or not all(isinstance(f, ToyFact) for f in self.distractors):
            raise LectureError("Lecture.toy.distractors: must be a tuple of ToyFact(first, last, attribute)")


@dataclass(frozen=True)
class SuperpositionSpec:
    """The superposition part of the story: how many random vectors in how many dimensions are pushed
    toward perpendicular, by which methods and for how many steps, and what "nearly perpendicular" means.

    * ``n``, ``d`` - vectors and dimension of the experiment (10,000 in 100-D);
    * ``method`` - the optimiser that targets the worst pair (``"spherical"``); ``classic_method`` - the
      simple loss on every cosine (``"classic"``);
    * ``steps``, ``classic_steps`` - their numbers of steps (``None``: the compute module's defaults);
    * ``seed`` - seed of the random start shared by both runs;
    * ``snapshot_every``, ``classic_snapshot_every`` - steps between stored histograms;
    * ``tolerance_deg`` - how far from 90° still counts as "nearly perpendicular" (1°: 89°-91°).
    """

    n: int = 10_000
    d: int = 100
    method: str = "spherical"
    steps: int | None = None
    classic_method: str = "classic"
    classic_steps: int | None = None
    seed: int = 0
    snapshot_every: int | None = 10
    classic_snapshot_every: int | None = 10
    tolerance_deg: float = 1.0

    def __post_init__(self) -> None:
        check_int("Lecture.superposition.n", self.n, minimum=2)
        check_int("Lecture.superposition.d", self.d, minimum=2)
        check_choice("Lecture.superposition.method", self.method, ("spherical", "classic"))
        check_choice("Lecture.superposition.classic_method", self.classic_method, ("classic", "spherical"))
        for label in ("steps", "classic_steps", "snapshot_every", "classic_snapshot_every"):
            value = getattr(self, label)
            if value is not None:
                check_int(f"Lecture.superposition.{label}", value, minimum=0 if "steps" in label else 1)
        check_int("Lecture.superposition.seed", self.seed, minimum=0)
        check_float("Lecture.superposition.tolerance_deg", self.tolerance_deg, minimum=0.0, maximum=45.0,
                    exclusive_minimum=True)

    @property
    def band_deg(self) -> tuple[float, float]:
        """The angles that count as nearly perpendicular: ``(90 - tolerance, 90 + tolerance)``."""
        return 90.0 - self.tolerance_deg, 90.0 + self.tolerance_deg


# ---------------------------------------------------------------------------------------------- lecture
@dataclass(frozen=True)
class Lecture:
    """Everything a video is about. Frozen and validated; its computations are cached per lecture.

    * ``name`` - a short slug: the joined video's file name and, for any lecture but the default, the
      folder ``renders/<name>/<quality>/``;
    * ``fact`` - the fact the toy block stores (first name, last name, attribute);
    * ``prompt_words`` - the words after the name, up to the blank ("plays the sport of");
    * ``toy`` - the toy block (:class:`ToyBlock`);
    * ``superposition`` - the superposition experiment (:class:`SuperpositionSpec`);
    * ``transformer`` - the transformer whose parameters are tallied (GPT-3 175B).
    """

    name: str = "how-llms-store-facts"
    fact: ToyFact = ToyFact("Michael", "Jordan", "basketball")
    prompt_words: tuple[str, ...] = ("plays", "the", "sport", "of")
    toy: ToyBlock = ToyBlock()
    superposition: SuperpositionSpec = SuperpositionSpec()
    transformer: GPTHyperparameters = GPT3_175B
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _lock: Any = field(default_factory=threading.RLock, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_PATTERN.match(self.name):
            raise LectureError(f"Lecture.name: must be a slug of lower-case letters, digits, '-' or '_' "
                               f"(it names the output folder), got {self.name!r}")
        if self.name in _RESERVED_NAMES:
            raise LectureError(f"Lecture.name: {self.name!r} is reserved for a folder of renders/; pick another")
        if not isinstance(self.fact, ToyFact):
            raise LectureError(f"Lecture.fact: must be a ToyFact(first, last, attribute), got {self.fact!r}")
        first = _check_word("Lecture.fact.first_name", self.fact.first_name)
        last = _check_word("Lecture.fact.last_name", self.fact.last_name)
        attribute = _check_word("Lecture.fact.attribute", self.fact.attribute)
        if first == last:
            raise LectureError(f"Lecture.fact.last_name: {last!r} is the first name too; the two names must differ")
        if attribute in (first, last):
            raise LectureError(f"Lecture.fact.attribute: {attribute!r} is also a name of the fact; "
                               "the attribute must be a word of its own")
        if not isinstance(self.prompt_words, tuple) or not self.prompt_words:
            raise LectureError(f"Lecture.prompt_words: must be a non-empty tuple of words, got {self.prompt_words!r}")
        for k, word in enumerate(self.prompt_words):
            _check_word(f"Lecture.prompt_words[{k}]", word)
            if word in (first, last, attribute):
                raise LectureError(f"Lecture.prompt_words[{k}]: {word!r} is a word of the fact; "
                                   "the prompt must not give the answer away")
        for label, kind in (("toy", ToyBlock), ("superposition", SuperpositionSpec),
                            ("transformer", GPTHyperparameters)):
            if not isinstance(getattr(self, label), kind):
                raise LectureError(f"Lecture.{label}: must be a {kind.__name__}, got {getattr(self, label)!r}")
        try:
            self.toy_config()
        except ValueError as error:  # ToyMLPConfig's own checks: words used twice, d_model too small, ...
            field_name = "toy.d_model" if "d_model" in str(error) else "toy.distractors"
            raise LectureError(f"Lecture.{field_name}: {error}") from None

    # -- identity -----------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A stable hash of every value of the lecture (part of each scene's render fingerprint)."""
        return hashlib.sha256(json.dumps(_plain(self), sort_keys=True).encode()).hexdigest()[:16]

    def replace(self, **changes: Any) -> Lecture:
        """A copy with some fields changed (validated again). Nested parts take dicts of their fields:
        ``lecture.replace(toy={"d_model": 20})``."""
        resolved = {}
        for key, value in changes.items():
            current = getattr(self, key)
            if isinstance(value, dict) and dataclasses.is_dataclass(current):
                value = dataclasses.replace(current, **value)
            resolved[key] = value
        return dataclasses.replace(self, **resolved)

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_LECTURE

    @property
    def full_name(self) -> str:
        """``"Michael Jordan"``."""
        return self.fact.full_name

    @property
    def prompt(self) -> str:
        """``"Michael Jordan plays the sport of"``."""
        return " ".join((self.fact.first_name, self.fact.last_name, *self.prompt_words))

    # -- cached computations ------------------------------------------------------------------------------
    def cached(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``func(self, *args, **kwargs)``, computed once per lecture and arguments (thread-safe).

        Scenes call their compute functions through this, so two scenes (or two steps) never compute the
        same thing twice for one lecture. Arguments must be hashable.
        """
        key = (getattr(func, "__module__", ""), getattr(func, "__qualname__", repr(func)), args,
               tuple(sorted(kwargs.items())))
        with self._lock:
            if key not in self._cache:
                self._cache[key] = func(self, *args, **kwargs)
            return self._cache[key]

    def toy_config(self) -> ToyMLPConfig:
        """The toy block's configuration."""
        t = self.toy
        return ToyMLPConfig(fact=self.fact, d_model=t.d_model, hidden_factor=t.hidden_factor, bias=t.up_bias,
                            seed=t.seed, overlap=t.overlap, distractors=t.distractors)

    def toy_mlp(self) -> ToyMLP:
        """The toy block that stores the fact (built once per lecture)."""
        return self.cached(_build_toy)

    def trace(self, activation: str = "relu") -> MLPTrace:
        """The full name's vector through the toy block."""
        return self.cached(_trace, activation)

    def prompt_tokens(self) -> tuple[str, ...]:
        """The prompt's words up to the blank: first name, last name, then :attr:`prompt_words`."""
        return (self.fact.first_name, self.fact.last_name, *self.prompt_words)

    def token_vectors(self):
        """One toy vector per prompt token (rows, in :meth:`prompt_tokens` order), as each token holds it
        before attention: the names their directions, other words a filler direction perpendicular to every
        named one (:meth:`~llmfacts.compute.toy_mlp.ToyMLP.word_direction`)."""
        return self.cached(_token_vectors)

    def contrast_pairs(self) -> tuple[tuple[str, str], ...]:
        """The full name, then a pair keeping only the first name, one keeping only the last name, and
        (when both exist) one keeping neither; for the default lecture Michael Jordan, Michael Phelps,
        Alexis Jordan, Alexis Phelps."""
        return self.cached(_contrast_pairs)

    def gate_table(self, pairs: tuple[tuple[str, str], ...] | None = None, neuron: int = 0) -> list[AndGateRow]:
        """How ``neuron`` answers each name pair (default: :meth:`contrast_pairs`)."""
        return list(self.cached(_gate_table, None if pairs is None else tuple(map(tuple, pairs)), neuron))

    def next_token_guess(self, candidates: tuple[str, ...] | None = None,
                         temperature: float = 0.25) -> dict[str, float]:
        """The toy block's guess for the blank: softmax over ``candidates`` of the readout divided by
        ``temperature`` (a presentation choice; the scenes say which)."""
        return dict(self.cached(_guess, candidates, float(temperature)))

    def parameter_tally(self) -> ParameterTally:
        """The transformer's parameters counted from a PyTorch module on the meta device."""
        return self.cached(_tally)

    def experiment_run(self, method: str | None = None, *, cache: bool = True, progress: bool = True,
                       device: str | None = "cpu"):
        """The superposition experiment's optimisation by ``method`` (the spec's ``method`` by default;
        pass the spec's ``classic_method`` for the classic loss), read from the disk cache when present."""
        return self.cached(_experiment_run, method or self.superposition.method, cache, progress, device)


def _build_toy(lecture: Lecture) -> ToyMLP:
    return build_toy_mlp(lecture.toy_config())


def _trace(lecture: Lecture, activation: str) -> MLPTrace:
    return lecture.toy_mlp().run((lecture.fact.first_name, lecture.fact.last_name), activation=activation)


def _token_vectors(lecture: Lecture):
    import numpy as np

    mlp = lecture.toy_mlp()
    vectors = np.vstack([mlp.word_direction(word) for word in lecture.prompt_tokens()])
    vectors.setflags(write=False)
    return vectors


def _contrast_pairs(lecture: Lecture) -> tuple[tuple[str, str], ...]:
    mlp, fact = lecture.toy_mlp(), lecture.fact
    other_last = next((n for n in mlp.last_names if n != fact.last_name), None)
    other_first = next((n for n in mlp.first_names if n != fact.first_name), None)
    pairs = [(fact.first_name, fact.last_name)]
    if other_last is not None:
        pairs.append((fact.first_name, other_last))
    if other_first is not None:
        pairs.append((other_first, fact.last_name))
    if other_first is not None and other_last is not None:
        pairs.append((other_first, other_last))
    return tuple(pairs)


def _gate_table(lecture: Lecture, pairs, neuron: int) -> tuple[AndGateRow, ...]:
    return tuple(and_gate_table(lecture.toy_mlp(), pairs if pairs is not None else lecture.contrast_pairs(),
                                neuron=neuron))


def _guess(lecture: Lecture, candidates, temperature: float) -> tuple[tuple[str, float], ...]:
    fact = lecture.fact
    guess = next_token_distribution(lecture.toy_mlp(), names=(fact.first_name, fact.last_name),
                                    candidates=candidates, temperature=temperature)
    return tuple(guess.items())


def _tally(lecture: Lecture) -> ParameterTally:
    return count_parameters(lecture.transformer)


def _experiment_run(lecture: Lecture, method: str, cache: bool, progress: bool, device):
    from llmfacts.compute.superposition import run_experiment

    spec = lecture.superposition
    classic = method == spec.classic_method and method != spec.method
    return run_experiment(n=spec.n, d=spec.d, method=method,
                          steps=spec.classic_steps if classic else spec.steps, seed=spec.seed,
                          snapshot_every=spec.classic_snapshot_every if classic else spec.snapshot_every,
                          cache=cache, progress=progress, device=device)


def _plain(value: Any) -> Any:
    """JSON-able form of a lecture (for its fingerprint)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


#: Today's story: Michael Jordan plays basketball; 10,000 vectors in 100-D; GPT-3 175B.
DEFAULT_LECTURE = Lecture()


# ---------------------------------------------------------------------------------------------- loading
def load_lecture(spec: str) -> Lecture:
    """The lecture named by ``spec``: ``path/to/file.py`` (its ``LECTURE``), ``path/to/file.py:NAME`` or
    ``package.module:NAME``. Raises :class:`LectureError` with one line saying what is wrong."""
    spec = spec.strip()
    if not spec:
        raise LectureError("--lecture: empty; give FILE.py (defining LECTURE = Lecture(...)) or module:NAME")
    target, _, attr = spec.partition(":") if not (len(spec) > 1 and spec[1] == ":") else (spec, "", "")
    attr = attr or "LECTURE"
    if target.endswith(".py") or os.sep in target or "/" in target:
        path = Path(target)
        if not path.is_file():
            raise LectureError(f"--lecture: no such file {target!r}; give a .py file that defines "
                               "LECTURE = Lecture(...)")
        module_name = "llmfacts_lecture_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(loader_spec)  # type: ignore[arg-type]
        try:
            loader_spec.loader.exec_module(module)  # type: ignore[union-attr]
        except LectureError as error:
            raise LectureError(f"{target}: {error}") from None
        except Exception as error:  # noqa: BLE001 - the user's file: report in one line
            raise LectureError(f"{target}: could not be run: {type(error).__name__}: {error}") from None
    else:
        try:
            module = importlib.import_module(target)
        except LectureError as error:
            raise LectureError(f"{target}: {error}") from None
        except ImportError as error:
            raise LectureError(f"--lecture: cannot import {target!r} ({error}); give FILE.py or module:NAME") from None
    lecture = getattr(module, attr, None)
    if not isinstance(lecture, Lecture):
        raise LectureError(f"--lecture: {target} defines no {attr} = Lecture(...)"
                           + ("" if lecture is None else f" ({attr} is a {type(lecture).__name__})"))
    return lecture


_active: dict[str, Lecture] = {}


def active_lecture() -> Lecture:
    """The lecture of this process: the one :data:`LECTURE_ENV` names, else :data:`DEFAULT_LECTURE`."""
    spec = os.environ.get(LECTURE_ENV, "").strip()
    if not spec:
        return DEFAULT_LECTURE
    if spec not in _active:
        _active[spec] = load_lecture(spec)
    return _active[spec]
