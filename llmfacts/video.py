"""Video files: probe, join without re-encoding, grab frames, merge subtitles (PyAV; no manim import).

Everything that writes a file writes it atomically: to a temporary file beside the target, then
``os.replace``, so an interrupted run never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

import av
import numpy as np

__all__ = [
    "VideoInfo",
    "probe",
    "count_frames",
    "concat_videos",
    "IncompatibleVideosError",
    "last_frame",
    "frame_at",
    "save_png",
    "atomic_path",
    "merge_srt",
    "parse_srt",
]


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
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as manifest:
        for info in infos:
            escaped = str(info.path.resolve()).replace("'", "'\\''")
            manifest.write(f"file '{escaped}'\n")
        manifest_path = manifest.name
    try:
        with atomic_path(output) as tmp:
            with av.open(manifest_path, format="concat", options={"safe": "0"}) as source, av.open(
                str(tmp), mode="w", format="mp4"
            ) as sink:
                in_stream = source.streams.video[0]
                out_stream = sink.add_stream_from_template(template=in_stream)
                for packet in source.demux(in_stream):
                    if packet.dts is None:  # flush packet at the end of the input
                        continue
                    packet.stream = out_stream
                    sink.mux(packet)
    finally:
        os.unlink(manifest_path)
    return probe(output)


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


def frame_at(path: str | os.PathLike, seconds: float) -> np.ndarray:
    """The frame shown at ``seconds`` (the last frame whose time is <= seconds)."""
    chosen = None
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time > seconds + 1e-6 and chosen is not None:
                break
            chosen = frame
    if chosen is None:
        raise ValueError(f"{path}: no frame could be decoded")
    return _frame_to_array(chosen)


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
