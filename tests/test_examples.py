"""The lecturer's example files render, and their numbers are recomputed for the new parameters."""

from __future__ import annotations

import importlib.util

from llmfacts.storyboard import REPO_ROOT
from llmfacts.testing import prepared_scene, render_keyframes


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_serena_variant_renders_with_its_own_numbers(manim_media_dir):
    example = load("serena_williams")
    frames = render_keyframes(example.SerenaRelu, media_dir=manim_media_dir)
    assert [name for name, _ in frames] == list(example.SerenaRelu.steps)

    scene = prepared_scene(example.SerenaUpProjection)  # only the computation
    assert scene.mlp.config.fact.full_name == "Serena Williams"
    assert scene.mlp.d_model == 16 and scene.mlp.W_up.shape == (64, 16)
    assert scene.trace.readout_out["tennis"] - scene.trace.readout_in["tennis"] > 0.9
    assert "basketball" not in scene.mlp.directions


def test_marie_curie_lecture_renders_as_a_whole_video(tmp_path):
    """render.py --lecture renders every scene of the story for the new fact and joins them; the
    subtitles speak of Marie Curie and chemistry, never of the default fact."""
    import os
    import subprocess
    import sys

    import srt

    from llmfacts.storyboard import STORY
    from llmfacts.video import probe

    env = dict(os.environ, LLMFACTS_RENDER_DIR=str(tmp_path / "renders"), LLMFACTS_BUILD_DIR=str(tmp_path / "build"),
               LLMFACTS_VOICE="none")
    done = subprocess.run([sys.executable, str(REPO_ROOT / "render.py"), "--lecture", "examples/marie_curie.py",
                           "--quality", "low", "--voice", "none"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    folder = tmp_path / "renders" / "marie-curie" / "low"
    joined = folder / "marie-curie.mp4"
    clips = sorted(folder.glob("[0-9][0-9]_*.mp4"))
    assert [c.stem.split("_", 1)[1] for c in clips] == [e.name for e in STORY]
    total = sum(probe(c).duration for c in clips)
    assert probe(joined).duration == __import__("pytest").approx(total, abs=0.5)
    text = " ".join(cue.content for cue in srt.parse((folder / "marie-curie.srt").read_text()))
    for word in ("Marie", "Curie", "chemistry"):
        assert word in text
    for word in ("Michael", "Jordan", "basketball"):
        assert word not in text, f"the Marie Curie video still says {word!r}"
