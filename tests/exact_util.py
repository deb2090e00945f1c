"""Exact arithmetic for the tests, in Python's fractions.Fraction, independent of the C++ core."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np


def exact_patterns(net, X) -> np.ndarray:
    """Activation patterns of float points X (rows), evaluated exactly: bit = pre-activation > 0."""
    Ws = [[[Fraction(float(w)) for w in row] for row in W] for W in net.weights]
    bs = [[Fraction(float(v)) for v in b] for b in net.biases]
    slopes = [Fraction(float(s)) for s in net.negative_slopes]
    out = []
    for x in np.atleast_2d(np.asarray(X, dtype=np.float64)):
        h = [Fraction(float(v)) for v in x]
        bits = []
        for l in range(len(Ws) - 1):
            z = [sum((w * v for w, v in zip(row, h) if w and v), bi) for row, bi in zip(Ws[l], bs[l])]
            bits.extend(zi > 0 for zi in z)
            h = [zi if zi > 0 else zi * slopes[l] for zi in z]
        out.append(bits)
    return np.array(out, dtype=bool).reshape(-1, sum(len(b) for b in bs[:-1]))


def arrangement_count_2d(W, b, lo, hi) -> int:
    """Cells of the lines W[i] . x + b[i] = 0 in the open box (lo, hi) of R^2, exactly: 1 + the lines that
    cross the open box + sum over the points strictly inside of (lines through the point - 1)."""
    lines = set()
    for (w0, w1), c in zip(np.asarray(W, float), np.asarray(b, float)):
        w0, w1, c = Fraction(float(w0)), Fraction(float(w1)), Fraction(float(c))
        if w0 == 0 and w1 == 0:
            continue
        s = w0 if w0 != 0 else w1  # normalize so coincident lines compare equal
        lines.add((w0 / s, w1 / s, c / s))
    lo = [Fraction(float(v)) for v in lo]
    hi = [Fraction(float(v)) for v in hi]
    corners = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]
    crossing = []
    for a0, a1, c in lines:
        vals = [a0 * x + a1 * y + c for x, y in corners]
        if min(vals) < 0 < max(vals):
            crossing.append((a0, a1, c))
    points: dict[tuple[Fraction, Fraction], set[int]] = {}
    for (i, (a0, a1, c)), (j, (p0, p1, q)) in combinations(enumerate(crossing), 2):
        det = a0 * p1 - p0 * a1
        if det == 0:
            continue
        x = (a1 * q - p1 * c) / det
        y = (p0 * c - a0 * q) / det
        if lo[0] < x < hi[0] and lo[1] < y < hi[1]:
            points.setdefault((x, y), set()).update((i, j))
    return 1 + len(crossing) + sum(len(s) - 1 for s in points.values())


def count_1d(net, a, b) -> int:
    """Regions of `net` on the segment a + t (b - a), t in [0, 1], by an exact sweep in fractions: every
    layer's pre-activations are affine in t on each piece; pieces split at their roots."""
    a = [Fraction(float(v)) for v in np.atleast_1d(a)]
    d = [Fraction(float(v)) - av for v, av in zip(np.atleast_1d(b), a)]
    Ws = [[[Fraction(float(w)) for w in row] for row in W] for W in net.weights]
    bs = [[Fraction(float(v)) for v in bb] for bb in net.biases]
    slopes = [Fraction(float(s)) for s in net.negative_slopes]
    # a piece: (t0, t1, values as (slope, offset) pairs)
    pieces = [(Fraction(0), Fraction(1), [(dv, av) for dv, av in zip(d, a)])]
    for l in range(len(Ws) - 1):
        nxt = []
        for t0, t1, h in pieces:
            z = []
            for row, bi in zip(Ws[l], bs[l]):
                p = sum((w * s for w, (s, _) in zip(row, h) if w), Fraction(0))
                q = sum((w * o for w, (_, o) in zip(row, h) if w), bi)
                z.append((p, q))
            roots = sorted({-q / p for p, q in z if p != 0 and t0 < -q / p < t1})
            cuts = [t0, *roots, t1]
            for u0, u1 in zip(cuts[:-1], cuts[1:]):
                mid = (u0 + u1) / 2
                g = [(p, q) if p * mid + q > 0 else (p * slopes[l], q * slopes[l]) for p, q in z]
                nxt.append((u0, u1, g))
        pieces = nxt
    return len(pieces)
