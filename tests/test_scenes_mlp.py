"""Scenes 5-9 (the MLP block step by step): helpers, the numbers they prepare, and a lecturer's own fact.

The key frames of the default scenes are checked by tests/test_scenes.py; here the scenes run as dry runs
(no frame drawn), once as shipped and once subclassed with another fact, to check that nothing on the
narration track is tied to Michael Jordan and basketball.
"""

from __future__ import annotations

import importlib

import pytest

from llmfacts.testing import dry_run, prepared_scene

MLP_SCENES = [
    ("scenes.up_projection", "UpProjection"),
    ("scenes.residual", "ResidualAdd"),
]


def scene_class(module: str, name: str):
    return getattr(importlib.import_module(module), name)


# -- formatting ----------------------------------------------------------------------------------------------
# (the formatters are tested in tests/test_formatting.py; here only how the scenes call them)


def test_num_uses_the_scene_decimals_and_a_true_minus():
    cls = scene_class("scenes.up_projection", "UpProjection")
    scene = cls.__new__(cls)  # no renderer: only the formatting methods are called
    assert scene.num(-0.1587) == "\u22120.16"
    assert scene.num(-0.001) == "0.00"
    assert scene.num(-0.5, 1) == "\u22120.5"
    assert scene.tex_num(-0.1587) == "-0.16"  # MathTex draws its own minus
    three = type("ThreeDecimals", (cls,), {"decimals": 3})
    assert three.__new__(three).num(0.25) == "0.250"


# (the layout helpers grid_table, keep_inside and fit_width are tested in tests/test_mobjects.py)


# -- what the scenes prepare ---------------------------------------------------------------------------------


def prepared(cls):
    """Run only ``resolve()`` and ``prepare()`` of a scene (no rendering)."""
    return prepared_scene(cls)


def test_up_projection_prepares_the_story_numbers():
    scene = prepared(scene_class("scenes.up_projection", "UpProjection"))
    assert scene.row0_is_names
    assert scene.trace.up[0] == pytest.approx(2.0)
    assert scene.trace.partial_sums[0][-1] == pytest.approx(scene.trace.up[0])
    assert [round(r.dot, 9) for r in scene.gate_rows] == [2.0, 1.0, 1.0, 0.0]
    assert scene.gpt3.matrix_shapes["up"] == (scene.gpt3.hp.d_mlp, scene.gpt3.hp.d_model)


# -- every scene as shipped and with a lecturer's fact -------------------------------------------------------


def narration_of(cls, media_dir) -> list[str]:
    """The subtitles a scene writes, from a dry run."""
    texts: list[str] = []

    class Recording(cls):
        def narrate(self, text, duration=None, **kwargs):
            texts.append(text)
            return super().narrate(text, duration, **kwargs)

    Recording.__name__ = cls.__name__
    seconds = dry_run(Recording, media_dir=media_dir, skip_animations=True)  # same clock, no frames
    assert 25 <= seconds <= 90, f"{cls.__name__} lasts {seconds:.1f} s"
    return texts


@pytest.mark.parametrize(("module", "name"), MLP_SCENES, ids=[n for _, n in MLP_SCENES])
def test_scene_with_another_fact(module, name, manim_media_dir):
    base = scene_class(module, name)
    serena = type(f"Serena{name}", (base,), {"first_name": "Serena", "last_name": "Williams", "attribute": "tennis"})
    texts = narration_of(serena, manim_media_dir)
    assert len(texts) >= len(base.steps), "every step narrates"
    joined = " ".join(texts)
    assert "basketball" not in joined
    assert "Jordan" not in joined.replace("Alexis Jordan", "")
    assert "Serena" in joined or "tennis" in joined
