"""TransformerRefresher: the token vectors are the lecture's, attention pairs are checked, sizes and the
summary follow the lecture."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.compute.gpt3 import GPTHyperparameters
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.story import SceneParameterError
from llmfacts.testing import prepared_scene
from scenes.refresher import TransformerRefresher

MARIE = load_lecture("examples/marie_curie.py")


@pytest.mark.parametrize("lecture", [DEFAULT_LECTURE, MARIE], ids=["default", "marie-curie"])
def test_columns_are_the_toy_vectors_of_the_prompt(lecture):
    scene = prepared_scene(TransformerRefresher, lecture=lecture)
    mlp = lecture.toy_mlp()
    assert scene.words == [lecture.fact.first_name, lecture.fact.last_name, *lecture.prompt_words]
    np.testing.assert_allclose(scene.vectors[0], mlp.direction(lecture.fact.first_name))
    np.testing.assert_allclose(scene.vectors[1], mlp.direction(lecture.fact.last_name))
    # every other word: a unit direction of its own that reads zero on every named concept
    for row in scene.vectors[2:]:
        assert np.linalg.norm(row) == pytest.approx(1.0)
        assert max(abs(row @ mlp.direction(n)) for n in mlp.names) < 1e-9


def test_sizes_and_summary_follow_the_transformer():
    small = DEFAULT_LECTURE.replace(transformer=GPTHyperparameters(d_model=768, n_layers=12, n_heads=12, d_head=64,
                                                                   d_mlp=3072, context=1024, name="GPT-2 small"))
    summary = TransformerRefresher.describe(small)
    assert "12 layers in GPT-2 small" in summary and "Michael" in summary
    assert "20-number vectors" in TransformerRefresher.describe(MARIE)


@pytest.mark.parametrize("pairs", [((1, 0),), ((0, 9),), ((2, 2),)])
def test_attention_pairs_must_point_forward_within_the_prompt(pairs):
    with pytest.raises(SceneParameterError, match="attention_pairs"):
        prepared_scene(TransformerRefresher, attention_pairs=pairs)


def test_rows_shown_is_checked():
    with pytest.raises(SceneParameterError, match=r"TransformerRefresher\.rows_shown"):
        prepared_scene(TransformerRefresher, rows_shown=1)
