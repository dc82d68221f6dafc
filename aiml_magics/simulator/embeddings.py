"""Deterministic embedding vectors: texts that share words and letter groups are near.

Each lower-cased word and each character trigram (with word boundaries) is hashed to one
coordinate and a sign; the counts are summed and the vector normalised to length 1. Equal
texts give equal vectors, and cosine similarity grows with shared vocabulary, which is what
tests of nearest neighbours need from a stand-in.
"""

from __future__ import annotations

import hashlib
import math
import re

WORD = re.compile(r"\w+", re.UNICODE)


def features(text: str) -> list[str]:
    words = WORD.findall(text.lower())
    grams = []
    for word in words:
        padded = f"#{word}#"
        grams += [padded[i : i + 3] for i in range(max(1, len(padded) - 2))]
    return [f"w:{w}" for w in words] * 2 + [f"g:{g}" for g in grams]


def vector(text: str, dimensions: int) -> list[float]:
    """A unit vector of `dimensions` floats (the zero vector's stand-in for empty text)."""
    values = [0.0] * dimensions
    for feature in features(text) or ["empty"]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dimensions
        values[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 7) for v in values]


def tokens(text: str) -> int:
    """A token count as the service would report it (about 4 characters a token)."""
    return max(1, -(-len(text) // 4))
