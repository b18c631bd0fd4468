#!/usr/bin/env python3
"""Render the video "How might LLMs store facts" from the command line.

    render.py list                       scenes in story order (name, duration when rendered, what it shows)
    render.py [all]                      render every scene, then join them into one video (+ subtitles)
    render.py NAME [NAME ...]            render just those scenes (case-insensitive names or aliases,
                                         or FILE.py:Class / module:Class for a scene class of your own)
    render.py slides [NAME ...]          one self-contained HTML slide deck (see README)

Options: --quality low|medium|high|production|4k, --jobs N, --stills, --force, --sections,
--lecture FILE.py[:NAME] or module:NAME (another fact; see examples/), --voice NAME.
Outputs go to renders/<quality>/ (renders/<lecture>/<quality>/ for another lecture), atomically;
full logs to renders/logs/<quality>/. Runs sharing renders/ wait for each other's scenes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
if _VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and not os.environ.get("LLMFACTS_NO_REEXEC"):
    os.execv(str(_VENV_PYTHON), [str(_VENV_PYTHON), *sys.argv])  # run inside the project's environment
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import ast  # noqa: E402
import signal  # noqa: E402

try:
    from llmfacts.rendering import LECTURE_ENV, QUALITIES, RenderSettings, default_voice  # noqa: E402
    from llmfacts.storyboard import REPO_ROOT, STORY, SceneEntry, UnknownSceneError, find_scene  # noqa: E402
    from llmfacts.voice import VOICES  # noqa: E402
except ImportError as exc:  # pragma: no cover - only without the environment
    sys.exit(f"render.py: cannot import the project ({exc}); run 'make video' or scripts/bootstrap.sh first")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2
        self.exit(2, f"render.py: {message} (see 'render.py --help')\n")


class _Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) turned into an interruption of the main thread."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="render.py", description=__doc__.split("\n\n")[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="\n".join(__doc__.splitlines()[2:13]))
    parser.add_argument("targets", nargs="*", metavar="NAME",
                        help="'list', 'all' (default), 'slides', or scene names / aliases")
    parser.add_argument("-q", "--quality", default="high", choices=list(QUALITIES),
                        help="manim quality preset (default: high = 1080p60)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="scenes rendered at once (default: number of cores)")
    parser.add_argument("--stills", action="store_true", help="also save each scene's last frame as PNG")
    parser.add_argument("--force", action="store_true", help="render even scenes that are up to date")
    parser.add_argument("--sections", action="store_true", help="also save one clip per beat (manim --save_sections)")
    parser.add_argument("--lecture", metavar="SPEC", default=os.environ.get(LECTURE_ENV) or None,
                        help="what the video tells: FILE.py (defining LECTURE = Lecture(...)), FILE.py:NAME or "
                             "module:NAME (default: the story of the README)")
    parser.add_argument("--cluster", metavar="ADDRESS", default=None,
                        help="render in chunks on a running Dask scheduler (tcp://HOST:8786 or a scheduler "
                             "file); see README, 'Rendering on a cluster'")
    parser.add_argument("--voice", default=default_voice(), choices=list(VOICES),
                        help=f"the voice of the narration (default: $LLMFACTS_VOICE, else {default_voice()})")
    return parser


# ------------------------------------------------------------------------------------------- arguments
def _lecture_spec(spec: str) -> str:
    """The spec as the manim processes (started in the repository) must see it: a file path made absolute."""
    target, colon, name = spec.partition(":")
    if target.endswith(".py") or "/" in target or os.sep in target:
        return str(Path(target).resolve()) + colon + name
    return spec


def _settings(args: argparse.Namespace) -> RenderSettings:
    """Render settings from the options. A lecture that cannot be loaded: one line, exit code 2."""
    lecture = spec = None
    if args.lecture:
        from llmfacts.compute.lecture import LectureError, load_lecture

        try:
            lecture = load_lecture(args.lecture)
        except LectureError as error:
            print(f"render.py: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        spec = _lecture_spec(args.lecture.strip())
    return RenderSettings(quality=args.quality, jobs=args.jobs, force=args.force, stills=args.stills,
                          save_sections=args.sections, lecture=lecture, lecture_spec=spec, voice=args.voice,
                          cluster=args.cluster)


def _scene_from_file(target: str) -> SceneEntry:
    """``FILE.py:Class`` or ``module:Class`` -> an entry for that scene class (its file must be in the repository)."""
    where, _, name = target.rpartition(":")
    if where.endswith(".py") or "/" in where:
        path = Path(where).resolve()
        if not path.is_file():
            raise UnknownSceneError(f"no such file {where!r}")
        if not path.is_relative_to(REPO_ROOT):
            raise UnknownSceneError(f"{where!r} is outside the repository {REPO_ROOT}; put the file inside it")
        module = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    else:
        module, path = where, REPO_ROOT / (where.replace(".", "/") + ".py")
        if not path.is_file():
            raise UnknownSceneError(f"no module {where!r} in the repository (looked for {path.relative_to(REPO_ROOT)})")
    classes = {node.name for node in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(node, ast.ClassDef)}
    if name not in classes:
        raise UnknownSceneError(f"{where} defines no class {name!r}" + (f" (it defines {', '.join(sorted(classes))})"
                                                                         if classes else ""))
    return SceneEntry(name, module)


def _entries(targets: list[str]) -> list[SceneEntry]:
    return list(dict.fromkeys(_scene_from_file(t) if ":" in t else find_scene(t) for t in targets))


# ------------------------------------------------------------------------------------------- commands
def cmd_list(settings: RenderSettings) -> int:
    from llmfacts.rendering import Manifest

    manifests = []
    for quality in dict.fromkeys([settings.quality, *QUALITIES]):
        folder = RenderSettings(quality=quality, out_dir=settings.out_dir, lecture=settings.lecture).quality_dir
        manifest = Manifest(folder)
        if manifest.problem:
            print(f"render.py: {manifest.path} {manifest.problem}; the next render at this quality sets it aside",
                  file=sys.stderr)
        manifests.append(manifest)
    width = max(len(e.name) for e in STORY)
    for k, entry in enumerate(STORY, start=1):
        duration = next((m.scenes[entry.name].duration for m in manifests if entry.name in m.scenes), None)
        shown = "not rendered" if duration is None else f"{duration:5.1f} s"
        try:
            summary = entry.describe(settings.lecture) if settings.lecture is not None else entry.describe()
        except Exception as error:  # noqa: BLE001 - one broken scene must not hide the list
            summary = f"(cannot describe: {type(error).__name__}: {error})"
        print(f"{k:2d}. {entry.name:<{width}}  {shown:>12}  {summary}")
    return 0


class _Reporter:
    """What the user sees while scenes render: a live progress display on a terminal; one plain line per
    finished scene otherwise (a log file, CI)."""

    def __init__(self, settings: RenderSettings, count: int):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.live = sys.stderr.isatty()
        self.console = Console(stderr=True, highlight=False)
        self.tasks: dict[str, int] = {}
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description:<28}"), BarColumn(),
                                 TextColumn("{task.completed:>3.0f}/{task.fields[total_text]} animations"),
                                 TimeElapsedColumn(), console=self.console, transient=False, disable=not self.live)
        where = _shown(settings.quality_dir)
        self.line(f"Rendering {count} scene(s) at quality '{settings.quality}' with {settings.jobs} job(s) into {where}")

    def line(self, text: str) -> None:
        if self.live:
            self.console.print(text, markup=False)
        else:
            print(text, file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        self.line(f"render.py: {text}")

    def start(self, entry: SceneEntry, total: int | None) -> None:
        if self.live:
            self.tasks[entry.name] = self.progress.add_task(entry.name, total=total, total_text=str(total or "?"))

    def advance(self, name: str, done: int, total: int | None) -> None:
        if name in self.tasks:
            self.progress.update(self.tasks[name], completed=done, total=total, total_text=str(total or "?"))

    def finish(self, outcome) -> None:
        name = outcome.entry.name
        if name in self.tasks:
            self.progress.update(self.tasks[name], description=f"{name} ({outcome.status})")
            self.progress.stop_task(self.tasks[name])
        if not self.live:
            self.line(f"{name}: {outcome.status} ({outcome.wall_seconds:.1f} s)")


def _shown(path: Path | None) -> str:
    if path is None:
        return ""
    return str(path.relative_to(ROOT)) if path.is_absolute() and path.is_relative_to(ROOT) else str(path)


def _failure_lines(outcome) -> list[str]:
    """One line when the cause is known (a scene parameter, a missing program, ...), else the log's tail."""
    log = f"full log: {_shown(outcome.log)}" if outcome.log else "no log was written"
    if outcome.error and "\n" not in outcome.error:
        prefix = "" if outcome.error.startswith(outcome.entry.name) else f"{outcome.entry.name}: "
        return [f"render.py: {prefix}{outcome.error} ({log})"]
    return [f"render.py: {outcome.entry.name} failed ({log}):", outcome.error]


def cmd_render(entries: list[SceneEntry], settings: RenderSettings, join: bool) -> int:
    from rich.table import Table

    from llmfacts.rendering import RenderSetupError, join_outputs, render_scenes

    report = _Reporter(settings, len(entries))
    try:
        with report.progress:
            outcomes = render_scenes(entries, settings, report.start, report.advance, report.finish, report.note)
    except RenderSetupError as error:
        print(f"render.py: {error}", file=sys.stderr)
        return 1

    if report.live:
        table = Table(title=_shown(settings.quality_dir))
        for column in ("scene", "status", "video s", "wall s", "output"):
            table.add_column(column, justify="right" if column.endswith(" s") else "left")
        for o in outcomes:
            table.add_row(o.entry.name, o.status, f"{o.duration:.1f}", f"{o.wall_seconds:.1f}", _shown(o.video))
        report.console.print(table)

    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        for text in _failure_lines(o):
            print(text, file=sys.stderr)
    if settings.stills:
        report.line(f"stills: {_shown(settings.quality_dir / 'stills')}")
    if failed:
        return 1
    if join:
        try:
            target, srt = join_outputs(outcomes, settings, report.note)
        except (OSError, ValueError) as error:
            print(f"render.py: cannot join the clips: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        total = sum(o.duration for o in outcomes)
        report.line(f"joined video: {_shown(target)} ({total:.1f} s)" + (f"; subtitles: {_shown(srt)}" if srt else ""))
    return 0


def _interrupted_message(error: BaseException) -> str:
    from llmfacts.rendering import RenderInterrupted

    cause = "SIGTERM" if isinstance(error, _Terminated) or isinstance(error.__cause__, _Terminated) else "Ctrl-C"
    if not isinstance(error, RenderInterrupted):
        return f"render.py: interrupted ({cause}); finished clips are kept, no partial file was written"
    kept = ", ".join(error.finished) if error.finished else "none"
    stopped = ", ".join(error.stopped) if error.stopped else "none"
    return (f"render.py: interrupted ({cause}); manim stopped. Kept the clips finished before: {kept}. "
            f"Stopped, nothing of them written: {stopped}")


def _on_terminate(signum: int, frame) -> None:
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_intermixed_args(argv)
    if args.jobs < 1:
        print(f"render.py: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    targets = list(args.targets)
    entries: list[SceneEntry] = []
    command = targets[0].lower() if targets else "all"
    if command == "list" and len(targets) > 1:
        print("render.py: 'list' takes no scene names", file=sys.stderr)
        return 2
    try:
        if command == "slides":
            entries = _entries(targets[1:]) or list(STORY)
        elif command != "list":
            entries = list(STORY) if command == "all" and len(targets) <= 1 else _entries(targets)
    except UnknownSceneError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    settings = _settings(args)  # exits 2 on a bad lecture, before anything renders
    if command == "list":
        return cmd_list(settings)
    if command == "slides":
        from llmfacts import slides

        return slides.build_deck(entries, quality=args.quality, jobs=args.jobs, force=args.force, settings=settings)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_terminate)
    try:
        return cmd_render(entries, settings, join=command == "all" and len(targets) <= 1)
    except KeyboardInterrupt as error:
        print(_interrupted_message(error), file=sys.stderr)
        return 143 if isinstance(error, _Terminated) or isinstance(error.__cause__, _Terminated) else 130


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `render.py list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
