"""The scenes of the video in story order.

This is plain data (it imports neither manim nor the scenes), so ``render.py list`` and name lookups are
instant. Each entry names the scene class, the module that defines it, a one-line summary and short
aliases accepted on the command line (matched case-insensitively, like the class name).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SceneEntry", "STORY", "REPO_ROOT", "find_scene", "UnknownSceneError"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SceneEntry:
    """One scene of the video."""

    name: str  #: the scene class name
    module: str  #: dotted module path, e.g. ``"scenes.relu"``
    summary: str  #: what the scene shows, in one line
    aliases: tuple[str, ...] = field(default=())

    @property
    def path(self) -> Path:
        """The scene's source file."""
        return REPO_ROOT / (self.module.replace(".", "/") + ".py")

    def names(self) -> tuple[str, ...]:
        """Every lower-case name this scene answers to."""
        return (self.name.lower(), *(a.lower() for a in self.aliases))


STORY: tuple[SceneEntry, ...] = (
    SceneEntry("ColdOpen", "scenes.cold_open",
               "The prompt 'Michael Jordan plays the sport of ___', the toy model's guess, and where facts live",
               ("cold", "open", "intro")),
    SceneEntry("TransformerRefresher", "scenes.refresher",
               "Text -> tokens -> vectors; attention and MLP blocks alternate with norms; the last vector predicts",
               ("refresher", "transformer", "flow")),
    SceneEntry("MeaningDirections", "scenes.directions",
               "Directions carry meaning; the toy assumptions (Michael, Jordan, basketball)",
               ("directions", "assumptions")),
    SceneEntry("InsideTheMlp", "scenes.inside_mlp",
               "One vector through Linear -> ReLU -> Linear, plus the residual; all tokens in parallel",
               ("mlp", "inside")),
    SceneEntry("UpProjection", "scenes.up_projection",
               "W_up times E read row by row as dot products, with running sums",
               ("mlpup", "up", "wup", "rows")),
    SceneEntry("BiasShift", "scenes.bias",
               "The bias -1: only the full name stays positive (one-name pairs land at 0 or below)",
               ("bias",)),
    SceneEntry("ReluGate", "scenes.relu",
               "ReLU as an AND gate (Michael Jordan, Michael Phelps, Alexis Jordan), GELU beside it",
               ("relu", "gelu", "and")),
    SceneEntry("DownProjection", "scenes.down_projection",
               "W_down read column by column: rescaled columns add up to basketball",
               ("mlpdown", "down", "wdown", "columns")),
    SceneEntry("ResidualAdd", "scenes.residual",
               "E + MLP(E): Michael, Jordan and now basketball; every token through the block at once",
               ("residual", "add")),
    SceneEntry("ParameterTally", "scenes.parameter_tally",
               "GPT-3's parameters counted from a PyTorch module: the MLPs hold about two thirds",
               ("tally", "params", "gpt3")),
    SceneEntry("WhatTheToyShows", "scenes.toy_caveats",
               "What the toy example does and does not say about real networks",
               ("caveats", "toy")),
    SceneEntry("NearlyPerpendicular", "scenes.superposition_intro",
               "Only N perpendicular directions fit in N-D; a 1-degree slack barely helps in 100-D; the growth's fine print",
               ("superposition", "perpendicular")),
    SceneEntry("PerpendicularityExperiment", "scenes.experiment",
               "10,000 random 100-D vectors optimised: the angle histogram, its real extremes and the bound",
               ("experiment", "histogram", "optimise", "optimize")),
    SceneEntry("DimensionGrowth", "scenes.dimension_growth",
               "How many nearly perpendicular vectors fit as the dimension grows, stated right",
               ("growth", "dimensions", "jl")),
    SceneEntry("FeaturesOutro", "scenes.outro",
               "Features as combinations of neurons; 'sparse autoencoder'; the end",
               ("outro", "features", "sae")),
)


class UnknownSceneError(LookupError):
    """Raised for a scene name that matches nothing; its message suggests the closest names."""


def find_scene(name: str, story: tuple[SceneEntry, ...] = STORY) -> SceneEntry:
    """The entry whose class name or alias equals ``name`` (case-insensitive)."""
    key = name.strip().lower()
    for entry in story:
        if key in entry.names():
            return entry
    by_key = {n: e.name for e in story for n in e.names()}
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(by_key[c] for c in close))
    if not suggestions:  # try substrings, e.g. 'up' inside 'upprojection'
        suggestions = [e.name for e in story if key and any(key in n for n in e.names())][:3]
    message = f"unknown scene {name!r}"
    if suggestions:
        message += "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
    else:
        message += "; run 'render.py list' to see the scenes"
    raise UnknownSceneError(message)
