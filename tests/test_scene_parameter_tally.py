"""ParameterTally: the tally's figures against a hand count of the architecture, the narration's claims as
predicates (position embedding, pre-norm, shares), for GPT-3 and for other transformers and lectures."""

from __future__ import annotations

import pytest

from llmfacts.compute.gpt3 import GPTHyperparameters, forward_order, norm_placement
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.formatting import format_int, format_percent_significant
from llmfacts.story import SceneParameterError
from llmfacts.testing import prepared_scene
from scenes.parameter_tally import ParameterTally

MARIE = load_lecture("examples/marie_curie.py")
TINY = GPTHyperparameters(vocab_size=10, d_model=8, n_layers=2, n_heads=2, d_head=4, d_mlp=32, context=16,
                          name="tiny")


def hand_count(hp: GPTHyperparameters) -> dict[str, int]:
    """The architecture of llmfacts.compute.gpt3 counted by hand from its hyper-parameters."""
    d, L = hp.d_model, hp.n_layers
    attention = L * (3 * hp.n_heads * hp.d_head * d + hp.n_heads * hp.d_head * d)
    mlp = L * 2 * d * hp.d_mlp
    embeddings = 2 * hp.vocab_size * d
    biases = L * (3 * hp.n_heads * hp.d_head + d + hp.d_mlp + d)
    norms = (2 * L + 1) * 2 * d  # a scale and a shift per norm: two per layer and a final one
    positions = hp.context * d
    return dict(attention=attention, mlp=mlp, weights=attention + mlp + embeddings, biases=biases, norms=norms,
                positions=positions, everything=attention + mlp + embeddings + biases + norms + positions)


@pytest.mark.parametrize("lecture", [None, MARIE], ids=["default", "marie-curie"])
def test_tally_matches_a_hand_count(lecture):
    s = prepared_scene(ParameterTally, **({"lecture": lecture} if lecture else {}))
    t, hp = s.tally, s.tally.hp
    expected = hand_count(hp)
    assert s.up_shape == (hp.d_mlp, hp.d_model) and s.down_shape == (hp.d_model, hp.d_mlp)
    assert t.mlp_weights == expected["mlp"]
    assert s.attention_weights == expected["attention"]
    assert t.total_weights == expected["weights"]
    assert s.bias_total == expected["biases"]
    assert t.norms == expected["norms"]
    assert t.positions == expected["positions"]
    assert t.total_parameters == expected["everything"]
    assert s.block_biases == hp.d_mlp + hp.d_model


def test_gpt3_figures():
    s = prepared_scene(ParameterTally)
    t = s.tally
    assert t.up_matrix == 603_979_776
    assert t.mlp_block_weights == 1_207_959_552
    assert t.mlp_weights == 115_964_116_992
    assert t.total_weights == 175_181_291_520
    assert t.positions == 25_165_824
    assert format_percent_significant(s.mlp_share) == "66.2 %"


def test_narration_says_what_the_position_embedding_is_and_that_it_outweighs_biases_and_norms():
    s = prepared_scene(ParameterTally)
    t = s.tally
    said = s.said["position"]
    assert "25,165,824" in said
    assert t.positions > s.bias_total + t.norms  # the claim, evaluated
    assert "more than all the biases and layer norms together" in said
    assert f"each of the {format_int(t.hp.context)} places" in said


def test_position_wording_follows_the_comparison():
    # a short context: the position embedding is smaller than biases and norms together, and it says so
    short = GPTHyperparameters(vocab_size=10, d_model=8, n_layers=4, n_heads=2, d_head=4, d_mlp=32, context=2,
                               name="short")
    s = prepared_scene(ParameterTally, lecture=DEFAULT_LECTURE.replace(transformer=short))
    assert s.tally.positions < s.bias_total + s.tally.norms
    assert "fewer than all the biases and layer norms together" in s.said["position"]


def test_layer_norms_sit_before_each_block_as_the_module_runs_them():
    order = forward_order(TINY, n_layers=2)
    # independent reading of the order: in each layer the norm is called right before its sub-block
    for layer in range(2):
        for block in ("attention", "mlp"):
            k = order.index(f"layers.{layer}.{block}")
            assert order[k - 1] == f"layers.{layer}.{block}_norm"
    assert order[-2:] == ("final_norm", "unembedding")
    assert norm_placement(TINY) == {"attention": "before", "mlp": "before"}
    s = prepared_scene(ParameterTally)
    said = s.said["norms"]
    assert "before each attention block and before each MLP" in said
    assert "after" not in said
    assert "one more at the very end" in said
    assert format_int(s.tally.norms) in said and format_int(s.bias_total) in said


def test_shares_in_the_narration_are_the_computed_ones():
    s = prepared_scene(ParameterTally)
    t = s.tally
    assert format_percent_significant(t.mlp_weights / t.total_weights) in s.said["share"]
    everything = hand_count(t.hp)["everything"]
    assert format_percent_significant(t.mlp_weights / everything) in s.said["everything"]
    assert format_int(everything) in s.said["everything"]
    # the MLP share of the weights is about two thirds: the picture's area and the number agree
    assert abs(s.mlp_share + s.attention_share + s.embedding_share - 1) < 1e-12
    assert "just as many" in s.said["down"] and "turned on its side" in s.said["down"]


def test_tally_follows_another_transformer():
    s = prepared_scene(ParameterTally, lecture=DEFAULT_LECTURE.replace(transformer=TINY))
    assert s.tally.up_matrix == 8 * 32
    assert s.tally.mlp_weights == 2 * 2 * 8 * 32
    assert s.n_layers == 2
    assert "tiny" in s.said["up"] and "2: every layer" in s.said["layers"]
    assert "GPT-3" not in " ".join(s.said.values())
    assert ParameterTally.describe(MARIE).startswith("GPT-3 175B's parameters")


@pytest.mark.parametrize("attribute, value", [("layer_columns", 0), ("count_seconds", -1.0), ("matrix_size", 9.0)])
def test_bad_layout_parameter_is_named(attribute, value):
    with pytest.raises(SceneParameterError, match=rf"ParameterTally\.{attribute}"):
        prepared_scene(ParameterTally, **{attribute: value})
