"""The scenes as presentation slides: one slide per story step, in one self-contained HTML deck.

Lecturers reuse the scenes in their own talks. ``render.py slides [NAME ...]`` (``make slides``) renders
each scene with `manim-slides <https://manim-slides.eertmans.be>`_ and converts the result into
**one HTML file** (``renders/<quality>/slides.html``) that plays in any browser with no network: the
videos are embedded as data URIs and reveal.js is inlined. Each step of a :class:`~llmfacts.story.StoryScene`
(each :meth:`~llmfacts.story.StoryScene.begin_step`) starts a new slide, and the step's narration becomes the
slide's speaker notes (press ``S`` in the deck); when a voice speaks (``--voice``), each slide's clip carries
its own stretch of the narration (the deck's first slide starts muted, as browsers require for autoplay).
A lecturer's own variant of a scene works the same way::

    from llmfacts.slides import as_slides
    from scenes.relu import ReluGate

    class SerenaReluGate(as_slides(ReluGate)):   # render with `manim-slides render` or `manim render`
        first_name, last_name, attribute = "Serena", "Williams", "tennis"

Versions and the compatibility layer
------------------------------------
No manim-slides release works with manim 0.22 as it is: 5.7.0 (the newest) and every 5.x set
``config["write_to_movie"]`` (gone from ManimConfig in 0.22) and ``config["max_files_cached"] = inf``
(0.22 accepts only integers, ``-1`` meaning unlimited), and read ``config["flush_cache"]`` (gone);
5.0 and 4.x also require numpy < 2 and 5.1 - 5.4 require av < 14 (the project pins numpy 2.4, av 18).
So the project pins **manim-slides 5.7.0** (``requirements-slides.lock``) and :class:`StorySlide`
overrides exactly the two ``Slide`` methods that touch the removed settings:

* ``__init__`` skips ``config["write_to_movie"] = True`` (0.22's Cairo renderer always writes the movie)
  and builds the scene with ``max_files_cached = -1``, because manim 0.22 captures that setting when the
  scene is created and prunes partial movie files at the end of the render - before manim-slides
  concatenates them into slides;
* ``render`` is manim-slides' ``Slide.render`` without the removed settings: render, then
  ``_save_slides`` (with ``flush_cache`` taken from the class attribute only).

Nothing in manim or manim-slides is patched globally; other ``Slide`` classes are left as they are.
:func:`require_manim_slides` refuses any other manim-slides version, since the overrides mirror 5.7.0.
``skip_reversing`` is on by default: reversed clips are only used by the Qt presenter, not the HTML deck,
and reversing costs as much time as encoding (set ``skip_reversing = False`` on your class for
``manim-slides present``).

reveal.js comes from the npm registry at setup time: ``scripts/fetch_revealjs.sh`` (run by
``scripts/bootstrap.sh``) puts the pinned package's ``dist`` files into ``.cache/manim-slides/revealjs<v>/``,
the layout of manim-slides' asset cache; ``convert --offline`` runs with ``XDG_CACHE_HOME=.cache`` and
with the network closed, so a missing asset is an error and never a silent CDN download.
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from llmfacts.storyboard import REPO_ROOT, SceneEntry

__all__ = [
    "MANIM_SLIDES_VERSION",
    "REVEALJS_VERSION",
    "SlidesSetupError",
    "require_manim_slides",
    "revealjs_cache_home",
    "as_slides",
    "build_deck",
    "default_deck_path",
]

#: The manim-slides release the compatibility layer mirrors (pinned in requirements-slides.lock).
MANIM_SLIDES_VERSION = "5.7.0"
#: The reveal.js release inlined into the deck (pinned with its integrity in scripts/fetch_revealjs.sh).
REVEALJS_VERSION = "6.0.1"
#: The reveal.js files the deck template links (theme black, speaker notes, markdown for the notes).
REVEALJS_ASSETS = ("reveal.css", "black.css", "zenburn.css", "reveal.js", "notes.js", "markdown.js")
DECK_NAME = "slides.html"
SETUP_HINT = "run 'make slides' (or scripts/bootstrap.sh --with-slides)"


class SlidesSetupError(RuntimeError):
    """Something the slides need is not installed; the message says what and how to install it."""


# ------------------------------------------------------------------------------------------- setup checks
def require_manim_slides() -> None:
    """Raise :class:`SlidesSetupError` unless the pinned manim-slides is importable."""
    try:
        found = importlib.metadata.version("manim-slides")
    except importlib.metadata.PackageNotFoundError:
        raise SlidesSetupError(f"manim-slides is not installed; {SETUP_HINT}") from None
    if found != MANIM_SLIDES_VERSION:
        raise SlidesSetupError(f"manim-slides {found} is installed but llmfacts.slides is made for "
                               f"{MANIM_SLIDES_VERSION}; {SETUP_HINT}")


def revealjs_cache_home() -> Path:
    """The folder given to manim-slides as ``XDG_CACHE_HOME`` (``LLMFACTS_REVEALJS_CACHE`` overrides it)."""
    return Path(os.environ.get("LLMFACTS_REVEALJS_CACHE", REPO_ROOT / ".cache"))


def require_revealjs() -> Path:
    """The folder holding the reveal.js assets; :class:`SlidesSetupError` if any is missing."""
    folder = revealjs_cache_home() / "manim-slides" / f"revealjs{REVEALJS_VERSION}"
    missing = [name for name in REVEALJS_ASSETS if not (folder / name).is_file()]
    if missing:
        raise SlidesSetupError(f"reveal.js {REVEALJS_VERSION} assets are missing from {folder} "
                               f"({', '.join(missing)}); {SETUP_HINT}")
    return folder


# ------------------------------------------------------------------------------------------- slide classes
@lru_cache(maxsize=None)
def _story_slide_base() -> type:
    """:class:`StorySlide`, built on first use so that importing this module needs no manim-slides."""
    require_manim_slides()
    from manim import config
    from manim_slides import Slide

    class StorySlide(Slide):
        """manim-slides 5.7.0's ``Slide``, minus its use of settings that manim 0.22 removed."""

        skip_reversing = True  # the HTML deck never plays reversed clips

        def __init__(self, *args, **kwargs):
            folder = getattr(self, "slides_output_folder", None)
            if folder is not None:
                kwargs.setdefault("output_folder", Path(folder))
            self._slide_breaks = 0
            saved = config.max_files_cached
            config.max_files_cached = -1  # keep every partial movie file until the slides are saved
            try:
                super(Slide, self).__init__(*args, **kwargs)  # BaseSlide, then the scene classes
            finally:
                config.max_files_cached = saved

        def next_slide(self, *args, **kwargs):
            self._slide_breaks += 1
            return super().next_slide(*args, **kwargs)

        def render(self, *args, **kwargs):
            rerun = super(Slide, self).render(*args, **kwargs)
            if rerun:  # interactive OpenGL re-run: nothing final to save yet
                return rerun
            self._save_slides(
                use_cache=not (config.disable_caching or self.disable_caching),
                flush_cache=self.flush_cache,
                skip_reversing=self.skip_reversing,
            )
            _slides_sound(self)
            return rerun

    return StorySlide


def _slides_sound(scene) -> None:
    """Give each slide's clip its stretch of the scene's narration. manim-slides joins the partial movie
    files, which are silent; the sound is manim's audio track of the whole scene, shared out over the
    slides in order (:func:`llmfacts.video.share_track`)."""
    writer = getattr(scene.renderer, "file_writer", None)
    if writer is None or not getattr(writer, "includes_sound", False):
        return
    from llmfacts import video
    from llmfacts.audio import UPMIX_GAIN, resample

    segment = writer.audio_segment
    samples = np.array(segment.get_array_of_samples(), dtype=np.float32).reshape(-1, segment.channels).T
    samples /= float(1 << (8 * segment.sample_width - 1))
    if samples.shape[0] == 1:  # mono speech on both channels, as manim's own clip has it
        samples = np.repeat(samples, 2, axis=0) * UPMIX_GAIN
    track = resample(samples, segment.frame_rate, video.AUDIO_RATE)
    json_path = Path(scene._output_folder) / f"{scene}.json"
    files = [Path(slide["file"]) for slide in json.loads(json_path.read_text())["slides"]]
    files = [f if f.is_absolute() else json_path.parent / f for f in files]
    video.share_track(list(dict.fromkeys(files)), track)


def as_slides(scene_class: type, *, output_folder: str | os.PathLike | None = None) -> type:
    """A class that is both ``scene_class`` (a :class:`~llmfacts.story.StoryScene`) and a manim-slides ``Slide``.

    Every step starts a new slide: the class's ``begin_step`` runs the scene's own ``begin_step`` (which
    starts a section through ``next_section``, itself ``next_slide`` on a ``Slide``) and calls
    ``next_slide`` if that did not already happen. Narration is added to the current slide's speaker notes.
    The class keeps the scene's name, so manim-slides writes ``<name>.json`` into ``output_folder``
    (default: manim-slides' ``./slides``). A step that plays nothing (no ``play``/``wait``) gets no slide
    of its own: manim-slides drops empty slides, and what the step added shows on the next slide.
    """
    from llmfacts.story import StoryScene

    if not (isinstance(scene_class, type) and issubclass(scene_class, StoryScene)):
        raise TypeError(f"as_slides() needs a StoryScene subclass, got {scene_class!r}")
    base = _story_slide_base()
    if issubclass(scene_class, base):  # already slides: at most a new output folder
        if output_folder is None:
            return scene_class
        return type(scene_class.__name__, (scene_class,), {
            "__module__": scene_class.__module__, "__qualname__": scene_class.__qualname__,
            "__doc__": scene_class.__doc__, "slides_output_folder": str(output_folder)})

    def begin_step(self, step: str) -> None:
        before = self._slide_breaks
        super(cls, self).begin_step(step)
        if self._slide_breaks == before:
            self.next_slide(step)

    def narrate(self, text: str, duration: float | None = None, **kwargs) -> float:
        seconds = super(cls, self).narrate(text, duration, **kwargs)
        notes = self._base_slide_config.notes
        line = html.escape(" ".join(text.split()), quote=False)
        self._base_slide_config.notes = f"{notes}\n\n{line}" if notes else line
        return seconds

    namespace = {
        "__module__": scene_class.__module__,
        "__qualname__": scene_class.__qualname__,
        "__doc__": scene_class.__doc__,
        "begin_step": begin_step,
        "narrate": narrate,
        "slides_output_folder": None if output_folder is None else str(output_folder),
    }
    cls = type(scene_class.__name__, (scene_class, base), namespace)
    return cls


# ------------------------------------------------------------------------------------------- rendering
@dataclass
class _SceneSlides:
    entry: SceneEntry
    status: str  #: "rendered", "up to date" or "failed"
    slides: int = 0
    wall_seconds: float = 0.0
    log: Path | None = None
    error: str = ""


_GENERATED = '''\
# Generated by llmfacts.slides for the slide deck; do not edit.
from llmfacts.slides import as_slides
from {module} import {name} as _Story


class {name}(as_slides(_Story, output_folder={folder!r})):
    pass
'''


def _slide_count(json_path: Path) -> int:
    return len(json.loads(json_path.read_text()).get("slides", []))


def _render_entry(entry: SceneEntry, quality: str, deck_dir: Path, work: Path, log_dir: Path,
                  force: bool, settings=None) -> _SceneSlides:
    from llmfacts.rendering import QUALITIES, RenderSettings, _error_tail, manim_env

    settings = settings if settings is not None else RenderSettings(quality=quality)
    flag, _ = QUALITIES[quality]
    extra = [Path(__file__).resolve(), REPO_ROOT / "requirements-slides.lock"]
    print_ = settings.fingerprint(entry, extra=[p for p in extra if p.exists()])
    json_path = deck_dir / f"{entry.name}.json"
    stamp = work / "fingerprint"
    if not force and json_path.is_file() and stamp.is_file() and stamp.read_text() == print_:
        return _SceneSlides(entry, "up to date", slides=_slide_count(json_path))
    stamp.unlink(missing_ok=True)
    json_path.unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    script = work / "deck_scene.py"
    script.write_text(_GENERATED.format(module=entry.module, name=entry.name, folder=str(deck_dir)))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{entry.name}.slides.log"
    cmd = [sys.executable, "-m", "manim", "render", str(script), entry.name, "-q", flag,
           "--media_dir", str(work / "media"), "--progress_bar", "none", "-v", "INFO"]
    env = dict(manim_env(settings), MANIM_API="manim")  # the project importable, the lecture and voice named
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        code = subprocess.run(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - started
    if code != 0 or not json_path.is_file():
        text = log_path.read_text(encoding="utf-8", errors="replace")
        error = _error_tail(text) if code != 0 else f"manim exited 0 but wrote no {json_path.name}"
        return _SceneSlides(entry, "failed", wall_seconds=wall, log=log_path, error=error)
    stamp.write_text(print_)
    return _SceneSlides(entry, "rendered", slides=_slide_count(json_path), wall_seconds=wall, log=log_path)


def _convert(names: Sequence[str], deck_dir: Path, output: Path, title: str) -> None:
    """``manim-slides convert`` into one offline HTML file, written atomically."""
    from llmfacts import video

    env = dict(os.environ, XDG_CACHE_HOME=str(revealjs_cache_home()), MANIM_API="manim")
    # Close the network for the conversion: every reveal.js asset must come from the local cache.
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env[key] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = ""
    with video.atomic_path(output, suffix=".html") as tmp:
        cmd = [sys.executable, "-m", "manim_slides", "convert", "--to", "html", "--one-file", "--offline",
               "--folder", str(deck_dir), "-c", f"reveal_version={REVEALJS_VERSION}", "-c", f"title={title}",
               *names, str(tmp)]
        result = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            lines = [r.strip() for r in (result.stderr + result.stdout).splitlines() if r.strip()]
            reason = next((r for r in reversed(lines) if "Missing Reveal.js asset" in r or "Error" in r),
                          lines[-1] if lines else f"exit code {result.returncode}")
            raise RuntimeError(f"manim-slides convert failed: {reason}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a deck to share, not a private temp file


def default_deck_path(quality: str) -> Path:
    """Where :func:`build_deck` writes by default: ``renders/<quality>/slides.html``."""
    from llmfacts.rendering import RenderSettings

    return RenderSettings(quality=quality).quality_dir / DECK_NAME


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def build_deck(entries: Sequence[SceneEntry], *, quality: str = "high", jobs: int = 2, force: bool = False,
               output: str | os.PathLike | None = None, build_dir: str | os.PathLike | None = None,
               title: str = "How might LLMs store facts", settings=None) -> int:
    """Render ``entries`` as slides and convert them into one self-contained HTML deck; return an exit code.

    Each scene renders in its own manim process with its own media folder, ``jobs`` at a time; a scene
    whose sources are unchanged since its last slides render is reused unless ``force``. The deck goes
    to ``output`` (default ``renders/<quality>/slides.html``), written atomically. Problems are reported
    on stderr in one line per cause (plus the failing scene's error tail and log path). ``settings`` (a
    :class:`~llmfacts.rendering.RenderSettings`) names the lecture and voice; its folders are used.
    """
    from llmfacts.rendering import QUALITIES, RenderSettings

    def fail(message: str) -> int:
        print(f"render.py slides: {message}", file=sys.stderr)
        return 1

    if quality not in QUALITIES:
        return fail(f"unknown quality {quality!r}; choose from {', '.join(QUALITIES)}")
    if not entries:
        return fail("no scenes to put in the deck")
    missing = [e for e in entries if not e.path.is_file()]
    if missing:
        return fail("scene source not found: " + ", ".join(f"{e.name} ({_shown(e.path)})" for e in missing))
    try:
        require_manim_slides()
        require_revealjs()
    except SlidesSetupError as exc:
        return fail(str(exc))

    settings = settings if settings is not None else RenderSettings(quality=quality)
    build = Path(build_dir) if build_dir is not None else settings.build_scope
    deck_dir = build / "slides" / quality
    target = Path(output) if output is not None else settings.quality_dir / DECK_NAME
    deck_dir.mkdir(parents=True, exist_ok=True)
    unique = list(dict.fromkeys(entries))

    print(f"Rendering {len(unique)} scene(s) as slides at quality '{quality}' with {jobs} job(s)", flush=True)

    def work(entry: SceneEntry) -> _SceneSlides:
        try:
            outcome = _render_entry(entry, quality, deck_dir, build / "slides-work" / quality / entry.name,
                                    settings.log_dir, force, settings)
        except Exception as exc:  # one broken scene must not hide the others' results
            outcome = _SceneSlides(entry, "failed", error=f"{type(exc).__name__}: {exc}")
        detail = f"{outcome.slides} slides" if outcome.status != "failed" else "FAILED"
        print(f"  {entry.name:<28} {outcome.status:<10} {detail:<10} {outcome.wall_seconds:6.1f} s", flush=True)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(work, unique))
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        print(f"render.py slides: {o.entry.name} failed" + (f"; full log: {o.log}" if o.log else ""),
              file=sys.stderr)
        print(o.error, file=sys.stderr)
    if failed:
        return 1
    try:
        _convert([e.name for e in unique], deck_dir, target, title)
    except RuntimeError as exc:
        return fail(str(exc))
    total = sum(o.slides for o in outcomes)
    size = target.stat().st_size / 1e6
    print(f"slides: {_shown(target)} ({total} slides from {len(unique)} scene(s), {size:.1f} MB, "
          "one file that plays offline in any browser)")
    return 0
