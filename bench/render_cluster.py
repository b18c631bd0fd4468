#!/usr/bin/env python3
"""Benchmark: the scenes rendered by one local process, then through a two-worker Dask cluster on loopback.

In one run, from a fresh build folder (outputs in a temporary renders/ folder):

1. ``render.py SCENES --jobs 1 --force``: one scene at a time, each whole, in one process (this also
   measures every animation, which the next step plans with);
2. the same scenes through ``render.py --cluster`` on a scheduler and two one-thread workers started here
   on 127.0.0.1 (chunks where the planner finds they shorten the wall time); prints the speed-up;
3. a projection, not a measurement: the wall time of these scenes on 1, 4, 16 and 64 workers, by list
   scheduling (longest chunk first, each to the first free worker) over the chunk costs estimated from the
   measured per-animation times, the planner cutting for each worker count. The same simulation for two
   workers is printed beside the measured two-worker time, as a check of the model.

The machine may be shared: the load average is printed before and after, and with other work on the
cores every wall time here is longer than on an idle machine. Last line:

    local_s=<s> cluster_s=<s> speedup=<r> workers=2 scenes=<k> projected_1=<s> projected_16=<s> ...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmfacts.chunks import SceneTimings, chunk_cost, list_schedule, plan_chunks  # noqa: E402
from llmfacts.cluster import LoopbackCluster  # noqa: E402
from llmfacts.storyboard import STORY, find_scene  # noqa: E402


def render(names: list[str], quality: str, env: dict, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "render.py"), *names, "--quality", quality, "--force", *extra],
                   check=True, cwd=ROOT, env=env)
    return time.perf_counter() - started


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenes", nargs="*", default=["all"], help="scene names, or 'all' (default)")
    parser.add_argument("--quality", default="low")
    parser.add_argument("--workers", type=int, default=2, help="loopback workers (one thread each)")
    parser.add_argument("--project", type=int, nargs="+", default=[1, 4, 16, 64], help="worker counts to project")
    args = parser.parse_args()
    entries = list(STORY) if args.scenes == ["all"] else [find_scene(n) for n in args.scenes]
    names = [e.name for e in entries]
    print(f"{len(names)} scene(s) at quality {args.quality}; {os.cpu_count()} cores; load average {load()}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, LLMFACTS_RENDER_DIR=str(tmp / "renders"), LLMFACTS_BUILD_DIR=str(tmp / "build"))
        env.pop("LLMFACTS_CHUNKS", None)
        local = render(names, args.quality, env, "--jobs", "1")
        manifest_path = tmp / "renders" / args.quality / "manifest.json"
        local_walls = {n: json.loads(manifest_path.read_text())["scenes"][n]["wall_seconds"] for n in names}
        print(f"local, one process: {local:.1f} s (load average {load()})", flush=True)
        with LoopbackCluster(tmp / "cluster", workers=args.workers, nthreads=1) as cluster:
            remote = render(names, args.quality, env, "--cluster", cluster.address)
        print(f"cluster, {args.workers} workers: {remote:.1f} s (load average {load()})", flush=True)
        scenes = json.loads(manifest_path.read_text())["scenes"]
    timings = {n: SceneTimings.from_json(scenes[n].get("timings")) for n in names}
    print(f"\n{'scene':<28} {'local s':>8} {'chunks':>6}  chunk walls on the cluster (s)")
    for n in names:
        t = timings[n]
        walls = ", ".join(f"{c['wall']:.1f}@{c['worker']}" for c in (t.chunks if t else []))
        print(f"{n:<28} {local_walls[n]:8.1f} {len(t.chunks) if t else 0:6d}  {walls}")
    speedup = local / remote
    print(f"\nspeed-up, {args.workers} loopback workers over one local process: {speedup:.2f}")

    measured = {n: t for n, t in timings.items() if t is not None}
    print("\nProjection (a list-scheduling simulation over the measured per-animation times, not a measurement):")
    projected = {}
    for workers in sorted({args.workers, *args.project}):
        plan = plan_chunks(measured, workers)
        costs = [chunk_cost(measured[n], c) for n, ranges in plan.items() for c in ranges]
        projected[workers] = list_schedule(costs, workers)
        note = f"  (measured: {remote:.1f} s)" if workers == args.workers else ""
        print(f"  {workers:3d} worker(s): {projected[workers]:8.1f} s in {len(costs):3d} chunks{note}")
    base = projected.get(1) or max(projected.values())
    for workers in args.project:
        if workers > 1:
            print(f"  {workers:3d} workers vs one: {base / projected[workers]:.1f}x")
    print(f"local_s={local:.1f} cluster_s={remote:.1f} speedup={speedup:.2f} workers={args.workers} scenes={len(names)} "
          + " ".join(f"projected_{w}={projected[w]:.1f}" for w in args.project))
    return 0


if __name__ == "__main__":
    sys.exit(main())
