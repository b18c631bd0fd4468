"""Test helpers for scenes: render key frames fast and compare them with stored control frames.

A key frame is the frame at the end of each step of a :class:`~llmfacts.story.StoryScene`. Rendering
them skips every animation (as ``manim -s`` does) at a small resolution, so a whole scene takes seconds.
Control frames are PNG files made on the same kind of machine; :func:`compare_frames` tolerates the tiny
differences of anti-aliasing but not a moved, missing or changed mobject.

Example (in a lecturer's own test suite)::

    from llmfacts.testing import render_keyframes
    from scenes.relu import ReluGate

    frames = render_keyframes(ReluGate)
    assert [name for name, _ in frames] == list(ReluGate.steps)
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["render_keyframes", "dry_run", "prepared_scene", "FrameDiff", "compare_frames", "load_png",
           "KEYFRAME_CONFIG"]

#: Resolution and settings of key frames rendered in tests.
KEYFRAME_CONFIG = {
    "pixel_width": 480,
    "pixel_height": 270,
    "frame_rate": 15,
    "write_to_movie": False,
    "save_last_frame": False,
    "skip_animations": True,
    "disable_caching": True,
    "verbosity": "WARNING",
    "progress_bar": "none",
}


def render_keyframes(scene_class, *, media_dir: str | Path | None = None, **config) -> list[tuple[str, np.ndarray]]:
    """Run ``scene_class`` with animations skipped and return ``(step, frame)`` after every step."""
    from manim import tempconfig

    with tempfile.TemporaryDirectory() as tmp:
        options = {**KEYFRAME_CONFIG, "media_dir": str(media_dir or tmp), **config}
        with tempconfig(options):
            scene = scene_class()
            scene.keyframe_sink = []
            scene.render()
            return list(scene.keyframe_sink)


def dry_run(scene_class, *, media_dir: str | Path | None = None, **config) -> float:
    """Run the scene's construct without drawing a frame; returns its duration in seconds."""
    from manim import tempconfig

    with tempfile.TemporaryDirectory() as tmp:
        options = {**KEYFRAME_CONFIG, "dry_run": True, "skip_animations": False,
                   "media_dir": str(media_dir or tmp), **config}
        with tempconfig(options):
            scene = scene_class()
            scene.render()
            return float(scene.time)


def prepared_scene(scene_class, **overrides):
    """An instance of ``scene_class`` (class attributes optionally overridden, ``lecture=`` included) after
    only its ``resolve()`` (lecture and parameter checks) and ``prepare()``.

    No renderer is made and nothing is drawn: for checking the numbers a scene computes before it animates.
    """
    if overrides:
        scene_class = type(f"Custom{scene_class.__name__}", (scene_class,), overrides)
    scene = scene_class.__new__(scene_class)
    scene.resolve()
    scene.prepare()
    return scene


@dataclass(frozen=True)
class FrameDiff:
    """How two frames differ."""

    mean_abs: float  #: mean absolute difference over all pixels and channels (0-255)
    changed_share: float  #: share of pixels where some channel differs by more than the threshold
    shape_matches: bool

    def acceptable(self, *, max_mean_abs: float = 1.5, max_changed_share: float = 0.003) -> bool:
        return self.shape_matches and self.mean_abs <= max_mean_abs and self.changed_share <= max_changed_share


def compare_frames(actual: np.ndarray, expected: np.ndarray, *, threshold: int = 40) -> FrameDiff:
    """Compare two RGB frames."""
    if actual.shape != expected.shape:
        return FrameDiff(float("inf"), 1.0, False)
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    return FrameDiff(float(diff.mean()), float((diff.max(axis=2) > threshold).mean()), True)


def load_png(path: str | Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.array(image.convert("RGB"))
