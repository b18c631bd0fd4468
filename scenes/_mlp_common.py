"""Shared base of scenes 5-9 (the MLP block, step by step): the lecture's toy block and small helpers.

What these scenes tell comes from the lecture (:class:`~llmfacts.compute.lecture.Lecture`, read as
``self.lecture``): :meth:`MlpFactScene.prepare` sets ``self.mlp`` (the toy block), ``self.fact``, ``self.trace``
(the full name through the block, ReLU) and ``self.gate_rows`` (how neuron 0 answers the lecture's contrast
pairs) from it. To tell another fact, render with another lecture (``render.py --lecture FILE``) or give a
subclass its own::

    from llmfacts.compute.lecture import load_lecture
    from scenes.relu import ReluGate

    class CurieReluGate(ReluGate):
        lecture = load_lecture("examples/marie_curie.py")

The class attributes left here are layout only (cells shown per matrix axis, decimals).
:meth:`MlpFactScene.num` writes numbers the way these scenes show them (fixed decimals, a true minus sign:
:func:`llmfacts.formatting.format_fixed`); the helpers colour names by the role they play in the fact
(:mod:`llmfacts.colors`).
"""

from __future__ import annotations

from manim import MarkupText, Text

from llmfacts import colors
from llmfacts.compute.toy_mlp import AndGateRow, MLPTrace, ToyFact, ToyMLP
from llmfacts.formatting import format_fixed
from llmfacts.story import Int, StoryScene

__all__ = ["MlpFactScene"]

#: The default font size of the name helpers (:meth:`MlpFactScene.word`, :meth:`~MlpFactScene.markup`, ...).
FONT_SIZE = 26


class MlpFactScene(StoryScene):
    """Base of the MLP scenes (not a scene of the video by itself).

    Layout parameters (class attributes):

    * ``shown_rows``, ``shown_cols`` - most cells shown per matrix axis, ellipsis included (6 and 6);
    * ``decimals`` - digits after the decimal point of every number shown (2).

    :meth:`prepare` sets, from ``self.lecture``: ``self.mlp`` (the
    :class:`~llmfacts.compute.toy_mlp.ToyMLP`), ``self.fact``, ``self.trace`` (the full name through the
    block, ReLU) and ``self.gate_rows`` (how neuron 0 answers each of ``self.lecture.contrast_pairs()``).
    """

    shown_rows: int = 6
    shown_cols: int = 6
    decimals: int = 2
    parameter_rules = {"shown_rows": Int(3, 12), "shown_cols": Int(3, 12), "decimals": Int(0, 4)}

    # -- computation ------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.mlp: ToyMLP = self.lecture.toy_mlp()
        self.fact: ToyFact = self.lecture.fact
        self.trace: MLPTrace = self.lecture.trace()
        self.gate_rows: list[AndGateRow] = self.lecture.gate_table()

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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
