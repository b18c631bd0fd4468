"""A small disk cache for expensive results (NumPy arrays and scalars), keyed by every parameter.

Layout: ``<cache dir>/<namespace>/<key>.npz`` (the arrays, written with :func:`numpy.savez_compressed`, read
with ``allow_pickle=False``) and ``<key>.json`` (the namespace, version, parameters, the list of arrays and a
SHA-256 checksum of their contents).  ``key`` is the SHA-256 of the canonical JSON of
``{"namespace", "version", "params"}``, so changing any parameter - or the ``version`` string, which callers
set to the ``CODE_VERSION`` of the module that computes the result - gives a new entry.

The cache directory is ``$LLMFACTS_CACHE_DIR`` when that is set, else ``<repo>/.cache/llmfacts/``.

Writes are atomic: each file goes to a temporary file in the same folder and is moved into place with
:func:`os.replace`, the data first and the JSON (which carries the checksum) last, under an exclusive
``flock`` on ``<key>.lock``; so a reader sees either the old entry, the new one, or no entry - never half a
file.  On reading, anything wrong - missing or unreadable JSON, a key or parameters that do not match,
a truncated or unreadable ``.npz``, missing arrays, a bad checksum - is reported with a
:class:`CacheWarning` and the result is recomputed (and rewritten); a damaged entry is never trusted.

Only plain data goes in: NumPy arrays (numeric or boolean) and scalars (``bool``, ``int``, ``float``,
``str``); scalars come back as Python scalars, arrays as arrays.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np

__all__ = [
    "CACHE_ENV_VAR",
    "CacheWarning",
    "cache_dir",
    "cache_key",
    "entry_paths",
    "cached",
    "load",
    "store",
    "content_checksum",
]

#: Environment variable that overrides the cache location.
CACHE_ENV_VAR = "LLMFACTS_CACHE_DIR"

_FORMAT = 1
_REPO_ROOT = Path(__file__).resolve().parents[2]


class CacheWarning(UserWarning):
    """A cache entry was missing a piece, damaged or did not match its key; it is being recomputed."""


def cache_dir() -> Path:
    """The cache root: ``$LLMFACTS_CACHE_DIR`` if set (and non-empty), else ``<repo>/.cache/llmfacts``."""
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env) if env else _REPO_ROOT / ".cache" / "llmfacts"


def _canonical(value: Any) -> Any:
    """A JSON-ready, order-independent form of a parameter value (floats kept exact via ``repr``)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        # repr round-trips exactly; tag it so that 1 and 1.0 are different keys only if the types differ.
        return {"float": repr(f)} if math.isfinite(f) else {"float": str(f)}
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        return {"array": _canonical(value.tolist()), "dtype": str(value.dtype)}
    raise TypeError(f"cache parameters must be plain data, not {type(value).__name__}")


def cache_key(namespace: str, params: Mapping[str, Any], version: str = "") -> str:
    """SHA-256 (hex) of the canonical JSON of the namespace, version and every parameter."""
    blob = json.dumps({"namespace": namespace, "version": version, "params": _canonical(params)},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def entry_paths(namespace: str, params: Mapping[str, Any], version: str = "",
                root: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """``(npz path, json path)`` of the entry for these parameters."""
    if not namespace or any(c in namespace for c in "/\\") or namespace.startswith("."):
        raise ValueError(f"bad namespace {namespace!r}")
    key = cache_key(namespace, params, version)
    folder = Path(root) if root is not None else cache_dir()
    folder = folder / namespace
    return folder / f"{key}.npz", folder / f"{key}.json"


def _to_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{name!r}: object arrays are not cached (no pickle)")
        return value
    if isinstance(value, (bool, int, float, str, np.generic)):
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"{name!r}: cannot store {type(value).__name__}")
        return arr
    raise TypeError(f"{name!r}: only NumPy arrays and bool/int/float/str scalars are cached, "
                    f"not {type(value).__name__}")


def _from_array(arr: np.ndarray, scalar: bool) -> Any:
    return arr.item() if scalar else arr


def content_checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over every array's name, dtype, shape and bytes (in name order)."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(name.encode() + b"\0" + a.dtype.str.encode() + b"\0" + repr(a.shape).encode() + b"\0")
        h.update(a.tobytes())
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    """Hold an advisory ``flock`` on ``path`` (a no-op where fcntl is unavailable)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write via ``write(file object)`` to a temporary file next to ``path``, fsync it, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache entry is ordinary data
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def store(namespace: str, params: Mapping[str, Any], values: Mapping[str, Any], *, version: str = "",
          root: str | os.PathLike | None = None) -> Path:
    """Write ``values`` (name -> array or scalar) as the entry for ``params``; returns the ``.npz`` path."""
    npz_path, json_path = entry_paths(namespace, params, version, root)
    arrays = {str(k): _to_array(str(k), v) for k, v in values.items()}
    scalars = sorted(k for k, v in values.items() if not isinstance(v, np.ndarray))
    meta = {
        "format": _FORMAT,
        "namespace": namespace,
        "version": version,
        "key": npz_path.stem,
        "params": _canonical(params),
        "arrays": {k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in sorted(arrays.items())},
        "scalars": scalars,
        "sha256": content_checksum(arrays),
    }
    with _locked(npz_path.with_suffix(".lock"), exclusive=True):
        _atomic_write(npz_path, lambda fh: np.savez_compressed(fh, **arrays))
        _atomic_write(json_path, lambda fh: fh.write(json.dumps(meta, indent=1, sort_keys=True).encode()))
    return npz_path


class _Damaged(Exception):
    pass


def _read(npz_path: Path, json_path: Path, namespace: str, params: Mapping[str, Any], version: str
          ) -> dict[str, Any]:
    try:
        meta = json.loads(json_path.read_text())
    except (OSError, ValueError) as exc:
        raise _Damaged(f"unreadable metadata {json_path.name}: {exc}") from None
    if not isinstance(meta, dict):
        raise _Damaged(f"metadata {json_path.name} is not a JSON object")
    expected = {"format": _FORMAT, "namespace": namespace, "version": version, "key": npz_path.stem,
                "params": _canonical(params)}
    for k, v in expected.items():
        if meta.get(k) != v:
            raise _Damaged(f"metadata field {k!r} does not match the requested entry")
    if not npz_path.exists():
        raise _Damaged(f"data file {npz_path.name} is missing")
    try:
        with np.load(npz_path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise _Damaged(f"unreadable data file {npz_path.name}: {type(exc).__name__}: {exc}") from None
    listed = meta.get("arrays", {})
    if not isinstance(listed, dict) or set(listed) != set(arrays):
        raise _Damaged("the data file does not hold the arrays its metadata lists")
    for name, info in listed.items():
        a = arrays[name]
        if info.get("dtype") != a.dtype.str or info.get("shape") != list(a.shape):
            raise _Damaged(f"array {name!r} has the wrong dtype or shape")
    if meta.get("sha256") != content_checksum(arrays):
        raise _Damaged("checksum mismatch")
    scalars = set(meta.get("scalars", []))
    return {name: _from_array(a, name in scalars) for name, a in arrays.items()}


def load(namespace: str, params: Mapping[str, Any], *, version: str = "",
         root: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The stored values for ``params``, or None when there is no entry.

    A damaged or mismatching entry also gives None, after a :class:`CacheWarning` saying what was wrong.
    """
    npz_path, json_path = entry_paths(namespace, params, version, root)
    if not json_path.exists() and not npz_path.exists():
        return None
    with _locked(npz_path.with_suffix(".lock"), exclusive=False):
        if not json_path.exists():
            warnings.warn(f"cache entry {npz_path} has no metadata (interrupted write?); recomputing",
                          CacheWarning, stacklevel=2)
            return None
        try:
            return _read(npz_path, json_path, namespace, params, version)
        except _Damaged as exc:
            warnings.warn(f"cache entry {npz_path} is not usable ({exc}); recomputing", CacheWarning,
                          stacklevel=2)
            return None


def cached(namespace: str, params: Mapping[str, Any], compute: Callable[[], Mapping[str, Any]], *,
           version: str = "", root: str | os.PathLike | None = None, enabled: bool = True) -> dict[str, Any]:
    """``compute()``'s result for ``params``, from disk when a valid entry exists, else computed and stored.

    ``params`` must hold *every* input that changes the result (plain data: numbers, strings, bools, None,
    lists, dicts); ``version`` should be the computing module's ``CODE_VERSION``.  With ``enabled=False``
    the cache is neither read nor written.  The values returned after a computation are read back through
    the same conversion as a cache hit (scalars as Python scalars), so both paths give the same types.
    """
    if not enabled:
        return {k: (v if isinstance(v, np.ndarray) else _to_array(k, v).item()) for k, v in compute().items()}
    hit = load(namespace, params, version=version, root=root)
    if hit is not None:
        return hit
    values = dict(compute())
    store(namespace, params, values, version=version, root=root)
    return {k: (v if isinstance(v, np.ndarray) else _to_array(k, v).item()) for k, v in values.items()}
