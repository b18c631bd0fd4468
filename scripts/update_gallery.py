#!/usr/bin/env python3
"""Refresh the README gallery from ``render.py --stills``.

Copies ``renders/<quality>/stills/<Scene>.png`` (default quality: low) into ``docs/gallery/`` and rewrites
the part of README.md between ``<!-- gallery:start -->`` and ``<!-- gallery:end -->``: for every scene,
its still, its name, what it shows, and its parameters (the class attributes a subclass can override,
with their current values).

    .venv/bin/python render.py all --quality low --stills
    .venv/bin/python scripts/update_gallery.py
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmfacts.storyboard import STORY  # noqa: E402

START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
SKIP = {"steps", "summary", "keyframe_sink"}


def scene_parameters(cls) -> dict[str, object]:
    """Public, non-callable class attributes defined by the scene or its project base classes."""
    from llmfacts.story import StoryScene

    params: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, StoryScene) or klass is StoryScene:
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in SKIP or callable(value) or isinstance(value, (property, classmethod, staticmethod)):
                continue
            if isinstance(value, (int, float, str, bool, tuple, type(None))):
                params[name] = value
    return params


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="low")
    args = parser.parse_args()
    stills = ROOT / "renders" / args.quality / "stills"
    gallery = ROOT / "docs" / "gallery"
    gallery.mkdir(parents=True, exist_ok=True)
    rows = ["| still | scene | what it shows | parameters |", "| --- | --- | --- | --- |"]
    missing = []
    for k, entry in enumerate(STORY, start=1):
        source = stills / f"{entry.name}.png"
        if source.exists():
            shutil.copyfile(source, gallery / source.name)
        elif not (gallery / source.name).exists():
            missing.append(entry.name)
        cls = getattr(importlib.import_module(entry.module), entry.name)
        params = ", ".join(f"`{n}={short(v)}`" for n, v in scene_parameters(cls).items())
        rows.append(f"| ![{entry.name}](docs/gallery/{entry.name}.png) | {k}. `{entry.name}` "
                    f"(`{entry.path.relative_to(ROOT)}`) | {entry.describe()} | {params} |")
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(rows) + "\n" + END + tail)
    if missing:
        print("no still yet for: " + ", ".join(missing) + f" (run render.py all --quality {args.quality} --stills)",
              file=sys.stderr)
    print(f"gallery: {len(STORY) - len(missing)} stills in docs/gallery/, README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
