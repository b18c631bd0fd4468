"""The lecturer's example files render, and their numbers are recomputed for the new parameters."""

from __future__ import annotations

import importlib.util

from llmfacts.storyboard import REPO_ROOT
from llmfacts.testing import render_keyframes


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_serena_variant_renders_with_its_own_numbers(manim_media_dir):
    example = load("serena_williams")
    frames = render_keyframes(example.SerenaRelu, media_dir=manim_media_dir)
    assert [name for name, _ in frames] == list(example.SerenaRelu.steps)

    scene = example.SerenaUpProjection.__new__(example.SerenaUpProjection)
    scene.prepare()  # only the computation
    assert scene.mlp.config.fact.full_name == "Serena Williams"
    assert scene.mlp.d_model == 16 and scene.mlp.W_up.shape == (64, 16)
    assert scene.trace.readout_out["tennis"] - scene.trace.readout_in["tennis"] > 0.9
    assert "basketball" not in scene.mlp.directions
