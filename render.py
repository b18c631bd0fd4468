#!/usr/bin/env python3
"""Render the video "How might LLMs store facts" from the command line.

    render.py list                       scenes in story order (name, what it shows, duration when rendered)
    render.py [all]                      render every scene, then join them into one video (+ subtitles)
    render.py NAME [NAME ...]            render just those scenes (case-insensitive names or aliases)
    render.py slides [NAME ...]          one self-contained HTML slide deck (see README)

Options: --quality low|medium|high|production|4k, --jobs N, --stills, --force, --sections.
Outputs go to renders/<quality>/ (atomically); full logs to renders/logs/<quality>/.
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

try:
    from llmfacts.storyboard import STORY, UnknownSceneError, find_scene  # noqa: E402
except ImportError as exc:  # pragma: no cover - only without the environment
    sys.exit(f"render.py: cannot import the project ({exc}); run 'make video' or scripts/bootstrap.sh first")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2
        self.exit(2, f"render.py: {message} (see 'render.py --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from llmfacts.rendering import QUALITIES

    parser = _Parser(prog="render.py", description=__doc__.split("\n\n")[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="\n".join(__doc__.splitlines()[2:7]))
    parser.add_argument("targets", nargs="*", metavar="NAME",
                        help="'list', 'all' (default), 'slides', or scene names / aliases")
    parser.add_argument("-q", "--quality", default="high", choices=list(QUALITIES),
                        help="manim quality preset (default: high = 1080p60)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="scenes rendered at once (default: number of cores)")
    parser.add_argument("--stills", action="store_true", help="also save each scene's last frame as PNG")
    parser.add_argument("--force", action="store_true", help="render even scenes that are up to date")
    parser.add_argument("--sections", action="store_true", help="also save one clip per beat (manim --save_sections)")
    return parser


def _fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:6.1f}"


def cmd_list(quality: str) -> int:
    from llmfacts.rendering import QUALITIES, Manifest, RenderSettings

    manifests = [Manifest(RenderSettings(quality=q).quality_dir) for q in [quality, *QUALITIES]]
    width = max(len(e.name) for e in STORY)
    for k, entry in enumerate(STORY, start=1):
        duration = next((m.scenes[entry.name].duration for m in manifests if entry.name in m.scenes), None)
        shown = "not rendered" if duration is None else f"{duration:5.1f} s"
        print(f"{k:2d}. {entry.name:<{width}}  {shown:>12}  {entry.describe()}")
    return 0


def cmd_render(entries, args, join: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from llmfacts.rendering import RenderSettings, join_outputs, render_scenes

    console = Console(stderr=True)
    settings = RenderSettings(quality=args.quality, jobs=args.jobs, force=args.force, stills=args.stills,
                              save_sections=args.sections)
    tasks: dict[str, int] = {}
    progress = Progress(SpinnerColumn(), TextColumn("{task.description:<28}"), BarColumn(),
                        TextColumn("{task.completed:>3.0f}/{task.fields[total_text]} animations"),
                        TimeElapsedColumn(), console=console, transient=False)

    def on_start(entry, total):
        tasks[entry.name] = progress.add_task(entry.name, total=total, total_text=str(total or "?"))

    def on_progress(name, done, total):
        if name in tasks:
            progress.update(tasks[name], completed=done, total=total, total_text=str(total or "?"))

    def on_finish(outcome):
        if outcome.entry.name in tasks:
            progress.update(tasks[outcome.entry.name], description=f"{outcome.entry.name} ({outcome.status})")
            progress.stop_task(tasks[outcome.entry.name])

    console.print(f"Rendering {len(entries)} scene(s) at quality '{args.quality}' with {args.jobs} job(s)")
    with progress:
        outcomes = render_scenes(entries, settings, on_start, on_progress, on_finish)

    table = Table(title=f"renders/{args.quality}")
    for column in ("scene", "status", "video s", "wall s", "output"):
        table.add_column(column, justify="right" if column.endswith(" s") else "left")
    for o in outcomes:
        shown = o.video.relative_to(ROOT) if o.video and o.video.is_relative_to(ROOT) else (o.video or "")
        table.add_row(o.entry.name, o.status, f"{o.duration:.1f}", f"{o.wall_seconds:.1f}", str(shown))
    console.print(table)

    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        console.print(f"[bold red]{o.entry.name} failed[/]; full log: {o.log}")
        console.print(o.error, markup=False, highlight=False)
    if args.stills:
        console.print(f"stills: {settings.quality_dir / 'stills'}")
    if failed:
        return 1
    if join:
        target, srt = join_outputs(outcomes, settings)
        total = sum(o.duration for o in outcomes)
        console.print(f"joined video: {target.relative_to(ROOT)} ({total:.1f} s)"
                      + (f"; subtitles: {srt.relative_to(ROOT)}" if srt else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_intermixed_args(argv)
    if args.jobs < 1:
        print(f"render.py: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    targets = [t for t in args.targets]
    if targets and targets[0].lower() == "list":
        if len(targets) > 1:
            print("render.py: 'list' takes no scene names", file=sys.stderr)
            return 2
        return cmd_list(args.quality)
    if targets and targets[0].lower() == "slides":
        from llmfacts import slides

        try:
            entries = [find_scene(t) for t in targets[1:]] or list(STORY)
        except UnknownSceneError as exc:
            print(f"render.py: {exc}", file=sys.stderr)
            return 2
        return slides.build_deck(entries, quality=args.quality, jobs=args.jobs, force=args.force)
    join = not targets or [t.lower() for t in targets] == ["all"]
    if join:
        entries = list(STORY)
    else:
        try:
            entries = list(dict.fromkeys(find_scene(t) for t in targets))
        except UnknownSceneError as exc:
            print(f"render.py: {exc}", file=sys.stderr)
            return 2
    try:
        return cmd_render(entries, args, join)
    except KeyboardInterrupt:
        print("render.py: interrupted; finished clips are kept, no partial file was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `render.py list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
