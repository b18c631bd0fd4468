"""The colour language of the video, defined once.

Every scene and mobject takes its colours from here, so a colour means the same thing everywhere:

* weights are blue when positive and red when negative (:func:`weight_color` shades them by size);
* data (embedding vectors, activations being carried along) is grey;
* each concept of the toy example has its own colour: first name, last name, attribute (sport), and the
  neurons / bias / activation function.

Colours are plain hex strings so this module imports nothing (the compute layer may read it too).
"""

from __future__ import annotations

__all__ = [
    "WEIGHT_POSITIVE",
    "WEIGHT_NEGATIVE",
    "WEIGHT_ZERO",
    "DATA",
    "DATA_DIM",
    "FIRST_NAME",
    "LAST_NAME",
    "ATTRIBUTE",
    "OTHER_CONCEPT",
    "BIAS",
    "NEURON_ACTIVE",
    "NEURON_INACTIVE",
    "RELU",
    "GELU",
    "ATTENTION",
    "MLP",
    "NORM",
    "RESIDUAL",
    "MLP_PARAMETERS",
    "OTHER_PARAMETERS",
    "HIGHLIGHT",
    "WARNING",
    "BACKGROUND",
    "TEXT",
    "TEXT_DIM",
    "CONCEPT_COLORS",
    "weight_color",
    "interpolate_hex",
]

# Weights: sign carries colour, size carries saturation.
WEIGHT_POSITIVE = "#58C4DD"  # blue
WEIGHT_NEGATIVE = "#FC6255"  # red
WEIGHT_ZERO = "#3A3A3A"  # what a zero weight fades to

# Data flowing through the network.
DATA = "#BBBBBB"
DATA_DIM = "#777777"

# Concepts of the toy example.
FIRST_NAME = "#83C167"  # "first name Michael"
LAST_NAME = "#C77DFF"  # "last name Jordan"
ATTRIBUTE = "#FF8C1A"  # "basketball" (the stored fact)
OTHER_CONCEPT = "#9CDCEB"  # any other named direction

# Pieces of the MLP block.
BIAS = "#F7D96F"
NEURON_ACTIVE = "#FFE066"
NEURON_INACTIVE = "#444444"
RELU = "#FFE066"
GELU = "#E8A0BF"

# Blocks of the transformer.
ATTENTION = "#FFC857"
MLP = "#5FB49C"
NORM = "#8899AA"
RESIDUAL = "#DDDDDD"

# Parameter tally.
MLP_PARAMETERS = MLP
OTHER_PARAMETERS = "#6C7A89"

# Emphasis.
HIGHLIGHT = "#FFFF66"
WARNING = "#FF6F59"  # "the reference says X, the computation says Y"

BACKGROUND = "#000000"
TEXT = "#FFFFFF"
TEXT_DIM = "#999999"

#: Colour of each named direction of the toy example, by role.
CONCEPT_COLORS = {
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    "attribute": ATTRIBUTE,
}


def _hex_to_rgb(color: str) -> tuple[float, float, float]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _rgb_to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in rgb)


def interpolate_hex(start: str, end: str, alpha: float) -> str:
    """Blend two hex colours; ``alpha = 0`` gives ``start``, ``1`` gives ``end``."""
    a, b = _hex_to_rgb(start), _hex_to_rgb(end)
    return _rgb_to_hex(tuple(x + (y - x) * alpha for x, y in zip(a, b)))  # type: ignore[arg-type]


def weight_color(value: float, scale: float = 1.0) -> str:
    """Colour of a weight: blue if positive, red if negative, fading to grey as ``|value| / scale`` -> 0."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    strength = min(1.0, abs(float(value)) / scale)
    target = WEIGHT_POSITIVE if value >= 0 else WEIGHT_NEGATIVE
    return interpolate_hex(WEIGHT_ZERO, target, 0.25 + 0.75 * strength)
