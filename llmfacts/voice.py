"""Voices that speak the narration of a beat (:meth:`llmfacts.story.StoryScene.beat`).

A voice turns a beat's text into a :class:`Speech`: its duration, its audio file (``None`` when silent),
the time each spoken word starts, and the subtitle cues. :func:`get_voice` picks the voice named by the
environment variable :data:`VOICE_ENV` (``render.py --voice``).

Only the silent voice exists so far: its speech lasts the text's reading time and has no audio.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["Speech", "SilentVoice", "get_voice", "VOICE_ENV", "VOICES"]

#: Environment variable naming the voice (``none``; ``render.py --voice`` sets it).
VOICE_ENV = "LLMFACTS_VOICE"
VOICES = ("none",)


@dataclass(frozen=True)
class Speech:
    """One beat's narration as spoken."""

    text: str  #: what the subtitles show
    spoken: str  #: what the voice says
    duration: float  #: seconds
    audio: str | None  #: path of the audio file, or None when silent
    words: tuple[tuple[str, float, float], ...]  #: (spoken word, start, end) in seconds

    def time_of(self, words: str) -> float:
        """Seconds at which the voice starts saying ``words`` (a word or a phrase, case-insensitive)."""
        wanted = _tokens(words)
        spoken = [_tokens(w)[0] if _tokens(w) else "" for w, _, _ in self.words]
        for k in range(len(spoken) - len(wanted) + 1):
            if spoken[k : k + len(wanted)] == wanted:
                return self.words[k][1]
        raise ValueError(f"{words!r} is not said in: {self.spoken!r}")

    def cues(self) -> list[tuple[float, float, str]]:
        """Subtitle cues ``(start, end, text)`` in seconds from the start of the beat."""
        return [(0.0, self.duration, self.text)]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


class SilentVoice:
    """No sound: a beat lasts the time a viewer needs to read its text; words are spread evenly over it."""

    name = "none"

    def speak(self, text: str, spoken: str | None = None) -> Speech:
        from llmfacts.story import reading_time

        said = spoken or text
        duration = reading_time(text)
        words = said.split()
        step = duration / max(1, len(words))
        timed = tuple((w, k * step, (k + 1) * step) for k, w in enumerate(words))
        return Speech(text=text, spoken=said, duration=duration, audio=None, words=timed)


def get_voice(name: str | None = None):
    """The voice called ``name`` (default: :data:`VOICE_ENV`, else ``none``)."""
    name = (name or os.environ.get(VOICE_ENV) or "none").strip().lower()
    if name == "none":
        return SilentVoice()
    raise ValueError(f"unknown voice {name!r}; use one of: {', '.join(VOICES)}")
