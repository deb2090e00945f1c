"""Packed activation patterns: each hidden layer starts a new 64-bit little-endian word; unit ``i`` of a
layer is bit ``i % 64`` of the layer's word ``i // 64`` (the core's layout)."""

from __future__ import annotations

import numpy as np

#: rows unpacked at a time (a row of a wide network unpacks to one byte per unit)
_CHUNK = 4096


def unpack_words(words: np.ndarray, widths: tuple[int, ...] | list[int]) -> np.ndarray:
    """Bool patterns ``(R, sum(widths))`` from packed words ``(R, words)`` (uint64, the core's layout)."""
    words = np.ascontiguousarray(words, dtype="<u8")
    n = words.shape[0]
    out = np.zeros((n, int(sum(widths))), dtype=bool)
    if n == 0 or out.shape[1] == 0:
        return out
    for r0 in range(0, n, _CHUNK):
        bits = np.unpackbits(words[r0 : r0 + _CHUNK].view(np.uint8), axis=1, bitorder="little")
        col = w0 = 0
        for width in widths:
            out[r0 : r0 + _CHUNK, col : col + width] = bits[:, 64 * w0 : 64 * w0 + width]
            col += width
            w0 += (width + 63) // 64
    return out
