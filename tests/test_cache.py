"""The disk cache: round trips, keys, damage detection, atomic writes."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

from llmfacts.compute import cache
from llmfacts.compute.cache import CacheWarning, cache_key, cached, entry_paths, load, store

PARAMS = {"n": 50, "d": 8, "method": "spherical", "steps": 10, "seed": 0, "lr": 0.01,
          "schedule": {"p_start": 18.0, "p_end": 258.0}, "betas": [0.9, 0.999], "chunk": None}


def _values(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {"vectors": rng.standard_normal((5, 3)).astype(np.float32),
            "counts": np.arange(7, dtype=np.int64), "flags": np.array([True, False]),
            "seconds": 1.25, "steps": 10, "method": "spherical", "ok": True}


class Counter:
    def __init__(self, seed: int = 0) -> None:
        self.calls = 0
        self.seed = seed

    def __call__(self) -> dict:
        self.calls += 1
        return _values(self.seed)


def _assert_same(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for k in a:
        if isinstance(a[k], np.ndarray):
            assert isinstance(b[k], np.ndarray) and a[k].dtype == b[k].dtype
            np.testing.assert_array_equal(a[k], b[k])
        else:
            assert type(a[k]) is type(b[k]) and a[k] == b[k], k


def test_round_trip_and_hit(tmp_path):
    f = Counter()
    first = cached("t", PARAMS, f, version="1", root=tmp_path)
    second = cached("t", PARAMS, f, version="1", root=tmp_path)
    assert f.calls == 1
    _assert_same(first, second)
    _assert_same(second, {k: v for k, v in _values().items()})


def test_env_var_sets_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV_VAR, str(tmp_path / "elsewhere"))
    assert cache.cache_dir() == tmp_path / "elsewhere"
    f = Counter()
    cached("t", PARAMS, f, version="1")
    npz, meta = entry_paths("t", PARAMS, "1")
    assert npz.parent == tmp_path / "elsewhere" / "t" and npz.exists() and meta.exists()
    monkeypatch.delenv(cache.CACHE_ENV_VAR)
    assert cache.cache_dir().parts[-2:] == (".cache", "llmfacts")


def _variants():
    for k, v in PARAMS.items():
        if isinstance(v, bool) or v is None:
            yield k, 1
        elif isinstance(v, (int, float)):
            yield k, v + 1
        elif isinstance(v, str):
            yield k, v + "x"
        elif isinstance(v, dict):
            yield k, {**v, "p_end": 259.0}
        elif isinstance(v, list):
            yield k, v[:1] + [0.99]


@pytest.mark.parametrize("name,value", list(_variants()))
def test_key_depends_on_every_parameter(name, value):
    base = cache_key("t", PARAMS, "1")
    assert cache_key("t", {**PARAMS, name: value}, "1") != base
    assert cache_key("t", {k: v for k, v in PARAMS.items() if k != name}, "1") != base


def test_key_depends_on_namespace_version_and_types_not_order():
    base = cache_key("t", PARAMS, "1")
    assert cache_key("u", PARAMS, "1") != base
    assert cache_key("t", PARAMS, "2") != base
    assert cache_key("t", dict(reversed(list(PARAMS.items()))), "1") == base
    assert cache_key("t", {"x": 1}) != cache_key("t", {"x": 1.0})
    assert cache_key("t", {"x": 0.1}) != cache_key("t", {"x": 0.1 + 1e-16 * 2})


def test_different_parameters_do_not_share_entries(tmp_path):
    a, b = Counter(0), Counter(1)
    cached("t", PARAMS, a, version="1", root=tmp_path)
    other = cached("t", {**PARAMS, "seed": 1}, b, version="1", root=tmp_path)
    assert b.calls == 1
    np.testing.assert_array_equal(other["vectors"], _values(1)["vectors"])
    cached("t", PARAMS, a, version="2", root=tmp_path)
    assert a.calls == 2


def _recomputes_with_warning(tmp_path, match: str) -> None:
    f = Counter()
    with pytest.warns(CacheWarning, match=match):
        out = cached("t", PARAMS, f, version="1", root=tmp_path)
    assert f.calls == 1
    _assert_same(out, _values())
    # and the entry was rewritten: the next call is a clean hit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cached("t", PARAMS, f, version="1", root=tmp_path)
    assert f.calls == 1


def test_truncated_data_file_is_recomputed(tmp_path):
    cached("t", PARAMS, Counter(), version="1", root=tmp_path)
    npz, _ = entry_paths("t", PARAMS, "1", tmp_path)
    data = npz.read_bytes()
    npz.write_bytes(data[: len(data) // 2])
    _recomputes_with_warning(tmp_path, "not usable")


def test_corrupted_bytes_are_caught_by_the_checksum(tmp_path):
    # store uncompressed-looking data so that flipping a byte keeps the zip readable
    npz, meta_path = entry_paths("t", PARAMS, "1", tmp_path)
    store("t", PARAMS, _values(), version="1", root=tmp_path)
    arrays = {k: np.asarray(v) for k, v in _values().items()}
    arrays["vectors"] = arrays["vectors"].copy()
    arrays["vectors"][0, 0] += 1.0  # same names, dtypes, shapes; different content
    np.savez(npz, **arrays)
    _recomputes_with_warning(tmp_path, "checksum")


def test_random_garbage_data_file_is_recomputed(tmp_path):
    store("t", PARAMS, _values(), version="1", root=tmp_path)
    npz, _ = entry_paths("t", PARAMS, "1", tmp_path)
    npz.write_bytes(os.urandom(300))
    _recomputes_with_warning(tmp_path, "not usable")


def test_metadata_for_other_parameters_is_rejected(tmp_path):
    store("t", PARAMS, _values(), version="1", root=tmp_path)
    npz, meta_path = entry_paths("t", PARAMS, "1", tmp_path)
    meta = json.loads(meta_path.read_text())
    meta["params"]["seed"] = 5
    meta_path.write_text(json.dumps(meta))
    _recomputes_with_warning(tmp_path, "params")


def test_unreadable_metadata_and_missing_pieces(tmp_path):
    store("t", PARAMS, _values(), version="1", root=tmp_path)
    npz, meta_path = entry_paths("t", PARAMS, "1", tmp_path)
    meta_path.write_text("{not json")
    _recomputes_with_warning(tmp_path, "unreadable metadata")
    npz.unlink()
    _recomputes_with_warning(tmp_path, "missing")
    meta_path.unlink()
    _recomputes_with_warning(tmp_path, "no metadata")


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    store("t", PARAMS, _values(0), version="1", root=tmp_path)
    npz, meta_path = entry_paths("t", PARAMS, "1", tmp_path)
    before = (npz.read_bytes(), meta_path.read_bytes())

    def exploding_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a zip file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", exploding_savez)
    with pytest.raises(OSError, match="disk full"):
        store("t", PARAMS, _values(1), version="1", root=tmp_path)
    # the old entry is intact, no temporary file is left behind, and it still loads
    assert (npz.read_bytes(), meta_path.read_bytes()) == before
    assert sorted(p.name for p in npz.parent.iterdir() if not p.name.endswith(".lock")) == \
        sorted([npz.name, meta_path.name])
    monkeypatch.undo()
    _assert_same(load("t", PARAMS, version="1", root=tmp_path), _values(0))


def test_interrupted_write_of_a_new_entry_is_a_miss(tmp_path, monkeypatch):
    real_replace = os.replace
    calls = []

    def replace_then_die(src, dst):
        calls.append(dst)
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # killed between the data file and the metadata
        return real_replace(src, dst)

    monkeypatch.setattr(cache.os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        store("t", PARAMS, _values(), version="1", root=tmp_path)
    monkeypatch.undo()
    npz, meta_path = entry_paths("t", PARAMS, "1", tmp_path)
    assert npz.exists() and not meta_path.exists()
    assert not [p for p in npz.parent.iterdir() if p.name.endswith(".tmp")]
    _recomputes_with_warning(tmp_path, "no metadata")


def test_rejects_what_it_cannot_store_without_pickle(tmp_path):
    with pytest.raises(TypeError):
        store("t", PARAMS, {"x": np.array([object()], dtype=object)}, root=tmp_path)
    with pytest.raises(TypeError):
        store("t", PARAMS, {"x": [1, 2, 3]}, root=tmp_path)
    with pytest.raises(TypeError):
        cache_key("t", {"x": object()})
    with pytest.raises(ValueError):
        entry_paths("../evil", PARAMS)


def test_disabled_cache_always_computes_and_writes_nothing(tmp_path):
    f = Counter()
    cached("t", PARAMS, f, version="1", root=tmp_path, enabled=False)
    cached("t", PARAMS, f, version="1", root=tmp_path, enabled=False)
    assert f.calls == 2
    assert not any(tmp_path.iterdir())
