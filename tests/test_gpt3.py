"""The GPT-3 parameter tally: counted by walking a meta-device module, checked against formulas and FACTS.md."""

from __future__ import annotations

import time

import pytest
import torch

from llmfacts.compute.gpt3 import (
    CATEGORIES,
    GPT3_175B,
    GPTHyperparameters,
    build_meta_model,
    count_parameters,
)

TINY = GPTHyperparameters(vocab_size=10, d_model=8, n_layers=2, n_heads=2, d_head=4, d_mlp=32, context=16, name="tiny")
ODD = GPTHyperparameters(vocab_size=7, d_model=6, n_layers=3, n_heads=3, d_head=5, d_mlp=11, context=4, name="odd")


def expected(hp: GPTHyperparameters) -> dict:
    """What the tally must say, written out from the hyper-parameters."""
    V, D, L, H, K, M, C = hp.vocab_size, hp.d_model, hp.n_layers, hp.n_heads, hp.d_head, hp.d_mlp, hp.context
    weights = {
        "embedding": V * D,
        "query": L * H * K * D,
        "key": L * H * K * D,
        "value": L * H * K * D,
        "output": L * D * H * K,
        "up": L * M * D,
        "down": L * D * M,
        "unembedding": D * V,
    }
    biases = {"query": L * H * K, "key": L * H * K, "value": L * H * K, "output": L * D, "up": L * M, "down": L * D}
    norms = (2 * L + 1) * 2 * D
    total_weights = sum(weights.values())
    return dict(
        weights=weights,
        biases=biases,
        norms=norms,
        positions=C * D,
        n_weight_matrices=L * (H * 3 + 1 + 2) + 2,
        up_matrix=M * D,
        mlp_block_weights=2 * M * D,
        mlp_block_with_biases=2 * M * D + M + D,
        mlp_weights=2 * L * M * D,
        total_weights=total_weights,
        total_with_biases_and_norms=total_weights + sum(biases.values()) + norms,
        total_parameters=total_weights + sum(biases.values()) + norms + C * D,
    )


@pytest.fixture(scope="module")
def gpt3():
    start = time.perf_counter()
    tally = count_parameters(GPT3_175B)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"building and walking the meta model took {elapsed:.1f} s"
    return tally


@pytest.mark.parametrize("hp", [TINY, ODD], ids=lambda hp: hp.name)
def test_small_configs_match_formulas(hp):
    tally = count_parameters(hp)
    for field, value in expected(hp).items():
        assert getattr(tally, field) == value, field
    assert list(tally.weights) == list(CATEGORIES)
    # and the walk saw every parameter of the module, counted independently here
    model = build_meta_model(hp)
    assert tally.total_parameters == sum(p.numel() for p in model.parameters())


def test_gpt3_matches_formulas(gpt3):
    for field, value in expected(GPT3_175B).items():
        assert getattr(gpt3, field) == value, field


def test_gpt3_matches_published_figures(gpt3):
    # FACTS.md, "GPT-3 (175B) as the chapter counts it"
    assert gpt3.up_matrix == 603_979_776
    assert gpt3.mlp_block_weights == 1_207_959_552
    assert gpt3.mlp_block_with_biases == 1_208_020_992
    assert gpt3.mlp_weights == 115_964_116_992
    assert round(100 * gpt3.mlp_share, 1) == 66.2
    assert gpt3.weights["embedding"] == gpt3.weights["unembedding"] == 617_558_016
    for c in ("query", "key", "value", "output"):
        assert gpt3.weights[c] == 14_495_514_624
    assert gpt3.total_weights == 175_181_291_520
    assert gpt3.n_weight_matrices == 27_938
    assert 0 < gpt3.bias_share_of_mlp < 1e-4
    assert gpt3.bias_share_of_mlp == pytest.approx((49_152 + 12_288) / 1_208_020_992)


def test_matrix_bookkeeping(gpt3):
    assert gpt3.matrices == {
        "embedding": 1, "query": 96 * 96, "key": 96 * 96, "value": 96 * 96,
        "output": 96, "up": 96, "down": 96, "unembedding": 1,
    }  # fmt: skip
    assert gpt3.matrix_shapes["up"] == (49_152, 12_288)
    assert gpt3.matrix_shapes["down"] == (12_288, 49_152)
    assert gpt3.matrix_shapes["query"] == (128, 12_288)


def test_meta_model_has_no_storage():
    model = build_meta_model(GPT3_175B)
    params = list(model.parameters())
    assert params and all(p.is_meta for p in params)
    # still a real module: a forward pass runs on meta tensors and gives the right shape
    logits = model(torch.zeros(1, 3, dtype=torch.long, device="meta"))
    assert logits.shape == (1, 3, 50_257)


def test_tiny_model_runs_for_real():
    torch.manual_seed(0)
    model = build_meta_model(TINY, device="cpu")
    assert not any(p.is_meta for p in model.parameters())
    with torch.no_grad():
        logits = model(torch.tensor([[1, 2, 3, 4]]))
    assert logits.shape == (1, 4, 10) and torch.isfinite(logits).all()
    # causal: later tokens do not change earlier positions
    with torch.no_grad():
        other = model(torch.tensor([[1, 2, 3, 9]]))
    torch.testing.assert_close(logits[:, :3], other[:, :3])
    assert not torch.allclose(logits[:, 3], other[:, 3])
    with pytest.raises(ValueError):
        model(torch.zeros(1, 17, dtype=torch.long))


@pytest.mark.parametrize(
    "kwargs", [dict(d_model=0), dict(n_layers=-1), dict(vocab_size=2.5), dict(n_heads=True)]
)
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        GPTHyperparameters(**kwargs)
