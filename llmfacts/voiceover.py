"""The project's voices as a manim-voiceover speech service, for lecturers who write ``VoiceoverScene``\\ s.

The project's own scenes pace themselves with :meth:`llmfacts.story.StoryScene.beat`; a lecturer who
prefers manim-voiceover's idiom gets the same offline voices, cache and word timings (so bookmarks work
without any speech recogniser)::

    from manim import Circle, Create
    from manim_voiceover import VoiceoverScene
    from llmfacts.voiceover import PiperService

    class Talk(VoiceoverScene):
        def construct(self):
            self.set_speech_service(PiperService())            # or PiperService(voice="espeak")
            with self.voiceover(text="A circle <bookmark mark='now'/>appears.") as tracker:
                self.wait_until_bookmark("now")
                self.play(Create(Circle()), run_time=tracker.get_remaining_duration())

What is said is :func:`llmfacts.speech_text.spoken_form` of the text (bookmarks removed), as in a beat.
Neither manim-voiceover's Whisper transcription nor its extras installer is used (both reach the network).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from manim_voiceover.helper import remove_bookmarks
from manim_voiceover.services.base import SpeechService, initialize_speech_service
from manim_voiceover.tracker import AUDIO_OFFSET_RESOLUTION

from llmfacts.speech_text import spoken_form, spoken_tokens
from llmfacts.voice import get_voice

__all__ = ["PiperService", "word_boundaries"]


def word_boundaries(text: str, words: tuple[tuple[str, float, float], ...]) -> list[dict[str, Any]]:
    """manim-voiceover's word boundaries for ``text`` (as written) said as ``words`` (``(spoken word,
    start, end)``): each written word's character offset in ``text`` and the time its first spoken word
    starts. A written word is matched to as many spoken words as its own spoken form has ("10,000" to
    "ten thousand"); if the counts disagree overall (an explicit spoken text), in proportion."""
    written = [(m.start(), m.group(0)) for m in re.finditer(r"\S+", text)]
    counts = [len(spoken_tokens(spoken_form(w))) for _, w in written]
    total, n = sum(counts), len(words)
    out, cum = [], 0
    for (offset, word), count in zip(written, counts):
        if count == 0 or n == 0:
            cum += count
            continue
        index = cum if total == n else min(n - 1, round(cum * n / max(1, total)))
        out.append({"audio_offset": round(words[index][1] * AUDIO_OFFSET_RESOLUTION), "text_offset": offset,
                    "word_length": len(word), "text": word, "boundary_type": "Word"})
        cum += count
    return out


class PiperService(SpeechService):
    """A manim-voiceover ``SpeechService`` speaking with :func:`llmfacts.voice.get_voice` (``voice=``
    ``"piper"`` by default, ``"espeak"``); audio comes from the project's speech cache and is copied into
    the service's ``cache_dir`` (manim-voiceover's media folder by default)."""

    def __init__(self, voice: str | Any = "piper", **kwargs: Any) -> None:
        self.voice = get_voice(voice) if isinstance(voice, str) else voice
        if getattr(self.voice, "name", "") == "none":
            raise ValueError("PiperService needs a voice that speaks ('piper' or 'espeak'), not 'none'")
        kwargs.pop("transcription_model", None)  # Whisper would download a model: never
        initialize_speech_service(self, kwargs)

    def generate_from_text(self, text: str, cache_dir: str | os.PathLike | None = None,
                           path: str | os.PathLike | None = None, **kwargs: Any) -> dict[str, Any]:
        folder = Path(cache_dir if cache_dir is not None else self.cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        plain = remove_bookmarks(text)
        speech = self.voice.speak(plain)
        if speech.audio is None:
            raise ValueError(f"nothing to say in {text!r}")
        name = str(path) if path is not None else Path(speech.audio).name
        target = folder / name
        if not target.is_file() or target.stat().st_size != Path(speech.audio).stat().st_size:
            tmp = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(speech.audio, tmp)
            os.replace(tmp, target)
        return {
            "input_text": text,
            "input_data": {"input_text": text, "service": f"llmfacts-{self.voice.name}"},
            "original_audio": name,
            "word_boundaries": word_boundaries(plain, speech.words),
        }
