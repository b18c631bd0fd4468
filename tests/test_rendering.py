"""The render pipeline: fingerprints, up-to-date checks, atomic outputs, joining, subtitles, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from llmfacts import rendering, video
from llmfacts.rendering import RenderSettings, fingerprint, join_outputs, local_dependencies, render_scenes
from llmfacts.storyboard import REPO_ROOT, SceneEntry, find_scene

TINY = SceneEntry("TinyStory", "tests.fixtures.tiny_scene", "fixture")
BROKEN = SceneEntry("BrokenStory", "tests.fixtures.tiny_scene", "fixture")
ODD = SceneEntry("OddTimingStory", "tests.fixtures.tiny_scene", "fixture")


@pytest.fixture()
def settings(tmp_path) -> RenderSettings:
    return RenderSettings(quality="low", jobs=2, out_dir=tmp_path / "renders", build_dir=tmp_path / "build")


def test_dependencies_follow_project_imports_transitively():
    deps = {p.relative_to(REPO_ROOT).as_posix() for p in local_dependencies(TINY.path)}
    assert {"tests/fixtures/tiny_scene.py", "llmfacts/story.py", "llmfacts/colors.py", "llmfacts/__init__.py"} <= deps
    assert not any("manim" in d for d in deps)


def test_fingerprint_changes_with_quality_and_sources(tmp_path, monkeypatch):
    base = fingerprint(TINY, "low")
    assert base == fingerprint(TINY, "low")
    assert base != fingerprint(TINY, "high")
    extra = tmp_path / "extra.py"
    extra.write_text("a = 1")
    with_extra = fingerprint(TINY, "low", extra=[extra])
    extra.write_text("a = 2")
    assert with_extra != fingerprint(TINY, "low", extra=[extra])


def test_render_then_up_to_date_then_forced(settings):
    first = render_scenes([TINY], settings)[0]
    assert first.status == "rendered", first.error
    info = video.probe(first.video)
    assert (info.width, info.height, info.fps) == (854, 480, 15)
    assert info.frames == 30 and video.count_frames(first.video) == 30  # 2.0 s at 15 fps
    assert first.subtitles is not None and len(video.parse_srt(first.subtitles.read_text())) == 2
    again = render_scenes([TINY], settings)[0]
    assert again.status == "up to date" and again.video == first.video
    settings.force = True
    assert render_scenes([TINY], settings)[0].status == "rendered"


def test_failed_render_keeps_the_good_file(settings):
    good = render_scenes([TINY], settings)[0].video
    before = good.read_bytes()
    broken_target = settings.quality_dir / f"{rendering.output_stem(BROKEN)}.mp4"
    broken_target.write_bytes(before)  # pretend an older good render of the broken scene exists
    outcome = render_scenes([BROKEN], settings)[0]
    assert outcome.status == "failed"
    assert "broken on purpose" in outcome.error
    assert outcome.log is not None and outcome.log.exists()
    assert broken_target.read_bytes() == before
    assert [p.name for p in settings.quality_dir.glob(".*")] == [".state"]  # locks and records; no temporary files


def test_join_adds_durations_and_shifts_subtitles(settings):
    outcomes = render_scenes([TINY], settings) * 3
    joined, srt = join_outputs(outcomes, settings)
    assert video.count_frames(joined) == 90
    cues = video.parse_srt(srt.read_text())
    assert [round(c[0], 3) for c in cues] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_join_accepts_clips_whose_average_frame_rate_wobbles(settings):
    """Regression: probe() once compared the duration-derived average rate, and refused to join 15 fps clips."""
    import av

    outcomes = render_scenes([TINY, ODD], settings)
    averages = []
    for o in outcomes:
        with av.open(str(o.video)) as container:
            averages.append(container.streams.video[0].average_rate)
        assert video.probe(o.video).fps == 15
    assert averages[0] != averages[1]  # the case this test is about: the average rates differ by a hair
    joined, _ = join_outputs(outcomes, settings)
    assert video.count_frames(joined) == sum(video.probe(o.video).frames for o in outcomes)


def test_join_refuses_mismatched_parts(tmp_path, settings):
    low = render_scenes([TINY], settings)[0].video
    settings_medium = RenderSettings(quality="medium", out_dir=settings.out_dir, build_dir=settings.build_dir)
    medium = render_scenes([TINY], settings_medium)[0].video
    with pytest.raises(video.IncompatibleVideosError):
        video.concat_videos([low, medium], tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_stills_are_the_last_frame(settings):
    settings.stills = True
    outcome = render_scenes([TINY], settings)[0]
    from llmfacts.testing import load_png

    still = load_png(outcome.still)
    assert still.shape == (480, 854, 3) and still.std() > 1


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO_ROOT / "render.py"), *args], capture_output=True, text=True,
                          env={**__import__("os").environ, **env}, cwd=REPO_ROOT, timeout=600)


def test_cli_unknown_scene_is_one_line_and_exit_2():
    result = run_cli("relugat")
    assert result.returncode == 2
    assert result.stderr.strip() == "render.py: unknown scene 'relugat'; did you mean 'ReluGate'?"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("--quality", "ultra"), ("--jobs", "0"), ("--frobnicate",), ("list", "relu")])
def test_cli_bad_options_are_one_line_and_exit_2(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_cli_list_shows_story_order():
    result = run_cli("list")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    from llmfacts.storyboard import STORY

    assert len(lines) == len(STORY)
    assert [line.split()[1] for line in lines] == [e.name for e in STORY]


def test_find_scene_by_alias():
    assert find_scene("mlpup").name == "UpProjection"


def test_sections_give_one_clip_per_step(settings):
    settings.save_sections = True
    outcome = render_scenes([TINY], settings)[0]
    folder = outcome.extra["sections_dir"]
    import json

    meta = json.loads((folder / "TinyStory.json").read_text())
    assert [s["name"] for s in meta] == ["draw_circle", "draw_square"]
    assert all((folder / s["video"]).exists() for s in meta)


def test_render_py_renders_a_real_scene_for_its_full_duration(tmp_path):
    """render.py on a real scene of the story: the clip exists, decodes, and lasts as long as the scene."""
    from llmfacts.testing import dry_run
    from scenes.relu import ReluGate

    result = run_cli("relu", "--quality", "low", "--jobs", "1",
                     LLMFACTS_RENDER_DIR=str(tmp_path / "renders"), LLMFACTS_BUILD_DIR=str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr[-2000:]
    clip = tmp_path / "renders" / "low" / f"{rendering.output_stem(find_scene('relu'))}.mp4"
    assert clip.exists()
    expected_frames = dry_run(ReluGate) * 15
    assert abs(video.count_frames(clip) - expected_frames) <= 1
    again = run_cli("relu", "--quality", "low",
                    LLMFACTS_RENDER_DIR=str(tmp_path / "renders"), LLMFACTS_BUILD_DIR=str(tmp_path / "build"))
    assert again.returncode == 0 and "up to date" in again.stderr
