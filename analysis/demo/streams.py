"""Named random streams derived from one seed.

Each part of the generator draws from its own stream, ``default_rng([seed, crc32(name), ...])``,
so adding a draw in one part never shifts the numbers of another, and the same seed always
gives the same files. ``balanced_uniforms`` gives uniform draws stratified against a covariate,
used where a planted effect must not be blurred by chance imbalance.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str, *extra: int) -> np.random.Generator:
    """A generator for the part ``name`` (and optional chunk numbers) of a run with ``seed``."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    key = [int(seed), zlib.crc32(name.encode("utf-8")), *(int(e) for e in extra)]
    return np.random.default_rng(key)


BALANCE_BLOCK = 20


def balanced_uniforms(key: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform(0, 1) draws balanced against ``key``.

    Rows sorted by ``key`` (ties in random order) are cut into blocks of ``BALANCE_BLOCK``;
    within a block the draws fall one in each equal stratum of (0, 1), in random order. Each
    draw is still Uniform(0, 1), but chance correlation between the draws and the key (which
    would blur the planted effect of the key) is largely removed.
    """
    n = len(key)
    order = np.lexsort((rng.random(n), key))
    block = np.arange(n) // BALANCE_BLOCK
    size = np.bincount(block)[block]
    start = block * BALANCE_BLOCK
    shuffle = np.lexsort((rng.random(n), block))
    rank = np.empty(n, dtype=np.int64)
    rank[shuffle] = np.arange(n) - start[shuffle]
    u = np.empty(n)
    u[order] = (rank + rng.random(n)) / size
    return u
