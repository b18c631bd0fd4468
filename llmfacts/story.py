"""Base class for the video's scenes: a scene is a storyboard of short named steps.

A :class:`StoryScene` lists its steps by name in :attr:`StoryScene.steps`; ``construct`` runs them in order,
each as its own ManimCE section (so ``manim render --save_sections`` gives one clip per beat) and, when
the scene is turned into slides, its own slide. Narration is attached as subtitles with :meth:`narrate`.

Content parameters are plain class attributes, so a lecturer changes a scene by subclassing it::

    from scenes.relu import ReluGate

    class SerenaReluGate(ReluGate):
        first_name, last_name, attribute = "Serena", "Williams", "tennis"

Example of a story scene::

    from manim import Circle, Create
    from llmfacts.story import StoryScene

    class Demo(StoryScene):
        steps = ("draw_circle", "hold")

        def draw_circle(self):
            self.narrate("A circle appears.")
            self.play(Create(Circle()))

        def hold(self):
            self.wait()
"""

from __future__ import annotations

import numpy as np
from manim import Scene

__all__ = ["StoryScene", "reading_time"]

WORDS_PER_SECOND = 2.6  # comfortable narration pace
MIN_CAPTION_SECONDS = 1.5


def reading_time(text: str) -> float:
    """Seconds a viewer needs to read ``text`` at a narration pace."""
    return max(MIN_CAPTION_SECONDS, len(text.split()) / WORDS_PER_SECOND)


class StoryScene(Scene):
    """A scene made of named steps; each step is one section (and one slide).

    Class attributes (override in subclasses):

    * ``steps`` - names of the methods to run, in order; each becomes a section.
    * ``summary`` - one line: what the scene shows (``render.py list`` prints it).
    """

    steps: tuple[str, ...] = ()
    summary: str = ""

    #: When set to a list, ``construct`` appends ``(step name, RGB frame)`` after every step: the key
    #: frames that tests compare with stored control frames (see :mod:`llmfacts.testing`).
    keyframe_sink: list | None = None

    def construct(self) -> None:
        self.prepare()
        for step in self.steps:
            self.begin_step(step)
            getattr(self, step)()
            if self.keyframe_sink is not None:
                self.keyframe_sink.append((step, self.capture_frame()))
        self.end_story()

    def capture_frame(self) -> np.ndarray:
        """The frame as it stands now, as an (H, W, 3) uint8 array (works while animations are skipped)."""
        self.renderer.update_frame(self, ignore_skipping=True)
        return np.array(self.renderer.get_frame())[:, :, :3].copy()

    # -- hooks --------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Compute the numbers the scene shows (called once, before the first step)."""

    def begin_step(self, step: str) -> None:
        """Start a new beat: a new section (slides subclasses also start a new slide here)."""
        self.next_section(step)

    def end_story(self) -> None:
        """Called after the last step."""

    # -- narration ----------------------------------------------------------------------------------------
    def narrate(self, text: str, duration: float | None = None) -> float:
        """Attach ``text`` as a subtitle starting now; returns its duration in seconds.

        The duration defaults to :func:`reading_time`. Steps usually follow a ``narrate`` call with
        animations and waits whose total run time covers the returned duration.
        """
        seconds = reading_time(text) if duration is None else duration
        self.add_subcaption(text, duration=seconds)
        return seconds
