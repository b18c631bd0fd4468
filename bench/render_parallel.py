#!/usr/bin/env python3
"""Benchmark: ``render.py all --quality low`` against plain ``manim`` run scene by scene, in one run.

Both start from empty media folders (the superposition results come from the cache in both) (no partial-movie or TeX cache) and render every scene of the
storyboard at -ql. The sequential baseline runs ``manim render -ql`` for each scene one after another;
the pipeline renders ``--jobs`` scenes at once and joins them. Prints a table and, last, one line:

    sequential_s=<s> render_py_s=<s> speedup=<r> jobs=<n> scenes=<k>
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmfacts.storyboard import STORY  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--quality", default="low")
    args = parser.parse_args()
    flag = {"low": "l", "medium": "m", "high": "h"}[args.quality]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        for entry in STORY:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "manim", "render", f"-q{flag}", str(entry.path), entry.name,
                            "--media_dir", str(tmp / "seq" / entry.name), "--progress_bar", "none", "-v", "WARNING"],
                           check=True, cwd=ROOT, env=env)
            print(f"sequential {entry.name:<28} {time.perf_counter() - t0:6.1f} s", flush=True)
        sequential = time.perf_counter() - started

        started = time.perf_counter()
        # render.py writes its clips, stills and joined video to renders/ as usual (its build folder is fresh)
        subprocess.run([sys.executable, str(ROOT / "render.py"), "all", "--quality", args.quality, "--force",
                        "--stills", "--jobs", str(args.jobs)], check=True, cwd=ROOT,
                       env=dict(env, LLMFACTS_BUILD_DIR=str(tmp / "build")))
        pipeline = time.perf_counter() - started
    print(f"sequential_s={sequential:.1f} render_py_s={pipeline:.1f} speedup={sequential / pipeline:.2f} "
          f"jobs={args.jobs} scenes={len(STORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
