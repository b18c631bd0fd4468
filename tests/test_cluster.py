"""render.py --cluster: a real Dask cluster on loopback (a scheduler and two one-thread workers, each its own
process), two short scenes rendered in chunks through it, compared with the local render; a worker killed
in the middle of a render; scenes that are up to date never sent."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from llmfacts import chunks, video
from llmfacts.cluster import LoopbackCluster, connect
from llmfacts.rendering import RenderSettings, render_scenes
from llmfacts.storyboard import SceneEntry

SCENES = [SceneEntry("ChunkStory", "tests.fixtures.chunk_scenes", ()),
          SceneEntry("ChunkStoryTwo", "tests.fixtures.chunk_scenes", ())]
RENDER_TIMEOUT = 600  # seconds; a render that takes longer fails the test instead of hanging it


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with LoopbackCluster(tmp_path_factory.mktemp("cluster"), workers=2, nthreads=1) as running:
        yield running
    for name, process in running.processes.items():  # nothing left behind
        assert process.poll() is not None, f"{name} still runs"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster-renders")
    return {"out": root / "renders", "build": root / "build", "reference": root / "reference"}


def _settings(folders, **kwargs) -> RenderSettings:
    return RenderSettings(quality="low", jobs=2, out_dir=folders["out"], build_dir=folders["build"],
                          voice="none", **kwargs)


def _frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _sound(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def _render(settings: RenderSettings) -> list:
    """render_scenes in a thread, bounded in time."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(out=render_scenes(SCENES, settings)), daemon=True)
    thread.start()
    thread.join(RENDER_TIMEOUT)
    assert not thread.is_alive(), f"the render took more than {RENDER_TIMEOUT} s"
    return box["out"]


def _manifest(settings: RenderSettings) -> dict:
    return json.loads((settings.quality_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def reference(folders):
    """The local render (no cluster): each scene's clip and subtitles, kept aside."""
    settings = _settings(folders)
    outcomes = _render(settings)
    kept = {}
    for outcome in outcomes:
        assert outcome.status == "rendered", outcome.error
        target = folders["reference"] / outcome.video.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(outcome.video, target)
        shutil.copyfile(outcome.subtitles, target.with_suffix(".srt"))
        kept[outcome.entry.name] = target
    return kept


def _assert_same_clip(ours: Path, theirs: Path, boundaries: list[int]) -> None:
    a, b = _frames(ours), _frames(theirs)
    assert len(a) == len(b) == video.probe(ours).frames
    for k in boundaries:  # the last frame of a chunk and the first of the next
        assert np.array_equal(a[k - 1], b[k - 1]) and np.array_equal(a[k], b[k])
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert ours.with_suffix(".srt").read_text() == theirs.with_suffix(".srt").read_text()
    assert np.array_equal(_sound(ours), _sound(theirs))


def _boundaries(timings: dict) -> list[int]:
    frames = timings["frames"]
    return [sum(frames[: c["start"]]) for c in timings["chunks"][1:]]


def _executed(address: str) -> int:
    client = connect(address)
    try:
        return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())
    finally:
        client.close()


def test_cluster_render_equals_the_local_render(cluster, folders, reference, monkeypatch):
    monkeypatch.setenv(chunks.DISABLE_ENV, "2")  # every scene in two chunks: four chunks for two workers
    settings = _settings(folders, force=True, cluster=cluster.address)
    outcomes = _render(settings)
    manifest = _manifest(settings)
    workers = set()
    for outcome in outcomes:
        assert outcome.status == "rendered", outcome.error
        timings = manifest["scenes"][outcome.entry.name]["timings"]
        assert [(c["start"], c["end"]) for c in timings["chunks"]][0][0] == 0 and len(timings["chunks"]) == 2
        workers |= {c["worker"] for c in timings["chunks"]}
        _assert_same_clip(outcome.video, reference[outcome.entry.name], _boundaries(timings))
    assert workers == {"w1", "w2"}  # both workers rendered chunks

    # nothing changed: both scenes are up to date, and not a single task reaches the cluster
    before = _executed(cluster.address)
    settings = _settings(folders, cluster=cluster.address)
    assert [o.status for o in _render(settings)] == ["up to date", "up to date"]
    assert _executed(cluster.address) == before


def test_a_worker_killed_mid_render_still_gives_the_whole_video(cluster, folders, reference, monkeypatch):
    monkeypatch.setenv(chunks.DISABLE_ENV, "2")
    settings = _settings(folders, force=True, cluster=cluster.address)
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(out=render_scenes(SCENES, settings)), daemon=True)
    thread.start()
    client = connect(cluster.address)
    try:  # wait until both workers are rendering a chunk, then kill one of them
        deadline = time.monotonic() + RENDER_TIMEOUT
        while True:
            busy = client.run(lambda dask_worker: (dask_worker.name, dask_worker.state.executing_count))
            if sum(count for _, count in busy.values()) >= 2:
                break
            assert time.monotonic() < deadline and thread.is_alive(), "the workers never both started a chunk"
            time.sleep(0.2)
        time.sleep(1.0)
        cluster.kill("w2")
    finally:
        client.close()
    thread.join(RENDER_TIMEOUT)
    assert not thread.is_alive(), f"the render took more than {RENDER_TIMEOUT} s"
    manifest = _manifest(settings)
    for outcome in box["out"]:
        assert outcome.status == "rendered", outcome.error
        timings = manifest["scenes"][outcome.entry.name]["timings"]
        _assert_same_clip(outcome.video, reference[outcome.entry.name], _boundaries(timings))
    # the chunk w2 was rendering was rendered again by w1: no chunk of this run came back from w2
    chunk_workers = [c["worker"] for name in manifest["scenes"] for c in manifest["scenes"][name]["timings"]["chunks"]]
    assert len(chunk_workers) == 4 and "w2" not in chunk_workers
