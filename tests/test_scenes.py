"""Every scene of the story builds, renders its key frames, and matches the stored control frames.

Key frames are the frames at the end of each step, rendered with animations skipped at 480x270
(see llmfacts.testing). Regenerate the control frames after an intended visual change with
``make control-frames`` and look at them before committing.

The same render runs the layout checks of :mod:`llmfacts.layout_check` on the default lecture (one render
per scene for both; ``tests/test_layout.py`` checks the example lectures and the checker itself).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from llmfacts.layout_check import check_frame, format_violations
from llmfacts.storyboard import STORY
from llmfacts.testing import compare_frames, load_png, render_keyframes
from llmfacts.video import save_png

CONTROL = Path(__file__).parent / "control_frames"
OUTPUT = Path(__file__).parent / "output"

#: Lighter parameters for scenes whose full computation is too slow for a test run (class -> overrides).
#: The experiment's real runs (N=10,000 in 100-D; the classic loss alone takes minutes) come from the cache
#: on a rendering machine, but a fresh checkout has none; the test tells the same story on a small problem.
FAST_PATH: dict[str, dict] = {
    "PerpendicularityExperiment": {"n": 1500, "d": 40, "opt_steps": 60, "classic_steps": 60},
}


def report_layout(scene: str, lecture: str, violations) -> Path:
    """Write the layout violations of one scene and lecture to tests/output/layout/ (.txt and .tsv)."""
    report = OUTPUT / "layout" / f"{scene}-{lecture}.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(format_violations(violations) + "\n")
    report.with_suffix(".tsv").write_text("".join(f"{v.scene}\t{v.step}\t{v.rule}\t{v.text!r}\t{v.detail}\n"
                                                  for v in violations))
    return report


def scene_class(entry):
    cls = getattr(importlib.import_module(entry.module), entry.name)
    overrides = FAST_PATH.get(entry.name)
    return type(f"Fast{entry.name}", (cls,), overrides) if overrides else cls


@pytest.mark.parametrize("entry", STORY, ids=[e.name for e in STORY])
def test_scene_keyframes_match_control(entry, manim_media_dir, update_control_frames):
    violations = []
    cls = type(entry.name, (scene_class(entry),),
               {"step_observers": [lambda scene, step: violations.extend(check_frame(scene, step))]})
    frames = render_keyframes(cls, media_dir=manim_media_dir)
    report_layout(entry.name, "default", violations)
    assert [name for name, _ in frames] == list(cls.steps), "every step yields one key frame"
    for name, frame in frames:
        assert frame.std() > 1.0, f"step {name!r} renders a blank frame"

    folder = CONTROL / entry.name
    if update_control_frames:
        if folder.exists():
            for old in folder.glob("*.png"):
                old.unlink()
        for k, (name, frame) in enumerate(frames):
            save_png(frame, folder / f"{k:02d}_{name}.png")
        return

    expected_files = sorted(folder.glob("*.png"))
    assert expected_files, f"no control frames in {folder}; run 'make control-frames' and look at them"
    assert [p.stem.split("_", 1)[1] for p in expected_files] == [n for n, _ in frames], "steps changed"
    failures = []
    for (name, frame), path in zip(frames, expected_files):
        diff = compare_frames(frame, load_png(path))
        if not diff.acceptable():
            out = OUTPUT / entry.name
            save_png(frame, out / f"{path.stem}_actual.png")
            if diff.shape_matches:
                delta = np.abs(frame.astype(np.int16) - load_png(path).astype(np.int16)).astype(np.uint8)
                save_png(delta * 4, out / f"{path.stem}_diff.png")
            failures.append(f"{name}: mean |diff| {diff.mean_abs:.2f}, {diff.changed_share:.2%} of pixels changed")
    assert not failures, "key frames differ from control (see tests/output/):\n" + "\n".join(failures)
    if violations:
        pytest.fail(f"{len(violations)} layout violations (also in tests/output/layout/):\n"
                    + format_violations(violations), pytrace=False)
