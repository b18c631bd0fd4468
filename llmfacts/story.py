"""Base class for the video's scenes: a scene is a storyboard of short named beats.

A :class:`StoryScene` lists its steps by name in :attr:`StoryScene.steps`; ``construct`` runs them in order,
each as its own ManimCE section (so ``manim render --save_sections`` gives one clip per beat) and, when
the scene is turned into slides, its own slide.

**One pacing idiom.** A beat runs its narration and its animations together and lasts as long as the
longer of the two, in the style of manim-voiceover's ``with self.voiceover(text=...)``::

    with self.beat("Row zero of W-up asks: is the first name here?") as beat:
        self.play(Create(rows[0]))
        beat.wait_until("asks")          # the next animation starts when the voice says "asks"
        self.play(Indicate(rows[0]))
    # here the scene waits until the speech has ended (plus a short breath), if it has not already

The narration is spoken by the active voice (:mod:`llmfacts.voice`; silent by default in tests, where a
beat lasts its reading time) and attached as subtitles.

**What the video is about** is one object, :class:`~llmfacts.compute.lecture.Lecture`, read as
``self.lecture``: the active lecture of the process (``render.py --lecture``), or the class attribute
``lecture`` of a subclass. The older way of telling another fact still works: a subclass that sets
``first_name``, ``last_name``, ``attribute``, ``d_model``, ... as class attributes gets a lecture with
those values (:data:`LECTURE_ATTRIBUTES`)::

    from scenes.relu import ReluGate

    class SerenaReluGate(ReluGate):
        first_name, last_name, attribute = "Serena", "Williams", "tennis"

**Layout parameters** (rows shown, sizes, timings) stay class attributes; a scene lists their allowed
values in :attr:`StoryScene.parameter_rules`, and a bad value stops the scene before anything is drawn
with one line naming the attribute.

Example of a story scene::

    from manim import Circle, Create
    from llmfacts.story import StoryScene

    class Demo(StoryScene):
        steps = ("draw_circle",)

        def draw_circle(self):
            with self.beat("A circle appears."):
                self.play(Create(Circle()))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
from manim import Scene, ThreeDScene

import llmfacts.style  # noqa: F401  (registers the video's typeface as Text's default)
from llmfacts.compute.lecture import Lecture, LectureError, active_lecture, check_float, check_int

__all__ = ["StoryScene", "ThreeDStoryScene", "Beat", "reading_time", "LECTURE_ATTRIBUTES", "Int", "Float",
           "SceneParameterError"]

WORDS_PER_SECOND = 2.6  # comfortable narration pace
MIN_CAPTION_SECONDS = 1.5
BEAT_TAIL_SECONDS = 0.4  # a breath after the speech of a beat


def reading_time(text: str) -> float:
    """Seconds a viewer needs to read ``text`` at a narration pace."""
    return max(MIN_CAPTION_SECONDS, len(text.split()) / WORDS_PER_SECOND)


#: Class attributes that older subclasses set to tell another fact -> the lecture field they change.
LECTURE_ATTRIBUTES: dict[str, tuple[str, str | None]] = {
    "first_name": ("fact", "first_name"),
    "last_name": ("fact", "last_name"),
    "attribute": ("fact", "attribute"),
    "prompt_tail": ("prompt_words", None),
    "other_words": ("prompt_words", None),
    "d_model": ("toy", "d_model"),
    "hidden_factor": ("toy", "hidden_factor"),
    "up_bias": ("toy", "up_bias"),
    "seed": ("toy", "seed"),
    "overlap": ("toy", "overlap"),
    "hp": ("transformer", None),
}


class SceneParameterError(LectureError):
    """A scene's layout parameter with a value it cannot lay out (one line: class, attribute, allowed)."""


class Int:
    """Rule for an integer layout parameter: ``Int(1, 12)``; ``optional=True`` also allows ``None``."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None, *, optional: bool = False):
        self.minimum, self.maximum, self.optional = minimum, maximum, optional

    def check(self, where: str, value: Any) -> None:
        if value is None and self.optional:
            return
        check_int(where, value, minimum=self.minimum, maximum=self.maximum)


class Float:
    """Rule for a number layout parameter: ``Float(0.1, 10)``; ``positive=True`` for ``> 0``."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None, *, positive: bool = False,
                 optional: bool = False):
        self.minimum, self.maximum, self.positive, self.optional = minimum, maximum, positive, optional

    def check(self, where: str, value: Any) -> None:
        if value is None and self.optional:
            return
        minimum = 0.0 if self.positive and self.minimum is None else self.minimum
        check_float(where, value, minimum=minimum, maximum=self.maximum, exclusive_minimum=self.positive)


class Beat:
    """The beat in progress: its speech and when it started (see :meth:`StoryScene.beat`)."""

    def __init__(self, scene: StoryScene, speech: Any, start: float):
        self.scene, self.speech, self.start = scene, speech, start

    @property
    def duration(self) -> float:
        """Seconds of speech of this beat."""
        return float(self.speech.duration)

    @property
    def elapsed(self) -> float:
        return self.scene.time - self.start

    @property
    def remaining(self) -> float:
        """Seconds of speech still to come."""
        return max(0.0, self.duration - self.elapsed)

    def time_of(self, words: str) -> float:
        """Seconds into the beat at which the voice starts saying ``words`` (case-insensitive)."""
        return float(self.speech.time_of(words))

    def wait_until(self, words: str) -> None:
        """Wait until the voice starts saying ``words`` (no wait if that moment has passed)."""
        delay = self.time_of(words) - self.elapsed
        if delay > 1e-3:
            self.scene.wait(delay)

    def fit(self, share: float = 1.0, at_least: float = 0.5) -> float:
        """A run time that fills ``share`` of the speech still to come (at least ``at_least`` seconds)."""
        return max(at_least, self.remaining * share)


class StoryScene(Scene):
    """A scene made of named steps; each step is one section (and one slide).

    Class attributes (override in subclasses):

    * ``steps`` - names of the methods to run, in order; each becomes a section.
    * ``lecture`` - what the video is about (``None``: the process's active lecture).
    * ``parameter_rules`` - ``{attribute: Int(...) | Float(...)}`` checked before anything is drawn.
    """

    steps: tuple[str, ...] = ()
    summary: str = ""
    lecture: ClassVar[Lecture | None] = None
    parameter_rules: ClassVar[dict[str, Any]] = {}

    #: When set to a list, ``construct`` appends ``(step name, RGB frame)`` after every step: the key
    #: frames that tests compare with stored control frames (see :mod:`llmfacts.testing`).
    keyframe_sink: list | None = None
    #: Callables ``(scene, step)`` run after every step (the layout checks of the tests use this).
    step_observers: list[Callable[[StoryScene, str], None]] | None = None

    # -- summary ------------------------------------------------------------------------------------------
    @classmethod
    def describe(cls, lecture: Lecture) -> str:
        """One line: what the scene shows for ``lecture`` (``render.py list`` prints it). Scenes override
        this to build the line from the lecture; the default is ``summary`` or the docstring's first line."""
        return cls.summary or (cls.__doc__ or cls.__name__).strip().splitlines()[0]

    # -- set-up -------------------------------------------------------------------------------------------
    def resolve(self) -> None:
        """Fix ``self.lecture`` and check the layout parameters (called before :meth:`prepare`)."""
        self.lecture = self.resolve_lecture()
        self.check_parameters()

    @classmethod
    def resolve_lecture(cls) -> Lecture:
        """The lecture this class tells: its own ``lecture`` or the active one, with the values of any
        :data:`LECTURE_ATTRIBUTES` a subclass sets."""
        base = cls.lecture if isinstance(cls.lecture, Lecture) else active_lecture()
        changes: dict[str, Any] = {}
        for attribute, (part, name) in LECTURE_ATTRIBUTES.items():
            value = getattr(cls, attribute, None)
            if value is None:
                continue
            if name is None:
                changes[part] = tuple(value) if part == "prompt_words" else value
            else:
                changes.setdefault(part, {})[name] = value
        if not changes:
            return base
        if "fact" in changes:
            fact = base.fact
            changes["fact"] = type(fact)(**{**{k: getattr(fact, k) for k in ("first_name", "last_name", "attribute")},
                                            **changes["fact"]})
        try:
            return base.replace(**changes)
        except LectureError as error:
            raise SceneParameterError(f"{cls.__name__}: {error}") from None

    def check_parameters(self) -> None:
        for attribute, rule in type(self).parameter_rules.items():
            try:
                rule.check(f"{type(self).__name__}.{attribute}", getattr(self, attribute))
            except LectureError as error:
                raise SceneParameterError(str(error)) from None

    def construct(self) -> None:
        self.resolve()
        self.prepare()
        for step in self.steps:
            self.begin_step(step)
            getattr(self, step)()
            for observer in self.step_observers or ():
                observer(self, step)
            if self.keyframe_sink is not None:
                self.keyframe_sink.append((step, self.capture_frame()))
        self.end_story()
        self._sound_to_the_end()

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
    @property
    def voice(self):
        """The voice that speaks the narration (:func:`llmfacts.voice.get_voice`: ``$LLMFACTS_VOICE``, else
        the Piper voice)."""
        if getattr(self, "_voice", None) is None:
            from llmfacts.voice import get_voice

            self._voice = get_voice()
        return self._voice

    @contextlib.contextmanager
    def beat(self, text: str, *, spoken: str | None = None, tail: float = BEAT_TAIL_SECONDS) -> Iterator[Beat]:
        """Speak ``text`` (subtitled as written; ``spoken`` is what the voice says, if it differs; either way
        symbols and numbers are said as words, see :func:`llmfacts.speech_text.spoken_form`) while the
        body's animations play; on leaving, wait until the speech is over plus ``tail`` seconds."""
        speech = self.voice.speak(text, spoken=spoken)
        start = self.time
        self.narrate(text, speech=speech)
        beat = Beat(self, speech, start)
        yield beat
        remaining = beat.remaining + tail
        if remaining > 1e-3:
            self.wait(remaining)

    def pause(self, seconds: float = 1.0) -> None:
        """A deliberate silence between beats (a beat that asks for one)."""
        self.wait(seconds)

    def narrate(self, text: str, duration: float | None = None, *, speech: Any = None) -> float:
        """Start ``text`` now: its audio (when the voice speaks) and its subtitle cues; returns the seconds
        it lasts (at least ``duration``, when given). Prefer :meth:`beat`, which also paces the animations."""
        if speech is None:
            speech = self.voice.speak(text)
        audio = getattr(speech, "audio", None)
        if audio is not None:
            self.add_sound(str(audio))
        for offset, end, line in speech.cues():
            self.add_subcaption(line, duration=end - offset, offset=offset)
        return max(float(speech.duration), duration or 0.0)

    def _sound_to_the_end(self) -> None:
        """When the scene has sound, make its track as long as the video (silence after the last words), so
        that clips joined end to end keep their sound in step."""
        writer = getattr(self.renderer, "file_writer", None)
        if writer is None or not getattr(writer, "includes_sound", False):
            return
        from pydub import AudioSegment

        writer.add_audio_segment(AudioSegment.silent(0), time=self.time)


class ThreeDStoryScene(StoryScene, ThreeDScene):
    """A :class:`StoryScene` in 3-D space: ManimCE's ``ThreeDScene`` (a camera that turns with
    ``move_camera`` / ``begin_ambient_camera_rotation``). Texts and charts that belong to the screen, not to
    the space, go in with ``add_fixed_in_frame_mobjects`` so they stay upright and where the layout
    check expects them."""
