"""Small geometry of directions (NumPy only): angles, and faithful low-dimensional coordinates of a few
high-dimensional vectors for drawing them.

>>> import numpy as np
>>> round(angle_degrees(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 6)
45.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["angle_degrees", "span_coordinates", "nearest_point"]


def angle_degrees(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between two non-zero vectors, in degrees."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        raise ValueError("the angle of a zero vector is undefined")
    cos = float(np.dot(u, v) / (nu * nv))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def span_coordinates(vectors: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of ``vectors`` (k x d) in an orthonormal basis of their span (k x k).

    Lengths and angles are kept exactly, so a drawing made from them is faithful to the d-dimensional
    vectors (for k = 3 it is a true 3-D picture). The first basis vector points along vector 0, the second
    lies on vector 1's side, and so on.
    """
    q, r = np.linalg.qr(np.asarray(vectors, dtype=float).T)  # d x k, k x k
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    r = r * signs[:, None]
    return r.T


def nearest_point(points: dict[str, np.ndarray], target: np.ndarray) -> str:
    """The key of the point nearest to ``target`` (Euclidean)."""
    if not points:
        raise ValueError("no points")
    return min(points, key=lambda k: float(np.linalg.norm(np.asarray(points[k], dtype=float) - target)))
