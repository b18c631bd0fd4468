"""Loudness (ITU-R BS.1770 / EBU Tech 3341 cases), normalisation, WAV files, and the sound of joined videos."""

from __future__ import annotations

import math
from fractions import Fraction

import av
import numpy as np
import pytest

from llmfacts import video
from llmfacts.audio import (
    SPEECH_LUFS,
    AudioFileError,
    integrated_loudness,
    k_weighting,
    normalize_loudness,
    read_wav,
    resample,
    write_wav,
)


def sine(dbfs: float, seconds: float, rate: int = 48_000, freq: float = 1000.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float64)


def test_k_weighting_at_48k_is_the_standards_table():
    # ITU-R BS.1770-4, tables 1 and 2 (coefficients at 48 kHz)
    (b1, a1), (b2, a2) = k_weighting(48_000)
    assert np.allclose(b1, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-9)
    assert np.allclose(a1, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-9)
    assert np.allclose(b2, [1.0, -2.0, 1.0])
    assert np.allclose(a2, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-9)


def test_ebu_3341_stereo_sine_at_minus_23_dbfs_is_minus_23_lufs():
    x = sine(-23.0, 20)
    assert integrated_loudness(np.stack([x, x]), 48_000) == pytest.approx(-23.0, abs=0.1)
    # the same sine on one channel is 3.01 LU quieter (BS.1770 sums the channels' powers)
    assert integrated_loudness(x, 48_000) == pytest.approx(-23.0 - 10 * math.log10(2), abs=0.1)


def test_ebu_3341_gating_ignores_quiet_stretches():
    # Tech 3341 case 3: -36, -23, -36 dBFS (10, 60, 10 s) -> -23 LUFS: the relative gate drops the quiet parts
    x = np.concatenate([sine(-36, 10), sine(-23, 60), sine(-36, 10)])
    assert integrated_loudness(np.stack([x, x]), 48_000) == pytest.approx(-23.0, abs=0.1)
    # case 4 adds -72 dBFS at both ends (below the absolute gate)
    y = np.concatenate([sine(-72, 10), x, sine(-72, 10)])
    assert integrated_loudness(np.stack([y, y]), 48_000) == pytest.approx(-23.0, abs=0.1)
    # silence between speech does not lower the measured loudness
    assert integrated_loudness(np.zeros(48_000), 48_000) == -math.inf


def test_loudness_at_the_voices_sample_rate():
    x = sine(-20, 5, rate=22_050, freq=997)
    assert integrated_loudness(x, 22_050) == pytest.approx(-23.01, abs=0.1)


def test_normalisation_reaches_the_target_without_clipping():
    rng = np.random.default_rng(3)
    # speech-like: noise bursts of varying level with pauses, and one loud peak
    parts = [rng.normal(0, 10 ** (rng.uniform(-30, -10) / 20), 11_025) * (k % 3 != 2) for k in range(20)]
    x = np.concatenate(parts)
    x[5000] = 0.99
    y = normalize_loudness(x, 22_050)
    assert integrated_loudness(y, 22_050) == pytest.approx(SPEECH_LUFS, abs=0.1)
    assert np.max(np.abs(y)) <= 0.95


def test_wav_round_trip_and_damaged_files(tmp_path):
    x = 0.5 * np.sin(np.linspace(0, 100, 22_050))
    path = write_wav(tmp_path / "a.wav", x, 22_050)
    y, rate = read_wav(path)
    assert rate == 22_050 and np.max(np.abs(y - x)) < 1e-4
    data = path.read_bytes()
    (tmp_path / "short.wav").write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioFileError):
        read_wav(tmp_path / "short.wav")
    (tmp_path / "junk.wav").write_bytes(b"not a wav at all")
    with pytest.raises(AudioFileError):
        read_wav(tmp_path / "junk.wav")


def test_resample_keeps_a_tone():
    x = sine(-10, 1, rate=22_050, freq=440)
    y = resample(x, 22_050, 48_000)
    assert len(y) == 48_000
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) == pytest.approx(440, abs=1)


# ------------------------------------------------------------------------------------------ joined sound
def _clip(path, frames: int, fps: int, sound: np.ndarray | None, rate: int = 48_000) -> None:
    """A tiny h264 clip of ``frames`` frames, with ``sound`` ((2, n) floats) as an AAC track if given."""
    with av.open(str(path), mode="w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 64, 64, "yuv420p"
        vs.time_base = Fraction(1, fps)
        as_ = out.add_stream("aac", rate=rate, layout="stereo") if sound is not None else None
        for k in range(frames):
            img = np.full((64, 64, 3), (k * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = k, Fraction(1, fps)
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        if as_ is not None:
            for begin in range(0, sound.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, begin : begin + 1024], dtype=np.float32),
                                                   format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = rate, begin
                for packet in as_.encode(frame):
                    out.mux(packet)
            for packet in as_.encode():
                out.mux(packet)


def test_joined_sound_is_continuous_across_clips(tmp_path):
    """A 300 Hz tone running through three clips (the middle one silent-less: no sound stream) comes out
    of the join as one track of the videos' total length, with no gap and no jump where clips meet."""
    rate, fps = 48_000, 15
    lengths = [23, 17, 30]  # frames
    bounds = np.cumsum([0, *lengths]) / fps
    total = int(round(bounds[-1] * rate))
    t = np.arange(total) / rate
    tone = 0.3 * np.sin(2 * np.pi * 300 * t)
    paths = []
    for k, n in enumerate(lengths):
        start, end = int(round(bounds[k] * rate)), int(round(bounds[k + 1] * rate))
        sound = None if k == 1 else np.stack([tone[start:end], tone[start:end]]) * 1.0
        # the first clip's track runs 0.3 s past its video; it must be cut, not shift what follows
        if k == 0:
            extra = np.arange(end, end + int(0.3 * rate)) / rate
            sound = np.concatenate([sound, np.stack([0.3 * np.sin(2 * np.pi * 300 * extra)] * 2)], axis=1)
        path = tmp_path / f"part{k}.mp4"
        _clip(path, n, fps, sound)
        paths.append(path)
    info = video.concat_videos(paths, tmp_path / "joined.mp4")
    assert info.frames == sum(lengths) and info.fps == Fraction(fps)
    with av.open(str(tmp_path / "joined.mp4")) as container:  # pictures keep their times (no hole after part 0)
        times = sorted(float(p.pts * p.time_base) for p in container.demux(video=0) if p.pts is not None)
    assert np.allclose(np.diff(times), 1 / fps, atol=1e-3)
    joined = video.read_audio(tmp_path / "joined.mp4")
    assert joined is not None
    assert abs(joined.shape[1] - total) <= 1024  # the AAC track lasts as long as the video
    left = joined[0, :total]
    b1, b2 = int(round(bounds[1] * rate)), int(round(bounds[2] * rate))
    # the first clip's tone is in place (no shift): correlate with the reference away from the edges
    seg = slice(2400, b1 - 2400)
    assert np.corrcoef(left[seg], tone[seg])[0, 1] > 0.99
    # the silent clip is silent, the third clip's tone is in place
    assert np.sqrt(np.mean(left[b1 + 960 : b2 - 960] ** 2)) < 1e-3
    seg3 = slice(b2 + 2400, total - 2400)
    assert np.corrcoef(left[seg3], tone[seg3])[0, 1] > 0.99
    # no click: sample-to-sample steps never exceed the tone's own largest step by much
    steepest = 0.3 * 2 * np.pi * 300 / rate
    assert np.max(np.abs(np.diff(left[: b1 + 4800]))) < 3 * steepest
    assert np.max(np.abs(np.diff(left[b2 - 4800 :]))) < 3 * steepest
