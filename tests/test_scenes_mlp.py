"""Scenes 5-9 (the MLP block step by step): the shared number format, and a lecturer's own fact.

The key frames of the default scenes are checked by tests/test_scenes.py; here the scenes run as dry runs
(no frame drawn), once as shipped and once subclassed with another fact, to check that nothing on the
narration track is tied to Michael Jordan and basketball.
"""

from __future__ import annotations

import importlib

import pytest

from llmfacts.testing import dry_run

MLP_SCENES = [
    ("scenes.up_projection", "UpProjection"),
    ("scenes.residual", "ResidualAdd"),
]


def scene_class(module: str, name: str):
    return getattr(importlib.import_module(module), name)


# -- formatting ---------------------------------------------------------------------------------------------
# (the formatters are tested in tests/test_formatting.py; here only how the MLP scenes' base calls them)


def test_num_uses_the_scene_decimals_and_a_true_minus():
    from scenes._mlp_common import MlpFactScene

    scene = MlpFactScene.__new__(MlpFactScene)  # no renderer: only the formatting method is called
    assert scene.num(-0.1587) == "\u22120.16"
    assert scene.num(-0.001) == "0.00"
    assert scene.num(-0.5, 1) == "\u22120.5"
    three = type("ThreeDecimals", (MlpFactScene,), {"decimals": 3})
    assert three.__new__(three).num(0.25) == "0.250"


# (the layout helpers grid_table, keep_inside and fit_width are tested in tests/test_mobjects.py; what
# UpProjection says is checked against the weights in tests/test_scene_up_projection.py)


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
