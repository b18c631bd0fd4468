"""The narration's voices: spoken forms, clips with sound and subtitles, pacing, the speech cache, offline.

Clips are rendered with espeak-ng (fast); one test runs the Piper voice, offline, in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import numpy as np
import pytest
from manim import Circle, Create, FadeIn, Square, tempconfig

from llmfacts import video, voice
from llmfacts.audio import TARGET_LUFS, integrated_loudness
from llmfacts.speech_text import decimal_words, number_words, ordinal_words, say_about, spoken_form
from llmfacts.story import BEAT_TAIL_SECONDS, StoryScene
from llmfacts.voice import EspeakVoice, Speech, get_voice, voice_credit

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------ spoken forms
@pytest.mark.parametrize(("shown", "said"), [
    ("W↑", "W up"),
    ("W↓ b↓", "W down b down"),
    ("GPT-3", "G P T three"),
    ("10,000", "ten thousand"),
    ("89°", "eighty-nine degrees"),
    ("±1°", "plus or minus one degree"),
    ("66.2%", "sixty-six point two percent"),
    ("1/√p", "one over the square root of p"),
    ("Row 0 of the 2nd MLP", "Row zero of the second M L P"),
    ("80–100 degrees", "eighty to one hundred degrees"),
    ("10⁹ pairs", "ten to the ninth pairs"),
    ("ε²/4", "epsilon squared over four"),
    ("a 20-D toy with 175B weights", "a twenty D toy with one hundred and seventy-five billion weights"),
    ("Values −0.5 and 3 - 2", "Values minus zero point five and three minus two"),
    ("a 12-dimensional toy", "a twelve-dimensional toy"),
])
def test_symbols_and_numbers_are_said_as_words(shown, said):
    assert spoken_form(shown) == said


def test_plain_words_are_left_alone_so_spoken_text_can_be_given_again():
    line = "The neuron fires, and the square fades in."
    assert spoken_form(line) == line
    assert spoken_form(spoken_form("W↑ has 12,288 rows.")) == spoken_form("W↑ has 12,288 rows.")


def test_numbers_read_as_a_person_reads_them():
    assert number_words(604) == "six hundred and four"
    assert number_words(1_001) == "one thousand and one"
    assert number_words(12_288) == "twelve thousand two hundred and eighty-eight"
    assert number_words(603_979_776) == ("six hundred and three million, nine hundred and seventy-nine thousand, "
                                         "seven hundred and seventy-six")
    assert number_words(-3) == "minus three"
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 20, 21, 100)] == [
        "first", "second", "third", "twelfth", "twentieth", "twenty-first", "one hundredth"]
    assert decimal_words("0.03") == "zero point zero three"
    assert say_about(603_979_776) == "about six hundred and four million"
    assert say_about(1_207_959_552) == "about one point two billion"
    assert say_about(10_000) == "ten thousand"


# ------------------------------------------------------------------------------------------ clips
class VoicedTiny(StoryScene):
    """Two beats: one shorter than its speech, one whose animation outlasts the speech."""

    steps = ("first", "second")
    record: dict = {}

    def first(self) -> None:
        with self.beat("Row 0 of W↑ lights up when the neuron fires.") as beat:
            self.play(Create(Circle()), run_time=0.5)
            beat.wait_until("fires")
            type(self).record["at_fires"] = self.time - beat.start
            type(self).record["fires"] = beat.time_of("fires")
            self.play(FadeIn(Square()), run_time=0.3)
        type(self).record["first"] = (self.time, beat.duration)

    def second(self) -> None:
        start = self.time
        with self.beat("Then it rests.") as beat:
            self.play(Create(Square().shift(2)), run_time=beat.duration + 2.0)
        type(self).record["second"] = (self.time - start, beat.duration)


def render(scene_class, media: Path) -> tuple[Path, Path]:
    options = {"media_dir": str(media), "pixel_width": 192, "pixel_height": 108, "frame_rate": 10,
               "disable_caching": True, "progress_bar": "none", "verbosity": "ERROR"}
    with tempconfig(options):
        scene = scene_class()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    return movie, movie.with_suffix(".srt")


@pytest.fixture()
def espeak_env(tmp_path, monkeypatch):
    monkeypatch.setenv(voice.VOICE_ENV, "espeak")
    monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(voice, "_VOICE_OBJECTS", {})
    return tmp_path


def check_cues(srt: Path) -> list:
    cues = video.parse_srt(srt.read_text(encoding="utf-8"))
    assert cues
    for start, end, content in cues:
        lines = content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
        assert 1.0 - 1e-3 <= end - start <= 7.0 + 1e-3
    return cues


def test_clip_speaks_every_beat_at_the_target_loudness_with_subtitles(espeak_env):
    VoicedTiny.record = {}
    movie, srt = render(VoicedTiny, espeak_env / "media")
    info = video.probe(movie)
    with av.open(str(movie)) as container:
        assert container.streams.audio and container.streams.audio[0].codec_context.name == "aac"
    sound = video.read_audio(movie)
    speech_total = VoicedTiny.record["first"][1] + VoicedTiny.record["second"][1]
    # the track covers the whole video (so joined clips stay in step) and so all of the speech
    assert sound.shape[1] / video.AUDIO_RATE >= info.duration - 0.05 >= speech_total
    assert abs(integrated_loudness(sound, video.AUDIO_RATE) - TARGET_LUFS) <= 1.0
    # sound where the beats speak: the first beat's speech is in the first part of the clip
    first_end = VoicedTiny.record["first"][1]
    rms = np.sqrt(np.mean(sound[:, : int(first_end * video.AUDIO_RATE)] ** 2))
    assert rms > 0.01
    cues = check_cues(srt)
    assert "W↑" in cues[0][2]  # subtitles show the symbols; the voice said "W up"
    assert get_voice().synthesized == 2

    # a second render synthesises nothing: every beat comes from the cache
    voice._VOICE_OBJECTS.clear()
    VoicedTiny.record = {}
    again, _ = render(VoicedTiny, espeak_env / "media2")
    assert get_voice().synthesized == 0
    assert video.read_audio(again).shape == sound.shape


def test_beat_lasts_the_longer_of_speech_and_animations_and_waits_for_words(espeak_env):
    from llmfacts.testing import dry_run

    VoicedTiny.record = {}
    total = dry_run(VoicedTiny)
    end_first, speech_first = VoicedTiny.record["first"]
    # the first beat's animations are shorter than its speech: it lasts the speech plus the breath
    assert end_first == pytest.approx(speech_first + BEAT_TAIL_SECONDS, abs=0.11)
    # wait_until: the square starts when the voice says "fires" (one frame of slack)
    assert VoicedTiny.record["at_fires"] == pytest.approx(VoicedTiny.record["fires"], abs=0.11)
    assert 0.5 < VoicedTiny.record["fires"] < speech_first
    # the second beat's animation outlasts its speech: it lasts the animation plus the breath
    length, speech_second = VoicedTiny.record["second"]
    assert length == pytest.approx(speech_second + 2.0 + BEAT_TAIL_SECONDS, abs=0.11)
    assert total == pytest.approx(end_first + length, abs=0.11)


def test_silent_voice_gives_a_silent_clip_with_subtitles(tmp_path, monkeypatch):
    monkeypatch.setenv(voice.VOICE_ENV, "none")
    monkeypatch.setattr(voice, "_VOICE_OBJECTS", {})
    VoicedTiny.record = {}
    movie, srt = render(VoicedTiny, tmp_path / "media")
    assert not video.has_audio(movie)
    cues = check_cues(srt)
    assert cues[0][2].replace("\n", " ") == "Row 0 of W↑ lights up when the neuron fires."


# ------------------------------------------------------------------------------------------ cache
def test_cache_is_hit_and_damaged_entries_are_synthesised_again(tmp_path):
    text = "The cache keeps 3 beats, said once."
    first = EspeakVoice(tmp_path)
    speech = first.speak(text)
    assert first.synthesized == 1 and Path(speech.audio).is_file()
    wav = Path(speech.audio)
    meta = wav.with_suffix(".json")
    good = wav.read_bytes()

    def again() -> tuple[EspeakVoice, Speech]:
        fresh = EspeakVoice(tmp_path)
        return fresh, fresh.speak(text)

    fresh, same = again()
    assert fresh.synthesized == 0 and same == speech
    # a cut-short WAV, a WAV with one byte changed (same length), a broken or missing JSON, a missing WAV
    damages = [
        lambda: wav.write_bytes(good[: len(good) // 2]),
        lambda: wav.write_bytes(good[:-100] + bytes([good[-100] ^ 0xFF]) + good[-99:]),
        lambda: meta.write_text("{not json"),
        lambda: meta.unlink(),
        lambda: wav.unlink(),
    ]
    for damage in damages:
        damage()
        fresh, rebuilt = again()
        assert fresh.synthesized == 1
        assert wav.read_bytes() == good and rebuilt.duration == speech.duration
    # written atomically: no temporary files are left beside the entries
    assert sorted(p.suffix for p in wav.parent.iterdir()) == [".json", ".wav"]
    # the key covers the text and the settings
    other = EspeakVoice(tmp_path)
    other.words_per_minute = 120
    assert other.cache_key(speech.spoken) != first.cache_key(speech.spoken)
    assert first.cache_key(speech.spoken) != first.cache_key(speech.spoken + " Again.")


# ------------------------------------------------------------------------------------------ offline, Piper
_OFFLINE_SCRIPT = textwrap.dedent("""
    import json, socket, sys
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    import numpy as np
    from llmfacts.audio import normalize_loudness, read_wav
    from llmfacts.voice import PiperVoice, EspeakVoice
    out = {}
    for name, cls in (("espeak", EspeakVoice), ("piper", PiperVoice)):
        v = cls(sys.argv[1])
        s = v.speak("Row 0 fires. Then the square fades.")
        stored, _ = read_wav(s.audio)
        again, rate, words = v.synthesize(s.spoken)  # a second synthesis gives the same sound
        same = len(again) == len(stored) and np.max(np.abs(normalize_loudness(again, rate) - stored)) < 1e-3
        out[name] = {"duration": s.duration, "audio": s.audio, "words": s.words, "rate": rate, "same": bool(same),
                     "same_words": [[a, round(b, 4), round(c, 4)] for a, b, c in words] == [list(w) for w in s.words],
                     "then": s.time_of("then"), "fires": s.time_of("fires"), "zero": s.time_of("row 0")}
    print(json.dumps(out))
""")


def test_voices_synthesise_offline_and_piper_is_deterministic_and_timed(tmp_path):
    command = [sys.executable, "-c", _OFFLINE_SCRIPT, str(tmp_path / "cache")]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "-r", "true"], capture_output=True).returncode == 0:
        command = ["unshare", "-n", "-r", *command]  # no network at all, not just a guarded socket
    env = dict(os.environ, PYTHONPATH=str(ROOT), LLMFACTS_VOICE_THREADS="1")
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    from llmfacts.audio import read_wav

    for name in ("espeak", "piper"):
        data = out[name]
        assert data["same"] and data["same_words"], f"{name} is not deterministic"
        assert [w for w, _, _ in data["words"]] == ["row", "zero", "fires", "then", "the", "square", "fades"]
        assert 0 <= data["zero"] < data["fires"] < data["then"] < data["duration"]
        # independent check of the word times against the sound: silence in the pause between the
        # sentences, voice in the first 0.2 s of "then"
        samples, rate = read_wav(data["audio"])
        fires_end = data["words"][2][2]
        then = data["then"]
        gap = samples[int((fires_end + 0.05) * rate) : int((then - 0.05) * rate)]
        speech = samples[int(then * rate) : int((then + 0.2) * rate)]
        assert then - fires_end >= 0.25, name
        assert np.sqrt(np.mean(gap**2)) < 0.02 < np.sqrt(np.mean(speech**2)), name


# ------------------------------------------------------------------------------------------ choice, credit
def test_voice_choice_and_credit(monkeypatch):
    monkeypatch.setattr(voice, "_VOICE_OBJECTS", {})
    monkeypatch.delenv(voice.VOICE_ENV, raising=False)
    assert voice.DEFAULT_VOICE == "piper" and voice.VOICES == ("piper", "espeak", "none")
    with pytest.raises(ValueError, match="unknown voice 'loud'; use one of: piper, espeak, none"):
        get_voice("loud")
    assert get_voice("none").speak("A 1 second pause.").audio is None
    assert "en_US-joe-medium" in voice_credit("piper") and "CC0" in voice_credit("piper")
    assert voice_credit() == voice_credit("piper") and voice_credit("none") == ""


def test_manim_voiceover_service_gives_bookmarks_word_times(tmp_path, monkeypatch):
    monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(voice, "_VOICE_OBJECTS", {})
    from manim_voiceover.tracker import AUDIO_OFFSET_RESOLUTION

    from llmfacts.voiceover import PiperService

    service = PiperService(voice="espeak", cache_dir=str(tmp_path / "voiceovers"))
    text = "We count 10,000 rows, <bookmark mark='A'/>then the neuron fires."
    data = service._wrap_generate_from_text(text)
    assert (tmp_path / "voiceovers" / data["final_audio"]).is_file()
    speech = get_voice("espeak").speak("We count 10,000 rows, then the neuron fires.")
    bounds = {b["text"]: b for b in data["word_boundaries"]}
    plain = "We count 10,000 rows, then the neuron fires."
    assert bounds["then"]["text_offset"] == plain.index("then")
    assert bounds["then"]["audio_offset"] == round(speech.time_of("then") * AUDIO_OFFSET_RESOLUTION)
    assert bounds["rows,"]["audio_offset"] == round(speech.time_of("rows") * AUDIO_OFFSET_RESOLUTION)
