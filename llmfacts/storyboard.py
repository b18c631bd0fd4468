"""The scenes of the video in story order: the storyboard is this list of scene classes.

Each entry names a scene class by its module and class name (so name lookups and the render pipeline do
not import manim) plus short aliases accepted on the command line (matched case-insensitively, like the
class name). :meth:`SceneEntry.scene_class` imports the class; :meth:`SceneEntry.describe` asks the class
for its one-line summary for a lecture (one source: the class builds it from the lecture), which
``render.py list`` prints.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SceneEntry", "STORY", "REPO_ROOT", "find_scene", "scene_classes", "UnknownSceneError"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SceneEntry:
    """One scene of the video."""

    name: str  #: the scene class name
    module: str  #: dotted module path, e.g. ``"scenes.relu"``
    aliases: tuple[str, ...] = field(default=())

    def scene_class(self) -> type:
        """The scene class itself (imports its module, and manim)."""
        import importlib

        return getattr(importlib.import_module(self.module), self.name)

    def describe(self, lecture=None) -> str:
        """What the scene shows for ``lecture`` (default: the active lecture), in one line, from its class."""
        if lecture is None:
            from llmfacts.compute.lecture import active_lecture

            lecture = active_lecture()
        return self.scene_class().describe(lecture)

    @property
    def path(self) -> Path:
        """The scene's source file."""
        return REPO_ROOT / (self.module.replace(".", "/") + ".py")

    def names(self) -> tuple[str, ...]:
        """Every lower-case name this scene answers to."""
        return (self.name.lower(), *(a.lower() for a in self.aliases))


STORY: tuple[SceneEntry, ...] = (
    SceneEntry("ColdOpen", "scenes.cold_open", ("cold", "open", "intro")),
    SceneEntry("TransformerRefresher", "scenes.refresher", ("refresher", "transformer", "flow")),
    SceneEntry("MeaningDirections", "scenes.directions", ("directions", "assumptions")),
    SceneEntry("InsideTheMlp", "scenes.inside_mlp", ("mlp", "inside")),
    SceneEntry("UpProjection", "scenes.up_projection", ("mlpup", "up", "wup", "rows")),
    SceneEntry("BiasShift", "scenes.bias", ("bias",)),
    SceneEntry("ReluGate", "scenes.relu", ("relu", "gelu", "and")),
    SceneEntry("DownProjection", "scenes.down_projection", ("mlpdown", "down", "wdown", "columns")),
    SceneEntry("ResidualAdd", "scenes.residual", ("residual", "add")),
    SceneEntry("ParameterTally", "scenes.parameter_tally", ("tally", "params", "gpt3")),
    SceneEntry("WhatTheToyShows", "scenes.toy_caveats", ("caveats", "toy")),
    SceneEntry("NearlyPerpendicular", "scenes.superposition_intro", ("superposition", "perpendicular")),
    SceneEntry("PerpendicularityExperiment", "scenes.experiment", ("experiment", "histogram", "optimise", "optimize")),
    SceneEntry("DimensionGrowth", "scenes.dimension_growth", ("growth", "dimensions", "jl")),
    SceneEntry("FeaturesOutro", "scenes.outro", ("outro", "features", "sae")),
)


def scene_classes(story: tuple[SceneEntry, ...] = STORY) -> list[type]:
    """The scene classes of the story, in order."""
    return [entry.scene_class() for entry in story]


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
