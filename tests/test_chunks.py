"""Chunks finer than scenes (llmfacts.chunks): the plan, and chunks that join into the whole-scene clip."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from llmfacts import chunks, video
from llmfacts.chunks import ChunkRange, SceneTimings, chunk_cost, list_schedule, plan_chunks, split_scene
from llmfacts.storyboard import REPO_ROOT, SceneEntry

CHUNK_STORY = SceneEntry("ChunkStory", "tests.fixtures.chunk_scenes", ())
TINY = SceneEntry("TinyStory", "tests.fixtures.tiny_scene", ())


def timings(render, overhead=1.0, skip_share=0.1) -> SceneTimings:
    return SceneTimings(render=list(render), frames=[10] * len(render), overhead=overhead,
                        skip=[skip_share * r for r in render])


# ------------------------------------------------------------------------------------------- the plan
def brute_force_best(t: SceneTimings, count: int) -> float:
    """The smallest possible largest chunk cost over every way to cut the scene into ``count`` chunks."""
    n = t.animations
    best = float("inf")
    for cuts in itertools.combinations(range(1, n), count - 1):
        bounds = [0, *cuts, n]
        ranges = [ChunkRange(bounds[k], bounds[k + 1] - 1) for k in range(count)]
        # the cost of a chunk: overhead + playing the earlier animations through undrawn + its own animations
        costs = [t.overhead + sum(t.skip[:r.start]) + sum(t.render[r.start : r.end + 1]) for r in ranges]
        best = min(best, max(costs))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_split_scene_finds_the_best_cut(seed):
    rng = np.random.default_rng(seed)
    t = timings(rng.uniform(0.1, 5.0, size=int(rng.integers(5, 10))), overhead=float(rng.uniform(0, 3)))
    for count in (2, 3, 4):
        ranges = split_scene(t, count)
        assert ranges[0].start == 0 and ranges[-1].end is None and len(ranges) <= count
        for a, b in zip(ranges, ranges[1:]):  # consecutive, no gap, no overlap
            assert b.start == a.end + 1
        worst = max(chunk_cost(t, r) for r in ranges)
        assert worst == pytest.approx(brute_force_best(t, count), abs=2e-3)


def test_list_schedule_hands_the_longest_job_to_the_first_free_worker():
    # 3,3 go to both workers, then 2 -> A (3+2), 2 -> B (3+2), 2 -> A again: 7 (the best packing would be 6)
    assert list_schedule([2, 3, 2, 3, 2], 2) == 7
    assert list_schedule([2, 3, 2, 3, 2], 1) == 12
    assert list_schedule([2, 3, 2, 3, 2], 64) == 3
    assert list_schedule([], 4) == 0


def test_plan_cuts_only_what_shortens_the_wall_time():
    long = timings([4.0] * 20, overhead=2.0)  # 82 s whole
    short = timings([1.0] * 5, overhead=2.0)  # 7 s
    # one worker: cutting only adds overhead
    assert all(len(r) == 1 for r in plan_chunks({"long": long, "short": short}, 1).values())
    # two workers: the long scene alone would take 82 s while the other worker idles after 7 s
    plan = plan_chunks({"long": long, "short": short}, 2)
    assert len(plan["long"]) >= 2 and len(plan["short"]) == 1
    costs = [chunk_cost(long, r) for r in plan["long"]] + [chunk_cost(short, r) for r in plan["short"]]
    assert list_schedule(costs, 2) < 0.65 * 82  # close to (82 + 7) / 2 plus the overheads
    # two equal scenes on two workers: already balanced, nothing to gain
    assert all(len(r) == 1 for r in plan_chunks({"a": long, "b": long}, 2).values())
    # a scene never measured stays whole
    assert plan_chunks({"long": long, "unknown": None}, 2)["unknown"] == [ChunkRange(0, None)]
    # many workers: more chunks, each worth its overhead
    wide = plan_chunks({"long": long, "short": short}, 16)
    assert len(wide["long"]) > len(plan["long"])


def test_timings_from_a_damaged_record_are_ignored():
    good = timings([1.0, 2.0]).to_json()
    assert SceneTimings.from_json(good).render == [1.0, 2.0]
    for bad in (None, [], "x", {**good, "render": "fast"}, {**good, "frames": [1]}, {**good, "render": [1.0, -2.0]},
                {**good, "render": []}):
        assert SceneTimings.from_json(bad) is None


def test_prepare_run_cuts_the_measured_scene_that_bounds_the_wall_time(tmp_path, monkeypatch):
    monkeypatch.delenv(chunks.DISABLE_ENV, raising=False)
    long = timings([3.0] * 12, overhead=2.0)
    manifest = types.SimpleNamespace(scenes={
        "ChunkStory": types.SimpleNamespace(animations=12, timings=long.to_json()),
        "TinyStory": types.SimpleNamespace(animations=2, timings=timings([0.5, 0.5]).to_json()),
    })
    settings = types.SimpleNamespace(jobs=2, build_dir=tmp_path, save_sections=False, cluster=None)
    plan = chunks.prepare_run([CHUNK_STORY, TINY], settings, manifest)
    assert len(plan["ChunkStory"]["chunks"]) >= 2 and len(plan["TinyStory"]["chunks"]) == 1
    assert plan["_run"]["split"] and settings.chunk_plan is plan
    # the estimates are the chunk costs of the recorded timings
    first = ChunkRange(*plan["ChunkStory"]["chunks"][0])
    assert plan["ChunkStory"]["estimates"][0] == pytest.approx(chunk_cost(long, first), abs=1e-3)
    # and the commands: the cut scene goes to the scene driver, the other to the runner holding a slot
    cmd = [sys.executable, "-m", "manim", "render", str(CHUNK_STORY.path), "ChunkStory", "-q", "l",
           "--media_dir", str(tmp_path / "m1"), "-v", "INFO"]
    driver = chunks.command(CHUNK_STORY, settings, cmd)
    assert driver[2:] == ["llmfacts.chunks", "scene", "--spec", str(tmp_path / "m1" / "chunk_spec.json")]
    spec = json.loads((tmp_path / "m1" / "chunk_spec.json").read_text())
    assert [(j["start"], j["end"]) for j in spec["jobs"]] == [tuple(c) for c in plan["ChunkStory"]["chunks"]]
    assert all(j["manim_args"] == ["-q", "l", "-v", "INFO"] for j in spec["jobs"])
    tiny_cmd = [*cmd[:4], str(TINY.path), "TinyStory", *cmd[6:]]
    runner = chunks.command(TINY, settings, tiny_cmd)
    assert runner[2:5] == ["llmfacts.chunks", "run", "--start"] and "--slots" in runner
    # LLMFACTS_CHUNKS=0: plain manim, as before
    monkeypatch.setenv(chunks.DISABLE_ENV, "0")
    chunks.prepare_run([CHUNK_STORY], settings, manifest)
    assert chunks.command(CHUNK_STORY, settings, cmd) == cmd


# ------------------------------------------------------------------------------------------- real renders
def _env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), LLMFACTS_VOICE="none")
    env.pop(chunks.DISABLE_ENV, None)
    return env


def _decoded(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _sound(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def test_chunks_join_into_the_clip_of_a_whole_scene_render(tmp_path):
    """Plain manim renders ChunkStory whole; the runner renders it as three chunks: the joined clip has the
    same frames (every one, the chunk boundaries included), the same subtitles and the same sound. The
    runner rendering the whole scene (what render.py runs for a scene it does not cut) gives that clip too."""
    scene_file = str(CHUNK_STORY.path)
    whole_media = tmp_path / "whole"
    ranges = [(0, 2), (3, 6), (7, None)]

    def whole() -> Path:
        subprocess.run([sys.executable, "-m", "manim", "render", scene_file, "ChunkStory", "-ql", "--media_dir",
                        str(whole_media), "--progress_bar", "none", "-v", "WARNING", "--disable_caching"],
                       check=True, cwd=REPO_ROOT, env=_env(), capture_output=True)
        return next((whole_media / "videos").rglob("ChunkStory.mp4"))

    def chunk(k: int) -> chunks.ChunkResult:
        start, end = ranges[k]
        job = chunks.ChunkJob(scene="ChunkStory", scene_file=str(CHUNK_STORY.path.relative_to(REPO_ROOT)),
                              manim_args=["-q", "l", "--progress_bar", "none", "-v", "WARNING"],
                              start=start, end=end, index=k, count=len(ranges), env={"LLMFACTS_VOICE": "none"})
        return chunks.run_chunk_local(job, tmp_path / f"chunk{k}")

    def runner_whole() -> Path:
        report = tmp_path / "runner" / "report.json"
        subprocess.run([sys.executable, "-m", "llmfacts.chunks", "run", "--start", "0", "--with-sound", "--report",
                        str(report), "--timings", str(tmp_path / "runner" / "timings.json"), "--", "render",
                        scene_file, "ChunkStory", "-ql", "--media_dir", str(tmp_path / "runner" / "media"),
                        "--progress_bar", "none", "-v", "WARNING"], check=True, cwd=REPO_ROOT, env=_env(),
                       capture_output=True)
        return Path(json.loads(report.read_text())["video"])

    with ThreadPoolExecutor(2) as pool:
        reference = pool.submit(whole)
        by_runner = pool.submit(runner_whole)
        results = list(pool.map(chunk, range(len(ranges))))
        reference, by_runner = reference.result(), by_runner.result()
    for result in results:
        assert result.ok, result.log[-3000:]
    joined = tmp_path / "joined" / "ChunkStory.mp4"
    scene_timings = chunks.assemble(results, joined, tmp_path / "join-work")

    ref_frames, our_frames = _decoded(reference), _decoded(joined)
    assert len(our_frames) == len(ref_frames) == video.probe(joined).frames == sum(scene_timings["frames"])
    boundaries = np.cumsum([sum(scene_timings["frames"][a : (b + 1 if b is not None else None)])
                            for a, b in ranges])[:-1]
    assert len(boundaries) == 2 and all(0 < b < len(ref_frames) for b in boundaries)
    for b in boundaries:  # the last frame of one chunk and the first of the next
        assert np.array_equal(our_frames[b - 1], ref_frames[b - 1]) and np.array_equal(our_frames[b], ref_frames[b])
    assert all(np.array_equal(a, b) for a, b in zip(our_frames, ref_frames))
    assert joined.with_suffix(".srt").read_text() == reference.with_suffix(".srt").read_text()
    ours, theirs = _sound(joined), _sound(reference)
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs)
    assert np.abs(theirs).max() > 0.1  # there is sound to compare: the tones
    runner_frames = _decoded(by_runner)
    assert len(runner_frames) == len(ref_frames) and all(np.array_equal(a, b) for a, b in zip(runner_frames, ref_frames))
    assert by_runner.with_suffix(".srt").read_text() == reference.with_suffix(".srt").read_text()
    assert np.array_equal(_sound(by_runner), theirs)
    recorded = SceneTimings.from_json(json.loads((tmp_path / "runner" / "timings.json").read_text()))
    assert recorded.frames == scene_timings["frames"] and len(recorded.chunks) == 1
    # each chunk drew only its own animations: the others were played through without drawing
    for (start, end), result in zip(ranges, results):
        drawn = [a["index"] for a in result.report["animations"] if a["rendered"]]
        assert drawn[0] == start and (end is None or drawn[-1] == end)
