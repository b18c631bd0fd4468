"""The render pipeline behind ``render.py``: fingerprints, parallel manim runs, verified outputs, joining.

Each scene renders in its own ``manim`` process, with a media folder of its own for that one run (two
processes sharing one crash on TeX temp files), several at a time. A scene whose fingerprint - its source
file, the project modules it imports (transitively; from a re-exporting package only the submodules that
define the names imported), the pinned requirements, the assets, the quality, the lecture and the voice -
matches the last successful render, and whose files are still the ones recorded (size and SHA-256; the clip
also decodes to the recorded length), is "up to date" and is not rendered again. Anything else is rendered
again, with a one-line note when a recorded file was damaged. Finished clips are moved into
``renders/[<lecture>/]<quality>/`` atomically; the joined video and its subtitles likewise.

Runs that share ``renders/`` coordinate through locks in ``<quality>/.state/``: one per scene (a second run
asking for a scene that another is rendering waits for it, then finds it up to date), one for the manifest
(every update is a read-modify-write under it, so no record is lost) and one for the join. A manifest that
cannot be read, or has the wrong shape, is set aside (renamed with a timestamp) and rebuilt from the
per-scene records kept beside it whose outputs still verify.

Renders are deterministic for a given fingerprint: manim's partial-movie cache is disabled (a cached
animation advanced the scene clock by its exact run time instead of whole frames, so a warm build folder
gave other frame counts and subtitle times than a cold one), and every run starts from a fresh media folder
(only the TeX/text SVGs of earlier runs are reused; they depend on nothing but their source).

This module imports neither manim nor the scenes (it runs them as subprocesses), nor the lecture module
unless a lecture is given.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from llmfacts import chunks, video
from llmfacts.storyboard import REPO_ROOT, STORY, SceneEntry

__all__ = [
    "QUALITIES",
    "RenderSettings",
    "SceneOutcome",
    "SceneRecord",
    "Manifest",
    "RenderSetupError",
    "RenderInterrupted",
    "local_dependencies",
    "fingerprint",
    "default_voice",
    "check_output_folders",
    "verify_record",
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
#: The default lecture's name: the joined video is ``<lecture name>.mp4``.
JOINED_NAME = "how-llms-store-facts"
PROJECT_PACKAGES = ("llmfacts", "scenes")
#: The variable naming the active lecture (:data:`llmfacts.compute.lecture.LECTURE_ENV`; repeated here so
#: that rendering the default lecture does not import the lecture module and, through it, torch).
LECTURE_ENV = "LLMFACTS_LECTURE"
#: Files whose SVGs a fresh media folder may reuse from earlier runs: they depend only on their source text.
_REUSABLE_MEDIA = ("Tex", "texts")


class RenderSetupError(RuntimeError):
    """Something outside the scenes stops the render (an output folder that cannot be written, ...): one line
    that says what is wrong and what fixes it."""


class RenderInterrupted(KeyboardInterrupt):
    """A render stopped by a signal: the manim processes were stopped, finished clips kept."""

    def __init__(self, finished: Sequence[str], stopped: Sequence[str]):
        super().__init__("interrupted")
        self.finished = list(finished)  #: scenes rendered (and kept) before the interruption
        self.stopped = list(stopped)  #: scenes stopped or never started; nothing of them was written


class _Cancelled(Exception):
    """A wait given up because the run is being interrupted."""


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_absolute() and path.is_relative_to(REPO_ROOT) else str(path)


def default_voice() -> str:
    """``$LLMFACTS_VOICE`` when set (the tests set ``none``), else ``piper`` once :mod:`llmfacts.voice`
    offers it, else its first voice."""
    from llmfacts.voice import VOICE_ENV, VOICES

    chosen = (os.environ.get(VOICE_ENV) or "").strip().lower()
    if chosen in VOICES:
        return chosen
    return "piper" if "piper" in VOICES else VOICES[0]


# ------------------------------------------------------------------------------------------- fingerprints
def _module_file(module: str, root: Path) -> Path | None:
    base = root / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _package_name(path: Path, root: Path) -> str:
    """The dotted package a file belongs to (for a package's ``__init__.py``: that package)."""
    if not path.is_relative_to(root):
        return ""
    return ".".join(path.relative_to(root).with_suffix("").parts[:-1])


def _imports(path: Path, root: Path) -> list[tuple[str, tuple[str, ...] | None]]:
    """``(module, names)`` for every import in ``path``; ``names`` is None for ``import m`` and ``import *``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package_name(path, root)
    found: list[tuple[str, tuple[str, ...] | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = tuple(alias.name for alias in node.names)
            found.append((base, None if "*" in names else names))
    return found


def _exported_names(path: Path) -> set[str]:
    """A module's ``__all__`` (read from its source), else its public top-level names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    public: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            with contextlib.suppress(ValueError):
                return {str(name) for name in ast.literal_eval(node.value)}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            public.add(node.name)
        elif isinstance(node, ast.Assign):
            public.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in public if not name.startswith("_")}


def _reexports(init_file: Path, package: str, root: Path) -> dict[str, Path]:
    """Names a package's ``__init__`` takes from its own submodules -> the submodule's file."""
    found: dict[str, Path] = {}
    for module, names in _imports(init_file, root):
        if module == package:
            for name in names or ():
                sub = _module_file(f"{package}.{name}", root)
                if sub is not None:
                    found.setdefault(name, sub)
        elif module.startswith(package + "."):
            sub = _module_file(module, root)
            if sub is not None:
                for name in names if names is not None else _exported_names(sub):
                    found.setdefault(name, sub)
    return found


def _import_targets(module: str, names: tuple[str, ...] | None, root: Path) -> list[tuple[Path, bool]]:
    """The files an import runs, as ``(file, whole)``; ``whole=False`` for a package reached only as the way
    to some of its names (its re-exports are then followed for those names only)."""
    parts = module.split(".")
    targets = []
    for k in range(1, len(parts)):  # importing a.b.c runs a/__init__ and a/b/__init__ too
        parent = _module_file(".".join(parts[:k]), root)
        if parent is not None:
            targets.append((parent, False))
    file = _module_file(module, root)
    if file is None:
        return targets
    if file.name != "__init__.py" or names is None:
        targets.append((file, True))
        return targets
    targets.append((file, False))
    exports: dict[str, Path] | None = None
    for name in names:
        sub = _module_file(f"{module}.{name}", root)  # `from pkg import submodule`
        if sub is None:
            exports = _reexports(file, module, root) if exports is None else exports
            sub = exports.get(name)
        if sub is not None:
            targets.append((sub, True))
    return targets


def local_dependencies(path: str | os.PathLike, root: Path = REPO_ROOT) -> list[Path]:
    """The file itself and every project file it imports, transitively (package ``__init__`` files too).

    ``from llmfacts.mobjects import CountingNumber`` counts ``llmfacts/mobjects/__init__.py`` and the
    submodule defining ``CountingNumber`` (by its ``__all__``), not every submodule the package re-exports.
    """
    root = Path(root).resolve()
    files: set[Path] = set()
    seen: set[tuple[Path, bool]] = set()
    todo: list[tuple[Path, bool]] = [(Path(path).resolve(), True)]
    while todo:
        current, whole = todo.pop()
        if (current, whole) in seen:
            continue
        seen.add((current, whole))
        files.add(current)
        own = _package_name(current, root) if current.name == "__init__.py" else None
        for module, names in _imports(current, root):
            if module.split(".")[0] not in PROJECT_PACKAGES:
                continue
            if own and not whole and (module == own or module.startswith(own + ".")):
                continue  # a re-export of the package: followed only for the names actually imported
            todo.extend(_import_targets(module, names, root))
    return sorted(files)


def fingerprint(entry: SceneEntry, quality: str, extra: Iterable[Path] = (), *, lecture: Any = None,
                voice: str | None = None) -> str:
    """A hash of everything that decides what the scene's video looks like.

    ``lecture`` is a :class:`~llmfacts.compute.lecture.Lecture` given with ``render.py --lecture`` (its
    values count); ``None`` is the default lecture, which the hashed sources define. ``voice`` names the
    voice that speaks the narration.
    """
    digest = hashlib.sha256()
    digest.update(f"{entry.name}|{quality}".encode())
    if lecture is not None:
        digest.update(f"|lecture={lecture.name}:{lecture.fingerprint()}".encode())
    if voice is not None:
        digest.update(f"|voice={voice}".encode())
    files = list(local_dependencies(entry.path))
    files += [REPO_ROOT / "requirements.lock", REPO_ROOT / "manim.cfg"]
    assets = REPO_ROOT / "assets"
    if assets.is_dir():
        files += sorted(p for p in assets.rglob("*") if p.is_file())
    files += list(extra)
    for file in files:
        if file.exists():
            digest.update(str(file.relative_to(REPO_ROOT) if file.is_relative_to(REPO_ROOT) else file).encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:24]


# ------------------------------------------------------------------------------------------- file stamps
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> dict:
    """What a written file is: its size and SHA-256."""
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def _check_stamp(path: Path, stamp: dict) -> str | None:
    """None if ``path`` is the file recorded by ``stamp``, else why not (one line)."""
    if not path.is_file():
        return f"{_shown(path)} is missing"
    size = path.stat().st_size
    if size != stamp["size"]:
        return f"{_shown(path)} is {size:,} bytes, {stamp['size']:,} were recorded"
    if _sha256(path) != stamp["sha256"]:
        return f"{_shown(path)} changed since it was written (its checksum differs)"
    return None


def _check_video(path: Path, frames: int, duration: float) -> str | None:
    """None if the video decodes to ``frames`` frames lasting ``duration`` s (within a frame)."""
    try:
        info = video.probe(path)
    except Exception as error:  # noqa: BLE001 - any decoding failure means: not a usable video
        return f"{_shown(path)} cannot be decoded ({type(error).__name__}: {error})"
    frame = 1 / float(info.fps) if info.fps else 0.0
    if info.frames != frames or abs(info.duration - duration) > frame + 1e-9:
        return f"{_shown(path)} lasts {info.duration:.3f} s, {duration:.3f} s were recorded"
    return None


# ------------------------------------------------------------------------------------------- manifest
@dataclass
class SceneRecord:
    """What one successful render wrote (file names relative to the quality folder)."""

    fingerprint: str
    video: str
    subtitles: str | None
    duration: float
    frames: int
    animations: int
    wall_seconds: float
    rendered_at: float
    files: dict[str, dict] = field(default_factory=dict)  #: file -> {"size", "sha256"}
    still: dict | None = None  #: {"file", "size", "sha256"} of the last frame saved as PNG
    timings: dict | None = None  #: per-animation and per-chunk wall times (llmfacts.chunks plans with them)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_stamp(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("size"), int) and not isinstance(value["size"], bool)
            and isinstance(value.get("sha256"), str))


_RECORD_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "fingerprint": (lambda v: isinstance(v, str), "a string"),
    "video": (lambda v: isinstance(v, str), "a string"),
    "subtitles": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "duration": (_is_number, "a number"),
    "frames": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "animations": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "wall_seconds": (_is_number, "a number"),
    "rendered_at": (_is_number, "a number"),
    "files": (lambda v: isinstance(v, dict) and all(isinstance(k, str) and _is_stamp(s) for k, s in v.items()),
              "a map of file -> {size, sha256}"),
    "still": (lambda v: v is None or (_is_stamp(v) and isinstance(v.get("file"), str)), "null or a file stamp"),
    "timings": (lambda v: v is None or isinstance(v, dict), "null or an object"),
}
_OPTIONAL_FIELDS = {"files": dict, "still": lambda: None, "timings": lambda: None}


def _record_from(name: str, data: Any) -> SceneRecord:
    """A record from its JSON form; ValueError (one line) if it has the wrong shape."""
    if not isinstance(data, dict):
        raise ValueError(f"the record of {name!r} is a {type(data).__name__}, not an object")
    values = {}
    for key, (check, wanted) in _RECORD_CHECKS.items():
        if key not in data:
            if key in _OPTIONAL_FIELDS:
                values[key] = _OPTIONAL_FIELDS[key]()
                continue
            raise ValueError(f"the record of {name!r} has no {key!r}")
        if not check(data[key]):
            raise ValueError(f"{name}.{key} should be {wanted}, got {data[key]!r:.40}")
        values[key] = data[key]
    return SceneRecord(**values)


def _manifest_from(data: Any) -> tuple[dict[str, SceneRecord], dict | None]:
    if not isinstance(data, dict):
        raise ValueError(f"it holds a {type(data).__name__}, not an object")
    scenes = data.get("scenes", {})
    if not isinstance(scenes, dict):
        raise ValueError(f"'scenes' is a {type(scenes).__name__}, not an object")
    joined = data.get("joined")
    if joined is not None and not (isinstance(joined, dict) and isinstance(joined.get("parts"), list)):
        raise ValueError("'joined' is not an object with 'parts'")
    return {name: _record_from(name, value) for name, value in scenes.items()}, joined


class Manifest:
    """What was rendered at one quality: ``<quality>/manifest.json`` (written atomically, under a lock).

    ``Manifest(folder)`` only reads: a damaged file gives no records and a one-line :attr:`problem`.
    :func:`load_manifest` and :func:`update_manifest` take the lock and repair a damaged manifest.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / "manifest.json"
        self.scenes: dict[str, SceneRecord] = {}
        self.joined: dict | None = None
        self.problem: str | None = None  #: why the file on disk could not be used, if it could not
        self.raw: Any = None
        if self.path.exists():
            try:
                self.raw = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                self.problem = f"cannot be read ({type(error).__name__}: {error})"
                return
            try:
                self.scenes, self.joined = _manifest_from(self.raw)
            except ValueError as error:
                self.problem = f"has the wrong shape ({error})"

    def save(self) -> None:
        payload = {"scenes": {k: asdict(v) for k, v in sorted(self.scenes.items())}, "joined": self.joined}
        with video.atomic_path(self.path) as tmp:
            tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")


def _state_dir(folder: Path) -> Path:
    return folder / ".state"


@contextlib.contextmanager
def _file_lock(path: Path, *, on_wait: Callable[[], None] | None = None,
               cancel: threading.Event | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (another process or thread waits); ``on_wait`` is called once if
    the lock is busy; waiting stops with :class:`_Cancelled` when ``cancel`` is set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait()
        try:
            lock.acquire(poll_interval=0.1, cancel_check=cancel.is_set if cancel is not None else None)
        except Timeout:
            raise _Cancelled() from None
    try:
        yield
    finally:
        lock.release()


def _record_file(folder: Path, name: str) -> Path:
    return _state_dir(folder) / "records" / f"{name}.json"


def _set_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    for k in itertools.count(2):
        if not aside.exists():
            break
        aside = path.with_name(f"{path.name}.broken-{stamp}-{k}")
    os.replace(path, aside)
    return aside


def _recover(folder: Path, damaged: Manifest) -> dict[str, SceneRecord]:
    """Records whose outputs still verify: from the per-scene record files, and from a damaged manifest's
    entries that still have the right shape."""
    candidates: list[tuple[str, SceneRecord]] = []
    for file in sorted((_state_dir(folder) / "records").glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            candidates.append((file.stem, _record_from(file.stem, json.loads(file.read_text(encoding="utf-8")))))
    scenes = damaged.raw.get("scenes") if isinstance(damaged.raw, dict) else None
    for name, data in (scenes.items() if isinstance(scenes, dict) else ()):
        with contextlib.suppress(ValueError):
            candidates.append((name, _record_from(name, data)))
    recovered: dict[str, SceneRecord] = {}
    for name, record in sorted(candidates, key=lambda item: item[1].rendered_at):
        if verify_record(folder, record) is None:
            recovered[name] = record  # the newest verified record of each scene wins
    return recovered


def _load_repaired(folder: Path, note: Callable[[str], None]) -> Manifest:
    manifest = Manifest(folder)
    if manifest.problem is None:
        return manifest
    aside = _set_aside(manifest.path)
    fresh = Manifest(folder)  # the path is free now: an empty manifest
    fresh.scenes = _recover(folder, manifest)
    fresh.save()
    note(f"{_shown(manifest.path)} {manifest.problem}; set aside as {aside.name}; recovered "
         f"{len(fresh.scenes)} scene record(s) whose files still verify")
    return fresh


def load_manifest(folder: Path, note: Callable[[str], None] = lambda s: None,
                  cancel: threading.Event | None = None) -> Manifest:
    """The manifest of ``folder``, read under its lock; a damaged one is set aside and rebuilt first."""
    with _file_lock(_state_dir(folder) / "manifest.lock", cancel=cancel):
        return _load_repaired(folder, note)


def update_manifest(folder: Path, change: Callable[[Manifest], None], note: Callable[[str], None] = lambda s: None,
                    cancel: threading.Event | None = None) -> Manifest:
    """Read the manifest, ``change`` it and write it back, all under its lock (no concurrent update is lost)."""
    with _file_lock(_state_dir(folder) / "manifest.lock", cancel=cancel):
        manifest = _load_repaired(folder, note)
        change(manifest)
        manifest.save()
        return manifest


def verify_record(folder: Path, record: SceneRecord) -> str | None:
    """None if every file of ``record`` is as recorded and its clip decodes to the recorded length; else why
    not, in one line."""
    if not record.files:
        return "it was recorded without checksums"
    for name, stamp in record.files.items():
        problem = _check_stamp(folder / name, stamp)
        if problem is not None:
            return problem
    return _check_video(folder / record.video, record.frames, record.duration)


# ------------------------------------------------------------------------------------------- settings
@dataclass
class RenderSettings:
    """Where and how to render. ``lecture`` (a :class:`~llmfacts.compute.lecture.Lecture`, None for the
    default one) and its ``lecture_spec`` (what the manim processes load) come from ``render.py --lecture``."""

    quality: str = "high"
    jobs: int = os.cpu_count() or 1
    force: bool = False
    stills: bool = False
    save_sections: bool = False
    out_dir: Path = field(default_factory=lambda: Path(os.environ.get("LLMFACTS_RENDER_DIR", REPO_ROOT / "renders")))
    build_dir: Path = field(default_factory=lambda: Path(os.environ.get("LLMFACTS_BUILD_DIR", REPO_ROOT / "build")))
    extra_manim_args: tuple[str, ...] = ()
    lecture: Any = None
    lecture_spec: str | None = None
    voice: str = field(default_factory=default_voice)
    cluster: str | None = None  #: a Dask scheduler's address: chunks render there (llmfacts.cluster)
    chunk_plan: dict = field(default_factory=dict)  #: how each scene is cut (llmfacts.chunks.prepare_run)

    @property
    def lecture_name(self) -> str | None:
        """The lecture's folder name, None for the default lecture (its outputs keep the top folders)."""
        name = getattr(self.lecture, "name", None)
        return None if name in (None, JOINED_NAME) else name

    @property
    def scope_dir(self) -> Path:
        return self.out_dir / self.lecture_name if self.lecture_name else self.out_dir

    @property
    def quality_dir(self) -> Path:
        return self.scope_dir / self.quality

    @property
    def log_dir(self) -> Path:
        return self.scope_dir / "logs" / self.quality

    @property
    def build_scope(self) -> Path:
        return self.build_dir / self.lecture_name if self.lecture_name else self.build_dir

    @property
    def media_root(self) -> Path:
        return self.build_scope / "media" / self.quality

    @property
    def joined_name(self) -> str:
        return getattr(self.lecture, "name", None) or JOINED_NAME

    @property
    def fingerprint_quality(self) -> str:
        return self.quality + ("+sections" if self.save_sections else "")

    def fingerprint(self, entry: SceneEntry, extra: Iterable[Path] = ()) -> str:
        return fingerprint(entry, self.fingerprint_quality, extra, lecture=self.lecture, voice=self.voice)


def manim_env(settings: RenderSettings) -> dict[str, str]:
    """The environment of a manim process: the project importable, the lecture and the voice named."""
    from llmfacts.voice import VOICE_ENV

    env = dict(os.environ, COLUMNS="1000", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    if settings.lecture_spec:
        env[LECTURE_ENV] = settings.lecture_spec
    else:
        env.pop(LECTURE_ENV, None)  # the default lecture, as the fingerprint assumed
    env[VOICE_ENV] = settings.voice
    return env


def _ensure_writable(folder: Path, variable: str) -> None:
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise RenderSetupError(f"{_shown(blocker)} is a file where a folder is needed (for {_shown(folder)}); "
                               f"move it away, or set {variable} to another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise RenderSetupError(f"cannot write to {_shown(folder)} ({error.strerror or error}); make it writable, "
                               f"or set {variable} to another folder") from None


def check_output_folders(settings: RenderSettings) -> None:
    """Make sure every folder a render writes into can be written, before anything renders."""
    for folder in (settings.quality_dir, _state_dir(settings.quality_dir), settings.log_dir):
        _ensure_writable(folder, "LLMFACTS_RENDER_DIR")
    _ensure_writable(settings.media_root, "LLMFACTS_BUILD_DIR")


# ------------------------------------------------------------------------------------------- rendering
@dataclass
class SceneOutcome:
    entry: SceneEntry
    status: str  #: "rendered", "up to date", "failed" or "interrupted"
    video: Path | None = None
    subtitles: Path | None = None
    duration: float = 0.0
    wall_seconds: float = 0.0
    log: Path | None = None
    error: str = ""  #: what went wrong: the error's own line when known, else the log's last lines
    still: Path | None = None
    extra: dict = field(default_factory=dict)


def output_stem(entry: SceneEntry) -> str:
    index = STORY.index(entry) + 1 if entry in STORY else 0
    return f"{index:02d}_{entry.name}"


_ANIMATION_LINE = re.compile(r"Animation (\d+) :")
_PLAYED_LINE = re.compile(r"Played (\d+) animations")
_PARAMETER_ERROR = re.compile(r"^(?:[\w.]+\.)?(?:SceneParameterError|LectureError): (.+)$")
_MISSING_PROGRAM = re.compile(r"No such file or directory: '([\w.-]+)'")
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
_TOOLS = {"latex", "dvisvgm", "xelatex", "lualatex", "pdflatex", "ffmpeg"}
_SETUP_HINT = "run 'make video' (or scripts/bootstrap.sh) to install what is missing"


def _error_tail(log_text: str, lines: int = 8) -> str:
    """The few lines of a failed manim log that say what went wrong."""
    rows = [r.rstrip() for r in log_text.splitlines() if r.strip()]
    for marker in ("Error", "Traceback", "Exception"):
        hits = [i for i, r in enumerate(rows) if marker in r]
        if hits:
            tail = rows[hits[-1] - lines + 1 : hits[-1] + 1] if marker == "Error" else rows[-lines:]
            return "\n".join(tail)
    return "\n".join(rows[-lines:])


def explain_failure(log_text: str) -> str | None:
    """The one line that says why a manim run failed, when the log shows a known cause: a scene parameter
    or lecture value (its own message), a missing program or module (with the command that installs it)."""
    rows = [r.strip() for r in log_text.splitlines() if r.strip()]
    for row in reversed(rows):
        if (m := _PARAMETER_ERROR.match(row)) is not None:
            return m.group(1)
    for row in reversed(rows):
        if (m := _MISSING_PROGRAM.search(row)) is not None and m.group(1) in _TOOLS:
            return f"'{m.group(1)}' is not installed (or not on PATH); {_SETUP_HINT}"
        if row.startswith("ModuleNotFoundError") and (m := _MISSING_MODULE.search(row)) is not None:
            return f"the Python module '{m.group(1)}' is not installed in {sys.executable}; {_SETUP_HINT}"
    return None


class _Run:
    """One call of :func:`render_scenes`: its manim processes and the flag that stops them."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.started_at = time.time()
        self._processes: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    def track(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.add(process)
        if self.cancel.is_set():  # started just as the run was interrupted
            self._signal(process, signal.SIGKILL)

    def untrack(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.discard(process)

    @staticmethod
    def _signal(process: subprocess.Popen, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)  # the manim process and everything it started (latex, dvisvgm)

    def stop(self, grace: float = 2.0) -> None:
        """Stop every manim process group now: SIGTERM, then SIGKILL whatever still runs after ``grace`` s."""
        self.cancel.set()
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            self._signal(process, signal.SIGKILL)  # also any child left in the group


_RUN_IDS = itertools.count(1)
#: Runs ``python -m manim ...`` (its arguments follow) in a process that the kernel kills when the thread that
#: started it ends, e.g. when render.py itself is killed with SIGKILL: a manim process in its own session
#: (so that render.py decides what a Ctrl-C stops) never outlives render.py.
_DIE_WITH_PARENT = """
import ctypes, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
except (AttributeError, OSError):
    pass
module = sys.argv[1]  # manim, or llmfacts.chunks (the chunk runner, the driver of a scene's chunks)
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def _reuse_media(source: Path, target: Path) -> None:
    """Copy the reusable SVGs (TeX, text) of ``source`` into ``target`` (hard links where possible)."""
    for sub in _REUSABLE_MEDIA:
        if not (source / sub).is_dir():
            continue
        (target / sub).mkdir(parents=True, exist_ok=True)
        for svg in (source / sub).glob("*.svg"):
            goal = target / sub / svg.name
            if goal.exists():
                continue
            try:
                os.link(svg, goal)
            except OSError:
                with contextlib.suppress(OSError):
                    shutil.copyfile(svg, goal)


def _keep_media(media: Path, cache: Path) -> None:
    """Add this run's new SVGs to the shared cache (each written atomically)."""
    for sub in _REUSABLE_MEDIA:
        for svg in (media / sub).glob("*.svg") if (media / sub).is_dir() else ():
            goal = cache / sub / svg.name
            if not goal.exists():
                with contextlib.suppress(OSError), video.atomic_path(goal) as tmp:
                    shutil.copyfile(svg, tmp)


def _copy_into(source: Path, target: Path) -> None:
    with video.atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def _render_one(entry: SceneEntry, settings: RenderSettings, print_: str, run: _Run,
                on_progress: Callable[[str, int, int | None], None], total: int | None) -> SceneOutcome:
    """Run manim for one scene in a fresh media folder, then move its outputs into place and record them.
    The caller holds the scene's lock."""
    flag, _ = QUALITIES[settings.quality]
    runs = settings.media_root / entry.name
    for old in runs.glob("run-*") if runs.is_dir() else ():  # left by failed runs; no run renders it now
        shutil.rmtree(old, ignore_errors=True)
    media = runs / f"run-{os.getpid()}-{next(_RUN_IDS)}"
    cache = settings.build_dir / "media-cache"
    log_path = settings.log_dir / f"{entry.name}.log"
    cmd = [
        sys.executable, "-m", "manim", "render", str(entry.path), entry.name,
        "-q", flag, "--media_dir", str(media), "--progress_bar", "none", "-v", "INFO",
        "--disable_caching", "--silent",
        *(["--save_sections"] if settings.save_sections else []),
        *settings.extra_manim_args,
    ]
    cmd = chunks.command(entry, settings, cmd)  # the chunk runner, or the driver of a scene's chunks
    started = time.perf_counter()
    done, played = 0, None
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + shlex.join(cmd) + "\n")
        log.flush()
        _reuse_media(cache, media)
        process = subprocess.Popen([sys.executable, "-c", _DIE_WITH_PARENT, *cmd[2:]], cwd=REPO_ROOT,
                                   env=manim_env(settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1, start_new_session=True)
        run.track(process)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                if (m := _ANIMATION_LINE.search(line)) is not None:
                    done = max(done, int(m.group(1)) + 1)
                    on_progress(entry.name, done, total)
                elif (m := _PLAYED_LINE.search(line)) is not None:
                    played = int(m.group(1))
            code = process.wait()
        finally:
            run.untrack(process)
    wall = time.perf_counter() - started
    if run.cancel.is_set():
        shutil.rmtree(media, ignore_errors=True)
        return SceneOutcome(entry, "interrupted", wall_seconds=wall, log=log_path)
    if code != 0:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        return SceneOutcome(entry, "failed", wall_seconds=wall, log=log_path,
                            error=explain_failure(text) or _error_tail(text))
    try:
        outcome = _collect(entry, settings, print_, media, played or done, wall, log_path)
    except Exception as error:  # disk full, unreadable clip, ...: the log says where
        with open(log_path, "a", encoding="utf-8") as log:
            log.write("\nrender.py could not move the outputs into place:\n" + traceback.format_exc())
        return SceneOutcome(entry, "failed", wall_seconds=wall, log=log_path, error=f"{type(error).__name__}: {error}")
    with contextlib.suppress(OSError):
        _keep_media(media, cache)
    shutil.rmtree(media, ignore_errors=True)
    on_progress(entry.name, played or done, played or done)
    return outcome


def _collect(entry: SceneEntry, settings: RenderSettings, print_: str, media: Path, animations: int,
             wall: float, log_path: Path) -> SceneOutcome:
    """Move a finished run's clip, subtitles and sections into the quality folder; record them."""
    folder = settings.quality_dir
    produced = sorted((media / "videos").rglob(f"{entry.name}.mp4"), key=lambda p: p.stat().st_mtime)
    if not produced:
        raise FileNotFoundError(f"manim exited 0 but wrote no {entry.name}.mp4")
    source = produced[-1]
    stem = output_stem(entry)
    target = folder / f"{stem}.mp4"
    _copy_into(source, target)
    info = video.probe(target)
    files = {target.name: _stamp(target)}
    srt_target = folder / f"{stem}.srt"
    if source.with_suffix(".srt").exists():
        _copy_into(source.with_suffix(".srt"), srt_target)
        files[srt_target.name] = _stamp(srt_target)
    else:
        srt_target.unlink(missing_ok=True)
    extra = {}
    sections = source.parent / "sections"
    if settings.save_sections and sections.is_dir():
        target_dir = folder / "sections" / entry.name
        for old in target_dir.glob("*"):
            old.unlink()
        for clip in sorted(sections.glob(f"{entry.name}*")):
            _copy_into(clip, target_dir / clip.name)
            files[f"sections/{entry.name}/{clip.name}"] = _stamp(target_dir / clip.name)
        extra["sections_dir"] = target_dir
    record = SceneRecord(fingerprint=print_, video=target.name,
                         subtitles=srt_target.name if srt_target.name in files else None,
                         duration=info.duration, frames=info.frames, animations=animations,
                         wall_seconds=round(wall, 2), rendered_at=time.time(), files=files,
                         timings=chunks.read_timings(media))
    _store_record(folder, entry.name, record)
    return SceneOutcome(entry, "rendered", video=target, subtitles=folder / record.subtitles if record.subtitles else None,
                        duration=info.duration, wall_seconds=wall, log=log_path, extra=extra)


def _store_record(folder: Path, name: str, record: SceneRecord) -> None:
    """The record goes into the manifest and, for recovery, into a file of its own."""
    def change(manifest: Manifest) -> None:
        manifest.scenes[name] = record
        with video.atomic_path(_record_file(folder, name)) as tmp:
            tmp.write_text(json.dumps(asdict(record), indent=1), encoding="utf-8")

    update_manifest(folder, change)


def _up_to_date(entry: SceneEntry, settings: RenderSettings, record: SceneRecord) -> SceneOutcome:
    folder = settings.quality_dir
    return SceneOutcome(entry, "up to date", video=folder / record.video,
                        subtitles=folder / record.subtitles if record.subtitles else None,
                        duration=record.duration, log=settings.log_dir / f"{entry.name}.log")


def render_scenes(
    entries: Sequence[SceneEntry],
    settings: RenderSettings,
    on_start: Callable[[SceneEntry, int | None], None] = lambda e, t: None,
    on_progress: Callable[[str, int, int | None], None] = lambda n, d, t: None,
    on_finish: Callable[[SceneOutcome], None] = lambda o: None,
    on_note: Callable[[str], None] = lambda s: None,
) -> list[SceneOutcome]:
    """Render ``entries`` (skipping verified up-to-date ones unless forced), ``settings.jobs`` at a time.

    Returns one outcome per entry, in the order given. Longest scenes (by their last wall time) start first
    so the workers finish together. ``on_note`` receives one-line notes (a damaged file rendered again, a
    wait for another run, a manifest set aside). Raises :class:`RenderSetupError` before rendering anything
    if an output folder cannot be written, and :class:`RenderInterrupted` (after stopping every manim
    process) when interrupted.
    """
    if settings.quality not in QUALITIES:
        raise ValueError(f"unknown quality {settings.quality!r}; choose from {', '.join(QUALITIES)}")
    check_output_folders(settings)
    entries = list(dict.fromkeys(entries))
    folder = settings.quality_dir
    run = _Run()
    outcomes: dict[str, SceneOutcome] = {}
    manifest = load_manifest(folder, on_note)
    prints = {e.name: settings.fingerprint(e) for e in entries}
    todo: list[SceneEntry] = []
    for entry in entries:
        record = manifest.scenes.get(entry.name)
        if not settings.force and record is not None and record.fingerprint == prints[entry.name]:
            problem = verify_record(folder, record)
            if problem is None:
                outcomes[entry.name] = _up_to_date(entry, settings, record)
                on_finish(outcomes[entry.name])
                continue
            on_note(f"{entry.name}: {problem}; rendering it again")
        todo.append(entry)
    todo.sort(key=lambda e: -(manifest.scenes[e.name].wall_seconds if e.name in manifest.scenes else 1e9))
    chunks.prepare_run(todo, settings, manifest)  # scenes cut into chunks where that shortens the wall time

    def work(entry: SceneEntry) -> SceneOutcome:
        outcome = _work(entry, settings, prints[entry.name], run, on_start, on_progress, on_note)
        on_finish(outcome)
        return outcome

    pool = ThreadPoolExecutor(max_workers=chunks.pool_size(settings, len(todo)))
    futures: list[Future] = []
    try:
        futures = [pool.submit(work, entry) for entry in todo]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.entry.name] = outcome
        pool.shutdown()
        if settings.stills:
            _make_stills(list(outcomes.values()), settings, on_note)
    except BaseException as error:
        run.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        if not isinstance(error, KeyboardInterrupt):
            raise
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                outcomes.setdefault(future.result().entry.name, future.result())
        finished = [n for n, o in outcomes.items() if o.status == "rendered"]
        stopped = [e.name for e in todo if e.name not in finished]
        raise RenderInterrupted(finished, stopped) from error
    return [outcomes[e.name] for e in entries]


def _work(entry: SceneEntry, settings: RenderSettings, print_: str, run: _Run,
          on_start: Callable[[SceneEntry, int | None], None], on_progress: Callable[[str, int, int | None], None],
          on_note: Callable[[str], None]) -> SceneOutcome:
    """Render one scene under its lock; if another run was rendering it, take that run's result."""
    folder = settings.quality_dir
    waited = []

    def on_wait() -> None:
        waited.append(True)
        on_note(f"{entry.name}: another render.py run is rendering it; waiting for that run")

    if run.cancel.is_set():
        return SceneOutcome(entry, "interrupted")
    try:
        with _file_lock(_state_dir(folder) / "locks" / f"{entry.name}.lock", on_wait=on_wait, cancel=run.cancel):
            record = load_manifest(folder, on_note, run.cancel).scenes.get(entry.name)
            fresh = record is not None and record.rendered_at >= run.started_at
            if (record is not None and record.fingerprint == print_ and (not settings.force or (waited and fresh))
                    and verify_record(folder, record) is None):
                if waited:
                    on_note(f"{entry.name}: the other run rendered it")
                return _up_to_date(entry, settings, record)
            on_start(entry, record.animations if record else None)
            return _render_one(entry, settings, print_, run, on_progress, record.animations if record else None)
    except _Cancelled:
        return SceneOutcome(entry, "interrupted")
    except Exception as error:  # a broken scene must not stop the others
        log = settings.log_dir / f"{entry.name}.log"
        return SceneOutcome(entry, "failed", error=f"{type(error).__name__}: {error}",
                            log=log if log.exists() else None)


def _make_stills(outcomes: Sequence[SceneOutcome], settings: RenderSettings, on_note: Callable[[str], None]) -> None:
    """Save each scene's last frame as PNG unless the recorded still is there and still verifies."""
    folder = settings.quality_dir
    manifest = load_manifest(folder, on_note)
    made: dict[str, dict] = {}
    for outcome in outcomes:
        record = manifest.scenes.get(outcome.entry.name)
        if outcome.video is None or record is None or outcome.status not in ("rendered", "up to date"):
            continue
        still = folder / "stills" / f"{outcome.entry.name}.png"
        recorded = record.still if record.still and record.still.get("file") == f"stills/{still.name}" else None
        problem = _check_stamp(still, recorded) if recorded else "none recorded"
        if problem is not None:
            if recorded:
                on_note(f"{outcome.entry.name}: {problem}; saving the still again")
            video.save_png(video.last_frame(outcome.video), still)
            made[outcome.entry.name] = {"file": f"stills/{still.name}", **_stamp(still), "of": record.fingerprint}
        outcome.still = still

    def change(manifest: Manifest) -> None:
        for name, stamp in made.items():
            record = manifest.scenes.get(name)
            if record is not None and record.fingerprint == stamp["of"]:
                record.still = {k: v for k, v in stamp.items() if k != "of"}
                with video.atomic_path(_record_file(folder, name)) as tmp:
                    tmp.write_text(json.dumps(asdict(record), indent=1), encoding="utf-8")

    if made:
        update_manifest(folder, change, on_note)


# ------------------------------------------------------------------------------------------- joining
def _check_joined(folder: Path, joined: dict) -> str | None:
    files = joined.get("files")
    if not isinstance(files, dict) or not files or not all(_is_stamp(s) for s in files.values()):
        return "it was recorded without checksums"
    for name, stamp in files.items():
        problem = _check_stamp(folder / name, stamp)
        if problem is not None:
            return problem
    frames, duration = joined.get("frames"), joined.get("duration")
    if not isinstance(frames, int) or not _is_number(duration):
        return "its length was not recorded"
    return _check_video(folder / joined.get("video", ""), frames, duration)


def join_outputs(outcomes: Sequence[SceneOutcome], settings: RenderSettings,
                 on_note: Callable[[str], None] = lambda s: None) -> tuple[Path, Path | None]:
    """Join the scenes' clips (in the given order) into one video and one subtitle file, named after the
    lecture; an earlier join of the same clips is reused if its files still verify."""
    if any(o.video is None for o in outcomes):
        raise ValueError("cannot join: some scenes have no video")
    folder = settings.quality_dir
    target = folder / f"{settings.joined_name}.mp4"
    srt_target = folder / f"{settings.joined_name}.srt"
    with _file_lock(_state_dir(folder) / "join.lock",
                    on_wait=lambda: on_note("another render.py run is joining these clips; waiting for it")):
        manifest = load_manifest(folder, on_note)
        key = [manifest.scenes[o.entry.name].fingerprint if o.entry.name in manifest.scenes else None
               for o in outcomes]
        joined = manifest.joined
        if joined and joined.get("parts") == key and joined.get("video") == target.name:
            problem = _check_joined(folder, joined)
            if problem is None:
                return target, srt_target if srt_target.exists() else None
            on_note(f"joined video: {problem}; joining the clips again")
        info = video.concat_videos([o.video for o in outcomes], target)
        cues = video.merge_srt([(o.subtitles, video.probe(o.video).duration) for o in outcomes], srt_target)
        record = {"parts": key, "video": target.name, "subtitles": srt_target.name, "cues": cues,
                  "frames": info.frames, "duration": info.duration,
                  "files": {target.name: _stamp(target), srt_target.name: _stamp(srt_target)}}
        update_manifest(folder, lambda m: setattr(m, "joined", record), on_note)
    return target, srt_target
