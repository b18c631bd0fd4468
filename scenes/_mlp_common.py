"""Shared base of scenes 5-9 (the MLP block, step by step): the fact, the toy model and small helpers.

:class:`MlpFactScene` holds the parameters every one of those scenes has (the fact, the size of the toy
embedding space, how much of each matrix is shown) and computes, in :meth:`MlpFactScene.prepare`, the toy
block and the trace of the fact's full name through it. Subclass a scene and change the class attributes
to tell another fact; every number is recomputed::

    from scenes.relu import ReluGate

    class SerenaReluGate(ReluGate):
        first_name, last_name, attribute = "Serena", "Williams", "tennis"

:meth:`MlpFactScene.num` writes numbers the way these scenes show them (fixed decimals, a true minus sign:
:func:`llmfacts.formatting.format_fixed`); the helpers colour names by the role they play in the fact
(:mod:`llmfacts.colors`).
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import MarkupText, Text

from llmfacts import colors
from llmfacts.compute.toy_mlp import AndGateRow, ToyFact, ToyMLP, ToyMLPConfig, and_gate_table, build_toy_mlp
from llmfacts.formatting import format_fixed
from llmfacts.story import StoryScene

__all__ = ["MlpFactScene", "contrast_pairs_for"]

#: The font of every plain-text label of these scenes.
FONT_SIZE = 26
SMALL = 22
MEDIUM = 24


def contrast_pairs_for(mlp: ToyMLP) -> tuple[tuple[str, str], ...]:
    """The full name, then the first known name pair that keeps only the first name, then the first that
    keeps only the last name, then (when both exist) the pair that keeps neither.

    For the default toy model: Michael Jordan, Michael Phelps, Alexis Jordan, Alexis Phelps.
    """
    fact = mlp.config.fact
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


class MlpFactScene(StoryScene):
    """Base of the MLP scenes (not a scene of the video by itself).

    Parameters (class attributes):

    * ``first_name``, ``last_name``, ``attribute`` - the fact the block stores (Michael, Jordan, basketball).
    * ``d_model`` - dimension of the toy embedding space (12); ``hidden_factor`` - neurons per dimension (4).
    * ``up_bias`` - the bias of the fact's neuron (-1).
    * ``seed``, ``overlap`` - the toy model's random seed and how far from perpendicular its named
      directions are (0: exactly perpendicular).
    * ``shown_rows``, ``shown_cols`` - most cells shown per matrix axis, ellipsis included (6 and 6).
    * ``decimals`` - digits after the decimal point of every number shown (2).
    * ``pairs`` - the name pairs compared with the full name; ``None`` picks them from the toy model
      (Michael Phelps, Alexis Jordan, Alexis Phelps for the default fact).

    :meth:`prepare` sets ``self.mlp`` (the :class:`~llmfacts.compute.toy_mlp.ToyMLP`), ``self.fact``,
    ``self.trace`` (the full name through the block, ReLU) and ``self.gate_rows`` (how neuron 0 answers
    each pair of ``pairs``).
    """

    first_name: str = "Michael"
    last_name: str = "Jordan"
    attribute: str = "basketball"
    d_model: int = 12
    hidden_factor: int = 4
    up_bias: float = -1.0
    seed: int = 0
    overlap: float = 0.0
    shown_rows: int = 6
    shown_cols: int = 6
    decimals: int = 2
    pairs: Sequence[tuple[str, str]] | None = None

    # -- computation ------------------------------------------------------------------------------------------
    def toy_config(self) -> ToyMLPConfig:
        """The toy model's configuration built from the class attributes."""
        return ToyMLPConfig(
            fact=ToyFact(self.first_name, self.last_name, self.attribute),
            d_model=self.d_model,
            hidden_factor=self.hidden_factor,
            bias=self.up_bias,
            seed=self.seed,
            overlap=self.overlap,
        )

    def prepare(self) -> None:
        self.mlp: ToyMLP = build_toy_mlp(self.toy_config())
        self.fact: ToyFact = self.mlp.config.fact
        self.trace = self.mlp.run((self.fact.first_name, self.fact.last_name), activation="relu")
        pairs = tuple(self.pairs) if self.pairs is not None else contrast_pairs_for(self.mlp)
        self.gate_rows: list[AndGateRow] = and_gate_table(self.mlp, pairs, neuron=0)

    # -- pacing -----------------------------------------------------------------------------------------------
    def say(self, text: str) -> float:
        """Narrate ``text``; :meth:`finish` later waits until it has been on screen long enough."""
        seconds = self.narrate(text)
        self._caption_end = self.time + seconds
        return seconds

    def finish(self, at_least: float = 0.8) -> None:
        """Wait until the current narration has been read, and at least ``at_least`` seconds."""
        remaining = getattr(self, "_caption_end", 0.0) - self.time
        self.wait(max(at_least, remaining))

    # -- formatting -------------------------------------------------------------------------------------------
    def num(self, value: float, decimals: int | None = None) -> str:
        """``value`` with the scene's decimals (or ``decimals``) and a true minus sign, never ``−0.00``."""
        return format_fixed(value, self.decimals if decimals is None else decimals, true_minus=True)

    def concept_color(self, name: str) -> str:
        """First name, last name and attribute of the fact get their colours; other names a neutral one."""
        if name == self.fact.first_name:
            return colors.FIRST_NAME
        if name == self.fact.last_name:
            return colors.LAST_NAME
        if name == self.fact.attribute:
            return colors.ATTRIBUTE
        return colors.OTHER_CONCEPT

    def word(self, name: str, font_size: float = FONT_SIZE, **kwargs) -> Text:
        """A name in its concept colour."""
        return Text(name, font_size=font_size, color=self.concept_color(name), **kwargs)

    def markup(self, *pieces: str | tuple[str, str], font_size: float = FONT_SIZE) -> MarkupText:
        """One line of text on a common baseline; a piece is plain text, a concept name (coloured by its
        role) given as ``("name", name)``, or ``(text, "#RRGGBB")``."""
        spans = []
        for piece in pieces:
            if isinstance(piece, str):
                spans.append(_escape(piece))
            else:
                content, how = piece
                color = self.concept_color(content) if how == "name" else how
                spans.append(f'<span foreground="{color}">{_escape(content)}</span>')
        return MarkupText("".join(spans), font_size=font_size, color=colors.TEXT)

    def full_name(self, first: str, last: str, font_size: float = FONT_SIZE, joiner: str = " ") -> MarkupText:
        """``Michael Jordan`` with each name in its colour (``joiner=" + "`` gives ``Michael + Jordan``)."""
        return self.markup((first, "name"), joiner, (last, "name"), font_size=font_size)

    def text(self, content: str, font_size: float = FONT_SIZE, color: str = colors.TEXT, **kwargs) -> Text:
        return Text(content, font_size=font_size, color=color, **kwargs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
