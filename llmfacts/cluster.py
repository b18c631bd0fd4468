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

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Sequence

from llmfacts.chunks import REPO_ROOT, ChunkJob, ChunkResult

__all__ = ["ClusterError", "RETRIES", "connect", "worker_count", "run_chunks", "render_chunk_task", "LoopbackCluster"]

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
    def share(source: Path, target: Path) -> None:  # TeX and text SVGs depend only on their source text
        for sub in ("Tex", "texts"):
            if (source / sub).is_dir():
                (target / sub).mkdir(parents=True, exist_ok=True)
                for svg in (source / sub).glob("*.svg"):
                    if not (target / sub / svg.name).exists():
                        try:
                            os.link(svg, target / sub / svg.name)
                        except OSError:
                            pass

    cache = Path(os.environ.get("LLMFACTS_WORKER_CACHE") or Path(tempfile.gettempdir()) / "llmfacts-worker-svgs")
    with tempfile.TemporaryDirectory(prefix="llmfacts-chunk-") as tmp:
        media, report = Path(tmp) / "media", Path(tmp) / "report.json"
        share(cache, media)
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
            cache.mkdir(parents=True, exist_ok=True)
            share(media, cache)
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
        for future in as_completed([f for f, _ in futures.values()], loop=client.loop):
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


class LoopbackCluster:
    """A Dask scheduler and ``workers`` workers on 127.0.0.1, each a process of its own (its own session, so
    that :meth:`kill` ends a worker and the render it runs): what the tests and ``bench/render_cluster.py``
    render on. The same as ``dask scheduler`` and ``dask worker`` in terminals, without a nanny."""

    def __init__(self, folder: str | os.PathLike, workers: int = 2, nthreads: int = 1, timeout: float = 120):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = self.folder / "scheduler.json"
        self.scheduler_file.unlink(missing_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(self.scheduler_file)], env)
            deadline = time.monotonic() + timeout
            while not self._address():
                if time.monotonic() > deadline or self.processes["scheduler"].poll() is not None:
                    raise ClusterError(f"the loopback scheduler did not start; see {self.folder / 'scheduler.log'}")
                time.sleep(0.2)
            for k in range(1, workers + 1):
                name = f"w{k}"
                self._start(name, ["worker", "--scheduler-file", str(self.scheduler_file), "--host", "127.0.0.1",
                                   "--nthreads", str(nthreads), "--no-nanny", "--name", name, "--no-dashboard",
                                   "--local-directory", str(self.folder / name), "--death-timeout", "60"], env)
            client = connect(self.address, timeout)
            try:
                client.wait_for_workers(workers, timeout=timeout)
            finally:
                client.close()
        except BaseException:
            self.close()
            raise

    def _start(self, name: str, args: list[str], env: dict) -> None:
        log = open(self.folder / f"{name}.log", "w")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=self.folder, env=env,
                                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def _address(self) -> str | None:
        try:
            return json.loads(self.scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            return None

    @property
    def address(self) -> str:
        address = self._address()
        if address is None:
            raise ClusterError("the loopback scheduler has not started")
        return address

    @property
    def workers(self) -> list[str]:
        return [name for name in self.processes if name != "scheduler"]

    def kill(self, name: str) -> None:
        """SIGKILL a worker (or the scheduler) and everything it started."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def close(self) -> None:
        for name in [*self.workers, "scheduler"]:
            if name in self.processes and self.processes[name].poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.processes[name].pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in self.processes.items():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if process.poll() is None:
                self.kill(name)

    def __enter__(self) -> LoopbackCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
