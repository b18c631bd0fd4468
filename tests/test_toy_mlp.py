"""Behaviour of the toy fact-storing MLP: the story's numbers, the arithmetic, the PyTorch twin."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from llmfacts.compute.toy_mlp import (
    ToyFact,
    ToyMLPConfig,
    and_gate_table,
    build_toy_mlp,
    gelu,
    next_token_distribution,
    relu,
    to_torch,
)

GELU_1 = 0.5 * (1 + math.erf(1 / math.sqrt(2)))  # gelu(1), from the definition


@pytest.fixture(scope="module")
def mlp():
    return build_toy_mlp()


def story_inputs(m):
    """Every first-name/last-name pair the model knows."""
    return list(itertools.product(m.first_names, m.last_names))


# ---------------------------------------------------------------- the story


def test_default_story_numbers(mlp):
    mj = mlp.run(("Michael", "Jordan"))
    assert mj.up[0] == pytest.approx(2.0, abs=1e-12)
    assert mj.pre_activation[0] == pytest.approx(1.0, abs=1e-12)
    assert mj.post[0] == pytest.approx(1.0, abs=1e-12)
    assert mj.readout_in["basketball"] == 0.0
    assert mj.readout_out["basketball"] - mj.readout_in["basketball"] == pytest.approx(1.0, abs=1e-12)
    assert mj.active[0]
    for pair in [("Michael", "Phelps"), ("Alexis", "Jordan")]:
        t = mlp.run(pair)
        assert t.up[0] == pytest.approx(1.0, abs=1e-12)
        assert t.pre_activation[0] == 0.0
        assert t.post[0] == 0.0  # exactly
        assert not t.active[0]
        assert t.readout_out["basketball"] == pytest.approx(t.readout_in["basketball"], abs=1e-12)


def test_weights_are_built_from_the_fact(mlp):
    d = mlp.directions
    np.testing.assert_allclose(mlp.W_up[0], d["Michael"] + d["Jordan"], atol=1e-15)
    np.testing.assert_allclose(mlp.W_down[:, 0], d["basketball"], atol=1e-15)
    assert mlp.b_up[0] == -1.0
    assert mlp.W_up.shape == (48, 12) and mlp.W_down.shape == (12, 48)
    assert mlp.b_up.shape == (48,) and mlp.b_down.shape == (12,)
    assert mlp.neuron_meaning(0) == "Michael Jordan -> basketball"
    assert mlp.neuron_meaning(1) == "Michael Phelps -> swimming"
    assert mlp.neuron_meaning(2) == "Alexis Jordan -> singing"
    assert mlp.neuron_meaning(3) is None
    np.testing.assert_allclose(mlp.token_vector("Michael", "Jordan"), d["Michael"] + d["Jordan"])


def test_named_directions_orthonormal_and_not_axis_aligned(mlp):
    assert set(mlp.directions) == {"Michael", "Jordan", "basketball", "Phelps", "swimming", "Alexis", "singing"}
    m = np.stack(list(mlp.directions.values()))
    np.testing.assert_allclose(m @ m.T, np.eye(len(m)), atol=1e-12)
    assert np.abs(m).max() < 0.9  # not a standard basis vector
    assert (np.abs(m) > 0.01).mean() > 0.8  # dense, like a random vector


def test_distractor_facts_fire_their_own_neurons(mlp):
    mp = mlp.run(("Michael", "Phelps"))
    assert mp.post[1] == pytest.approx(1.0, abs=1e-12)
    assert mp.gained["swimming"] == pytest.approx(1.0, abs=1e-12)
    aj = mlp.run(("Alexis", "Jordan"))
    assert aj.post[2] == pytest.approx(1.0, abs=1e-12)
    assert aj.gained["singing"] == pytest.approx(1.0, abs=1e-12)
    assert aj.gained["basketball"] == 0.0 and aj.gained["swimming"] == 0.0


def test_extra_neurons_do_not_spoil_the_story(mlp):
    n_facts = len(mlp.facts)
    for pair in story_inputs(mlp) + [("Michael", "Jordan", "basketball")]:
        t = mlp.run(pair)
        assert not t.active[n_facts:].any(), pair
    # the extra columns and b_down never write an attribute, whatever the input
    for a in mlp.attributes:
        np.testing.assert_allclose(mlp.directions[a] @ mlp.W_down[:, n_facts:], 0.0, atol=1e-12)
        assert abs(mlp.directions[a] @ mlp.b_down) < 1e-12
    # only the fact's own attribute changes for Michael Jordan
    gained = mlp.run(("Michael", "Jordan")).gained
    assert gained["swimming"] == 0.0 and gained["singing"] == 0.0


def test_entries_have_a_realistic_size(mlp):
    extra_rows = mlp.W_up[len(mlp.facts):]
    assert 0.1 < extra_rows.std() < 1.0
    assert np.abs(mlp.W_up).max() < 2.5
    assert 0.1 < mlp.W_down[:, len(mlp.facts):].std() < 1.0
    assert np.all(mlp.b_up < 0)
    assert np.abs(mlp.b_down).max() < 0.5 and np.abs(mlp.b_down).max() > 0


def test_gelu_story(mlp):
    mj = mlp.run(("Michael", "Jordan"), activation="gelu")
    assert mj.post[0] == pytest.approx(GELU_1, abs=1e-12)
    assert mj.gained["basketball"] == pytest.approx(GELU_1, abs=1e-12)
    assert mlp.run(("Michael", "Phelps"), activation="gelu").post[0] == 0.0


def test_and_gate_table(mlp):
    rows = and_gate_table(mlp)
    assert [(r.first, r.last) for r in rows] == [("Michael", "Jordan"), ("Michael", "Phelps"), ("Alexis", "Jordan")]
    expected = [(2, 1, 1, GELU_1), (1, 0, 0, 0), (1, 0, 0, 0)]
    for r, (dot, pre, re, ge) in zip(rows, expected):
        assert (r.dot, r.pre, r.relu, r.gelu) == pytest.approx((dot, pre, re, ge), abs=1e-12)
    assert rows[1].relu == 0.0 and rows[2].relu == 0.0
    # a neuron that stores another fact reads the table differently
    assert [r.relu for r in and_gate_table(mlp, neuron=1)] == pytest.approx([0, 1, 0], abs=1e-12)


def test_next_token_distribution(mlp):
    p = next_token_distribution(mlp)
    assert list(p) == ["basketball", "swimming", "singing"]
    assert sum(p.values()) == pytest.approx(1.0)
    assert max(p, key=p.get) == "basketball"
    out = mlp.run(("Michael", "Jordan")).out
    logits = {c: float(out @ mlp.directions[c]) / 0.25 for c in p}
    z = sum(math.exp(v) for v in logits.values())
    for c in p:
        assert p[c] == pytest.approx(math.exp(logits[c]) / z, rel=1e-12)
    assert max(next_token_distribution(mlp, ("Michael", "Phelps")).items(), key=lambda kv: kv[1])[0] == "swimming"
    assert next_token_distribution(mlp, temperature=1.0)["basketball"] == pytest.approx(math.e / (math.e + 2))
    with pytest.raises(ValueError):
        next_token_distribution(mlp, temperature=0)


# ---------------------------------------------------------------- the arithmetic


def _matvec(matrix, vector):
    """Row-by-row dot products in plain Python (independent of NumPy's matmul)."""
    return [math.fsum(a * b for a, b in zip(row, vector)) for row in matrix.tolist()]


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_trace_arithmetic_matches_independent_computation(mlp, activation):
    rng = np.random.default_rng(123)
    for x in [mlp.token_vector("Michael", "Jordan"), rng.normal(size=mlp.d_model)]:
        t = mlp.run(x, activation=activation)
        up = _matvec(mlp.W_up, x.tolist())
        np.testing.assert_allclose(t.partial_sums[:, -1], up, atol=1e-12)  # row-wise dot products
        np.testing.assert_allclose(t.up, up, atol=1e-12)
        np.testing.assert_allclose(t.row_products[3, 5], mlp.W_up[3, 5] * x[5])
        np.testing.assert_allclose(t.partial_sums[7, 4], math.fsum(mlp.W_up[7, :5] * x[:5]), atol=1e-12)
        pre = [u + b for u, b in zip(up, mlp.b_up.tolist())]
        np.testing.assert_allclose(t.pre_activation, pre, atol=1e-12)
        f = (lambda v: max(v, 0.0)) if activation == "relu" else (lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))
        post = [f(v) for v in pre]
        np.testing.assert_allclose(t.post, post, atol=1e-12)
        down = [s + b for s, b in zip(_matvec(mlp.W_down, post), mlp.b_down.tolist())]
        np.testing.assert_allclose(t.scaled_columns.sum(axis=1) + mlp.b_down, down, atol=1e-12)  # column-wise
        np.testing.assert_allclose(t.scaled_columns[:, 2], mlp.W_down[:, 2] * post[2], atol=1e-12)
        np.testing.assert_allclose(t.down, down, atol=1e-12)
        np.testing.assert_allclose(t.out, np.asarray(x) + np.asarray(down), atol=1e-12)
        np.testing.assert_array_equal(t.active, np.asarray(post) > 1e-12)
        for name, direction in mlp.directions.items():
            assert t.readout_in[name] == pytest.approx(math.fsum(np.asarray(x) * direction), abs=1e-12)
            assert t.readout_out[name] == pytest.approx(float(t.out @ direction), abs=1e-12)


def test_run_accepts_names_and_vectors(mlp):
    a = mlp.run(("Michael", "Jordan"))
    b = mlp.run(["Michael", "Jordan"])
    c = mlp.run(mlp.directions["Michael"] + mlp.directions["Jordan"])
    np.testing.assert_array_equal(a.out, b.out)
    np.testing.assert_allclose(a.out, c.out, atol=1e-12)
    assert mlp.run("Michael").post[0] == 0.0
    with pytest.raises(ValueError):
        mlp.run(np.zeros(5))
    with pytest.raises(KeyError):
        mlp.run(("Michael", "Bloomberg"))
    with pytest.raises(ValueError):
        mlp.run(("Michael", "Jordan"), activation="tanh")


def test_arrays_are_read_only(mlp):
    with pytest.raises(ValueError):
        mlp.W_up[0, 0] = 1.0
    with pytest.raises(ValueError):
        mlp.run(("Michael", "Jordan")).post[0] = 5.0


# ---------------------------------------------------------------- words of a prompt

PROMPT_FILLERS = ("plays", "the", "sport", "of")


def old_way_directions(config):
    """The named directions as build_toy_mlp made them before filler words existed (overlap 0): the first
    rows of a uniformly random rotation, the first draw of the block's stream."""
    rng = np.random.default_rng(config.seed)
    q, r = np.linalg.qr(rng.standard_normal((config.d_model, config.d_model)))
    q = q * np.sign(np.diag(r))[None, :]
    return dict(zip(config.names, q[:, : len(config.names)].T))


@pytest.mark.parametrize(
    "config",
    [ToyMLPConfig(), ToyMLPConfig(overlap=0.05, seed=1), ToyMLPConfig(d_model=8, seed=3),
     ToyMLPConfig(fact=ToyFact("Serena", "Williams", "tennis"))],
    ids=["default", "overlap", "one-free-dimension", "serena"],
)
def test_filler_directions_are_unit_and_perpendicular_to_every_named_direction(config):
    """The bound: |cos| with every named direction below 1e-12 (round-off), overlap or not."""
    m = build_toy_mlp(config)
    named = np.stack(list(m.directions.values()))
    for word in (*PROMPT_FILLERS, "Basketball", "Michael Jordan", "é"):
        assert not m.is_named(word)
        v = m.word_direction(word)
        assert v.shape == (m.d_model,)
        assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-12)
        assert np.abs(named @ v).max() < 1e-12
        with pytest.raises(ValueError):
            v[0] = 1.0  # read-only like every other array of the model


def test_filler_directions_are_distinct_but_not_perpendicular_to_each_other(mlp):
    """Only d_model - 7 = 5 dimensions are free, so fillers are not made perpendicular to one another."""
    f = np.stack([mlp.word_direction(w) for w in PROMPT_FILLERS])
    cos = np.abs(f @ f.T)[~np.eye(len(f), dtype=bool)]
    assert cos.max() < 0.99  # every word has its own direction
    assert np.abs(f).max() < 0.9 and (np.abs(f) > 0.01).mean() > 0.8  # dense, like the named ones


def test_named_words_keep_their_direction(mlp):
    for name in mlp.names:
        assert mlp.is_named(name)
        np.testing.assert_array_equal(mlp.word_direction(name), mlp.direction(name))
    # the first-name token before attention: the same trace the residual scene takes with run(("Michael",))
    a, b = mlp.run(mlp.word_direction("Michael")), mlp.run(("Michael",))
    np.testing.assert_array_equal(a.out, b.out)
    assert a.readout_out == b.readout_out


def test_filler_directions_are_deterministic(mlp):
    again = build_toy_mlp()
    first = {w: mlp.word_direction(w) for w in PROMPT_FILLERS}
    for w in reversed(PROMPT_FILLERS):  # another model, another order of asking: the same vectors
        np.testing.assert_array_equal(again.word_direction(w), first[w])
    code = ("from llmfacts.compute.toy_mlp import build_toy_mlp; "
            "print(repr(float(build_toy_mlp().word_direction('sport')[3])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(out) == float(first["sport"][3])  # no salted hash(): the same in every process
    other_seed = build_toy_mlp(ToyMLPConfig(seed=1))
    assert not np.allclose(other_seed.word_direction("sport"), first["sport"])


def test_filler_words_change_no_existing_number():
    """Directions and weights are those computed the old way (before filler words existed); asking for
    filler directions draws nothing from the block's stream and changes nothing afterwards."""
    config = ToyMLPConfig()
    m = build_toy_mlp(config)
    before = {k: np.array(getattr(m, k)) for k in ("W_up", "b_up", "W_down", "b_down")}
    for w in PROMPT_FILLERS:
        m.word_direction(w)
    for name, ref in old_way_directions(config).items():
        np.testing.assert_allclose(m.directions[name], ref, rtol=0, atol=1e-15)
    for k, ref in before.items():
        np.testing.assert_array_equal(getattr(m, k), ref)
    rebuilt = build_toy_mlp(config)
    for k, ref in before.items():
        np.testing.assert_array_equal(getattr(rebuilt, k), ref)
    # fingerprints of the weights, computed by the code of commit 89cce64 (before filler words)
    assert m.directions["Michael"][:2] == pytest.approx([0.02916860793482634, -0.5393922838286432], abs=1e-13)
    assert float(m.W_up.sum()) == pytest.approx(-5.892537691288519, abs=1e-11)
    assert float(m.b_up.sum()) == pytest.approx(-59.39891721082827, abs=1e-11)
    assert float(m.W_down.sum()) == pytest.approx(-2.9859285485566587, abs=1e-11)
    assert float(m.b_down.sum()) == pytest.approx(0.19892188574107086, abs=1e-12)
    assert float((m.W_up ** 2).sum()) == pytest.approx(71.47178123130394, abs=1e-10)
    assert float((m.W_down ** 2).sum()) == pytest.approx(28.283489334024132, abs=1e-10)
    skewed = build_toy_mlp(ToyMLPConfig(overlap=0.05, seed=1))
    skewed.word_direction("the")
    assert skewed.directions["Michael"][:2] == pytest.approx([0.08735511745552826, -0.18615733806068857], abs=1e-13)
    assert float(skewed.W_up.sum()) == pytest.approx(-13.16578460155245, abs=1e-11)
    assert float(skewed.W_down.sum()) == pytest.approx(0.20432348065566153, abs=1e-11)


def test_block_on_a_filler_token_keeps_neuron_0_off_and_adds_no_attribute(mlp):
    """A filler direction is perpendicular to Michael + Jordan, so neuron 0 sees 0 + bias = -1 and the ReLU
    gives exactly 0 (the same holds for every fact neuron). Some extra neurons do fire, but their columns
    of W_down and b_down are perpendicular to every attribute, so nothing is added along any attribute:
    the block changes the filler's vector, just not where an attribute is read."""
    fired = {}
    for word in PROMPT_FILLERS:
        t = mlp.run(mlp.word_direction(word))
        assert t.up[0] == 0.0  # round-off snapped
        assert t.pre_activation[0] == -1.0
        assert t.post[0] == 0.0
        assert not t.active[: len(mlp.facts)].any()
        for attr in mlp.attributes:
            assert t.readout_in[attr] == 0.0
            assert t.gained[attr] == 0.0
            assert t.readout_out[attr] == 0.0
        assert np.linalg.norm(t.down) > 0.1  # the vector does change, elsewhere
        fired[word] = np.flatnonzero(t.active).tolist()
    assert fired == {"plays": [18], "the": [18], "sport": [], "of": [43]}


def test_no_direction_left_for_fillers_when_names_fill_the_space():
    m = build_toy_mlp(ToyMLPConfig(d_model=7))  # 7 named concepts in 7 dimensions
    np.testing.assert_array_equal(m.word_direction("Jordan"), m.direction("Jordan"))
    with pytest.raises(ValueError, match="no direction left"):
        m.word_direction("the")
    with pytest.raises(ValueError):
        m.word_direction("")


# ---------------------------------------------------------------- activations and PyTorch


def test_relu_and_gelu_against_independent_formulas():
    x = np.linspace(-4, 4, 81)
    np.testing.assert_array_equal(relu(x), np.where(x > 0, x, 0.0))
    t = torch.from_numpy(x)
    np.testing.assert_allclose(gelu(x), torch.nn.functional.gelu(t).numpy(), atol=1e-15)
    np.testing.assert_allclose(gelu(x), [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x], atol=1e-15)
    assert gelu(0.0) == 0.0 and gelu(1.0) == pytest.approx(0.8413447460685429)
    assert gelu(-1.0) == pytest.approx(-0.15865525393145707)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_torch_twin_matches_numpy(mlp, activation):
    block = to_torch(mlp, activation=activation)
    assert block.up.weight.dtype == torch.float64
    rng = np.random.default_rng(7)
    xs = [mlp.token_vector(*p) for p in story_inputs(mlp)] + list(rng.normal(size=(5, mlp.d_model)))
    with torch.no_grad():
        batch = torch.from_numpy(np.stack(xs))
        outs = block(batch).numpy()
        neurons = block.neurons(batch).numpy()
    for x, out, post in zip(xs, outs, neurons):
        t = mlp.run(x, activation=activation)
        np.testing.assert_allclose(out, t.out, atol=1e-12)
        np.testing.assert_allclose(post, t.post, atol=1e-12)


# ---------------------------------------------------------------- other configurations


def test_serena_williams_variant():
    m = build_toy_mlp(ToyMLPConfig(fact=ToyFact("Serena", "Williams", "tennis")))
    assert m.neuron_meaning(0) == "Serena Williams -> tennis"
    t = m.run(("Serena", "Williams"))
    assert t.post[0] == pytest.approx(1.0, abs=1e-12)
    assert t.gained["tennis"] == pytest.approx(1.0, abs=1e-12)
    rows = and_gate_table(m)
    assert (rows[0].first, rows[0].last, rows[0].relu) == ("Serena", "Williams", pytest.approx(1.0))
    assert all(r.relu == 0.0 for r in rows[1:]) and len(rows) > 1
    # Michael Jordan is no longer stored, so nobody gains basketball; a distractor equal to the fact is dropped
    assert "basketball" not in m.directions
    assert max(next_token_distribution(m, ("Serena", "Williams")).items(), key=lambda kv: kv[1])[0] == "tennis"
    dup = ToyMLPConfig(fact=ToyFact("Michael", "Phelps", "swimming"))
    assert [f.full_name for f in dup.facts] == ["Michael Phelps", "Alexis Jordan"]


@pytest.mark.parametrize("d_model", [8, 16, 64])
def test_other_sizes(d_model):
    m = build_toy_mlp(ToyMLPConfig(d_model=d_model, seed=3))
    assert m.W_up.shape == (4 * d_model, d_model)
    assert m.run(("Michael", "Jordan")).gained["basketball"] == pytest.approx(1.0, abs=1e-12)
    for pair in story_inputs(m):
        t = m.run(pair)
        assert not t.active[len(m.facts):].any()
        if pair != ("Michael", "Jordan"):
            assert t.post[0] == 0.0 and t.gained["basketball"] == 0.0


def test_overlap_gives_nearly_perpendicular_directions():
    m = build_toy_mlp(ToyMLPConfig(overlap=0.05, seed=1))
    v = np.stack(list(m.directions.values()))
    gram = v @ v.T
    np.testing.assert_allclose(np.diag(gram), 1.0, atol=1e-12)
    off = np.abs(gram[~np.eye(len(v), dtype=bool)])
    assert off.max() <= 0.05 + 1e-12 and off.max() > 0.01
    mj = m.run(("Michael", "Jordan"))
    assert mj.up[0] == pytest.approx(2.0, abs=0.15)
    assert mj.gained["basketball"] == pytest.approx(1.0, abs=0.3)
    for pair in [("Michael", "Phelps"), ("Alexis", "Jordan")]:
        t = m.run(pair)
        assert t.post[0] < 0.2
        assert t.gained["basketball"] < 0.3
    for pair in story_inputs(m):
        assert not m.run(pair).active[len(m.facts):].any()


def test_deterministic_from_seed():
    a, b = build_toy_mlp(ToyMLPConfig(seed=5)), build_toy_mlp(ToyMLPConfig(seed=5))
    for name in ("W_up", "b_up", "W_down", "b_down"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for k in a.directions:
        np.testing.assert_array_equal(a.directions[k], b.directions[k])
    c = build_toy_mlp(ToyMLPConfig(seed=6))
    assert not np.allclose(a.W_up, c.W_up)
    assert not np.allclose(a.directions["Michael"], c.directions["Michael"])


def test_fresh_process_same_numbers_and_no_manim(mlp):
    """Same weights in a new interpreter (no hidden global state), and the compute layer never imports manim."""
    code = (
        "import sys; from llmfacts.compute.toy_mlp import build_toy_mlp; import llmfacts.compute.gpt3; "
        "print(repr(float(build_toy_mlp().W_up[5].sum()))); print('manim' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert float(out[0]) == float(mlp.W_up[5].sum())
    assert out[1] == "False"


def test_bias_is_configurable_and_matters():
    m = build_toy_mlp(ToyMLPConfig(bias=0.0))
    assert m.b_up[0] == 0.0
    assert m.run(("Michael", "Phelps")).post[0] == pytest.approx(1.0)  # without the bias it is no AND gate


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(d_model=6),  # 7 named concepts
        dict(d_model=0),
        dict(hidden_factor=0),
        dict(overlap=1.0),
        dict(overlap=-0.1),
        dict(seed=-1),
        dict(bias=float("nan")),
        dict(fact=ToyFact("Jordan", "Smith", "golf")),  # Jordan would be a first and a last name
        dict(distractors=(ToyFact("Michael", "Phelps", "swimming"), ToyFact("Michael", "Phelps", "golf"))),
        dict(distractors=[ToyFact("Michael", "Phelps", "swimming")]),
    ],
)
def test_bad_configs_raise(kwargs):
    with pytest.raises(ValueError):
        ToyMLPConfig(**kwargs)


def test_too_small_message_is_clear():
    with pytest.raises(ValueError, match="d_model=6 is too small"):
        ToyMLPConfig(d_model=6)
    with pytest.raises(ValueError):
        ToyFact("", "Jordan", "basketball")
