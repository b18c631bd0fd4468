"""The render pipeline behind ``render.py``: fingerprints, parallel manim runs, atomic outputs, joining.

Each scene renders in its own ``manim`` process with its own media folder (two processes sharing one
crash on TeX temp files), several at a time. A scene whose fingerprint - its source file, every project
module it imports (transitively), the pinned requirements, the assets and the quality - matches the last
successful render is "up to date" and is not rendered again. Finished clips are moved into
``renders/<quality>/`` atomically; the joined video and its subtitles likewise.

This module imports neither manim nor the scenes (it runs them as subprocesses).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from llmfacts import video
from llmfacts.storyboard import REPO_ROOT, STORY, SceneEntry

__all__ = [
    "QUALITIES",
    "RenderSettings",
    "SceneOutcome",
    "Manifest",
    "local_dependencies",
    "fingerprint",
    "render_scenes",
    "join_outputs",
    "JOINED_NAME",
]

#: ``--quality`` names -> manim's ``-q`` flag and the folder manim writes into.
QUALITIES: dict[str, tuple[str, str]] = {
    "low": ("l", "480p15"),
    "medium": ("m", "720p30"),
    "high": ("h", "1080p60"),
    "production": ("p", "1440p60"),
    "4k": ("k", "2160p60"),
}
JOINED_NAME = "how-llms-store-facts"
PROJECT_PACKAGES = ("llmfacts", "scenes")


# ------------------------------------------------------------------------------------------- fingerprints
def _module_file(module: str, root: Path) -> Path | None:
    base = root / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1]) if path.is_relative_to(REPO_ROOT) else ""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
    return found


def local_dependencies(path: str | os.PathLike, root: Path = REPO_ROOT) -> list[Path]:
    """The file itself and every project file it imports, transitively (package ``__init__`` files too)."""
    start = Path(path).resolve()
    seen: set[Path] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for module in _imported_modules(current):
            if module.split(".")[0] not in PROJECT_PACKAGES:
                continue
            parts = module.split(".")
            for k in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
                file = _module_file(".".join(parts[:k]), root)
                if file is not None and file.resolve() not in seen:
                    todo.append(file.resolve())
    return sorted(seen)


def fingerprint(entry: SceneEntry, quality: str, extra: Iterable[Path] = ()) -> str:
    """A hash of everything that decides what the scene's video looks like."""
    digest = hashlib.sha256()
    digest.update(f"{entry.name}|{quality}".encode())
    files = list(local_dependencies(entry.path))
    files += [REPO_ROOT / "requirements.lock"]
    assets = REPO_ROOT / "assets"
    if assets.is_dir():
        files += sorted(p for p in assets.rglob("*") if p.is_file())
    files += list(extra)
    for file in files:
        if file.exists():
            digest.update(str(file.relative_to(REPO_ROOT) if file.is_relative_to(REPO_ROOT) else file).encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:24]


# ------------------------------------------------------------------------------------------- manifest
@dataclass
class SceneRecord:
    fingerprint: str
    video: str
    subtitles: str | None
    duration: float
    frames: int
    animations: int
    wall_seconds: float
    rendered_at: float


class Manifest:
    """What was rendered at one quality: ``renders/<quality>/manifest.json`` (written atomically)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "manifest.json"
        self.scenes: dict[str, SceneRecord] = {}
        self.joined: dict | None = None
        self._lock = threading.Lock()
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
                self.scenes = {k: SceneRecord(**v) for k, v in data.get("scenes", {}).items()}
                self.joined = data.get("joined")
            except (ValueError, TypeError, KeyError):
                self.scenes, self.joined = {}, None  # unreadable manifest: everything is re-checked

    def save(self) -> None:
        with self._lock:
            payload = {"scenes": {k: asdict(v) for k, v in self.scenes.items()}, "joined": self.joined}
            with video.atomic_path(self.path) as tmp:
                tmp.write_text(json.dumps(payload, indent=1))

    def record(self, name: str, record: SceneRecord) -> None:
        with self._lock:
            self.scenes[name] = record
        self.save()

    def is_current(self, name: str, print_: str) -> bool:
        rec = self.scenes.get(name)
        return bool(rec and rec.fingerprint == print_ and (REPO_ROOT / rec.video).is_file())


# ------------------------------------------------------------------------------------------- rendering
@dataclass
class RenderSettings:
    quality: str = "high"
    jobs: int = os.cpu_count() or 1
    force: bool = False
    stills: bool = False
    save_sections: bool = False
    out_dir: Path = field(default_factory=lambda: Path(os.environ.get("LLMFACTS_RENDER_DIR", REPO_ROOT / "renders")))
    build_dir: Path = field(default_factory=lambda: Path(os.environ.get("LLMFACTS_BUILD_DIR", REPO_ROOT / "build")))
    extra_manim_args: tuple[str, ...] = ()

    @property
    def quality_dir(self) -> Path:
        return self.out_dir / self.quality

    @property
    def log_dir(self) -> Path:
        return self.out_dir / "logs" / self.quality


@dataclass
class SceneOutcome:
    entry: SceneEntry
    status: str  #: "rendered", "up to date" or "failed"
    video: Path | None = None
    subtitles: Path | None = None
    duration: float = 0.0
    wall_seconds: float = 0.0
    log: Path | None = None
    error: str = ""
    still: Path | None = None
    extra: dict = field(default_factory=dict)


def output_stem(entry: SceneEntry) -> str:
    index = STORY.index(entry) + 1 if entry in STORY else 0
    return f"{index:02d}_{entry.name}"


_ANIMATION_LINE = re.compile(r"Animation (\d+) :")
_PLAYED_LINE = re.compile(r"Played (\d+) animations")


def _error_tail(log_text: str, lines: int = 8) -> str:
    """The few lines of a failed manim log that say what went wrong."""
    rows = [r.rstrip() for r in log_text.splitlines() if r.strip()]
    for marker in ("Error", "Traceback", "Exception"):
        hits = [i for i, r in enumerate(rows) if marker in r]
        if hits:
            tail = rows[hits[-1] - lines + 1 : hits[-1] + 1] if marker == "Error" else rows[-lines:]
            return "\n".join(tail)
    return "\n".join(rows[-lines:])


def _render_one(
    entry: SceneEntry,
    settings: RenderSettings,
    manifest: Manifest,
    print_: str,
    on_progress: Callable[[str, int, int | None], None],
) -> SceneOutcome:
    flag, folder = QUALITIES[settings.quality]
    media = settings.build_dir / "media" / settings.quality / entry.name
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.log_dir / f"{entry.name}.log"
    cmd = [
        sys.executable, "-m", "manim", "render", str(entry.path), entry.name,
        "-q", flag, "--media_dir", str(media), "--progress_bar", "none", "-v", "INFO",
        *(["--save_sections"] if settings.save_sections else []),
        *settings.extra_manim_args,
    ]
    env = dict(os.environ, COLUMNS="1000", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    previous = manifest.scenes.get(entry.name)
    total = previous.animations if previous else None
    started = time.perf_counter()
    done = 0
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert process.stdout is not None
        played = None
        for line in process.stdout:
            log.write(line)
            if (m := _ANIMATION_LINE.search(line)) is not None:
                done = max(done, int(m.group(1)) + 1)
                on_progress(entry.name, done, total)
            elif (m := _PLAYED_LINE.search(line)) is not None:
                played = int(m.group(1))
        code = process.wait()
    wall = time.perf_counter() - started
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    if code != 0:
        return SceneOutcome(entry, "failed", wall_seconds=wall, log=log_path, error=_error_tail(log_text))
    produced = sorted((media / "videos").rglob(f"{entry.name}.mp4"), key=lambda p: p.stat().st_mtime)
    if not produced:
        return SceneOutcome(entry, "failed", wall_seconds=wall, log=log_path,
                            error=f"manim exited 0 but wrote no {entry.name}.mp4")
    source = produced[-1]
    stem = output_stem(entry)
    target = settings.quality_dir / f"{stem}.mp4"
    with video.atomic_path(target) as tmp:
        tmp.write_bytes(source.read_bytes())
    info = video.probe(target)
    srt_source = source.with_suffix(".srt")
    srt_target = None
    if srt_source.exists():
        srt_target = settings.quality_dir / f"{stem}.srt"
        with video.atomic_path(srt_target) as tmp:
            tmp.write_bytes(srt_source.read_bytes())
    elif (settings.quality_dir / f"{stem}.srt").exists():
        (settings.quality_dir / f"{stem}.srt").unlink()
    extra = {}
    sections = source.parent / "sections"
    if settings.save_sections and sections.is_dir():
        target_dir = settings.quality_dir / "sections" / entry.name
        for old in target_dir.glob("*"):
            old.unlink()
        for clip in sorted(sections.glob(f"{entry.name}*")):
            with video.atomic_path(target_dir / clip.name) as tmp:
                tmp.write_bytes(clip.read_bytes())
        extra["sections_dir"] = target_dir
    manifest.record(entry.name, SceneRecord(
        fingerprint=print_, video=str(target.relative_to(REPO_ROOT)) if target.is_relative_to(REPO_ROOT) else str(target),
        subtitles=str(srt_target.relative_to(REPO_ROOT)) if srt_target and srt_target.is_relative_to(REPO_ROOT) else (str(srt_target) if srt_target else None),
        duration=info.duration, frames=info.frames, animations=played or done,
        wall_seconds=round(wall, 2), rendered_at=time.time(),
    ))
    on_progress(entry.name, played or done, played or done)
    return SceneOutcome(entry, "rendered", video=target, subtitles=srt_target, duration=info.duration,
                        wall_seconds=wall, log=log_path, extra=extra)


def _resolve(path: str | None) -> Path | None:
    if path is None:
        return None
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


def render_scenes(
    entries: Sequence[SceneEntry],
    settings: RenderSettings,
    on_start: Callable[[SceneEntry, int | None], None] = lambda e, t: None,
    on_progress: Callable[[str, int, int | None], None] = lambda n, d, t: None,
    on_finish: Callable[[SceneOutcome], None] = lambda o: None,
) -> list[SceneOutcome]:
    """Render ``entries`` (skipping up-to-date ones unless forced), ``settings.jobs`` at a time.

    Returns one outcome per entry, in the order given. Longest scenes (by their last wall time) start
    first so the workers finish together.
    """
    if settings.quality not in QUALITIES:
        raise ValueError(f"unknown quality {settings.quality!r}; choose from {', '.join(QUALITIES)}")
    settings.quality_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(settings.quality_dir)
    outcomes: dict[str, SceneOutcome] = {}
    todo: list[tuple[SceneEntry, str]] = []
    for entry in entries:
        print_ = fingerprint(entry, settings.quality + ("+sections" if settings.save_sections else ""))
        if not settings.force and manifest.is_current(entry.name, print_):
            rec = manifest.scenes[entry.name]
            outcome = SceneOutcome(entry, "up to date", video=_resolve(rec.video), subtitles=_resolve(rec.subtitles),
                                   duration=rec.duration, wall_seconds=0.0,
                                   log=settings.log_dir / f"{entry.name}.log")
            outcomes[entry.name] = outcome
            on_finish(outcome)
        else:
            todo.append((entry, print_))
    todo.sort(key=lambda item: -(manifest.scenes[item[0].name].wall_seconds if item[0].name in manifest.scenes else 1e9))

    def work(item: tuple[SceneEntry, str]) -> SceneOutcome:
        entry, print_ = item
        previous = manifest.scenes.get(entry.name)
        on_start(entry, previous.animations if previous else None)
        try:
            outcome = _render_one(entry, settings, manifest, print_, on_progress)
        except Exception as exc:  # a broken scene must not stop the others
            outcome = SceneOutcome(entry, "failed", error=f"{type(exc).__name__}: {exc}")
        on_finish(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        for outcome in pool.map(work, todo):
            outcomes[outcome.entry.name] = outcome

    if settings.stills:
        for outcome in outcomes.values():
            if outcome.video is not None and outcome.video.exists():
                still = settings.quality_dir / "stills" / f"{outcome.entry.name}.png"
                if outcome.status == "rendered" or not still.exists():
                    video.save_png(video.last_frame(outcome.video), still)
                outcome.still = still
    return [outcomes[e.name] for e in entries]


def join_outputs(outcomes: Sequence[SceneOutcome], settings: RenderSettings) -> tuple[Path, Path | None]:
    """Join the scenes' clips (in the given order) into one video and one subtitle file."""
    if any(o.video is None for o in outcomes):
        raise ValueError("cannot join: some scenes have no video")
    target = settings.quality_dir / f"{JOINED_NAME}.mp4"
    manifest = Manifest(settings.quality_dir)
    key = [manifest.scenes[o.entry.name].fingerprint for o in outcomes]
    if manifest.joined and manifest.joined.get("parts") == key and target.exists():
        srt = settings.quality_dir / f"{JOINED_NAME}.srt"
        return target, srt if srt.exists() else None
    video.concat_videos([o.video for o in outcomes], target)
    srt_target = settings.quality_dir / f"{JOINED_NAME}.srt"
    cues = video.merge_srt([(o.subtitles, video.probe(o.video).duration) for o in outcomes], srt_target)
    manifest.joined = {"parts": key, "video": str(target.name), "subtitles": srt_target.name, "cues": cues}
    manifest.save()
    return target, srt_target
