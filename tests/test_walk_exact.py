"""The walk decides exactly (issue 8): thin regions, degenerate arrangements and extreme scales.

Every truth here is computed in ``fractions.Fraction`` from the float weights (the exact rationals they
denote), independently of the C++ code.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import reluregions as rr

SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])


# ------------------------------------------------------------------------------------------ helpers
def exact_pattern(net_weights: list[tuple[np.ndarray, np.ndarray]], slopes: list[float], x: np.ndarray) -> list[bool]:
    """The activation pattern at the float point x, in exact rational arithmetic (bit: z > 0)."""
    h = [Fraction(float(v)) for v in x]
    bits: list[bool] = []
    for l, (W, b) in enumerate(net_weights[:-1]):
        s = Fraction(float(slopes[l])) if slopes else Fraction(0)
        z = []
        for i in range(W.shape[0]):
            acc = Fraction(float(b[i]))
            for j, w in enumerate(W[i]):
                if w != 0 and h[j] != 0:
                    acc += Fraction(float(w)) * h[j]
            bits.append(acc > 0)
            z.append(acc if acc > 0 else s * acc)
        h = z
    return bits


def check_witnesses(
    net: rr.Network, Ws: list[np.ndarray], bs: list[np.ndarray], res, slopes=None, limit: int = 400
) -> None:
    pats = res.patterns
    wit = res.witnesses
    assert not res.thin.any()
    layers = list(zip(Ws, bs))
    sl = slopes if slopes is not None else [0.0] * (len(Ws) - 1)
    idx = np.arange(res.count)
    if res.count > limit:
        idx = np.random.default_rng(0).choice(res.count, limit, replace=False)
    for r in idx:
        assert exact_pattern(layers, sl, wit[r]) == list(pats[r]), f"witness {r} is not strictly inside its region"


def one_layer(W0: np.ndarray, b0: np.ndarray) -> rr.Network:
    n = W0.shape[0]
    return rr.Network([W0, np.ones((1, n))], [b0, np.zeros(1)])


def lines_truth(W0: np.ndarray, b0: np.ndarray, lo: float = -1.0, hi: float = 1.0) -> int:
    """Regions of the arrangement of the lines W0[i] . x + b0[i] = 0 in the open square (lo, hi)^2:
    1 + (lines crossing it) + sum over interior vertices p of (lines through p - 1). Lines must be
    pairwise distinct (no two coincide)."""
    F = [(Fraction(float(a)), Fraction(float(b)), Fraction(float(c))) for (a, b), c in zip(W0, b0)]
    L, H = Fraction(lo), Fraction(hi)
    corners = [(x, y) for x in (L, H) for y in (L, H)]
    crossing = [
        i
        for i, (a, b, c) in enumerate(F)
        if (a != 0 or b != 0)
        and min(a * x + b * y + c for x, y in corners) < 0 < max(a * x + b * y + c for x, y in corners)
    ]
    points: dict[tuple[Fraction, Fraction], set[int]] = {}
    for i, j in itertools.combinations(crossing, 2):
        a1, b1, c1 = F[i]
        a2, b2, c2 = F[j]
        det = a1 * b2 - a2 * b1
        if det == 0:
            continue
        x = (b1 * c2 - b2 * c1) / det
        y = (a2 * c1 - a1 * c2) / det
        if L < x < H and L < y < H:
            points.setdefault((x, y), set()).update((i, j))
    return 1 + len(crossing) + sum(len(s) - 1 for s in points.values())


def random_lines(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.uniform(-1.0, 1.0, size=n)


# ---------------------------------------------------------------------------- line arrangements
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_lines_closed_form(seed: int) -> None:
    W0, b0 = random_lines(100, seed)
    net = one_layer(W0, b0)
    truth = lines_truth(W0, b0)
    c = rr.count(net, SQUARE, engine="walk")
    assert int(c) == truth
    assert "exact_decisions" in c.stats
    res = rr.regions(net, SQUARE, engine="walk")
    assert res.count == truth
    check_witnesses(net, [W0, np.ones((1, 100))], [b0, np.zeros(1)], res, limit=300)


@pytest.mark.slow
@pytest.mark.parametrize("n,seed", [(400, 0), (400, 1)])  # n = 1000: benchmarks/bench_walk_exact.py
def test_random_lines_closed_form_large(n: int, seed: int) -> None:
    W0, b0 = random_lines(n, seed)
    assert int(rr.count(one_layer(W0, b0), SQUARE, engine="walk")) == lines_truth(W0, b0)


@pytest.mark.parametrize("gap", [1e-9, 1e-12, 1e-15])
def test_parallel_lines(gap: float) -> None:
    W0 = np.array([[1.0, 0.0], [1.0, 0.0]])
    b0 = np.array([-0.3, -(0.3 + gap)])
    assert b0[0] != b0[1]
    net = one_layer(W0, b0)
    assert lines_truth(W0, b0) == 3
    assert int(rr.count(net, SQUARE, engine="walk")) == 3
    res = rr.regions(net, SQUARE, engine="walk")
    assert res.count == 3
    # The middle region is gap wide: it holds float64 points, and its witness is one of them.
    check_witnesses(net, [W0, np.ones((1, 2))], [b0, np.zeros(1)], res)


@pytest.mark.parametrize("gap", [1e-9, 1e-12, 1e-15])
def test_lines_crossing_at_tiny_angle(gap: float) -> None:
    W0 = np.array([[0.0, 1.0], [-gap, 1.0]])
    b0 = np.array([0.0, 0.0])
    net = one_layer(W0, b0)
    assert lines_truth(W0, b0) == 4
    assert int(rr.count(net, SQUARE, engine="walk")) == 4
    res = rr.regions(net, SQUARE, engine="walk")
    check_witnesses(net, [W0, np.ones((1, 2))], [b0, np.zeros(1)], res)


def test_three_lines_through_a_point_perturbed() -> None:
    p = np.array([0.1, 0.2])
    ang = np.array([0.3, 1.4, 2.5])
    W0 = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    b0 = -(W0 @ p)
    b0[2] += 1e-13
    net = one_layer(W0, b0)
    truth = lines_truth(W0, b0)
    assert truth in (6, 7)
    assert int(rr.count(net, SQUARE, engine="walk")) == truth
    # Exactly concurrent (rationally): 6 regions. Lines through the origin are concurrent exactly.
    W1 = W0.copy()
    z = np.zeros(3)
    assert lines_truth(W1, z) == 6
    assert int(rr.count(one_layer(W1, z), SQUARE, engine="walk")) == 6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lines_concurrent_at_points_no_float_holds(seed: int) -> None:
    # Integer lines 15 (a x + b y) = 5 a i + 3 b j through (i / 3, j / 5): exactly concurrent at vertices
    # no float64 holds, so float values there are roundings of 0 with either sign (only exact decisions
    # and exactly certified points keep spurious splits and bad witnesses out).
    rng = np.random.default_rng(seed)
    points = [(int(rng.integers(-2, 3)), int(rng.integers(-4, 5))) for _ in range(3)]
    rows: dict[tuple[int, int, int], None] = {}
    while len(rows) < 12:
        i, j = points[int(rng.integers(len(points)))]
        a, b = (int(v) for v in rng.integers(-3, 4, size=2))
        if (a, b) == (0, 0):
            continue
        row = (15 * a, 15 * b, -(5 * a * i + 3 * b * j))
        g = math.gcd(*row) * (1 if a > 0 or (a == 0 and b > 0) else -1)
        rows[tuple(v // g for v in row)] = None  # one row per line: no line twice
    W0 = np.array([r[:2] for r in rows], dtype=float)
    b0 = np.array([r[2] for r in rows], dtype=float)
    truth = lines_truth(W0, b0)
    net = one_layer(W0, b0)
    assert int(rr.count(net, SQUARE, engine="walk")) == truth
    res = rr.regions(net, SQUARE, engine="walk")
    assert res.count == truth
    check_witnesses(net, [W0, np.ones((1, len(b0)))], [b0, np.zeros(1)], res)


def test_a_region_too_thin_for_a_float_is_counted_and_flagged() -> None:
    # x = 0.5 and x = 0.5 + 2^-53, the next float: the strip between them holds no float64 point, so no
    # witness of it can be certified (and none may be claimed)
    W0 = np.array([[1.0, 0.0], [4.0, 0.0]])
    b0 = np.array([-0.5, -(2.0 + 2.0**-51)])
    assert -b0[1] / 4 == np.nextafter(0.5, 1.0)
    net = one_layer(W0, b0)
    for box in (SQUARE, rr.Box([-1.0, -1.0, -1.0], [1.0, 1.0, 1.0])):
        lifted = one_layer(np.hstack([W0, np.zeros((2, box.dim - 2))]), b0)
        res = rr.regions(lifted, box, engine="walk")
        assert res.count == lines_truth(W0, b0) == 3
        assert res.thin.sum() == 1
        ok = ~res.thin
        for r in np.flatnonzero(ok):
            assert exact_pattern([(W0, b0), (np.ones((1, 2)), np.zeros(1))], [0.0], res.witnesses[r][:2]) == list(
                res.patterns[r]
            )
    assert int(rr.count(net, SQUARE, engine="walk")) == 3


def test_a_line_touching_a_region_at_a_vertex_is_no_facet() -> None:
    # Lines x + y = 0, x = 0, y = 0 (in that order): six sectors. x + y = 0 splits the square first, so
    # it is a split row of every sector, but the two sectors of the quadrants x, y > 0 and x, y < 0
    # only touch it at the origin (an exact LP optimum t* = 0): each sector's facets are the two lines
    # along its boundary rays, and the square's sides.
    W0 = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    net = one_layer(W0, np.zeros(3))
    res = rr.regions(net, SQUARE, engine="walk", facets=True)
    assert res.count == 6
    line_of_ray = {0: 2, 90: 1, 135: 0, 180: 2, 270: 1, 315: 0}  # ray angle (degrees) -> unit
    rays = sorted(line_of_ray)
    for r in range(res.count):
        w = res.witnesses[r]
        angle = float(np.degrees(np.arctan2(w[1], w[0]))) % 360
        k = int(np.searchsorted(rays, angle))
        lo, hi = rays[k - 1], rays[k % len(rays)]
        _, _, units = res.facets(r)
        assert sorted(int(u) for u in units if u >= 0) == sorted({line_of_ray[lo], line_of_ray[hi]}), r


def test_ten_lines_near_the_origin() -> None:
    rng = np.random.default_rng(7)
    W0 = rng.normal(size=(10, 2))
    b0 = rng.normal(size=10) * 1e-12
    truth = lines_truth(W0, b0)
    assert truth == 56  # all 45 crossings are inside the square
    net = one_layer(W0, b0)
    assert int(rr.count(net, SQUARE, engine="walk")) == 56
    res = rr.regions(net, SQUARE, engine="walk")
    assert res.count == 56
    check_witnesses(net, [W0, np.ones((1, 10))], [b0, np.zeros(1)], res)


def test_planes_in_a_cube_zaslavsky() -> None:
    rng = np.random.default_rng(3)
    n = 12
    W0 = rng.normal(size=(n, 3))
    b0 = rng.normal(size=n) * 1e-3
    # Every triple point strictly inside the cube (checked in rationals): then the count in the cube is
    # the count in R^3 of planes in general position, sum_{k <= 3} C(n, k).
    F = [[Fraction(float(v)) for v in row] for row in W0]
    c = [Fraction(float(v)) for v in b0]
    for i, j, k in itertools.combinations(range(n), 3):
        M = [F[i], F[j], F[k]]
        rhs = [-c[i], -c[j], -c[k]]
        det = (
            M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1])
            - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0])
            + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])
        )
        assert det != 0
        for col in range(3):
            Mc = [row[:] for row in M]
            for r in range(3):
                Mc[r][col] = rhs[r]
            dc = (
                Mc[0][0] * (Mc[1][1] * Mc[2][2] - Mc[1][2] * Mc[2][1])
                - Mc[0][1] * (Mc[1][0] * Mc[2][2] - Mc[1][2] * Mc[2][0])
                + Mc[0][2] * (Mc[1][0] * Mc[2][1] - Mc[1][1] * Mc[2][0])
            )
            assert -1 < dc / det < 1
    truth = 1 + n + n * (n - 1) // 2 + n * (n - 1) * (n - 2) // 6
    net = one_layer(W0, b0)
    cube = rr.Box(-np.ones(3), np.ones(3))
    assert int(rr.count(net, cube)) == truth
    assert int(rr.count(net, rr.Space())) == truth
    res = rr.regions(net, cube)
    check_witnesses(net, [W0, np.ones((1, n))], [b0, np.zeros(1)], res)


# --------------------------------------------------------------------------------------- scales
def random_net(seed: int, dims: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
    bs = [rng.normal(size=dims[i + 1]) * 0.5 for i in range(len(dims) - 1)]
    return Ws, bs


def domains(d: int, s: float = 1.0) -> dict[str, rr.Domain]:
    A = np.vstack([np.eye(d), -np.eye(d), np.ones((1, d))])
    b = np.concatenate([np.ones(d), np.ones(d), [0.5 * d]]) * s
    return {"box": rr.Box(-s * np.ones(d), s * np.ones(d)), "polytope": rr.Polytope(A, b), "space": rr.Space(d)}


DIMS = [3, 6, 6, 1]
SCALES_FAST = [-150, -70, 0, 90, 150]
SCALES_ALL = list(range(-150, 151, 10))


def _scaled_counts(k: int, kind: str) -> dict[str, int]:
    Ws, bs = random_net(11, DIMS)
    s = 10.0**k
    Ws, bs = [W.copy() for W in Ws], [b.copy() for b in bs]
    doms = domains(DIMS[0])
    if kind == "preactivation":  # every pre-activation times 10^k: the first layer's weights and every bias
        Ws[0] *= s
        bs = [b * s for b in bs]
    elif kind == "unit":  # one unit of each hidden layer: incoming x 10^k, outgoing x 10^-k
        for l in range(len(Ws) - 1):
            Ws[l][0] *= s
            bs[l][0] *= s
            Ws[l + 1][:, 0] /= s
    elif kind == "domain":  # domain x 10^k, first layer's weights / 10^k
        Ws[0] /= s
        doms = domains(DIMS[0], s)
    net = rr.Network(Ws, bs)
    return {name: int(rr.count(net, dom, threads=1)) for name, dom in doms.items()}


@pytest.mark.parametrize("kind", ["preactivation", "unit", "domain"])
def test_scales(kind: str) -> None:
    base = _scaled_counts(0, kind)
    for k in SCALES_FAST:
        assert _scaled_counts(k, kind) == base, f"k = {k}"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["preactivation", "unit", "domain"])
def test_scales_full_range(kind: str) -> None:
    base = _scaled_counts(0, kind)
    for k in SCALES_ALL:
        assert _scaled_counts(k, kind) == base, f"k = {k}"


def test_scaled_witnesses_exact() -> None:
    Ws, bs = random_net(5, DIMS)
    for k in (-120, 0, 120):
        s = 10.0**k
        W = [Ws[0] / s, *Ws[1:]]
        net = rr.Network(W, bs)
        for dom in domains(DIMS[0], s).values():
            res = rr.regions(net, dom)
            check_witnesses(net, W, bs, res)


def test_overflow_is_a_value_error() -> None:
    Ws, bs = random_net(2, DIMS)
    net = rr.Network([Ws[0] * 1e300, *Ws[1:]], bs)
    box = rr.Box(-1e300 * np.ones(3), 1e300 * np.ones(3))
    try:
        c = rr.count(net, box)
    except ValueError as e:
        assert "overflow" in str(e)
    else:
        assert (
            int(c) == int(rr.count(rr.Network(Ws, [b * 0 for b in bs]), rr.Box(-np.ones(3), np.ones(3)))) or int(c) >= 1
        )


# ---------------------------------------------------------------------------------- results, stats
def test_threads_identical_and_stats() -> None:
    Ws, bs = random_net(4, [4, 10, 10, 1])
    net = rr.Network(Ws, bs)
    box = rr.Box(-np.ones(4), np.ones(4))
    r1 = rr.regions(net, box, threads=1)
    r2 = rr.regions(net, box, threads=2)
    assert r1.count == r2.count
    np.testing.assert_array_equal(r1.patterns, r2.patterns)
    np.testing.assert_array_equal(r1.witnesses, r2.witnesses)
    np.testing.assert_array_equal(r1.thin, r2.thin)
    assert r1.stats["exact_decisions"] == r2.stats["exact_decisions"]
    check_witnesses(net, Ws, bs, r1)


def test_leaky_witnesses_exact() -> None:
    rng = np.random.default_rng(9)
    Ws = [rng.normal(size=(8, 3)), rng.normal(size=(8, 8)), rng.normal(size=(1, 8))]
    bs = [rng.normal(size=8), rng.normal(size=8), np.zeros(1)]
    net = rr.Network(Ws, bs, activation="leaky_relu", negative_slope=0.1)
    res = rr.regions(net, rr.Box(-np.ones(3), np.ones(3)))
    check_witnesses(net, Ws, bs, res, slopes=[0.1, 0.1])


def test_duplicate_and_dead_units_exact() -> None:
    # A unit repeated, one identically zero, one parallel copy 1e-15 apart, and a second layer that
    # copies the first: the exact fallback decides them all.
    W0 = np.array([[1.0, 0.5], [1.0, 0.5], [0.0, 0.0], [2.0, 1.0], [0.3, -1.0]])
    b0 = np.array([0.1, 0.1, 0.0, 0.2 + 1e-15, 0.0])
    W1 = np.eye(5)
    b1 = np.zeros(5)
    net = rr.Network([W0, W1, np.ones((1, 5))], [b0, b1, np.zeros(1)])
    # Lines: x + y/2 + 0.1 = 0 (three times, one shifted by 5e-16 after halving), 0.3x - y = 0.
    truth = lines_truth(np.array([[1.0, 0.5], [2.0, 1.0], [0.3, -1.0]]), np.array([0.1, 0.2 + 1e-15, 0.0]))
    c = rr.count(net, SQUARE, engine="walk")
    assert int(c) == truth
    assert c.stats["exact_decisions"] > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_near_degenerate_two_layer_nets_walk_equals_polygon(seed: int) -> None:
    # Integer lines (many coincident or concurrent) perturbed by 1e-9..1e-15, a second layer on top:
    # the walk in 2-D, the walk on the same net lifted to 3-D and the polygon engine agree, and every
    # witness not flagged thin lies strictly inside its region (exact pattern).
    rng = np.random.default_rng(1000 + seed)
    sq3 = rr.Box(-np.ones(3), np.ones(3))
    for _ in range(60):
        n = int(rng.integers(2, 9))
        W = rng.integers(-2, 3, size=(n, 2)).astype(float)
        b = rng.integers(-2, 3, size=n).astype(float) * 0.5
        for i in range(n):
            if rng.random() < 0.4:
                W[i] += rng.choice([0.0, 1e-9, 1e-13, 1e-15, -1e-12]) * rng.integers(0, 2, size=2)
                b[i] += rng.choice([0.0, 1e-9, 1e-13, 1e-15, -1e-12])
        m = int(rng.integers(1, 6))
        W1 = rng.integers(-2, 3, size=(m, n)).astype(float)
        b1 = rng.integers(-2, 3, size=m).astype(float) * 0.25
        slope = 0.125 if rng.random() < 0.3 else 0.0
        kw = {"activation": "leaky_relu", "negative_slope": slope} if slope else {}
        net = rr.Network([W, W1, np.ones((1, m))], [b, b1, np.zeros(1)], **kw)
        res = rr.regions(net, SQUARE, engine="walk")
        assert res.count == int(rr.count(net, SQUARE))
        lifted = rr.Network([np.hstack([W, np.zeros((n, 1))]), W1, np.ones((1, m))], [b, b1, np.zeros(1)], **kw)
        assert int(rr.count(lifted, sq3)) == res.count
        ok = ~res.thin
        layers = [(W, b), (W1, b1), (np.ones((1, m)), np.zeros(1))]
        for r in np.flatnonzero(ok):
            assert exact_pattern(layers, [slope, slope], res.witnesses[r]) == list(res.patterns[r])


def test_a_region_1e17_wide_near_zero_holds_floats_and_has_a_radius() -> None:
    # Integer weights and the slope 0.1 (not 1/10 in float64) put two breakpoints about 2.5e-17
    # apart next to 0, where float64 points are dense: the region between them is not thin, its witness
    # is inside it exactly, and its radius is that of a ball around the witness (the float LP cannot
    # resolve it). Found by the thorough profile: the radius was 0.
    Ws = [
        np.array([[2.0], [1.0], [0.0], [-1.0]]),
        np.array([[-1.0, -2.0, -2.0, -2.0], [-2.0, 2.0, 1.0, 2.0], [0.0, 1.0, 2.0, 1.0], [1.0, 0.0, 0.0, 2.0]]),
        np.array([[-1.0, 2.0, 1.0, -2.0], [-1.0, 2.0, 0.0, -2.0], [1.0, 1.0, 2.0, -2.0], [-2.0, 2.0, -2.0, 0.0]]),
        np.array([[-2.0, -1.0, 0.0, 0.0]]),
    ]
    bs = [
        np.array([0.0, -2.0, -2.0, -2.0]),
        np.array([-2.0, 1.0, 0.0, 1.0]),
        np.array([-1.0, 1.0, 1.0, -1.0]),
        np.zeros(1),
    ]
    net = rr.Network(Ws, bs, activation="leaky_relu", negative_slope=0.1)
    seg = rr.Box([-2.0], [2.0])
    res = rr.regions(net, seg, engine="walk", threads=2)
    assert res.count == rr.count(net, seg, engine="interval")  # another engine, exact roots
    check_witnesses(net, Ws, bs, res, slopes=[0.1] * 3)
    near = np.abs(res.witnesses[:, 0]) < 1e-15
    assert near.sum() == 1
    assert 0.0 < res.radii[near][0] < 1e-16
    assert np.all(res.radii > 0)
