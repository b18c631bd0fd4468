"""Video files: probe, join, grab frames, read sound, merge subtitles (PyAV; no manim import).

Joining copies the video streams packet for packet (no re-encoding). When any part has sound, the parts'
sound tracks are decoded, each laid over exactly its own video's length (silence where a part has none or
its track is shorter; anything past its video's end dropped), and encoded once as one continuous AAC
track: the sound stays in step with the pictures and has no gap or click where two scenes meet.

Everything that writes a file writes it atomically: to a temporary file beside the target, then
``os.replace``, so an interrupted run never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

__all__ = [
    "AUDIO_RATE",
    "IncompatibleVideosError",
    "VideoInfo",
    "atomic_path",
    "attach_audio",
    "concat_videos",
    "count_frames",
    "has_audio",
    "last_frame",
    "merge_srt",
    "parse_srt",
    "probe",
    "read_audio",
    "save_png",
    "share_track",
]

#: Sample rate of a joined video's sound (stereo AAC, as manim writes the clips').
AUDIO_RATE = 48_000
_AUDIO_BITRATE = 160_000
_EDGE_FADE_SECONDS = 0.003  # a 3 ms fade where two parts meet (their sound is silence there anyway)


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds (its first video stream)."""

    path: Path
    codec: str
    width: int
    height: int
    fps: Fraction
    pix_fmt: str
    frames: int
    duration: float  #: seconds

    def join_key(self) -> tuple:
        """Parts with equal keys can be joined packet for packet, without re-encoding."""
        return (self.codec, self.width, self.height, self.fps, self.pix_fmt)


def probe(path: str | os.PathLike) -> VideoInfo:
    """Read a video's stream parameters, frame count and duration (frames / fps)."""
    path = Path(path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # the nominal rate (r_frame_rate); the average rate is derived from durations and wobbles
        fps = Fraction(stream.base_rate or stream.guessed_rate or stream.average_rate or 0)
        frames = stream.frames or sum(1 for p in container.demux(stream) if p.size)
        return VideoInfo(
            path=path,
            codec=stream.codec_context.name,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=fps,
            pix_fmt=str(stream.codec_context.pix_fmt),
            frames=int(frames),
            duration=float(frames / fps) if fps else 0.0,
        )


def count_frames(path: str | os.PathLike) -> int:
    """Count frames by decoding them all (slow but independent of container metadata)."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment, for every thread)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``, else delete it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix or target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp made it private (0600); the output is an ordinary file
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


class IncompatibleVideosError(ValueError):
    """The parts differ in codec, size, frame rate or pixel format, so they cannot be joined as they are."""


def concat_videos(parts: Sequence[str | os.PathLike], output: str | os.PathLike) -> VideoInfo:
    """Join video files end to end into ``output`` without re-encoding (ffmpeg's concat demuxer via PyAV).

    All parts must share codec, size, frame rate and pixel format (:class:`IncompatibleVideosError`
    otherwise). The output is written atomically.
    """
    if not parts:
        raise ValueError("nothing to join")
    infos = [probe(p) for p in parts]
    keys = {info.join_key() for info in infos}
    if len(keys) > 1:
        detail = "; ".join(f"{i.path.name}: {i.codec} {i.width}x{i.height} {i.fps} fps {i.pix_fmt}" for i in infos)
        raise IncompatibleVideosError(f"cannot join parts with different formats ({detail})")
    output = Path(output)
    track = _joined_track(infos) if any(has_audio(info.path) for info in infos) else None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as manifest:
        for info in infos:
            escaped = str(info.path.resolve()).replace("'", "'\\''")
            manifest.write(f"file '{escaped}'\n")
            # the video's own length: a part whose sound runs longer must not shift the parts after it
            manifest.write(f"duration {float(info.frames / info.fps) if info.fps else info.duration:.9f}\n")
        manifest_path = manifest.name
    try:
        with atomic_path(output) as tmp, av.open(manifest_path, format="concat", options={"safe": "0"}) as source, \
                av.open(str(tmp), mode="w", format="mp4") as sink:
            in_stream = source.streams.video[0]
            out_stream = sink.add_stream_from_template(template=in_stream)
            audio_packets = _encode_track(sink, track) if track is not None else []
            _mux_interleaved(sink, source, in_stream, out_stream, audio_packets)
    finally:
        os.unlink(manifest_path)
    return probe(output)


def has_audio(path: str | os.PathLike) -> bool:
    """Whether the file has a sound stream."""
    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def read_audio(path: str | os.PathLike, rate: int = AUDIO_RATE) -> np.ndarray | None:
    """The file's sound as a (2, samples) float32 array at ``rate`` Hz (stereo; a mono track on both
    channels), starting at time 0; ``None`` if it has no sound stream."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        chunks: list[np.ndarray] = []
        lead = 0
        for k, frame in enumerate(container.decode(stream)):
            if k == 0 and frame.pts is not None and frame.time_base is not None and frame.pts > 0:
                lead = round(float(frame.pts * frame.time_base) * rate)
            chunks += [out.to_ndarray() for out in resampler.resample(frame)]
        chunks += [out.to_ndarray() for out in resampler.resample(None)]
    body = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), dtype=np.float32)
    if lead:
        body = np.concatenate([np.zeros((2, lead), dtype=np.float32), body], axis=1)
    return body.astype(np.float32)


def attach_audio(path: str | os.PathLike, track: np.ndarray, rate: int = AUDIO_RATE) -> Path:
    """Give the video at ``path`` the sound ``track`` ((2, samples) floats at ``rate``; cut or padded with
    silence to the video's length) as its only sound stream, encoded once as AAC; the video stream is
    copied. The file is replaced atomically."""
    path = Path(path)
    info = probe(path)
    n = round(info.duration * rate)
    sound = np.zeros((2, n), dtype=np.float32)
    m = min(n, track.shape[1])
    sound[:, :m] = track[:, :m]
    with atomic_path(path) as tmp, av.open(str(path)) as source, av.open(str(tmp), mode="w", format="mp4") as sink:
        in_stream = source.streams.video[0]
        out_stream = sink.add_stream_from_template(template=in_stream)
        _mux_interleaved(sink, source, in_stream, out_stream, _encode_track(sink, sound, rate))
    return path


def share_track(paths: Sequence[str | os.PathLike], track: np.ndarray, rate: int = AUDIO_RATE) -> None:
    """Give consecutive videos (the pieces of one recording, such as a scene's slides) consecutive slices of
    ``track``: the first gets the sound of its own length, the next the sound after that, and so on."""
    elapsed = 0.0
    for path in paths:
        info = probe(path)
        start = round(elapsed * rate)
        elapsed += info.duration
        attach_audio(path, track[:, start : round(elapsed * rate)], rate)


def _mux_interleaved(sink, source, in_stream, out_stream, audio_packets) -> None:
    """Copy ``in_stream``'s packets into ``out_stream`` with ``audio_packets`` muxed in between by time."""
    waiting = 0
    for packet in source.demux(in_stream):
        if packet.dts is None:  # flush packet at the end of the input
            continue
        when = float(packet.dts * packet.time_base)
        while waiting < len(audio_packets) and audio_packets[waiting][0] <= when:
            sink.mux(audio_packets[waiting][1])  # interleaved by time, as players expect
            waiting += 1
        packet.stream = out_stream
        sink.mux(packet)
    for _, packet in audio_packets[waiting:]:
        sink.mux(packet)


def _joined_track(infos: Sequence[VideoInfo], rate: int = AUDIO_RATE) -> np.ndarray:
    """One continuous stereo track: each part's sound over exactly its video's span (see the module)."""
    bounds = [0]
    elapsed = 0.0
    for info in infos:
        elapsed += info.duration
        bounds.append(round(elapsed * rate))  # from the running total: no drift over many parts
    track = np.zeros((2, bounds[-1]), dtype=np.float32)
    fade = max(1, int(_EDGE_FADE_SECONDS * rate))
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    for info, start, end in zip(infos, bounds, bounds[1:]):
        sound = read_audio(info.path, rate)
        if sound is None:
            continue
        n = min(end - start, sound.shape[1])
        part = sound[:, :n].copy()
        if n >= 2 * fade:
            part[:, :fade] *= ramp
            part[:, n - fade :] *= ramp[::-1]
        track[:, start : start + n] = part
    return track


def _encode_track(sink: av.container.OutputContainer, track: np.ndarray, rate: int = AUDIO_RATE) -> list[tuple[float, av.Packet]]:
    """Encode ``track`` as AAC into a new stream of ``sink``; returns ``(time, packet)`` pairs to mux."""
    stream = sink.add_stream("aac", rate=rate, layout="stereo")
    stream.bit_rate = _AUDIO_BITRATE
    packets: list[tuple[float, av.Packet]] = []

    def keep(encoded: list[av.Packet]) -> None:
        for packet in encoded:
            when = float(packet.dts * packet.time_base) if packet.dts is not None else 0.0
            packets.append((when, packet))

    size = 1024
    for begin in range(0, track.shape[1], size):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(track[:, begin : begin + size]), format="fltp",
                                           layout="stereo")
        frame.sample_rate = rate
        frame.pts = begin
        keep(stream.encode(frame))
    keep(stream.encode(None))
    return packets


def _frame_to_array(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="rgb24")


def last_frame(path: str | os.PathLike) -> np.ndarray:
    """The last frame of a video as an (H, W, 3) uint8 array."""
    result = None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # Seek near the end, then decode forward; fall back to a full decode for short files.
        if stream.duration and stream.time_base:
            target = max(0, int(stream.duration - 3 / float(stream.time_base) / float(stream.average_rate or 1)))
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(target, stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            result = frame
    if result is None:
        raise ValueError(f"{path}: no frame could be decoded")
    return _frame_to_array(result)


def save_png(image: np.ndarray, path: str | os.PathLike) -> Path:
    """Write an RGB array as PNG, atomically."""
    from PIL import Image

    path = Path(path)
    with atomic_path(path) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")
    return path


# ------------------------------------------------------------------------------------------ subtitles
def _parse_time(stamp: str) -> float:
    hms, ms = stamp.strip().split(",")
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _format_time(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """Parse SRT text into (start, end, content) triples."""
    cues = []
    for block in text.replace("\r\n", "\n").strip().split("\n\n"):
        lines = block.strip().split("\n")
        if len(lines) < 2 or "-->" not in lines[1]:
            continue
        start, end = (_parse_time(t) for t in lines[1].split("-->"))
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


def merge_srt(parts: Sequence[tuple[str | os.PathLike | None, float]], output: str | os.PathLike) -> int:
    """Join subtitle files: ``parts`` holds (srt path or None, duration of its video) in playing order.

    Each part's cues are shifted by the total duration of the videos before it. Returns the number of
    cues written; the output is written atomically.
    """
    offset = 0.0
    cues: list[tuple[float, float, str]] = []
    for srt_path, duration in parts:
        if srt_path is not None and Path(srt_path).exists():
            for start, end, content in parse_srt(Path(srt_path).read_text(encoding="utf-8")):
                cues.append((start + offset, min(end, duration) + offset, content))
        offset += duration
    body = "".join(
        f"{k}\n{_format_time(s)} --> {_format_time(e)}\n{c}\n\n" for k, (s, e, c) in enumerate(cues, start=1)
    )
    with atomic_path(output) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return len(cues)
