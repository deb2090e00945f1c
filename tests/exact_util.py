"""Exact arithmetic for the tests, in Python's fractions.Fraction, independent of the C++ core."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np


def _patterns_at(net, points) -> np.ndarray:
    """Exact patterns at points given as lists of Fractions: bit = pre-activation > 0."""
    Ws = [[[Fraction(float(w)) for w in row] for row in W] for W in net.weights]
    bs = [[Fraction(float(v)) for v in b] for b in net.biases]
    slopes = [Fraction(float(s)) for s in net.negative_slopes]
    out = []
    for h in points:
        bits = []
        for l in range(len(Ws) - 1):
            z = [sum((w * v for w, v in zip(row, h) if w and v), bi) for row, bi in zip(Ws[l], bs[l])]
            bits.extend(zi > 0 for zi in z)
            h = [zi if zi > 0 else zi * slopes[l] for zi in z]
        out.append(bits)
    return np.array(out, dtype=bool).reshape(-1, sum(len(b) for b in bs[:-1]))


def exact_patterns(net, X) -> np.ndarray:
    """Activation patterns of float points X (rows), evaluated exactly: bit = pre-activation > 0."""
    return _patterns_at(net, ([Fraction(float(v)) for v in x] for x in np.atleast_2d(np.asarray(X, dtype=np.float64))))


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


def linear_count_1d(net, a, b) -> int:
    """Maximal linear regions on the segment a + t (b - a), exactly: the pieces of the exact sweep, with
    neighbours merged when the network's output maps (exact affine functions of t) are equal."""
    a = [Fraction(float(v)) for v in np.atleast_1d(a)]
    d = [Fraction(float(v)) - av for v, av in zip(np.atleast_1d(b), a)]
    Ws = [[[Fraction(float(w)) for w in row] for row in W] for W in net.weights]
    bs = [[Fraction(float(v)) for v in bb] for bb in net.biases]
    slopes = [Fraction(float(s)) for s in net.negative_slopes]
    pieces = [(Fraction(0), Fraction(1), [(dv, av) for dv, av in zip(d, a)])]

    def affine(h, W, bias):
        return [
            (
                sum((w * s for w, (s, _) in zip(row, h) if w), Fraction(0)),
                sum((w * o for w, (_, o) in zip(row, h) if w), bi),
            )
            for row, bi in zip(W, bias)
        ]

    for l in range(len(Ws) - 1):
        nxt = []
        for t0, t1, h in pieces:
            z = affine(h, Ws[l], bs[l])
            roots = sorted({-q / p for p, q in z if p != 0 and t0 < -q / p < t1})
            cuts = [t0, *roots, t1]
            for u0, u1 in zip(cuts[:-1], cuts[1:]):
                mid = (u0 + u1) / 2
                nxt.append((u0, u1, [(p, q) if p * mid + q > 0 else (p * slopes[l], q * slopes[l]) for p, q in z]))
        pieces = nxt
    maps = [affine(h, Ws[-1], bs[-1]) for _, _, h in pieces]
    return 1 + sum(m1 != m2 for m1, m2 in zip(maps[:-1], maps[1:]))


def exact_domain_patterns(net, domain, coords) -> np.ndarray:
    """Exact patterns at the exact points x0 + B s of domain coordinates s (rows of `coords`): the
    points a region's certified witness stands for on a segment or plane (for a Box, x = s)."""
    x0, B, _, _ = domain.parametrization()
    X0 = [Fraction(float(v)) for v in x0]
    BB = [[Fraction(float(v)) for v in row] for row in np.atleast_2d(B)]

    def point(s):
        sf = [Fraction(float(v)) for v in s]
        return [x + sum((r * v for r, v in zip(row, sf) if r), Fraction(0)) for x, row in zip(X0, BB)]

    return _patterns_at(net, (point(s) for s in np.atleast_2d(np.asarray(coords, dtype=np.float64))))


def _fr(v):
    return Fraction(float(v))


def exact_regions(net, domain):
    """Patterns (sorted, bool (R, hidden)) of the regions of `net` on a 1-D or 2-D domain, by exact
    polytope splitting in fractions: every layer's pre-activations are affine in the domain coordinates
    on each piece, and pieces (intervals or convex polygons, as vertex lists) are cut at their zero sets.
    A unit identically zero on a piece is off; only pieces of positive length / area are kept."""
    x0, B, lo, hi = domain.parametrization()
    k = len(lo)
    X0 = [_fr(v) for v in x0]
    BB = [[_fr(v) for v in row] for row in np.atleast_2d(B)]
    # the input as affine functions of s: x_j = sum_k BB[j][k] s_k + X0[j]
    inputs = [(list(BB[j]), X0[j]) for j in range(len(X0))]
    L, H = [_fr(v) for v in lo], [_fr(v) for v in hi]
    if k == 1:
        start = [(L[0],), (H[0],)]
    else:
        start = [(L[0], L[1]), (H[0], L[1]), (H[0], H[1]), (L[0], H[1])]
    return _exact_pieces(net, start, inputs, k, lambda v: v, lambda verts, val, side, a, split: _clip(verts, val, side))


def _unit_map(row, bias, h, k):
    """A unit's pre-activation as an affine map (coefficients, constant) of the k coordinates, given its
    inputs h as such maps."""
    a = [sum((w * hj[0][q] for w, hj in zip(row, h) if w), Fraction(0)) for q in range(k)]
    return a, sum((w * hj[1] for w, hj in zip(row, h) if w), bias)


def _exact_pieces(net, start, inputs, k, point, cut):
    """Sorted patterns of the full-dimensional pieces of `start` (a vertex list; `point(v)` the
    coordinates of a vertex) cut by every unit in turn: `cut(verts, values, side, a, split)` is the part
    where side * value >= 0 (a: the unit's coefficients; split: a number per cut). A unit identically zero
    on a piece is off; the inputs are affine maps (coefficients, constant) of the k coordinates."""
    Ws = [[[_fr(w) for w in row] for row in W] for W in net.weights]
    bs = [[_fr(v) for v in b] for b in net.biases]
    slopes = [_fr(s) for s in net.negative_slopes]
    pieces = [(start, inputs, [])]
    split = 0
    for l in range(len(Ws) - 1):
        for i in range(len(Ws[l])):
            nxt = []
            for verts, h, bits in pieces:
                a, c = _unit_map(Ws[l][i], bs[l][i], h, k)
                val = [sum(aq * vq for aq, vq in zip(a, point(v))) + c for v in verts]
                if max(val) > 0 and min(val) < 0:
                    for side in (1, -1):
                        nxt.append((cut(verts, val, side, a, split), h, bits + [side > 0]))
                    split += 1
                else:
                    nxt.append((verts, h, bits + [max(val) > 0]))
            pieces = nxt
        # the next layer's inputs on each piece
        new = []
        for verts, h, bits in pieces:
            w0 = len(bits) - len(Ws[l])
            g = []
            for i in range(len(Ws[l])):
                a, c = _unit_map(Ws[l][i], bs[l][i], h, k)
                f = Fraction(1) if bits[w0 + i] else slopes[l]
                g.append(([f * aq for aq in a], f * c))
            new.append((verts, g, bits))
        pieces = new
    P = np.array([bits for _, _, bits in pieces], dtype=bool).reshape(len(pieces), -1)
    order = np.lexsort(P.T[::-1]) if P.shape[1] else np.arange(len(P))
    return P[order]


def _clip(verts, val, side):
    """The part of a convex polygon (vertex list; 2 end points for an interval) where side * value >= 0."""
    if len(verts) == 2:  # an interval: cut at the root
        (t0,), (t1,) = verts
        r = t0 + (t1 - t0) * val[0] / (val[0] - val[1])
        keep0 = side * val[0] > 0
        return [(t0,), (r,)] if keep0 else [(r,), (t1,)]
    out = []
    n = len(verts)
    for q in range(n):
        p, pn = verts[q], verts[(q + 1) % n]
        vp, vn = side * val[q], side * val[(q + 1) % n]
        if vp >= 0:
            out.append(p)
        if (vp > 0 and vn < 0) or (vp < 0 and vn > 0):
            t = vp / (vp - vn)
            out.append(tuple(a + t * (b - a) for a, b in zip(p, pn)))
    return out


def exact_output_map(net, pattern, domain):
    """The network's output map on the region of `pattern`, as affine functions of the domain
    coordinates s (tuples of Fractions per output: coefficients, then the constant), exactly."""
    x0, B, _, _ = domain.parametrization()
    X0 = [Fraction(float(v)) for v in x0]
    BB = [[Fraction(float(v)) for v in row] for row in np.atleast_2d(B)]
    k = len(BB[0])
    h = [(list(row), x) for row, x in zip(BB, X0)]
    start = 0
    Ws = [[[Fraction(float(w)) for w in row] for row in W] for W in net.weights]
    bs = [[Fraction(float(v)) for v in b] for b in net.biases]
    slopes = [Fraction(float(s)) for s in net.negative_slopes]
    for l in range(len(Ws)):
        z = [
            (
                [sum((w * hj[0][q] for w, hj in zip(row, h) if w), Fraction(0)) for q in range(k)],
                sum((w * hj[1] for w, hj in zip(row, h) if w), bi),
            )
            for row, bi in zip(Ws[l], bs[l])
        ]
        if l == len(Ws) - 1:
            return [tuple(a) + (c,) for a, c in z]
        f = [Fraction(1) if pattern[start + i] else slopes[l] for i in range(len(z))]
        start += len(z)
        h = [([fi * a for a in ai], fi * ci) for fi, (ai, ci) in zip(f, z)]


def _rank(vectors) -> int:
    """Rank of a list of vectors of Fractions (Gaussian elimination)."""
    rows = [list(v) for v in vectors]
    rank, cols = 0, len(rows[0]) if rows else 0
    for c in range(cols):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(rank + 1, len(rows)):
            if rows[r][c] != 0:
                f = rows[r][c] / rows[rank][c]
                rows[r] = [x - f * y for x, y in zip(rows[r], rows[rank])]
        rank += 1
    return rank


def _clip_dd(verts, normals, val, side, new_id, d):
    """Double-description clipping of a full-dimensional polytope in R^d, given as its vertices with the
    ids of the constraints tight at each, by {side * value >= 0}: vertices on the kept side, and the
    points where edges (vertex pairs whose common tight constraints have rank d - 1) cross the plane."""
    out = [(p, tight | {new_id} if val[q] == 0 else tight) for q, (p, tight) in enumerate(verts) if side * val[q] >= 0]
    for (q, (p, tp)), (r, (w, tw)) in combinations(enumerate(verts), 2):
        if side * val[q] > 0 > side * val[r] or side * val[r] > 0 > side * val[q]:
            common = tp & tw
            if len(common) >= d - 1 and _rank([normals[i] for i in common]) == d - 1:
                t = val[q] / (val[q] - val[r])
                out.append((tuple(a + t * (b - a) for a, b in zip(p, w)), common | {new_id}))
    return out


def exact_regions_box(net, lo, hi):
    """Patterns (sorted, bool (R, hidden)) of the regions of `net` on the box [lo, hi] of R^d (input space,
    any small d), by exact polytope splitting in fractions (double description: vertices with their tight
    constraints). The same conventions as `exact_regions`: a unit identically zero on a piece is off;
    only pieces of positive volume are kept. Independent of the core and of the float reference."""
    L, H = [_fr(v) for v in lo], [_fr(v) for v in hi]
    d = len(L)
    normals = {}
    for j in range(d):
        e = [Fraction(0)] * d
        e[j] = Fraction(1)
        normals[-1 - j] = normals[-1 - d - j] = e
    verts = []
    for corner in range(2**d):
        p = tuple(H[j] if corner >> j & 1 else L[j] for j in range(d))
        verts.append((p, frozenset(-1 - d - j if corner >> j & 1 else -1 - j for j in range(d))))
    ident = [([Fraction(int(q == j)) for q in range(d)], Fraction(0)) for j in range(d)]

    def cut(verts, val, side, a, split):
        normals[split] = a
        return _clip_dd(verts, normals, val, side, split, d)

    return _exact_pieces(net, verts, ident, d, lambda v: v[0], cut)
