"""Chunks rendered on a Dask distributed cluster: ``render.py --cluster ADDRESS``.

``render.py`` cuts the scenes to render into chunks (:mod:`llmfacts.chunks`), and each scene's driver
submits its chunks to the scheduler at ``ADDRESS`` (``tcp://host:8786``, or a scheduler file's path). A
worker renders a chunk with the runner of its own checkout of the repository and sends the clip back as
bytes; the driver joins the clips and ``render.py`` moves the scene's clip into ``renders/`` atomically,
as for a local render. Nothing of a scene that is up to date is sent.

* **Repository and environment.** Workers need the repository and its ``.venv`` at the client's path (a
  shared filesystem: NFS, a cluster's home or project folder) or, when their checkout lives elsewhere, at
  ``$LLMFACTS_WORKER_ROOT``. The task itself travels by value (no import of this project is needed to
  receive it); each chunk checks that the worker's sources of the scene hash to the client's
  (:func:`llmfacts.chunks.source_digest`) and refuses with one line otherwise.
* **Faults.** A task whose worker dies is handed to another worker by the scheduler (up to its
  ``distributed.scheduler.allowed-failures``, 3 by default); a task that raises (a missing checkout, a
  full disk) is retried :data:`RETRIES` times. A scene that fails in manim is not retried: its log comes
  back and the scene is reported failed, as locally.
* **Order.** Each chunk's priority is its estimated seconds, so the scheduler starts the longest first.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Callable, Sequence

from llmfacts.chunks import REPO_ROOT, ChunkJob, ChunkResult

__all__ = ["ClusterError", "RETRIES", "connect", "worker_count", "run_chunks", "render_chunk_task"]

#: Retries of a chunk whose task raised (a worker's death is handled by the scheduler on its own).
RETRIES = 2
#: Seconds to wait for the scheduler to answer, and for at least one worker.
CONNECT_TIMEOUT = 20


class ClusterError(RuntimeError):
    """The cluster cannot be used (one line that says why and what to do)."""


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A client of the scheduler at ``address``; :class:`ClusterError` if it does not answer."""
    from distributed import Client

    kwargs = {"scheduler_file": address} if address.endswith(".json") else {"address": address}
    try:
        return Client(**kwargs, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(f"cannot reach a Dask scheduler at {address} ({type(error).__name__}: {error}); "
                           f"start one with 'dask scheduler' and workers with 'dask worker ADDRESS'") from None


def worker_count(address: str, timeout: float = CONNECT_TIMEOUT) -> int:
    """Chunks the cluster renders at once: the worker threads it has (waits for the first worker)."""
    client = connect(address, timeout)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise ClusterError(f"the Dask scheduler at {address} has no workers; start some with "
                               f"'dask worker {address}'") from None
        workers = client.scheduler_info(n_workers=-1)["workers"]
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
    finally:
        client.close()


def render_chunk_task(payload: dict) -> dict:
    """Runs on a worker: render one chunk with the worker's checkout, return the clip as bytes.

    Self-contained (standard library only) because it is sent by value."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    root = Path(os.environ.get("LLMFACTS_WORKER_ROOT") or payload["root"])
    if not (root / "llmfacts" / "chunks.py").is_file():
        raise RuntimeError(f"no checkout of the project at {root} on this worker: share the client's checkout "
                           f"at the same path, or set LLMFACTS_WORKER_ROOT")
    python = root / ".venv" / "bin" / "python"
    python = str(python) if python.exists() else sys.executable
    try:
        from distributed import get_worker

        worker = get_worker().name or get_worker().address
    except Exception:  # noqa: BLE001 - outside a worker (tests call it directly)
        worker = f"{os.uname().nodename}:{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="llmfacts-chunk-") as tmp:
        media, report = Path(tmp) / "media", Path(tmp) / "report.json"
        cmd = [python, "-m", "llmfacts.chunks", "run", "--start", str(payload["start"]), "--report", str(report)]
        if payload["end"] is not None:
            cmd += ["--end", str(payload["end"])]
        if payload.get("digest"):
            cmd += ["--digest", payload["digest"]]
        cmd += ["--", "render", str(root / payload["scene_file"]), payload["scene"], *payload["manim_args"],
                "--media_dir", str(media)]
        env = dict(os.environ, COLUMNS="1000", PYTHONUNBUFFERED="1", **payload.get("env", {}))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = {"ok": done.returncode == 0 and report.exists(), "log": done.stdout[-30000:],
               "wall": time.perf_counter() - started, "worker": str(worker)}
        if out["ok"]:
            data = json.loads(report.read_text())
            data["wall"] = out["wall"]
            out["report"] = data
            out["video"] = Path(data["video"]).read_bytes()
            out["subtitles"] = Path(data["subtitles"]).read_text(encoding="utf-8") if data.get("subtitles") else None
            out["audio"] = Path(data["audio"]).read_bytes() if data.get("audio") else None
            for key in ("video", "subtitles", "audio"):  # paths on the worker mean nothing to the client
                data.pop(key, None)
    return out


def _by_value() -> None:
    import sys

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])


def run_chunks(address: str, jobs: Sequence[ChunkJob], on_result: Callable[[ChunkResult], None] = lambda r: None,
               cancel_hooks: list | None = None, retries: int = RETRIES) -> list[ChunkResult]:
    """Render ``jobs`` on the cluster; returns one result per job as each comes back (order of completion)."""
    from distributed import as_completed

    _by_value()
    client = connect(address)
    try:
        tag = uuid.uuid4().hex[:8]
        futures = {}
        for job in jobs:
            payload = dict(asdict(job), root=str(REPO_ROOT))
            future = client.submit(render_chunk_task, payload, key=f"llmfacts-chunk-{job.scene}-{job.start}-{tag}",
                                   priority=int(round(job.estimate * 10)), retries=retries, pure=False)
            futures[future.key] = (future, job)
        if cancel_hooks is not None:
            cancel_hooks.append(lambda: client.cancel([f for f, _ in futures.values()], force=True))
        results = []
        for future in as_completed([f for f, _ in futures.values()]):
            job = futures[future.key][1]
            if future.status == "finished":
                data = future.result()
                result = ChunkResult(job, bool(data["ok"]), video=data.get("video"), subtitles=data.get("subtitles"),
                                     audio=data.get("audio"), report=data.get("report", {}), log=data["log"],
                                     wall=float(data["wall"]), worker=data["worker"])
                if result.ok:
                    result.report["wall"] = result.wall
            else:
                error = future.exception()
                result = ChunkResult(job, False, log=f"Error: the cluster could not render chunk {job.key}: "
                                                     f"{type(error).__name__}: {error}", worker="cluster")
            results.append(result)
            on_result(result)
            future.release()
        return results
    finally:
        client.close()
