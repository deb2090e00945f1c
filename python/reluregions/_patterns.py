"""Packed activation patterns: each hidden layer starts a new 64-bit little-endian word; unit ``i`` of a
layer is bit ``i % 64`` of the layer's word ``i // 64`` (the core's layout)."""

from __future__ import annotations

import numpy as np

#: rows unpacked at a time (a row of a wide network unpacks to one byte per unit)
_CHUNK = 4096


def unpack_words(
    words: np.ndarray, widths: tuple[int, ...] | list[int], columns: np.ndarray | None = None
) -> np.ndarray:
    """Bool patterns ``(R, sum(widths))`` from packed words ``(R, words)`` (uint64, the core's layout);
    with `columns`, only those units (flat indices), in that order: ``(R, len(columns))``."""
    words = np.ascontiguousarray(words, dtype="<u8")
    n = words.shape[0]
    total = int(sum(widths))
    out = np.zeros((n, total if columns is None else len(columns)), dtype=bool)
    if n == 0 or out.shape[1] == 0:
        return out
    full = np.zeros((min(n, _CHUNK), total), dtype=bool)
    for r0 in range(0, n, _CHUNK):
        bits = np.unpackbits(words[r0 : r0 + _CHUNK].view(np.uint8), axis=1, bitorder="little")
        rows = bits.shape[0]
        col = w0 = 0
        for width in widths:
            full[:rows, col : col + width] = bits[:, 64 * w0 : 64 * w0 + width]
            col += width
            w0 += (width + 63) // 64
        out[r0 : r0 + rows] = full[:rows] if columns is None else full[:rows, columns]
    return out
