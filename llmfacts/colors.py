"""The colour language of the video, defined once, as roles.

Every scene and mobject takes its colours from here, so a colour means one thing everywhere:

* weights are blue when positive and red when negative (:func:`weight_color` shades them by size);
* data (embedding vectors, activations being carried along, any generic arrow) is grey or white;
* each concept of the toy example has its own colour: first name, last name, attribute (sport), any other
  named direction; no other role uses a concept's colour;
* each piece of the mechanism has its own hue: highlight (yellow), neuron activity (pink), bias (violet blue),
  attention (aqua), the MLP block (teal);
* charts have their own roles: a curve of random vectors, a curve of built (constructed) vectors, a bound.

Which roles must look different is checked: :data:`ROLES` are the chromatic roles, pairwise at least
:data:`MIN_ROLE_DELTA_E` apart in CIEDE2000 (:func:`delta_e`); :data:`NEUTRAL_ROLES` are greys
(chroma below :data:`MAX_NEUTRAL_CHROMA`); :data:`ALIASES` are names that deliberately mean the same role.
An ordered series of one role (e.g. tolerances, loosest first) takes :func:`shades` of it.

Colours are plain hex strings so this module imports nothing (the compute layer may read it too).
"""

from __future__ import annotations

import math

__all__ = [
    "WEIGHT_POSITIVE",
    "WEIGHT_NEGATIVE",
    "WEIGHT_ZERO",
    "DATA",
    "DATA_DIM",
    "VECTOR",
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
    "CURVE_RANDOM",
    "CURVE_BUILT",
    "CURVE_BOUND",
    "HIGHLIGHT",
    "WARNING",
    "BACKGROUND",
    "TEXT",
    "TEXT_DIM",
    "CONCEPT_COLORS",
    "ROLES",
    "NEUTRAL_ROLES",
    "ALIASES",
    "MIN_ROLE_DELTA_E",
    "MAX_NEUTRAL_CHROMA",
    "weight_color",
    "interpolate_hex",
    "shades",
    "hex_to_lab",
    "lab_to_lch",
    "delta_e",
    "hue_difference",
]

# Weights: sign carries colour, size carries saturation (red is ManimCE's RED_C).
WEIGHT_POSITIVE = "#35B5E5"  # sky blue
WEIGHT_NEGATIVE = "#FC6255"  # red
WEIGHT_ZERO = "#3A3A3A"  # what a zero weight fades to

# Data flowing through the network; generic vectors.
DATA = "#BBBBBB"
DATA_DIM = "#777777"
VECTOR = "#E0E0E0"  # a generic arrow / direction that is no named concept

# Concepts of the toy example.
FIRST_NAME = "#83C167"  # green: "first name Michael"
LAST_NAME = "#C77DFF"  # purple: "last name Jordan"
ATTRIBUTE = "#FF8C1A"  # orange: "basketball" (the stored fact)
OTHER_CONCEPT = "#A3866B"  # muted tan: any other named direction (never blue: blue is a positive weight)

# Pieces of the MLP block.
NEURON_ACTIVE = "#FD58A3"  # pink: a neuron that fires, its activation
NEURON_INACTIVE = "#444444"
RELU = NEURON_ACTIVE  # the ReLU is what makes a neuron active (alias)
GELU = "#FFB3D9"  # light pink: the smooth cousin of the ReLU
BIAS = "#6E84FF"  # violet blue

# Blocks of the transformer.
ATTENTION = "#83FBFE"  # aqua
MLP = "#5FB49C"  # teal
NORM = "#8899AA"
RESIDUAL = "#DDDDDD"

# Parameter tally.
MLP_PARAMETERS = MLP
OTHER_PARAMETERS = "#6C7A89"

# Charts.
CURVE_RANDOM = "#CAD7FA"  # pale lavender: random vectors
CURVE_BUILT = "#BFA515"  # gold: vectors built (constructed / optimised) on purpose
CURVE_BOUND = "#FAD7AF"  # sand: a proven bound (draw it dashed)

# Emphasis.
HIGHLIGHT = "#FFFF66"  # yellow
#: Kept for old code; fact checks are told as part of the story ("the computation says..."), emphasised with
#: :data:`HIGHLIGHT`, never in a red errata box.
WARNING = HIGHLIGHT

BACKGROUND = "#000000"
TEXT = "#FFFFFF"
TEXT_DIM = "#999999"

#: Colour of each named direction of the toy example, by role.
CONCEPT_COLORS = {
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    "attribute": ATTRIBUTE,
    "other": OTHER_CONCEPT,
}

#: The chromatic roles: pairwise clearly different (see :data:`MIN_ROLE_DELTA_E`).
ROLES = {
    "WEIGHT_POSITIVE": WEIGHT_POSITIVE,
    "WEIGHT_NEGATIVE": WEIGHT_NEGATIVE,
    "FIRST_NAME": FIRST_NAME,
    "LAST_NAME": LAST_NAME,
    "ATTRIBUTE": ATTRIBUTE,
    "OTHER_CONCEPT": OTHER_CONCEPT,
    "NEURON_ACTIVE": NEURON_ACTIVE,
    "GELU": GELU,
    "BIAS": BIAS,
    "ATTENTION": ATTENTION,
    "MLP": MLP,
    "CURVE_RANDOM": CURVE_RANDOM,
    "CURVE_BUILT": CURVE_BUILT,
    "CURVE_BOUND": CURVE_BOUND,
    "HIGHLIGHT": HIGHLIGHT,
}
#: The greys (no hue): data, text, frames of secondary things.
NEUTRAL_ROLES = {
    "WEIGHT_ZERO": WEIGHT_ZERO,
    "DATA": DATA,
    "DATA_DIM": DATA_DIM,
    "VECTOR": VECTOR,
    "NEURON_INACTIVE": NEURON_INACTIVE,
    "NORM": NORM,
    "RESIDUAL": RESIDUAL,
    "OTHER_PARAMETERS": OTHER_PARAMETERS,
    "BACKGROUND": BACKGROUND,
    "TEXT": TEXT,
    "TEXT_DIM": TEXT_DIM,
}
#: Names that deliberately share a role's colour: alias -> role.
ALIASES = {"RELU": "NEURON_ACTIVE", "MLP_PARAMETERS": "MLP", "WARNING": "HIGHLIGHT"}

#: Smallest CIEDE2000 distance between two chromatic roles. About 2 is a just-noticeable difference of two
#: patches side by side; a thin arrow or a label seen on its own, seconds after the other colour, needs far
#: more to be named as a different colour. The old palette's confusions were 2.5 (bias / neuron yellow) and
#: 8.6 (other-concept blue / positive-weight blue).
MIN_ROLE_DELTA_E = 15.0
#: Largest CIELAB chroma of a neutral role (a grey); chromatic roles have at least twice that.
MAX_NEUTRAL_CHROMA = 12.0


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


def shades(base: str, count: int, dimmest: float = 0.4) -> list[str]:
    """``count`` shades of one role for an ordered series, from ``dimmest`` of the way from the background to
    ``base`` up to ``base`` itself (e.g. tolerances, loosest first, as shades of one curve colour)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if not 0.0 < dimmest <= 1.0:
        raise ValueError(f"dimmest must be in (0, 1], got {dimmest}")
    if count == 1:
        return [base]
    return [interpolate_hex(BACKGROUND, base, dimmest + (1.0 - dimmest) * i / (count - 1)) for i in range(count)]


# -- colour science (CIE 1976 L*a*b* under D65, CIEDE2000) ---------------------------------------------------
def hex_to_lab(color: str) -> tuple[float, float, float]:
    """CIELAB coordinates (D65 white) of an sRGB hex colour."""

    def linear(u: float) -> float:
        return u / 12.92 if u <= 0.04045 else ((u + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(u) for u in _hex_to_rgb(color))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lab_to_lch(lab: tuple[float, float, float]) -> tuple[float, float, float]:
    """Lightness, chroma and hue angle (degrees in [0, 360)) of a CIELAB colour."""
    lightness, a, b = lab
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def hue_difference(first: str, second: str) -> float:
    """Angle in degrees (0..180) between the CIELAB hues of two colours."""
    h1 = lab_to_lch(hex_to_lab(first))[2]
    h2 = lab_to_lch(hex_to_lab(second))[2]
    return abs((h1 - h2 + 180) % 360 - 180)


def delta_e(first: str | tuple[float, float, float], second: str | tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference of two colours (hex strings or CIELAB triples), as specified by the CIE
    (Sharma, Wu and Dalal, 2005)."""
    l1, a1, b1 = hex_to_lab(first) if isinstance(first, str) else first
    l2, a2, b2 = hex_to_lab(second) if isinstance(second, str) else second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    d_l, d_c = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        d_h = 0.0
    else:
        d_h = h2p - h1p
        if d_h > 180:
            d_h -= 360
        elif d_h < -180:
            d_h += 360
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(d_h / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_mean = (h1p + h2p + 360) / 2
    else:
        h_mean = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_big_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_big_h / s_h)
    )
