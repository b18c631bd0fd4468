"""Benchmark: the classic loss written the plain way (dense autograd) against its chunked, hand-differentiated
step, and against the project's spherical optimiser.

Run from the repository root::

    .venv/bin/python bench/superposition.py              # N = 10,000 vectors in d = 100
    .venv/bin/python bench/superposition.py --n 2000 --d 50 --steps 100   # a quicker look
    .venv/bin/python bench/superposition.py --products float32            # without bfloat16 products

What it measures, in one run (never through the disk cache - everything is computed):

1. **Classic loop, per step and peak memory.**  A child process runs ``--classic-steps`` steps of the loop
   written the plain way: Adam (lr 0.01) on ``sum relu(|G - I| - 0.01) + N sum (diag G - 1)^2`` with
   ``G = X X^T`` dense and the gradient from autograd.  Time per step is the median over those steps.
   Another child runs as many steps of the same loop as the project runs it
   (:func:`llmfacts.compute.superposition.classic_gradient`: the same gradient, by hand, over row chunks of
   the Gram matrix) and the line ``classic step: chunked ... vs dense autograd ... (ratio ...)`` compares them.
2. **The project's optimiser, per step and peak memory.**  Another child process runs ``--probe-steps``
   steps of :class:`llmfacts.compute.superposition.SphericalAdam` (chunked Gram blocks, hand-written
   gradient, its weight x vector products in the number type ``products="auto"`` picks on this machine:
   bfloat16 where the CPU has AMX or AVX-512 BF16, float32 elsewhere) on the same vectors; median time per
   step.
3. **The full run**: :func:`llmfacts.compute.superposition.spherical_optimize` from random vectors to the
   end of its schedule (``--steps``, default the module's), in this process, with the angle statistics of
   the start and the end.

Peak memory: each measurement runs in a fresh child process (so neither inherits the other's heap).  The
child builds its inputs, reads its resident-set high-water mark (``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``, which sees every allocation that was touched - PyTorch's CPU tensors included, unlike
``tracemalloc``), runs the steps, and reads it again; the difference is the extra memory the steps needed at
their peak.  Interpreter, libraries and inputs are excluded from both sides alike.

Timings depend on the machine and on what else is running on it: compare the two per-step figures of one
run, not figures from different runs.  The last line printed is::

    max_abs_cos=<x> min_angle=<deg> max_angle=<deg> seconds=<s> step_speedup_vs_classic=<r> peak_mem_ratio_vs_classic=<r> classic_chunked_speedup=<r>

where ``seconds`` is the optimisation time of the full run (statistics excluded), ``step_speedup_vs_classic``
is classic seconds per step / project seconds per step (from steps 1 and 2), and ``peak_mem_ratio_vs_classic``
is the classic peak-memory increase / the project's, and ``classic_chunked_speedup`` is the dense classic step
time / the chunked classic step time.  ``--classic-only`` stops after the classic comparison.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _maxrss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _child_classic(n: int, d: int, steps: int, seed: int) -> dict:
    """The classic loop written the plain way: dense Gram matrix, autograd, Adam."""
    import torch

    from llmfacts.compute.superposition import random_unit_vectors

    x = torch.from_numpy(random_unit_vectors(n, d, seed)).requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.01)
    before = _maxrss_bytes()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        gram = x @ x.T
        loss = torch.relu((gram - torch.eye(n)).abs() - 0.01).sum() + n * ((torch.diagonal(gram) - 1) ** 2).sum()
        loss.backward()
        opt.step()
        del gram, loss
        times.append(time.perf_counter() - t0)
    return {"seconds_per_step": statistics.median(times), "times": times,
            "peak_extra_bytes": _maxrss_bytes() - before}


def _child_classic_chunked(n: int, d: int, steps: int, seed: int) -> dict:
    """The same loop as the project runs it: the gradient by hand over row chunks (classic_gradient)."""
    import torch

    from llmfacts.compute.superposition import classic_gradient, random_unit_vectors

    x = torch.from_numpy(random_unit_vectors(n, d, seed)).requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.01)
    before = _maxrss_bytes()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        x.grad = classic_gradient(x.detach(), 0.01).gradient
        opt.step()
        times.append(time.perf_counter() - t0)
    return {"seconds_per_step": statistics.median(times), "times": times,
            "peak_extra_bytes": _maxrss_bytes() - before}


def _child_project(n: int, d: int, steps: int, seed: int, products: str = "auto") -> dict:
    """A few steps of the project's optimiser (mid-schedule exponent and learning rate)."""
    from llmfacts.compute.superposition import SphericalAdam, random_unit_vectors

    opt = SphericalAdam(random_unit_vectors(n, d, seed), products=products)
    before = _maxrss_bytes()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.step(p=68.0, lr=0.005)
        times.append(time.perf_counter() - t0)
    return {"seconds_per_step": statistics.median(times), "times": times,
            "peak_extra_bytes": _maxrss_bytes() - before, "products": opt.products}


def _in_child(kind: str, n: int, d: int, steps: int, seed: int, threads: int | None, products: str) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--n", str(n), "--d", str(d), "--child-steps", str(steps),
           "--seed", str(seed), "--products", products]
    if threads:
        cmd += ["--threads", str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    from llmfacts.compute import superposition as sp

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--steps", type=int, default=sp.SPHERICAL_DEFAULTS["steps"],
                    help="steps of the full spherical run (default: the module's default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--classic-steps", type=int, default=3, help="classic steps to time")
    ap.add_argument("--probe-steps", type=int, default=6, help="project steps to time in the child")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    ap.add_argument("--products", choices=["auto", *sp.PRODUCT_DTYPES], default="auto",
                    help="number type of the project optimiser's weight x vector products (default: auto, "
                         "bfloat16 on CPUs with AMX or AVX-512 BF16, else float32)")
    ap.add_argument("--classic-only", action="store_true", help="only compare the two classic loops")
    ap.add_argument("--child", choices=["classic", "classic-chunked", "project"], help=argparse.SUPPRESS)
    ap.add_argument("--child-steps", type=int, default=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.child:
        if args.child == "classic":
            print(json.dumps(_child_classic(args.n, args.d, args.child_steps, args.seed)))
        elif args.child == "classic-chunked":
            print(json.dumps(_child_classic_chunked(args.n, args.d, args.child_steps, args.seed)))
        else:
            print(json.dumps(_child_project(args.n, args.d, args.child_steps, args.seed, args.products)))
        return

    print(f"superposition benchmark: N={args.n} d={args.d} torch threads={torch.get_num_threads()} "
          f"device={'cuda' if torch.cuda.is_available() else 'cpu'}", flush=True)
    classic = _in_child("classic", args.n, args.d, args.classic_steps, args.seed, args.threads, args.products)
    print(f"classic loop (dense Gram + autograd): {classic['seconds_per_step']:.3f} s/step "
          f"(steps: {', '.join(f'{t:.2f}' for t in classic['times'])}), "
          f"peak extra memory {classic['peak_extra_bytes'] / 2**20:.0f} MiB", flush=True)
    chunked = _in_child("classic-chunked", args.n, args.d, args.classic_steps, args.seed, args.threads,
                        args.products)
    chunked_speedup = classic["seconds_per_step"] / chunked["seconds_per_step"]
    print(f"classic loop (chunked, hand-written gradient): {chunked['seconds_per_step']:.3f} s/step "
          f"(steps: {', '.join(f'{t:.2f}' for t in chunked['times'])}), "
          f"peak extra memory {chunked['peak_extra_bytes'] / 2**20:.0f} MiB", flush=True)
    print(f"classic step: chunked {chunked['seconds_per_step']:.3f} s vs dense autograd "
          f"{classic['seconds_per_step']:.3f} s (ratio {chunked_speedup:.1f}x faster; peak extra memory "
          f"{chunked['peak_extra_bytes'] / 2**20:.0f} vs {classic['peak_extra_bytes'] / 2**20:.0f} MiB), "
          f"N={args.n} d={args.d}", flush=True)
    if args.classic_only:
        return
    project = _in_child("project", args.n, args.d, args.probe_steps, args.seed, args.threads, args.products)
    print(f"project optimiser (chunked, hand-written gradient, {project['products']} products): "
          f"{project['seconds_per_step']:.3f} s/step "
          f"(steps: {', '.join(f'{t:.2f}' for t in project['times'])}), "
          f"peak extra memory {project['peak_extra_bytes'] / 2**20:.0f} MiB", flush=True)
    speedup = classic["seconds_per_step"] / project["seconds_per_step"]
    mem_ratio = classic["peak_extra_bytes"] / max(1, project["peak_extra_bytes"])

    x = sp.random_unit_vectors(args.n, args.d, args.seed)
    res = sp.spherical_optimize(x, steps=args.steps, progress=sys.stderr.isatty(), seed=args.seed,
                                products=args.products)
    lb = sp.max_abs_cos_lower_bound(args.n, args.d)
    for label, s in (("initial", res.initial), ("final", res.final)):
        print(f"{label}: max|cos|={s.max_abs_cos:.4f} angles {s.min_angle_deg:.2f}-{s.max_angle_deg:.2f} deg, "
              f"rms cos={s.rms_cos:.4f}, within 89-91: {100 * s.share_within_1deg:.1f}%, "
              f"within 85-95: {100 * s.share_within_5deg:.1f}%", flush=True)
    print(f"full run: {res.steps} steps in {res.seconds:.1f} s ({res.seconds / res.steps:.3f} s/step); "
          f"lower bound on max|cos| for N={args.n}, d={args.d}: {lb:.4f} "
          f"({sp.cos_to_deg(lb):.2f}-{180 - sp.cos_to_deg(lb):.2f} deg)", flush=True)
    f = res.final
    print(f"max_abs_cos={f.max_abs_cos:.4f} min_angle={f.min_angle_deg:.2f} max_angle={f.max_angle_deg:.2f} "
          f"seconds={res.seconds:.1f} step_speedup_vs_classic={speedup:.1f} peak_mem_ratio_vs_classic={mem_ratio:.1f} "
          f"classic_chunked_speedup={chunked_speedup:.1f}",
          flush=True)


if __name__ == "__main__":
    main()
