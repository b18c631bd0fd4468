"""The render pipeline under the faults a user meets: damaged outputs and manifests, concurrent runs,
missing programs, unwritable folders, bad scene parameters, signals, warm build folders, permissions, and
the lecture / voice options.

Each test works in throwaway folders (``LLMFACTS_RENDER_DIR`` / ``LLMFACTS_BUILD_DIR``) at low quality with
the small scenes of tests/fixtures/, silent. render.py runs from a snapshot of the sources taken when the
module starts, so that an edit made meanwhile in the checkout (a scene's fingerprint changing) cannot turn
"up to date" into "rendered". One rendered folder is made once per module and copied by the tests that
start from a finished render.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmfacts import rendering, video
from llmfacts.rendering import RenderSettings, SceneOutcome, join_outputs, local_dependencies
from llmfacts.storyboard import REPO_ROOT, SceneEntry

TINY_FILE = "tests/fixtures/tiny_scene.py"
FAULTS_FILE = "tests/fixtures/fault_scenes.py"
TINY = SceneEntry("TinyStory", "tests.fixtures.tiny_scene")
BEAT = SceneEntry("BeatStory", "tests.fixtures.fault_scenes")


SNAPSHOT_PARTS = ("render.py", "manim.cfg", "requirements.lock", "pyproject.toml", "llmfacts", "scenes", "assets",
                  "tests/__init__.py", "tests/fixtures")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """The sources render.py and its manim processes run from, frozen for this module."""
    root = tmp_path_factory.mktemp("repo")
    for part in SNAPSHOT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / part)
    return root


def cli(repo: Path, work: Path, *args: str, env: dict | None = None, wait: bool = True, umask: int | None = None):
    """render.py as a user runs it, its renders and build folders under ``work``; stderr is not a terminal."""
    environ = {k: v for k, v in os.environ.items() if k not in ("LLMFACTS_LECTURE", "LLMFACTS_VOICE", "PYTHONPATH")}
    environ.update(LLMFACTS_RENDER_DIR=str(work / "renders"), LLMFACTS_BUILD_DIR=str(work / "build"), **(env or {}))
    command = [sys.executable, str(repo / "render.py"), *args, "--quality", "low"]
    if "--voice" not in args:
        command += ["--voice", "none"]  # silent: these tests are about the pipeline, not the speech
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    process = subprocess.Popen(command, cwd=repo, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=preexec)
    if not wait:
        return process
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def settings_for(work: Path, **kwargs) -> RenderSettings:
    kwargs.setdefault("voice", "none")
    return RenderSettings(quality="low", jobs=2, out_dir=work / "renders", build_dir=work / "build", **kwargs)


def wait_for(predicate, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and "pytest" not in cmdline:
                found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def manifest_of(work: Path, folder: str = "low") -> dict:
    return json.loads((work / "renders" / folder / "manifest.json").read_text())


@pytest.fixture(scope="module")
def rendered(repo, tmp_path_factory) -> Path:
    """TinyStory and BeatStory rendered once, with stills (copied by the tests that need a finished render)."""
    work = tmp_path_factory.mktemp("rendered")
    result = cli(repo, work, f"{TINY_FILE}:TinyStory", f"{FAULTS_FILE}:BeatStory", "--stills", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return work


@pytest.fixture()
def copy(rendered, tmp_path) -> Path:
    shutil.copytree(rendered, tmp_path / "work", symlinks=True)
    return tmp_path / "work"


# ------------------------------------------------------------------------------------------- outputs
def test_a_zero_byte_clip_is_not_up_to_date_but_rendered_again_with_a_note(repo, copy):
    clip = copy / "renders" / "low" / "00_TinyStory.mp4"
    clip.write_bytes(b"")  # `: > renders/low/00_TinyStory.mp4`
    result = cli(repo, copy, f"{TINY_FILE}:TinyStory", umask=0o027)
    assert result.returncode == 0, result.stderr[-3000:]
    notes = [line for line in result.stderr.splitlines() if "00_TinyStory.mp4" in line]
    assert len(notes) == 1 and "is 0 bytes" in notes[0] and "rendering it again" in notes[0]
    assert "TinyStory: rendered (" in result.stderr  # one plain line per scene when stderr is not a terminal
    assert video.count_frames(clip) == 30
    # the new files respect the umask of the run (0o027 -> rw-r-----), not mkstemp's private 0600
    for path in (clip, clip.with_suffix(".srt"), copy / "renders" / "low" / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path
    again = cli(repo, copy, f"{TINY_FILE}:TinyStory")
    assert again.returncode == 0 and "TinyStory: up to date" in again.stderr


def test_outputs_are_ordinary_files_readable_by_others(rendered):
    umask = os.umask(0)
    os.umask(umask)
    folder = rendered / "renders" / "low"
    files = [folder / "00_TinyStory.mp4", folder / "00_TinyStory.srt", folder / "stills" / "TinyStory.png",
             folder / "manifest.json"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def test_a_damaged_still_is_saved_again_without_rendering(repo, copy):
    still = copy / "renders" / "low" / "stills" / "TinyStory.png"
    still.write_bytes(b"not a png")
    result = cli(repo, copy, f"{TINY_FILE}:TinyStory", "--stills")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "TinyStory: up to date" in result.stderr
    assert "saving the still again" in result.stderr
    from llmfacts.testing import load_png

    assert load_png(still).shape == (480, 854, 3)


def recorded_outcomes(work: Path, entries: list[SceneEntry]) -> list[SceneOutcome]:
    """The outcomes of a run that found ``entries`` up to date (read from the manifest)."""
    folder = work / "renders" / "low"
    records = manifest_of(work)["scenes"]
    return [SceneOutcome(e, "up to date", video=folder / records[e.name]["video"],
                         subtitles=folder / records[e.name]["subtitles"]) for e in entries]


def test_a_damaged_joined_video_is_joined_again(copy):
    settings = settings_for(copy)
    outcomes = recorded_outcomes(copy, [TINY, BEAT])
    joined, srt = join_outputs(outcomes, settings)
    expected = sum(video.count_frames(o.video) for o in outcomes)
    with open(joined, "r+b") as handle:
        handle.truncate(joined.stat().st_size // 2)  # a join cut short by a full disk
    notes: list[str] = []
    again, _ = join_outputs(outcomes, settings, notes.append)
    assert len(notes) == 1 and "joining the clips again" in notes[0]
    assert video.count_frames(again) == expected
    assert join_outputs(outcomes, settings, notes.append)[0] == again and len(notes) == 1  # now up to date


# ------------------------------------------------------------------------------------------- manifests
@pytest.mark.parametrize("damage", ["null", '{"scenes": {"TinyStory": {"duration": "long"}}}', "{not json at all"])
def test_a_damaged_manifest_is_set_aside_and_the_good_outputs_recovered(repo, copy, damage):
    folder = copy / "renders" / "low"
    (folder / "manifest.json").write_text(damage)
    result = cli(repo, copy, f"{TINY_FILE}:TinyStory", f"{FAULTS_FILE}:BeatStory")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "TinyStory: up to date" in result.stderr and "BeatStory: up to date" in result.stderr  # none rendered
    notes = [line for line in result.stderr.splitlines() if "manifest.json" in line]
    assert len(notes) == 1 and "set aside as manifest.json.broken-" in notes[0] and "recovered 2" in notes[0]
    aside = list(folder.glob("manifest.json.broken-*"))
    assert len(aside) == 1 and aside[0].read_text() == damage  # kept, never deleted
    assert set(manifest_of(copy)["scenes"]) == {"TinyStory", "BeatStory"}


@pytest.mark.parametrize("damage", ["[]", '"scenes"', '{"scenes": [1, 2]}', '{"scenes": {"TinyStory": null}}'])
def test_every_wrong_shape_is_recognised(copy, damage):
    folder = copy / "renders" / "low"
    (folder / "manifest.json").write_text(damage)
    notes: list[str] = []
    manifest = rendering.load_manifest(folder, notes.append)
    assert set(manifest.scenes) == {"TinyStory", "BeatStory"} and "has the wrong shape" in notes[0]


def test_a_recovered_record_is_dropped_when_its_clip_is_damaged(copy):
    folder = copy / "renders" / "low"
    (folder / "manifest.json").write_text("null")
    (folder / "00_BeatStory.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nedited by hand\n")
    notes: list[str] = []
    manifest = rendering.load_manifest(folder, notes.append)
    assert set(manifest.scenes) == {"TinyStory"} and "recovered 1" in notes[0]


def test_render_py_list_survives_a_manifest_of_the_wrong_shape(repo, copy):
    (copy / "renders" / "low" / "manifest.json").write_text("[]")
    result = cli(repo, copy, "list")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "has the wrong shape" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------- concurrency
def test_concurrent_runs_keep_every_record_and_never_render_a_scene_twice(repo, tmp_path):
    """Run A renders OddTimingStory; run B, started while A renders it, asks for TinyStory and OddTimingStory:
    B renders TinyStory meanwhile, waits for A's OddTimingStory instead of rendering it again, and the
    manifest keeps both records."""
    odd = f"{TINY_FILE}:OddTimingStory"
    first = cli(repo, tmp_path, odd, wait=False)
    log = tmp_path / "renders" / "logs" / "low" / "OddTimingStory.log"
    wait_for(log.exists, what="run A to start rendering")
    second = cli(repo, tmp_path, f"{TINY_FILE}:TinyStory", odd, "--jobs", "2", wait=False)
    out_a, err_a = first.communicate(timeout=300)
    out_b, err_b = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err_a[-2000:] + err_b[-2000:]
    assert "OddTimingStory: rendered" in err_a
    assert "OddTimingStory: another render.py run is rendering it; waiting for that run" in err_b
    assert "OddTimingStory: up to date" in err_b and "TinyStory: rendered" in err_b
    assert log.read_text().count("$ ") == 1  # one manim run of OddTimingStory; its log not overwritten
    assert set(manifest_of(tmp_path)["scenes"]) == {"TinyStory", "OddTimingStory"}
    assert not list((tmp_path / "build" / "media" / "low").rglob("run-*"))  # per-run media folders removed


# ------------------------------------------------------------------------------------------- environment
def test_an_output_folder_that_is_a_file_is_one_line_before_rendering(repo, tmp_path):
    (tmp_path / "renders").mkdir()
    (tmp_path / "renders" / "low").write_text("oops")
    result = cli(repo, tmp_path, f"{TINY_FILE}:TinyStory")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("render.py: ")
    assert "is a file where a folder is needed" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "build" / "media").exists()  # nothing started


def _make_read_only(folder: Path) -> None:
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root ignores the mode bits: make the folder immutable instead
        subprocess.run(["chattr", "+i", str(folder)], check=True, capture_output=True)


def test_a_read_only_output_folder_is_found_before_rendering(repo, tmp_path):
    folder = tmp_path / "renders" / "low"
    _make_read_only(folder)
    try:
        started = time.monotonic()
        result = cli(repo, tmp_path, f"{TINY_FILE}:TinyStory")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("render.py: cannot write to ") and "LLMFACTS_RENDER_DIR" in lines[-1]
    assert "None" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "build" / "media").exists() and time.monotonic() - started < 30  # no render started


def test_scene_failures_are_one_line_each(repo, tmp_path):
    """A missing latex, a bad layout parameter and a bad lecture value: each one line, naming what to do."""
    no_tex = tmp_path / "bin"
    no_tex.mkdir()  # a PATH without latex or dvisvgm
    scenes = [f"{FAULTS_FILE}:{name}" for name in ("TexStory", "BadParameterStory", "BadLectureStory")]
    result = cli(repo, tmp_path, *scenes, "--jobs", "3", env={"PATH": str(no_tex)})
    assert result.returncode == 1
    err = result.stderr
    assert "Traceback" not in err and "│" not in err
    lines = [line for line in err.splitlines() if line.startswith("render.py: ")]
    expected = {
        "TexStory": "TexStory: 'latex' is not installed (or not on PATH); run 'make video' (or scripts/bootstrap.sh)",
        "BadParameterStory": "BadParameterStory.shown_circles: must be an integer from 1 to 4, got 0",
        "BadLectureStory": "BadLectureStory: Lecture.toy.d_model: ",
    }
    for name, text in expected.items():
        line = next(line for line in lines if name in line)
        assert text in line, line
        log = Path(line.rsplit("full log: ", 1)[1].rstrip(")"))
        assert (log if log.is_absolute() else REPO_ROOT / log).is_file()
        assert f"{name}: failed (" in err  # the plain per-scene line


# ------------------------------------------------------------------------------------------- signals
def _interrupt(repo: Path, work: Path, sig: int, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    process = cli(repo, work, *args, f"{FAULTS_FILE}:SlowStory", "--jobs", "2", wait=False)
    log = work / "renders" / "logs" / "low" / "SlowStory.log"
    wait_for(lambda: log.exists() and "Animation 1 :" in log.read_text(), what="SlowStory to be rendering")
    if args:
        wait_for(lambda: (work / "renders" / "low" / "manifest.json").exists()
                 and "TinyStory" in manifest_of(work)["scenes"], what="TinyStory to finish")
    sent = time.monotonic()
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), time.monotonic() - sent


def test_sigterm_stops_manim_at_once_and_keeps_the_finished_clips(repo, tmp_path):
    result, seconds = _interrupt(repo, tmp_path, signal.SIGTERM, f"{TINY_FILE}:TinyStory")
    assert seconds < 5 and result.returncode == 143
    assert "interrupted (SIGTERM)" in result.stderr and "Traceback" not in result.stderr
    assert "finished before: TinyStory" in result.stderr and "nothing of them written: SlowStory" in result.stderr
    folder = tmp_path / "renders" / "low"
    assert video.count_frames(folder / "00_TinyStory.mp4") == 30
    assert not (folder / "00_SlowStory.mp4").exists() and not list(folder.glob(".00_*"))
    time.sleep(0.5)
    assert processes_mentioning(str(tmp_path)) == []  # no orphaned manim (nor latex)


def test_ctrl_c_stops_manim_at_once(repo, tmp_path):
    result, seconds = _interrupt(repo, tmp_path, signal.SIGINT)
    assert seconds < 5 and result.returncode == 130
    assert "interrupted (Ctrl-C)" in result.stderr and "nothing of them written: SlowStory" in result.stderr
    assert not (tmp_path / "renders" / "low" / "00_SlowStory.mp4").exists()
    time.sleep(0.5)
    assert processes_mentioning(str(tmp_path)) == []


# ------------------------------------------------------------------------------------------- determinism
def test_a_warm_build_folder_gives_the_same_frames_and_subtitles_as_a_cold_one(repo, copy, rendered):
    """BeatStory's beats end between frames and wait by the scene clock: with manim's cache a warm build
    folder once gave other frame counts and subtitle times than a cold one (97 against 78 frames)."""
    cold = rendered / "renders" / "low" / "00_BeatStory.mp4"
    result = cli(repo, copy, f"{FAULTS_FILE}:BeatStory", "--force")  # the same build folder, warm from the first
    assert result.returncode == 0 and "BeatStory: rendered" in result.stderr, result.stderr[-3000:]
    warm = copy / "renders" / "low" / "00_BeatStory.mp4"
    assert video.count_frames(warm) == video.count_frames(cold) == manifest_of(copy)["scenes"]["BeatStory"]["frames"]
    assert warm.with_suffix(".srt").read_text() == cold.with_suffix(".srt").read_text()


# ------------------------------------------------------------------------------------------- lecture, voice
LECTURE_FILE = '''
from llmfacts.compute.lecture import Lecture
from llmfacts.compute.toy_mlp import ToyFact

LECTURE = Lecture(name="ada-lovelace", fact=ToyFact("Ada", "Lovelace", "mathematics"),
                  prompt_words=("is", "known", "for"))
'''


def test_a_lecture_file_renders_into_its_own_folder_with_its_own_fact(repo, tmp_path):
    lecture_file = tmp_path / "ada.py"  # outside the repository, given by a relative path
    lecture_file.write_text(LECTURE_FILE)
    relative = os.path.relpath(lecture_file, repo)
    result = cli(repo, tmp_path, f"{FAULTS_FILE}:LectureStory", "--lecture", relative, "--voice", "none")
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / "renders" / "ada-lovelace" / "low"
    srt = (folder / "00_LectureStory.srt").read_text()
    assert "Ada Lovelace and mathematics, voice none." in srt
    assert (tmp_path / "renders" / "ada-lovelace" / "logs" / "low" / "LectureStory.log").is_file()
    assert not (tmp_path / "renders" / "low").exists()  # the default lecture's folder is untouched

    from llmfacts.compute.lecture import load_lecture

    settings = settings_for(tmp_path, lecture=load_lecture(str(lecture_file)))
    entry = SceneEntry("LectureStory", "tests.fixtures.fault_scenes")
    outcome = SceneOutcome(entry, "up to date", video=folder / "00_LectureStory.mp4",
                           subtitles=folder / "00_LectureStory.srt")
    joined, joined_srt = join_outputs([outcome], settings)
    assert joined == folder / "ada-lovelace.mp4" and joined_srt == folder / "ada-lovelace.srt"
    assert "Ada Lovelace" in joined_srt.read_text()


@pytest.mark.parametrize("value, message", [
    ("no/such/lecture.py", "no such file"),
    ("llmfacts.compute.lecture:DEFAULT_DISTRACTORS", "defines no DEFAULT_DISTRACTORS = Lecture(...)"),
])
def test_a_bad_lecture_is_one_line_and_exit_2_before_anything_renders(repo, tmp_path, value, message):
    result = cli(repo, tmp_path, f"{TINY_FILE}:TinyStory", "--lecture", value)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert not (tmp_path / "renders").exists() and not (tmp_path / "build").exists()


def test_lecture_and_voice_are_part_of_the_fingerprint():
    from llmfacts.compute.lecture import DEFAULT_LECTURE

    other = DEFAULT_LECTURE.replace(toy={"d_model": DEFAULT_LECTURE.toy.d_model + 2})
    prints = {rendering.fingerprint(TINY, "low"), rendering.fingerprint(TINY, "low", lecture=other),
              rendering.fingerprint(TINY, "low", voice="none"), rendering.fingerprint(TINY, "low", voice="espeak")}
    assert len(prints) == 4


def test_manim_started_by_render_py_never_asks_pypi_for_updates():
    result = subprocess.run([sys.executable, "-c", "import manim; print(manim.config.notify_outdated_version)"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-2000:]


# ------------------------------------------------------------------------------------------- fingerprints
def test_editing_an_unused_mobject_module_does_not_change_a_scene_fingerprint(tmp_path):
    """A package that re-exports its submodules (like llmfacts.mobjects): a scene importing one name
    depends on the submodule defining it, not on its siblings."""
    package = tmp_path / "llmfacts" / "mobjects"
    package.mkdir(parents=True)
    (tmp_path / "llmfacts" / "__init__.py").write_text("")
    (tmp_path / "llmfacts" / "colors.py").write_text("RED = 1\n")
    (package / "__init__.py").write_text("from llmfacts.mobjects.bars import *\nfrom llmfacts.mobjects.dials import *\n"
                                         "from llmfacts.mobjects import bars as _bars\n")
    (package / "bars.py").write_text("from llmfacts import colors\n__all__ = ['Bar']\nclass Bar: pass\n")
    (package / "dials.py").write_text("__all__ = ['Dial']\nclass Dial: pass\n")
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    (scenes / "a.py").write_text("from llmfacts.mobjects import Bar\n")
    (scenes / "b.py").write_text("import llmfacts.mobjects\n")

    def deps(name: str) -> set[str]:
        return {p.relative_to(tmp_path).as_posix() for p in local_dependencies(scenes / name, root=tmp_path)}

    assert deps("a.py") == {"scenes/a.py", "llmfacts/__init__.py", "llmfacts/mobjects/__init__.py",
                            "llmfacts/mobjects/bars.py", "llmfacts/colors.py"}
    assert "llmfacts/mobjects/dials.py" in deps("b.py")  # the whole package: every submodule counts


def test_real_scenes_depend_on_the_mobject_modules_whose_names_they_use_and_not_on_all():
    import importlib
    import re

    mobject_files = sorted((REPO_ROOT / "llmfacts" / "mobjects").glob("[!_]*.py"))
    names = {f.resolve(): set(importlib.import_module(f"llmfacts.mobjects.{f.stem}").__all__) for f in mobject_files}
    trimmed = 0
    for scene in sorted((REPO_ROOT / "scenes").glob("[!_]*.py")):
        imported = set()
        for block in re.findall(r"from llmfacts\.mobjects import (\([^)]*\)|[^\n]*)", scene.read_text()):
            imported.update(w.split(" as ")[0].strip() for w in block.strip("()").replace("\n", " ").split(","))
        deps = set(local_dependencies(scene))
        for file, defined in names.items():
            if defined & imported:
                assert file in deps, (scene.name, file.name)  # a used module always counts
        trimmed += len(set(names) - deps) > 0
    assert trimmed > 0  # and at least some scenes no longer depend on every mobject module
