"""Sound for the narration: loudness (ITU-R BS.1770), normalisation, mono 16-bit WAV files.

Every beat's speech is brought to the same integrated loudness (:data:`SPEECH_LUFS` for the mono speech,
which is :data:`TARGET_LUFS` once it plays on both channels of a clip) before it is added to a clip, so
every scene of the video plays at the same level.

:func:`integrated_loudness` follows ITU-R BS.1770-4 for mono or stereo: K-weighting (a high shelf, then a
high-pass; the filters' analog parameters are the standard's, turned into biquads for any sample rate by
the bilinear transform, which reproduces the standard's 48 kHz coefficients), mean square over 400 ms
blocks overlapping by 75 %, an absolute gate at -70 LUFS and a relative gate 10 LU below the loudness of
the blocks that pass it. A 997 Hz sine at full scale in one channel measures -3.01 LUFS.

No manim import; numpy and scipy only.
"""

from __future__ import annotations

import math
import os
import wave
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

__all__ = [
    "PEAK_CEILING",
    "SPEECH_LUFS",
    "UPMIX_GAIN",
    "TARGET_LUFS",
    "AudioFileError",
    "integrated_loudness",
    "k_weighting",
    "normalize_loudness",
    "read_wav",
    "resample",
    "write_wav",
]

#: Loudness of the video's sound track (LUFS, measured on its two channels; -16 is the usual level for
#: spoken web video, AES TD1004).
TARGET_LUFS = -16.0
#: Loudness each beat's (mono) speech is brought to. The clips carry it on both channels of a stereo
#: track, upmixed the way ffmpeg does it (each channel 3 dB down), so the stereo track measures the same
#: as the mono speech: the target itself (tests/test_voice.py measures a rendered clip).
SPEECH_LUFS = TARGET_LUFS
#: Gain of each channel when mono speech is spread over two (ffmpeg's default upmix, -3 dB).
UPMIX_GAIN = 1 / math.sqrt(2)
#: Highest sample magnitude after normalisation (about -0.5 dBFS); louder peaks are softly limited.
PEAK_CEILING = 0.94
_BLOCK_SECONDS = 0.4
_OVERLAP = 0.75
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0


class AudioFileError(ValueError):
    """A WAV file that cannot be read as the mono 16-bit sound it should be (one line says why)."""


def _biquad_from_analog(rate: float, f0: float, q: float, gain_db: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Digital biquad (b, a) of BS.1770's shelf or high-pass for sample rate ``rate``."""
    k = math.tan(math.pi * f0 / rate)
    if kind == "shelf":
        vh = 10 ** (gain_db / 20)
        vb = vh ** 0.4996667741545416
        a0 = 1 + k / q + k * k
        b = np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0
        a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    else:  # high-pass
        a0 = 1 + k / q + k * k
        b = np.array([1.0, -2.0, 1.0])
        a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return b, a


def k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two biquads of BS.1770's K-weighting at ``rate`` Hz (pre-filter shelf, then RLB high-pass)."""
    return [
        _biquad_from_analog(rate, 1681.974450955533, 0.7071752369554196, 3.999843853973347, "shelf"),
        _biquad_from_analog(rate, 38.13547087602444, 0.5003270373238773, 0.0, "highpass"),
    ]


def _block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal per 400 ms block, summed over the channels (rows)."""
    x = np.atleast_2d(np.asarray(samples, dtype=np.float64))
    for b, a in k_weighting(rate):
        x = lfilter(b, a, x, axis=-1)
    n = x.shape[-1]
    block = round(_BLOCK_SECONDS * rate)
    step = round(block * (1 - _OVERLAP))
    power = (x * x).sum(axis=0)  # left and right weigh 1 (BS.1770)
    if n < block:
        return np.array([power.mean()]) if n else np.array([])
    squares = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, n - block + 1, step)
    return (squares[starts + block] - squares[starts]) / block


def _lufs(power: float | np.ndarray) -> np.ndarray | float:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of ``samples`` (floats in [-1, 1]; one row per channel, or one channel as a
    1-D array; left and right weigh the same) in LUFS; ``-inf`` for silence.

    A sound shorter than one 400 ms block is measured over its whole length (ungated).
    """
    powers = _block_powers(samples, rate)
    if len(powers) == 0:
        return -math.inf
    loud = _lufs(powers)
    kept = powers[loud > _ABSOLUTE_GATE]
    if len(kept) == 0:
        return -math.inf
    relative = _lufs(kept.mean()) + _RELATIVE_GATE
    gated = kept[_lufs(kept) > relative]
    return float(_lufs(gated.mean()))


def normalize_loudness(samples: np.ndarray, rate: int, target: float = SPEECH_LUFS,
                       ceiling: float = PEAK_CEILING) -> np.ndarray:
    """``samples`` scaled to ``target`` LUFS; peaks above ``ceiling`` are rounded off smoothly (a soft
    knee), and the gain is corrected once more so that the limited sound still measures ``target``."""
    x = np.asarray(samples, dtype=np.float64)
    for _ in range(3):
        loudness = integrated_loudness(x, rate)
        if not math.isfinite(loudness):
            return x.astype(np.float32)
        x = x * 10 ** ((target - loudness) / 20)
        x = _soft_limit(x, ceiling)
        if abs(integrated_loudness(x, rate) - target) < 0.05:
            break
    return x.astype(np.float32)


def _soft_limit(x: np.ndarray, ceiling: float) -> np.ndarray:
    """Leave samples below 80 % of ``ceiling`` alone; squeeze the rest smoothly (tanh) under ``ceiling``."""
    knee = 0.8 * ceiling
    over = np.abs(x) > knee
    if not over.any():
        return x
    y = x.copy()
    room = ceiling - knee
    y[over] = np.sign(x[over]) * (knee + room * np.tanh((np.abs(x[over]) - knee) / room))
    return y


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """``samples`` (a 1-D array, or one row per channel) at ``new_rate`` Hz (polyphase, anti-aliased)."""
    if rate == new_rate:
        return np.asarray(samples, dtype=np.float32)
    from scipy.signal import resample_poly

    common = math.gcd(int(rate), int(new_rate))
    return resample_poly(samples, new_rate // common, rate // common, axis=-1).astype(np.float32)


# ------------------------------------------------------------------------------------------ WAV files
def write_wav(path: str | os.PathLike, samples: np.ndarray, rate: int) -> Path:
    """Write mono float ``samples`` as 16-bit PCM WAV at ``rate`` Hz (to ``path`` as given: callers that
    need atomicity write to a temporary path first)."""
    path = Path(path)
    pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(rate))
        out.writeframes(pcm.tobytes())
    return path


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """``(samples as float32 in [-1, 1], rate)`` of a mono 16-bit WAV; :class:`AudioFileError` otherwise."""
    try:
        with wave.open(str(path), "rb") as source:
            if source.getnchannels() != 1 or source.getsampwidth() != 2:
                raise AudioFileError(f"{path}: not mono 16-bit PCM")
            rate = source.getframerate()
            frames = source.getnframes()
            data = source.readframes(frames)
    except (wave.Error, EOFError, OSError) as error:
        raise AudioFileError(f"{path}: unreadable WAV ({error})") from None
    if len(data) != 2 * frames:
        raise AudioFileError(f"{path}: WAV holds {len(data) // 2} samples, its header says {frames}")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32767.0, rate
