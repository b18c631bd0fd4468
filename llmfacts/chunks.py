"""Scenes rendered in chunks: ranges of a scene's animations, rendered apart and joined into the same clip.

A *chunk* of a scene is a range of its animations (``play`` and ``wait`` calls, counted from 0 as manim
counts them). ``python -m llmfacts.chunks run --start S --end E -- <manim render arguments>`` renders
animations ``S..E`` of a scene; the clips of consecutive chunks, joined without re-encoding, are the clip
a whole-scene render gives, frame for frame, with the same subtitles and the same sound.

**Why not ManimCE's ``-n START,END`` as it is.** In manim 0.22 an animation skipped by ``-n`` advances the
scene clock by its ``run_time`` (``CairoRenderer.play``), while a rendered one advances it by whole frames
(``len(np.arange(0, run_time, 1/fps))`` frames, or ``int(run_time*fps)`` for a frozen wait). With run times
that are not whole numbers of frames the clock of a chunk drifts from the whole render, and everything
that reads ``Scene.time`` drifts with it: a :meth:`~llmfacts.story.StoryScene.beat` waits until its speech
is over by ``self.time``, so its wait gets a different length; subtitles and ``add_sound`` are placed by
``self.time``. A skipped animation is also updated once with ``dt = run_time`` instead of frame by frame,
and ``update_mobjects(0)`` after it is left out, so time-based updaters end in other states; and a sound
added while skipping is dropped. So the runner here does not skip animations before ``START``: it plays
them exactly as a whole render does, frame by frame, advancing the clock frame by frame, but draws
nothing and encodes nothing (no Cairo drawing, no partial movie file). Only the end uses manim's own
``upto_animation_number``: the scene stops before animation ``E + 1``. Caching is off
(``--disable_caching``): a cached animation advances manim's clock by its unrounded run time.

**Subtitles and sound.** Every chunk runs the scene's code from the start, so its subcaptions and sounds
carry the times of the whole scene. The last chunk (``--end`` absent) has seen all of them: its ``.srt``
is the whole scene's. Sounds are not mixed into any chunk: the runner records each ``add_sound`` (file,
scene time, gain) and the last chunk mixes the scene's sound track with manim's own code, as a whole-scene
render would; :func:`assemble` puts that track beside the joined video. Per-chunk audio would not line
up (AAC frames do not end on video frames); one track for the scene does.

**Timings.** The runner reports each animation's wall time (rendered, or played through without drawing),
its frames, and the time before the first animation (imports and the scene's ``prepare``). ``render.py``
records them in the manifest; :func:`plan_chunks` uses them to cut each scene into chunks of similar cost
and :func:`list_schedule` to decide whether cutting shortens the wall time at all. A scene never rendered
with timings is rendered whole (and measured).

**Where chunks run.** Locally (:func:`run_chunk_local`, several processes, at most ``--jobs`` at once
across every scene of a run) or on a Dask cluster (:mod:`llmfacts.cluster`). ``render.py`` uses the
hooks :func:`prepare_run`, :func:`command`, :func:`read_timings` and :func:`pool_size`.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import heapq
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

__all__ = [
    "ChunkRange",
    "ChunkJob",
    "ChunkResult",
    "SceneTimings",
    "ChunkError",
    "plan_chunks",
    "plan_run",
    "list_schedule",
    "chunk_cost",
    "run_chunk_local",
    "assemble",
    "source_digest",
    "prepare_run",
    "command",
    "read_timings",
    "pool_size",
    "TIMINGS_FILE",
    "DISABLE_ENV",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Written into a scene's media folder by the runner or the scene driver; ``render.py`` moves it into the manifest.
TIMINGS_FILE = "chunk_timings.json"
#: ``LLMFACTS_CHUNKS=0`` renders every scene with plain ``manim`` (no runner, no chunks).
DISABLE_ENV = "LLMFACTS_CHUNKS"
#: When nothing was measured yet: the share of an animation's render time spent playing it through undrawn.
DEFAULT_SKIP_SHARE = 0.15
#: Splitting a scene must shorten the simulated wall time by this share and this many seconds.
MIN_GAIN_SHARE = 0.05
MIN_GAIN_SECONDS = 2.0
#: Environment variables a chunk carries to the process that renders it (the lecture, the voice, ...).
FORWARDED_ENV_PREFIX = "LLMFACTS_"
_NOT_FORWARDED = {"LLMFACTS_RENDER_DIR", "LLMFACTS_BUILD_DIR", "LLMFACTS_NO_REEXEC"}


class ChunkError(RuntimeError):
    """A chunk could not be rendered or joined (one line saying why)."""


# ------------------------------------------------------------------------------------------- ranges, timings
@dataclass(frozen=True)
class ChunkRange:
    """Animations ``start..end`` of a scene (``end`` included; ``None``: to the end of the scene)."""

    start: int
    end: int | None

    def __post_init__(self) -> None:
        if self.start < 0 or (self.end is not None and self.end < self.start):
            raise ValueError(f"bad chunk range {self.start}..{self.end}")

    def animations(self, total: int) -> range:
        return range(self.start, total if self.end is None else min(self.end + 1, total))


@dataclass
class SceneTimings:
    """What one render of a scene measured, per animation (seconds of wall time, frames)."""

    render: list[float]  #: wall seconds to render each animation (draw + encode)
    frames: list[int]  #: frames of each animation
    overhead: float  #: seconds of a chunk process outside its animations (start-up, ``prepare``, joining)
    skip: list[float | None] = field(default_factory=list)  #: seconds to play an animation through undrawn
    chunks: list[dict] = field(default_factory=list)  #: the chunks of that render: start, end, wall, worker

    @property
    def animations(self) -> int:
        return len(self.render)

    def skip_seconds(self, index: int) -> float:
        if index < len(self.skip) and self.skip[index] is not None:
            return float(self.skip[index])
        measured = [(s, r) for s, r in zip(self.skip, self.render) if s is not None and r > 0]
        share = sum(s for s, _ in measured) / sum(r for _, r in measured) if measured else DEFAULT_SKIP_SHARE
        return share * self.render[index]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> SceneTimings | None:
        """Timings from a manifest entry; ``None`` for anything that is not a complete, sane record."""
        try:
            render = [float(x) for x in data["render"]]
            frames = [int(x) for x in data["frames"]]
            overhead = float(data["overhead"])
            skip = [None if x is None else float(x) for x in data.get("skip", [])]
            chunks = list(data.get("chunks", []))
        except (TypeError, KeyError, ValueError):
            return None
        if not render or len(frames) != len(render) or any(x < 0 or not math.isfinite(x) for x in render):
            return None
        return cls(render=render, frames=frames, overhead=max(0.0, overhead), skip=skip[: len(render)], chunks=chunks)


def chunk_cost(timings: SceneTimings, chunk: ChunkRange) -> float:
    """Estimated wall seconds of one chunk: overhead + playing through the animations before it + its own."""
    own = chunk.animations(timings.animations)
    return (timings.overhead + sum(timings.skip_seconds(i) for i in range(min(chunk.start, timings.animations)))
            + sum(timings.render[i] for i in own))


def _split_with_cap(timings: SceneTimings, cap: float) -> list[ChunkRange]:
    """Cut greedily: each chunk takes animations while its cost stays within ``cap`` (at least one)."""
    n = timings.animations
    chunks, start = [], 0
    while start < n:
        fixed = timings.overhead + sum(timings.skip_seconds(i) for i in range(start))
        end, cost = start, fixed + timings.render[start]
        while end + 1 < n and cost + timings.render[end + 1] <= cap:
            end += 1
            cost += timings.render[end]
        chunks.append(ChunkRange(start, end))
        start = end + 1
    last = chunks[-1]
    chunks[-1] = ChunkRange(last.start, None)
    return chunks


def split_scene(timings: SceneTimings, count: int) -> list[ChunkRange]:
    """Cut a scene into at most ``count`` chunks of consecutive animations whose largest cost is smallest."""
    count = max(1, min(count, timings.animations))
    if count == 1:
        return [ChunkRange(0, None)]
    low = max(chunk_cost(timings, ChunkRange(i, i)) for i in range(timings.animations)) * 0 + timings.overhead
    high = chunk_cost(timings, ChunkRange(0, None))
    best = [ChunkRange(0, None)]
    for _ in range(60):  # bisection on the largest chunk cost
        cap = (low + high) / 2
        chunks = _split_with_cap(timings, cap)
        if len(chunks) <= count:
            best, high = chunks, cap
        else:
            low = cap
        if high - low < 1e-3:
            break
    return best


def list_schedule(durations: Iterable[float], workers: int) -> float:
    """Wall time of running jobs of these durations on ``workers`` workers, longest first, each job to the
    worker free first (list scheduling, as Dask and the local slots hand out work). A simulation."""
    free = [0.0] * max(1, workers)
    heapq.heapify(free)
    end = 0.0
    for duration in sorted(durations, reverse=True):
        start = heapq.heappop(free)
        finish = start + duration
        end = max(end, finish)
        heapq.heappush(free, finish)
    return end


def plan_chunks(scenes: dict[str, SceneTimings | None], workers: int,
                max_chunks: int | None = None) -> dict[str, list[ChunkRange]]:
    """Chunks for every scene of a run on ``workers`` workers.

    Start with every scene whole; then, while it shortens the simulated wall time (:func:`list_schedule`
    over the estimated chunk costs) by at least :data:`MIN_GAIN_SHARE` and :data:`MIN_GAIN_SECONDS`, cut
    the scene that holds the longest chunk into one chunk more. Scenes without timings stay whole.
    """
    counts = {name: 1 for name in scenes}
    plans = {name: [ChunkRange(0, None)] for name in scenes}

    def costs(plan: dict[str, list[ChunkRange]]) -> list[tuple[float, str]]:
        out = []
        for name, chunks in plan.items():
            timings = scenes[name]
            for chunk in chunks:
                out.append((chunk_cost(timings, chunk) if timings else math.inf, name))
        return out

    def makespan(plan) -> float:
        values = [c for c, _ in costs(plan)]
        return math.inf if any(math.isinf(v) for v in values) else list_schedule(values, workers)

    known = {n: t for n, t in scenes.items() if t is not None}
    if workers < 2 or not known:
        return plans
    current = list_schedule([c for c, n in costs(plans) if n in known], workers)
    for _ in range(sum(t.animations for t in known.values())):
        candidates = sorted(((c, n) for c, n in costs({n: plans[n] for n in known})), reverse=True)
        improved = False
        for _, name in candidates[:3]:  # the scenes holding the longest chunks
            limit = known[name].animations if max_chunks is None else min(max_chunks, known[name].animations)
            if counts[name] >= limit:
                continue
            trial = dict(plans)
            trial[name] = split_scene(known[name], counts[name] + 1)
            if len(trial[name]) <= len(plans[name]):
                continue
            value = list_schedule([c for c, n in costs({n: trial[n] for n in known})], workers)
            if value <= current * (1 - MIN_GAIN_SHARE) and current - value >= MIN_GAIN_SECONDS:
                plans, current, counts[name] = trial, value, len(trial[name])
                improved = True
                break
        if not improved:
            break
    return plans


def plan_run(scenes: dict[str, SceneTimings | None], workers: int) -> dict[str, list[ChunkRange]]:
    """Alias of :func:`plan_chunks` (the plan ``render.py`` follows)."""
    return plan_chunks(scenes, workers)


# ------------------------------------------------------------------------------------------- the job of a chunk
@dataclass
class ChunkJob:
    """Everything a process needs to render one chunk (plain data: it travels to cluster workers)."""

    scene: str  #: scene class name
    scene_file: str  #: scene source, relative to the repository root
    manim_args: list[str]  #: manim ``render`` options other than the file, the scene and ``--media_dir``
    start: int
    end: int | None
    index: int = 0  #: chunk number within the scene
    count: int = 1  #: chunks of the scene
    digest: str = ""  #: :func:`source_digest` of the scene on the client ('' = not checked)
    env: dict = field(default_factory=dict)  #: LLMFACTS_* variables of the client
    estimate: float = 0.0  #: estimated seconds (longest chunks are handed out first)

    @property
    def key(self) -> str:
        return f"{self.scene}[{self.start}..{'' if self.end is None else self.end}]"

    def runner_args(self, media: Path, report: Path, root: Path) -> list[str]:
        args = ["run", "--start", str(self.start), "--report", str(report)]
        if self.end is not None:
            args += ["--end", str(self.end)]
        if self.digest:
            args += ["--digest", self.digest]
        return args + ["--", "render", str(root / self.scene_file), self.scene, *self.manim_args,
                       "--media_dir", str(media)]


@dataclass
class ChunkResult:
    """A rendered chunk, as bytes (so it can come back from another machine)."""

    job: ChunkJob
    ok: bool
    video: bytes | None = None
    subtitles: str | None = None
    audio: bytes | None = None
    report: dict = field(default_factory=dict)
    log: str = ""
    wall: float = 0.0
    worker: str = ""


_AST_LOCK = threading.Lock()  # CPython 3.11's ast.parse is not safe in several threads at once


def source_digest(scene_file: str | os.PathLike, root: Path = REPO_ROOT) -> str:
    """A hash of the scene's source and every project file it imports (and the pinned requirements): a
    worker with another checkout gets a different digest and refuses the chunk."""
    from llmfacts.rendering import local_dependencies

    digest = hashlib.sha256()
    with _AST_LOCK:
        files = [*local_dependencies(root / scene_file, root), root / "requirements.lock"]
    for file in files:
        if file.exists():
            digest.update(file.resolve().relative_to(root.resolve()).as_posix().encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:24]


def forwarded_env(environ: dict | None = None) -> dict:
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if k.startswith(FORWARDED_ENV_PREFIX) and k not in _NOT_FORWARDED}


def _python(root: Path) -> str:
    venv = root / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _child_env(job: ChunkJob, root: Path) -> dict:
    env = dict(os.environ, COLUMNS="1000", PYTHONUNBUFFERED="1", **job.env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
    return env


# ------------------------------------------------------------------------------------------- local execution
class Slots:
    """At most ``count`` chunk processes at once, across processes: one ``flock`` per slot file in ``folder``."""

    def __init__(self, folder: Path, count: int):
        self.folder, self.count = Path(folder), max(1, count)

    @contextlib.contextmanager
    def hold(self, stop: threading.Event | None = None):
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            for k in range(self.count):
                handle = open(self.folder / f"slot-{k}.lock", "a+")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    handle.close()
                    continue
                try:
                    yield k
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    handle.close()
                return
            if stop is not None and stop.is_set():
                raise ChunkError("stopped while waiting for a free slot")
            time.sleep(0.05)


_CHILDREN: set[subprocess.Popen] = set()
_CHILDREN_LOCK = threading.Lock()


def stop_children() -> None:
    """End every chunk process this process started (and still runs)."""
    with _CHILDREN_LOCK:
        children = list(_CHILDREN)
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            child.kill()


#: Media sub-folders whose SVGs depend only on their source text (TeX, text): shared between chunks.
REUSABLE_MEDIA = ("Tex", "texts")


def share_svgs(source: Path | None, target: Path) -> None:
    """Hard-link (else copy) the TeX and text SVGs of ``source`` into ``target`` (missing ones only), so a
    chunk does not run LaTeX again for formulas another render already turned into SVG."""
    if source is None:
        return
    for sub in REUSABLE_MEDIA:
        if not (Path(source) / sub).is_dir():
            continue
        (target / sub).mkdir(parents=True, exist_ok=True)
        for svg in (Path(source) / sub).glob("*.svg"):
            goal = target / sub / svg.name
            if goal.exists():
                continue
            try:
                os.link(svg, goal)
            except OSError:
                with contextlib.suppress(OSError):
                    shutil.copyfile(svg, goal)


def _run_runner(job: ChunkJob, workdir: Path, root: Path, log_lines: Callable[[str], None] | None = None,
                slots: Slots | None = None, svgs: Path | None = None) -> ChunkResult:
    """Run one chunk in a child process of this machine; read its outputs back as bytes."""
    media, report = workdir / "media", workdir / "report.json"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    share_svgs(svgs, media)
    cmd = [_python(root), "-m", "llmfacts.chunks", *job.runner_args(media, report, root)]
    hold = slots.hold() if slots else contextlib.nullcontext()
    lines: list[str] = []
    with hold:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=root, env=_child_env(job, root), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, bufsize=1)
        with _CHILDREN_LOCK:
            _CHILDREN.add(child)
        try:
            assert child.stdout is not None
            for line in child.stdout:
                lines.append(line)
                if log_lines:
                    log_lines(line)
            code = child.wait()
        finally:
            with _CHILDREN_LOCK:
                _CHILDREN.discard(child)
        wall = time.perf_counter() - started
    log = "".join(lines)
    worker = f"{os.uname().nodename}:{os.getpid()}"
    if code != 0 or not report.exists():
        return ChunkResult(job, False, log=log, wall=wall, worker=worker)
    data = json.loads(report.read_text())
    video = Path(data["video"]).read_bytes()
    srt = Path(data["subtitles"]).read_text(encoding="utf-8") if data.get("subtitles") else None
    audio = Path(data["audio"]).read_bytes() if data.get("audio") else None
    data["wall"] = wall
    if svgs is not None:  # formulas this chunk was the first to typeset serve the next chunks
        share_svgs(media, svgs)
    return ChunkResult(job, True, video=video, subtitles=srt, audio=audio, report=data, log=log, wall=wall,
                       worker=worker)


def run_chunk_local(job: ChunkJob, workdir: Path, slots: Slots | None = None,
                    log_lines: Callable[[str], None] | None = None, root: Path = REPO_ROOT,
                    svgs: Path | None = None) -> ChunkResult:
    """Render one chunk in a child process of this machine (waiting for a free slot, when given); ``svgs``:
    a media folder whose TeX and text SVGs the chunk reuses (and adds its own to)."""
    return _run_runner(job, Path(workdir), root, log_lines=log_lines, slots=slots, svgs=svgs)


# ------------------------------------------------------------------------------------------- joining
def _probe_frames(path: Path) -> int:
    from llmfacts import video

    return video.probe(path).frames


def mux_audio(video_path: Path, audio_path: Path, output: Path) -> None:
    """Put a sound track beside a video stream, both copied as they are (what manim does for a scene)."""
    import av

    from llmfacts import video

    with video.atomic_path(output) as tmp:
        with av.open(str(video_path)) as video_in, av.open(str(audio_path)) as audio_in, \
                av.open(str(tmp), mode="w", format="mp4") as out:
            v_in, a_in = video_in.streams.video[0], audio_in.streams.audio[0]
            v_out = out.add_stream_from_template(template=v_in)
            a_out = out.add_stream_from_template(template=a_in)
            for packet in video_in.demux(v_in):
                if packet.dts is None:
                    continue
                packet.stream = v_out
                out.mux(packet)
            for packet in audio_in.demux(a_in):
                if packet.dts is None:
                    continue
                packet.stream = a_out
                out.mux(packet)


def check_consistent(results: Sequence[ChunkResult]) -> None:
    """The chunks must tile the scene, and agree on every animation they all ran (frames, scene times)."""
    ordered = sorted(results, key=lambda r: r.job.start)
    last = ordered[-1]
    if last.job.end is not None:
        raise ChunkError(f"{last.job.scene}: the last chunk must run to the end of the scene")
    reference = last.report["animations"]
    total = len(reference)
    expected_start = 0
    for result in ordered:
        job = result.job
        if job.start != expected_start:
            raise ChunkError(f"{job.scene}: chunks leave a gap or overlap at animation {expected_start}")
        seen = result.report["animations"]
        for mine, theirs in zip(seen, reference):
            if (mine["frames"], mine["time"]) != (theirs["frames"], theirs["time"]):
                raise ChunkError(
                    f"{job.scene}: chunk {job.key} and the last chunk disagree at animation {mine['index']} "
                    f"({mine['frames']} vs {theirs['frames']} frames); the scene is not deterministic")
        own = [a for a in seen if a["rendered"]]
        if [a["index"] for a in own] != list(ChunkRange(job.start, job.end).animations(total)):
            raise ChunkError(f"{job.scene}: chunk {job.key} rendered animations "
                             f"{[a['index'] for a in own]}, not its range")
        expected_start = (job.end + 1) if job.end is not None else total


def assemble(results: Sequence[ChunkResult], target: Path, workdir: Path) -> dict:
    """Join the chunks of one scene into ``target`` (+ ``.srt`` beside it, + sound): the whole-scene clip.

    Checks that the chunks tile the scene and agree (:func:`check_consistent`) and that each clip holds
    the frames its animations hold. Returns the scene's timings (:class:`SceneTimings` as JSON).
    """
    from llmfacts import video

    ordered = sorted(results, key=lambda r: r.job.start)
    check_consistent(ordered)
    workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for k, result in enumerate(ordered):
        part = workdir / f"part-{k:03d}.mp4"
        part.write_bytes(result.video or b"")
        own_frames = sum(a["frames"] for a in result.report["animations"] if a["rendered"])
        found = _probe_frames(part)
        if found != own_frames:
            raise ChunkError(f"{result.job.scene}: chunk {result.job.key} holds {found} frames, "
                             f"its animations {own_frames}")
        parts.append(part)
    last = ordered[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    if last.audio:
        joined = workdir / "joined.mp4"
        video.concat_videos(parts, joined)
        sound = workdir / "scene.aac"
        sound.write_bytes(last.audio)
        mux_audio(joined, sound, target)
    else:
        video.concat_videos(parts, target)
    srt_target = target.with_suffix(".srt")
    if last.subtitles is not None:
        with video.atomic_path(srt_target) as tmp:
            tmp.write_text(last.subtitles, encoding="utf-8")
    elif srt_target.exists():
        srt_target.unlink()
    return merged_timings(ordered).to_json()


def merged_timings(results: Sequence[ChunkResult]) -> SceneTimings:
    """Per-animation timings of a scene from the reports of its chunks."""
    ordered = sorted(results, key=lambda r: r.job.start)
    reference = ordered[-1].report["animations"]
    n = len(reference)
    render = [0.0] * n
    skip_sum, skip_count = [0.0] * n, [0] * n
    overheads = []
    for result in ordered:
        inside = 0.0
        for a in result.report["animations"]:
            inside += a["seconds"]
            if a["rendered"]:
                render[a["index"]] = a["seconds"]
            else:
                skip_sum[a["index"]] += a["seconds"]
                skip_count[a["index"]] += 1
        overheads.append(max(0.0, result.wall - inside))
    skip = [s / c if c else None for s, c in zip(skip_sum, skip_count)]
    chunks = [{"start": r.job.start, "end": r.job.end, "wall": round(r.wall, 3), "worker": r.worker}
              for r in ordered]
    return SceneTimings(render=[round(x, 4) for x in render], frames=[a["frames"] for a in reference],
                        overhead=round(sum(overheads) / len(overheads), 3),
                        skip=[None if s is None else round(s, 4) for s in skip], chunks=chunks)


# ------------------------------------------------------------------------------------------- the runner
class _RunnerState:
    def __init__(self, start: int):
        self.start = start
        self.prefix = False
        self.frames = 0
        self.animations: list[dict] = []
        self.sounds: list[dict] = []
        self.writer = None
        self.first_play: float | None = None
        self.originals: dict = {}


def _install_patches(state: _RunnerState) -> None:
    """Make animations before ``state.start`` play exactly as in a whole render, but undrawn and unencoded."""
    from manim.renderer.cairo_renderer import CairoRenderer
    from manim.scene.scene_file_writer import SceneFileWriter

    play, add_frame, update_frame, render = (CairoRenderer.play, CairoRenderer.add_frame,
                                             CairoRenderer.update_frame, CairoRenderer.render)

    def patched_play(self, scene, *args, **kwargs):
        index = self.num_plays
        state.prefix = index < state.start
        state.writer = self.file_writer
        frames_before, time_before = state.frames, self.time
        began = time.perf_counter()
        if state.first_play is None:
            state.first_play = began
        play(self, scene, *args, **kwargs)  # EndSceneEarlyException past --end: nothing is recorded
        state.animations.append({"index": index, "frames": state.frames - frames_before, "time": time_before,
                                 "seconds": round(time.perf_counter() - began, 5), "rendered": not state.prefix})
        state.prefix = False

    def patched_add_frame(self, frame, num_frames=1):
        if self.skip_animations:  # manim's own skipping (not used by the runner): no frame, no time
            return add_frame(self, frame, num_frames)
        state.frames += num_frames
        if state.prefix:  # the clock runs exactly as it would (same float sums), nothing is written
            dt = 1 / self.camera.frame_rate
            self.time += num_frames * dt
            return None
        return add_frame(self, frame, num_frames)

    def patched_update_frame(self, scene, *args, **kwargs):
        if state.prefix:
            return None
        return update_frame(self, scene, *args, **kwargs)

    def patched_render(self, scene, time_, moving_mobjects=None):
        if state.prefix:
            return self.add_frame(None)
        return render(self, scene, time_, moving_mobjects)

    CairoRenderer.play = patched_play
    CairoRenderer.add_frame = patched_add_frame
    CairoRenderer.update_frame = patched_update_frame
    CairoRenderer.render = patched_render

    add_partial, begin, end = (SceneFileWriter.add_partial_movie_file, SceneFileWriter.begin_animation,
                               SceneFileWriter.end_animation)

    def patched_add_partial(self, hash_animation):
        return add_partial(self, None if state.prefix else hash_animation)

    def patched_begin(self, allow_write=False, **kwargs):
        return begin(self, allow_write and not state.prefix, **kwargs)

    def patched_end(self, allow_write=False):
        return end(self, allow_write and not state.prefix)

    def patched_add_sound(self, sound_file, time=None, gain=None, **kwargs):
        from manim.utils.sounds import get_full_sound_file_path

        path = Path(get_full_sound_file_path(sound_file, self.settings.assets_dir)).resolve()
        state.sounds.append({"kind": "sound", "file": str(path), "time": time, "gain": gain, "kwargs": kwargs})
        self.includes_sound = True  # scene code that asks whether there is sound gets the truth

    def patched_add_audio_segment(self, segment, time=None, **kwargs):
        state.sounds.append({"kind": "segment", "segment": segment, "time": time, "kwargs": kwargs})
        self.includes_sound = True

    def patched_combine(self):
        includes, self.includes_sound = self.includes_sound, False  # a chunk's clip carries no sound
        try:
            return combine(self)
        finally:
            self.includes_sound = includes

    combine = SceneFileWriter.combine_to_movie
    state.originals = {"add_sound": SceneFileWriter.add_sound,
                       "add_audio_segment": SceneFileWriter.add_audio_segment}
    SceneFileWriter.add_partial_movie_file = patched_add_partial
    SceneFileWriter.begin_animation = patched_begin
    SceneFileWriter.end_animation = patched_end
    SceneFileWriter.add_sound = patched_add_sound
    SceneFileWriter.add_audio_segment = patched_add_audio_segment
    SceneFileWriter.combine_to_movie = patched_combine


def _mix_sound(state: _RunnerState, folder: Path) -> Path | None:
    """The scene's sound track: the recorded ``add_sound`` / ``add_audio_segment`` calls replayed, in order
    and at their scene times, through manim's own code, then finished as a whole-scene render finishes it
    (a silent segment appended, WAV, then AAC for MP4)."""
    if not state.sounds or state.writer is None:
        return None
    from manim.scene.scene_file_writer import AudioSegment, SceneFileWriter, convert_audio

    for name, original in state.originals.items():
        setattr(SceneFileWriter, name, original)
    writer = state.writer
    writer.init_audio()
    for sound in state.sounds:
        if sound["kind"] == "sound":
            writer.add_sound(sound["file"], sound["time"], sound["gain"], **sound["kwargs"])
        else:
            writer.add_audio_segment(sound["segment"], sound["time"], **sound["kwargs"])
    writer.add_audio_segment(AudioSegment.silent(0))
    wav, aac = folder / "scene-sound.wav", folder / "scene-sound.aac"
    writer.audio_segment.export(wav, format="wav", bitrate="312k")
    convert_audio(wav, aac, "aac")
    wav.unlink()
    return aac


def _watch_parent() -> None:
    """End this process when its parent dies (a killed cluster worker must not leave renders running)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(70)

    threading.Thread(target=watch, daemon=True).start()


def _process_seconds() -> float:
    """Seconds since this process started (interpreter start-up included)."""
    try:
        import psutil

        return time.time() - psutil.Process().create_time()
    except Exception:  # noqa: BLE001 - without psutil: since this module was imported
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def _runner_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmfacts.chunks run")
    parser.add_argument("--start", type=int, required=True, help="first animation to render")
    parser.add_argument("--end", type=int, default=None, help="last animation to render (default: the last)")
    parser.add_argument("--report", type=Path, required=True, help="where to write what was rendered (JSON)")
    parser.add_argument("--timings", type=Path, default=None, help="also write the scene's timings here")
    parser.add_argument("--digest", default="", help="refuse unless the scene's sources have this digest")
    parser.add_argument("--slots", default="", help="FOLDER:COUNT - hold one of COUNT slots while rendering")
    parser.add_argument("--with-sound", action="store_true",
                        help="a whole scene (--start 0, no --end): put its sound track into its clip, as manim does")
    parser.add_argument("manim", nargs=argparse.REMAINDER, help="-- render FILE SCENE [manim options]")
    args = parser.parse_args(argv)
    manim_args = args.manim[1:] if args.manim[:1] == ["--"] else list(args.manim)
    if len(manim_args) < 3 or manim_args[0] != "render":
        parser.error("give the manim command after --: -- render FILE SCENE [options]")
    _watch_parent()
    if args.digest:
        scene_file = Path(manim_args[1]).resolve()
        relative = scene_file.relative_to(REPO_ROOT) if scene_file.is_relative_to(REPO_ROOT) else scene_file
        mine = source_digest(relative)
        if mine != args.digest:
            print(f"Error: the checkout at {REPO_ROOT} has other sources for {relative} than the client has "
                  f"(digest {mine}, the client's {args.digest}); workers must run the client's checkout", flush=True)
            return 3
    hold = contextlib.nullcontext()
    if args.slots:
        folder, _, count = args.slots.rpartition(":")
        hold = Slots(Path(folder), int(count)).hold()
    if args.with_sound and (args.start != 0 or args.end is not None):
        parser.error("--with-sound is for a whole scene: --start 0 and no --end")
    with hold:
        code = _render_chunk(args.start, args.end, args.report, manim_args, with_sound=args.with_sound)
    if code == 0 and args.timings is not None:
        data = json.loads(args.report.read_text())
        job = ChunkJob(scene=manim_args[2], scene_file=manim_args[1], manim_args=[], start=args.start, end=args.end)
        result = ChunkResult(job, True, report=data, wall=_process_seconds(), worker=f"{os.uname().nodename}")
        args.timings.write_text(json.dumps(merged_timings([result]).to_json(), indent=1))
    return code


def _render_chunk(start: int, end: int | None, report: Path, manim_args: list[str], with_sound: bool = False) -> int:
    state = _RunnerState(start)
    _install_patches(state)
    from manim.__main__ import main as manim_main

    extra = ["--disable_caching"]
    if end is not None:
        extra += ["-n", f"0,{end}"]
    try:
        manim_main([*manim_args, *extra], prog_name="manim", standalone_mode=False)
    except SystemExit as stop:
        if stop.code not in (0, None):
            return int(stop.code) if isinstance(stop.code, int) else 1
    writer = state.writer
    if writer is None:
        print("Error: the scene played no animation", flush=True)
        return 1
    total = len(state.animations)
    if start >= total:
        print(f"Error: the scene has {total} animations; a chunk cannot start at animation {start}", flush=True)
        return 1
    movie = Path(writer.movie_file_path)
    srt = movie.with_suffix(".srt")
    audio = _mix_sound(state, movie.parent) if end is None else None
    if audio is not None and with_sound:  # the whole scene: its clip carries the track, as manim's own does
        mux_audio(movie, audio, movie)
        audio.unlink()
        audio = None
    data = {
        "start": start,
        "end": end,
        "video": str(movie),
        "subtitles": str(srt) if srt.exists() else None,
        "audio": str(audio) if audio else None,
        "animations": state.animations,
        "sounds": [{k: v for k, v in s.items() if k != "segment"} for s in state.sounds],
        "frame_rate": float(writer.settings.frame_rate) if hasattr(writer.settings, "frame_rate") else None,
    }
    report.parent.mkdir(parents=True, exist_ok=True)
    tmp = report.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, report)
    return 0


# ------------------------------------------------------------------------------------------- the scene driver
def _log(line: str) -> None:
    print(line, flush=True)


def _drive_scene(argv: list[str]) -> int:
    """``python -m llmfacts.chunks scene --spec FILE``: render one scene's chunks (here or on a cluster), join
    them into ``<media>/videos/chunked/<Scene>.mp4`` (+ ``.srt``), write the timings; print progress lines
    as manim does (``Animation N :`` and ``Played N animations``), so ``render.py`` reads it like manim."""
    parser = argparse.ArgumentParser(prog="python -m llmfacts.chunks scene")
    parser.add_argument("--spec", type=Path, required=True)
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text())
    media = Path(spec["media"])
    jobs = [ChunkJob(**job) for job in spec["jobs"]]
    for job in jobs:  # this process runs in the scenes' environment (lecture, voice): the chunks get the same
        job.env = forwarded_env()
    stop = threading.Event()
    cancel: list[Callable[[], None]] = []

    def on_signal(signum, frame):  # render.py stops the whole process group; stop the cluster's work too
        stop.set()
        for action in cancel:
            with contextlib.suppress(Exception):
                action()
        stop_children()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    done = [0]

    def on_result(result: ChunkResult) -> None:
        if result.ok:
            own = sum(1 for a in result.report["animations"] if a["rendered"])
            done[0] += own
            _log(f"Animation {done[0] - 1} : chunk {result.job.index + 1}/{result.job.count} {result.job.key} "
                 f"rendered on {result.worker} in {result.wall:.1f} s")
        else:
            _log(f"chunk {result.job.key} failed on {result.worker}")

    results = _run_jobs(spec, jobs, media, on_result, stop, cancel)
    failed = [r for r in results if not r.ok]
    if failed:
        for result in failed:
            _log(f"--- log of chunk {result.job.key} ({result.worker}) ---")
            _log(result.log.rstrip())
        return 1
    target = media / "videos" / "chunked" / f"{spec['scene']}.mp4"
    try:
        timings = assemble(results, target, media / "chunks" / "join")
    except ChunkError as error:
        if len(jobs) == 1:
            _log(f"Error: {error}")
            return 1
        _log(f"{error}; rendering the scene whole instead")
        whole = ChunkJob(**{**asdict(jobs[0]), "start": 0, "end": None, "index": 0, "count": 1})
        results = _run_jobs(spec, [whole], media, on_result, stop, cancel)
        if not results[0].ok:
            _log(results[0].log.rstrip())
            return 1
        timings = assemble(results, target, media / "chunks" / "join")
    (media / TIMINGS_FILE).write_text(json.dumps(timings, indent=1))
    shutil.rmtree(media / "chunks", ignore_errors=True)
    _log(f"Joined {len(results)} chunk(s) without re-encoding: {len(timings['frames'])} animations, "
         f"{sum(timings['frames'])} frames")
    _log(f"Played {len(timings['frames'])} animations")
    return 0


def _run_jobs(spec: dict, jobs: list[ChunkJob], media: Path, on_result: Callable[[ChunkResult], None],
              stop: threading.Event, cancel: list) -> list[ChunkResult]:
    ordered = sorted(jobs, key=lambda j: -j.estimate)
    if spec.get("cluster"):
        from llmfacts import cluster

        return cluster.run_chunks(spec["cluster"], ordered, on_result=on_result, cancel_hooks=cancel)
    slots = Slots(Path(spec["slots_dir"]), int(spec["slots"])) if spec.get("slots_dir") else None
    results: list[ChunkResult] = []
    lock = threading.Lock()

    def one(job: ChunkJob) -> None:
        result = run_chunk_local(job, media / "chunks" / f"{job.index:03d}", slots=slots, svgs=media)
        with lock:
            results.append(result)
            on_result(result)

    threads = [threading.Thread(target=one, args=(job,), daemon=True) for job in ordered]
    for thread in threads:  # each waits for a free slot; the longest chunks ask first
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    return results


# ------------------------------------------------------------------------------------------- render.py hooks
def _disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "auto").strip().lower() in ("0", "off", "no", "false")


def _forced_count() -> int | None:
    value = os.environ.get(DISABLE_ENV, "auto").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _count_split(animations: int, count: int) -> list[ChunkRange]:
    count = max(1, min(count, animations))
    bounds = [round(k * animations / count) for k in range(count + 1)]
    return [ChunkRange(bounds[k], bounds[k + 1] - 1 if k < count - 1 else None) for k in range(count)]


def prepare_run(todo: Sequence[Any], settings: Any, manifest: Any) -> dict:
    """Decide, before a run, how each scene to render is cut and where its chunks run; ``render.py``
    keeps the answer in ``settings.chunk_plan``. Scenes without recorded timings are rendered whole (and
    measured); ``LLMFACTS_CHUNKS=N`` cuts every scene whose number of animations is known into N chunks
    (tests, experiments); ``LLMFACTS_CHUNKS=0`` turns the runner off (plain manim, as before)."""
    cluster_address = getattr(settings, "cluster", None)
    plan: dict = {}
    if cluster_address and getattr(settings, "save_sections", False):
        _setup_error("--sections cannot be combined with --cluster (a section's clip would span chunks); "
                     "render the sections locally")
    if (_disabled() or getattr(settings, "save_sections", False)) and not cluster_address:
        settings.chunk_plan = plan
        return plan
    if cluster_address and todo:
        from llmfacts import cluster

        try:
            workers = cluster.worker_count(cluster_address)
        except cluster.ClusterError as error:
            _setup_error(str(error))
    elif cluster_address:
        workers = 1  # nothing to render: the cluster is not contacted at all
    else:
        workers = max(1, int(getattr(settings, "jobs", 1)))
    timings: dict[str, SceneTimings | None] = {}
    counts: dict[str, int | None] = {}
    for entry in todo:
        record = manifest.scenes.get(entry.name) if manifest is not None else None
        timings[entry.name] = SceneTimings.from_json(getattr(record, "timings", None)) if record else None
        counts[entry.name] = getattr(record, "animations", None) if record else None
    forced = _forced_count()
    if forced:
        ranges = {name: _count_split(counts[name], forced) if counts[name] else [ChunkRange(0, None)]
                  for name in timings}
    else:
        ranges = plan_chunks(timings, workers)
    split = any(len(r) > 1 for r in ranges.values())
    for entry in todo:
        t = timings[entry.name]
        chunks = ranges[entry.name]
        plan[entry.name] = {
            "chunks": [(c.start, c.end) for c in chunks],
            "estimates": [round(chunk_cost(t, c), 3) if t else 0.0 for c in chunks],
        }
    plan["_run"] = {"cluster": cluster_address, "workers": workers, "split": split,
                    "slots_dir": str(Path(settings.build_dir) / "slots"), "slots": workers}
    settings.chunk_plan = plan
    return plan


def _setup_error(message: str) -> None:
    """Stop before anything renders, with one line (render.py prints it)."""
    try:
        from llmfacts.rendering import RenderSetupError
    except ImportError:  # pragma: no cover - an older pipeline
        raise ChunkError(message) from None
    raise RenderSetupError(message) from None


def _manim_parts(cmd: Sequence[str]) -> tuple[str, str, list[str], str]:
    """(scene file, scene name, other options, media folder) from a ``... manim render FILE SCENE ...`` line."""
    at = list(cmd).index("render")
    file, scene, rest = cmd[at + 1], cmd[at + 2], list(cmd[at + 3:])
    media = ""
    if "--media_dir" in rest:
        k = rest.index("--media_dir")
        media = rest[k + 1]
        del rest[k : k + 2]
    return file, scene, rest, media


def command(entry: Any, settings: Any, cmd: Sequence[str]) -> list[str]:
    """The command ``render.py`` runs for one scene instead of ``cmd`` (its plain manim line).

    * chunks off (or ``--sections``): ``cmd`` itself;
    * one chunk, here: the runner for the whole scene (manim itself, plus the timings it records);
    * several chunks, or a cluster: the scene driver, which renders the chunks and joins them.
    Either way the clip lands where manim would put it, under ``--media_dir``.
    """
    plan = getattr(settings, "chunk_plan", None) or {}
    run = plan.get("_run")
    if run is None or entry.name not in plan or "render" not in cmd:
        return list(cmd)
    file, scene, options, media = _manim_parts(cmd)
    media_dir = Path(media)
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / TIMINGS_FILE).unlink(missing_ok=True)
    chunks = plan[entry.name]["chunks"]
    python = list(cmd[: list(cmd).index("-m")]) if "-m" in cmd else [sys.executable]
    if len(chunks) == 1 and not run["cluster"]:
        slots = ["--slots", f"{run['slots_dir']}:{run['slots']}"] if run["split"] else []
        return [*python, "-m", "llmfacts.chunks", "run", "--start", "0", "--with-sound", *slots,
                "--report", str(media_dir / "chunk_report.json"), "--timings", str(media_dir / TIMINGS_FILE),
                "--", "render", file, scene, *options, "--media_dir", media]
    scene_file = Path(file).resolve()
    relative = scene_file.relative_to(REPO_ROOT) if scene_file.is_relative_to(REPO_ROOT) else scene_file
    digest = source_digest(relative) if run["cluster"] else ""
    env = forwarded_env()
    jobs = [asdict(ChunkJob(scene=scene, scene_file=str(relative), manim_args=options, start=start, end=end,
                            index=k, count=len(chunks), digest=digest, env=env,
                            estimate=plan[entry.name]["estimates"][k]))
            for k, (start, end) in enumerate(chunks)]
    spec = {"scene": scene, "media": media, "jobs": jobs, "cluster": run["cluster"],
            "slots_dir": None if run["cluster"] else run["slots_dir"], "slots": run["slots"]}
    spec_file = media_dir / "chunk_spec.json"
    spec_file.write_text(json.dumps(spec, indent=1))
    return [*python, "-m", "llmfacts.chunks", "scene", "--spec", str(spec_file)]


def read_timings(media: str | os.PathLike) -> dict | None:
    """The timings the runner or the driver wrote for this render (for the manifest), if any."""
    path = Path(media) / TIMINGS_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if SceneTimings.from_json(data) is not None else None


def pool_size(settings: Any, scenes: int) -> int:
    """How many scenes ``render.py`` drives at once: every scene on a cluster (the scheduler hands out
    their chunks), else ``--jobs``."""
    jobs = max(1, int(getattr(settings, "jobs", 1)))
    plan = getattr(settings, "chunk_plan", None) or {}
    return max(jobs, scenes) if (plan.get("_run") or {}).get("cluster") else jobs


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__.split("\n\n")[0])
        return 2
    name, rest = argv[0], argv[1:]
    if name == "run":
        return _runner_main(rest)
    if name == "scene":
        return _drive_scene(rest)
    print(f"llmfacts.chunks: unknown command {name!r} (run, scene)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
