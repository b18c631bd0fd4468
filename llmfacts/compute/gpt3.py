"""GPT-3's parameters, counted by walking a real PyTorch module built on the meta device.

:func:`build_meta_model` builds a GPT-style decoder (token and position embeddings; per layer a layer
norm, multi-head attention with per-head query/key/value projections and one output projection, a
second layer norm and an MLP with up and down projections; a final layer norm; an untied unembedding).
On the ``"meta"`` device the tensors have shapes but no storage, so even GPT-3's 175 billion
parameters cost no memory. :func:`count_parameters` walks ``named_parameters()`` of that module and
sorts every tensor into a category; nothing is obtained by multiplying hyper-parameters.

The headline numbers follow the way the video series counts: weights only (no biases, no layer norms,
no position embedding), with the embedding and the unembedding counted separately, and the query, key
and value of every head counted as separate matrices (the value matrix is the "value down" half of a
head's value map; its "value up" halves together form the layer's output matrix). Biases, layer norms
and the learned position embedding are reported as well, on the side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

__all__ = [
    "CATEGORIES",
    "GPT3_175B",
    "GPTHyperparameters",
    "MetaGPT",
    "ParameterTally",
    "build_meta_model",
    "count_parameters",
    "forward_order",
    "norm_placement",
]

#: Weight categories in the order the chapters tally them.
CATEGORIES: tuple[str, ...] = ("embedding", "query", "key", "value", "output", "up", "down", "unembedding")


@dataclass(frozen=True)
class GPTHyperparameters:
    """Shape of a GPT-style decoder. Defaults are GPT-3 175B."""

    vocab_size: int = 50257
    d_model: int = 12288
    n_layers: int = 96
    n_heads: int = 96
    d_head: int = 128
    d_mlp: int = 49152
    context: int = 2048
    name: str = "GPT-3 175B"

    def __post_init__(self) -> None:
        for label in ("vocab_size", "d_model", "n_layers", "n_heads", "d_head", "d_mlp", "context"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{label} must be a positive integer, got {value!r}")


#: GPT-3 175B as the chapters describe it.
GPT3_175B = GPTHyperparameters()


# --------------------------------------------------------------------------------------------------
# the module
# --------------------------------------------------------------------------------------------------


class HeadProjection(nn.Module):
    """One ``(d_head, d_model)`` matrix (and bias) per head, stored as ``(n_heads, d_head, d_model)``."""

    def __init__(self, n_heads: int, d_head: int, d_model: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_heads, d_head, d_model))
        self.bias = nn.Parameter(torch.empty(n_heads, d_head))
        if not self.weight.is_meta:
            nn.init.normal_(self.weight, std=1.0 / math.sqrt(d_model))
            nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, seq, d_model) -> (batch, n_heads, seq, d_head)``."""
        return torch.einsum("btd,hkd->bhtk", x, self.weight) + self.bias[None, :, None, :]


class Attention(nn.Module):
    """Causal multi-head self-attention with per-head query/key/value and one output matrix."""

    def __init__(self, hp: GPTHyperparameters):
        super().__init__()
        self.query = HeadProjection(hp.n_heads, hp.d_head, hp.d_model)
        self.key = HeadProjection(hp.n_heads, hp.d_head, hp.d_model)
        self.value = HeadProjection(hp.n_heads, hp.d_head, hp.d_model)
        self.output = nn.Linear(hp.n_heads * hp.d_head, hp.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.query(x), self.key(x), self.value(x)
        t = x.shape[1]
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        heads = (weights @ v).transpose(1, 2).flatten(2)  # (batch, seq, n_heads * d_head)
        return self.output(heads)


class MLP(nn.Module):
    """``down(gelu(up(x)))`` with biases on both projections."""

    def __init__(self, hp: GPTHyperparameters):
        super().__init__()
        self.up = nn.Linear(hp.d_model, hp.d_mlp)
        self.down = nn.Linear(hp.d_mlp, hp.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(nn.functional.gelu(self.up(x)))


class Block(nn.Module):
    """Pre-norm transformer layer: ``x + attention(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, hp: GPTHyperparameters):
        super().__init__()
        self.attention_norm = nn.LayerNorm(hp.d_model)
        self.attention = Attention(hp)
        self.mlp_norm = nn.LayerNorm(hp.d_model)
        self.mlp = MLP(hp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.attention_norm(x))
        return x + self.mlp(self.mlp_norm(x))


class MetaGPT(nn.Module):
    """A GPT-style decoder: token ids ``(batch, seq)`` to logits ``(batch, seq, vocab_size)``."""

    def __init__(self, hp: GPTHyperparameters):
        super().__init__()
        self.hp = hp
        self.embedding = nn.Embedding(hp.vocab_size, hp.d_model)
        self.position = nn.Embedding(hp.context, hp.d_model)
        self.layers = nn.ModuleList(Block(hp) for _ in range(hp.n_layers))
        self.final_norm = nn.LayerNorm(hp.d_model)
        self.unembedding = nn.Linear(hp.d_model, hp.vocab_size, bias=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        t = tokens.shape[-1]
        if t > self.hp.context:
            raise ValueError(f"sequence of {t} tokens is longer than the context ({self.hp.context})")
        x = self.embedding(tokens) + self.position(torch.arange(t, device=tokens.device))
        for layer in self.layers:
            x = layer(x)
        return self.unembedding(self.final_norm(x))


def build_meta_model(hp: GPTHyperparameters = GPT3_175B, device: str | torch.device = "meta") -> MetaGPT:
    """Build the decoder for ``hp``; on the default ``"meta"`` device it allocates no parameter memory.

    Pass ``device="cpu"`` for a small configuration to get a working, randomly initialised model.
    """
    with torch.device(device):
        return MetaGPT(hp)


# --------------------------------------------------------------------------------------------------
# the tally
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterTally:
    """Parameter counts of a :class:`MetaGPT`, found by walking its ``named_parameters()``.

    Attributes:
        hp: the hyper-parameters.
        weights: weights per category (all layers), in :data:`CATEGORIES` order.
        biases: biases per category that has them (query, key, value, output, up, down).
        norms: layer-norm parameters (scales and shifts, every layer plus the final norm).
        positions: the learned position embedding (``context * d_model``); not in the chapters' count.
        n_weight_matrices: weight matrices in the chapters' count (each head's query, key and value
            separately; one output matrix, W_up and W_down per layer; embedding and unembedding).
        matrices: number of weight matrices per category.
        matrix_shapes: shape of one weight matrix per category, as PyTorch stores it.
        up_matrix: parameters of one W_up.
        mlp_block_weights: W_up + W_down of one layer.
        mlp_block_with_biases: the same plus ``b_up`` and ``b_down``.
        mlp_weights: W_up + W_down over all layers.
        total_weights: the chapters' total: every weight in :data:`CATEGORIES`, no biases or norms.
        total_with_biases_and_norms: ``total_weights`` + all biases + all layer-norm parameters.
        total_parameters: every parameter of the module (the above plus the position embedding).
    """

    hp: GPTHyperparameters
    weights: dict[str, int]
    biases: dict[str, int]
    norms: int
    positions: int
    n_weight_matrices: int
    matrices: dict[str, int]
    matrix_shapes: dict[str, tuple[int, int]]
    up_matrix: int
    mlp_block_weights: int
    mlp_block_with_biases: int
    mlp_weights: int
    total_weights: int
    total_with_biases_and_norms: int
    total_parameters: int

    @property
    def mlp_share(self) -> float:
        """Fraction of the chapters' total that sits in the MLP weights (about 2/3 for GPT-3)."""
        return self.mlp_weights / self.total_weights

    @property
    def bias_share_of_mlp(self) -> float:
        """Fraction of the MLP parameters (weights + biases) that are biases (tiny)."""
        mlp_biases = self.biases["up"] + self.biases["down"]
        return mlp_biases / (self.mlp_weights + mlp_biases)


def _classify(model: MetaGPT):
    """Yield ``(layer or None, kind, category, tensor)`` for every parameter, by walking the module.

    ``kind`` is ``"weight"``, ``"bias"``, ``"norm"`` or ``"position"``. Raises on any parameter it
    cannot place, so a change to the module cannot silently drop parameters from the tally.
    """
    for name, p in model.named_parameters():
        parts = name.split(".")
        layer = int(parts[1]) if parts[0] == "layers" else None
        owner = model.get_submodule(".".join(parts[:-1]))
        owner_name, leaf = parts[-2], parts[-1]
        if isinstance(owner, nn.LayerNorm):
            yield layer, "norm", None, p
        elif owner_name == "position":
            yield layer, "position", None, p
        elif owner_name in CATEGORIES and leaf in ("weight", "bias"):
            yield layer, leaf, owner_name, p
        else:
            raise ValueError(f"cannot place parameter {name!r} in the tally")


def count_parameters(hp: GPTHyperparameters = GPT3_175B) -> ParameterTally:
    """Build ``hp``'s model on the meta device and tally its parameters (see :class:`ParameterTally`)."""
    model = build_meta_model(hp)
    weights = dict.fromkeys(CATEGORIES, 0)
    biases: dict[str, int] = {}
    matrices = dict.fromkeys(CATEGORIES, 0)
    shapes: dict[str, tuple[int, int]] = {}
    norms = positions = 0
    first_layer: dict[tuple[str, str], int] = {}
    grand_total = 0

    for layer, kind, category, p in _classify(model):
        n = p.numel()
        grand_total += n
        if kind == "norm":
            norms += n
        elif kind == "position":
            positions += n
        elif kind == "bias":
            biases[category] = biases.get(category, 0) + n
        else:
            weights[category] += n
            matrices[category] += math.prod(p.shape[:-2])
            shapes.setdefault(category, tuple(p.shape[-2:]))
        if layer == 0 and category is not None:
            first_layer[(kind, category)] = first_layer.get((kind, category), 0) + n

    biases = {c: biases[c] for c in CATEGORIES if c in biases}
    up_matrix = first_layer[("weight", "up")]
    block_weights = up_matrix + first_layer[("weight", "down")]
    block_biases = first_layer.get(("bias", "up"), 0) + first_layer.get(("bias", "down"), 0)
    total_weights = sum(weights.values())
    total_bn = total_weights + sum(biases.values()) + norms
    if total_bn + positions != grand_total:  # pragma: no cover - guarded by _classify
        raise AssertionError("tally does not add up")

    return ParameterTally(
        hp=hp,
        weights=weights,
        biases=biases,
        norms=norms,
        positions=positions,
        n_weight_matrices=sum(matrices.values()),
        matrices=matrices,
        matrix_shapes=shapes,
        up_matrix=up_matrix,
        mlp_block_weights=block_weights,
        mlp_block_with_biases=block_weights + block_biases,
        mlp_weights=weights["up"] + weights["down"],
        total_weights=total_weights,
        total_with_biases_and_norms=total_bn,
        total_parameters=grand_total,
    )


# --------------------------------------------------------------------------------------------------
# where the normalisations sit
# --------------------------------------------------------------------------------------------------


def forward_order(hp: GPTHyperparameters = GPT3_175B, n_layers: int = 2) -> tuple[str, ...]:
    """Names of the modules a forward pass calls, in the order it calls them (layer norms, attention, MLP,
    embeddings, unembedding; not their inner linear maps).

    The pass runs on a small working copy of ``hp``'s architecture on the CPU (same module classes, sizes
    cut to a few numbers and ``n_layers`` layers), with a hook on every module recording when it is called,
    so the order is what the code does, not what a docstring says.
    """
    small = GPTHyperparameters(vocab_size=11, d_model=8, n_layers=n_layers, n_heads=2, d_head=4, d_mlp=16,
                               context=4, name=f"small {hp.name}")
    torch.manual_seed(0)
    model = build_meta_model(small, device="cpu")
    wanted = (nn.LayerNorm, Attention, MLP, nn.Embedding)
    order: list[str] = []
    handles = []
    for name, module in model.named_modules():
        if isinstance(module, wanted) or name == "unembedding":
            handles.append(module.register_forward_pre_hook(lambda _m, _a, name=name: order.append(name)))
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, dtype=torch.long))
    finally:
        for handle in handles:
            handle.remove()
    return tuple(order)


def norm_placement(hp: GPTHyperparameters = GPT3_175B) -> dict[str, str]:
    """Whether each sub-block of a layer has its layer norm ``"before"`` or ``"after"`` it, read from
    :func:`forward_order`: ``{"attention": "before", "mlp": "before"}`` for the pre-norm GPT built here."""
    order = forward_order(hp, n_layers=1)
    placement = {}
    for block in ("attention", "mlp"):
        norm, sub = order.index(f"layers.0.{block}_norm"), order.index(f"layers.0.{block}")
        placement[block] = "before" if norm < sub else "after"
    return placement
