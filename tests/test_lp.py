"""Property tests of the dense LP kernel (_core.LPSolver) against SciPy's HiGHS."""

import numpy as np
import pytest

scipy_optimize = pytest.importorskip("scipy.optimize")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from profiles import examples  # noqa: E402

from reluregions import _core  # noqa: E402

INF = np.inf
RTOL = 1e-7  # optimal values: |v - v_highs| <= RTOL * (1 + |v_highs|)
FEAS = 1e-8  # returned points: a.x - b <= FEAS * (||a|| (1 + |x|_inf) + |b|)


# ---------------------------------------------------------------- reference and checks


def _highs(c, A, b, lo, hi):
    """linprog(min c.x) with A x <= b and bounds; returns (status, value) with status a string.

    The rows are given to HiGHS normalized (the same LP): it fails on rows scaled over 12 decades."""
    if len(b):
        norms = np.linalg.norm(A, axis=1)
        norms = np.where(norms > 0, norms, 1.0)
        A, b = A / norms[:, None], b / norms
    bounds = [(None if np.isneginf(l) else l, None if np.isposinf(h) else h) for l, h in zip(lo, hi)]
    kw = dict(bounds=bounds, method="highs")
    if len(b):
        kw.update(A_ub=A, b_ub=b)
    res = scipy_optimize.linprog(c, **kw)
    if res.status != 0:  # HiGHS presolve can call an unbounded LP infeasible (ERGO-Code/HiGHS#1530): re-solve
        kw["options"] = {"presolve": False}
        res = scipy_optimize.linprog(c, **kw)
    if res.status == 4:  # "unbounded or infeasible": decide feasibility with a zero objective
        feas = scipy_optimize.linprog(np.zeros_like(c), **kw)
        assert feas.status in (0, 2), feas.message
        if feas.status == 2:
            return "infeasible", None
    if res.status in (3, 4):
        # Feasible; HiGHS can call a bounded LP unbounded (seen with presolve on integer rows): unbounded
        # only with an improving ray, else the dual simplex without presolve.
        if _has_improving_ray(c, A, lo, hi):
            return "unbounded", None
        for method in ("highs-ds", "highs-ipm"):
            kw.update(method=method, options={"presolve": False})
            res = scipy_optimize.linprog(c, **kw)
            if res.status == 0:
                break
    assert res.status in (0, 2, 3), res.message
    return {0: "optimal", 2: "infeasible", 3: "unbounded"}[res.status], (res.fun if res.status == 0 else None)


def _has_improving_ray(c, A, lo, hi):
    """Is there a direction r with c.r < 0 that stays in the recession cone {A r <= 0, bounds}?"""
    ray_lo = np.where(np.isfinite(lo), 0.0, -1.0)
    ray_hi = np.where(np.isfinite(hi), 0.0, 1.0)
    kw = dict(bounds=list(zip(ray_lo, ray_hi)), method="highs")
    if len(A):
        kw.update(A_ub=A, b_ub=np.zeros(len(A)))
    ray = scipy_optimize.linprog(c, **kw)
    assert ray.status == 0, ray.message
    return ray.fun < -1e-9


def reference(c, A, b, lo, hi, sense):
    """HiGHS answer for max (sense=+1) or min (sense=-1) c.x."""
    status, val = _highs(-sense * np.asarray(c, float), A, b, lo, hi)
    return status, (None if val is None else -sense * val)


def assert_feasible(x, A, b, lo, hi):
    x = np.asarray(x)
    scale = 1.0 + np.max(np.abs(x), initial=0.0)
    if len(b):
        viol = A @ x - b
        allow = FEAS * (np.linalg.norm(A, axis=1) * scale + np.abs(b))
        assert np.all(viol <= allow), (viol - allow).max()
    assert np.all(x >= lo - FEAS * (1 + np.abs(np.where(np.isfinite(lo), lo, 0)))), x
    assert np.all(x <= hi + FEAS * (1 + np.abs(np.where(np.isfinite(hi), hi, 0)))), x


def check_solve(lp, c, A, b, lo, hi, sense, ref=None):
    status, x, val = (lp.maximize if sense > 0 else lp.minimize)(c)
    rstatus, rval = ref if ref is not None else reference(c, A, b, lo, hi, sense)
    assert status == rstatus, (status, rstatus)
    if status == "optimal":
        assert x.shape == (len(c),)
        assert abs(val - rval) <= RTOL * (1 + abs(rval)), (val, rval)
        assert abs(float(np.dot(c, x)) - val) <= 1e-9 * (1 + abs(val))
        assert_feasible(x, A, b, lo, hi)
    else:
        assert x is None and val is None
    return status


def solver(n, A, b, lo, hi):
    lp = _core.LPSolver(n)
    lp.set_bounds(lo, hi)
    for a, bi in zip(A, b):
        lp.add_row(a, bi)
    return lp


# ---------------------------------------------------------------- random LPs

FAMILIES = ["dense", "integer", "duplicates", "common_point", "scaled"]


def make_lp(seed, n, m, family, bound_kinds, feasible_bias):
    """A random LP (c, A, b, lo, hi) of the given family; about feasible_bias of the rows hold at a point x0."""
    rng = np.random.default_rng(seed)
    integer = family in ("integer", "common_point") or (family == "duplicates" and seed % 2 == 0)
    x0 = rng.integers(-2, 3, n).astype(float) if integer else rng.normal(size=n)
    if integer:
        A = rng.integers(-2, 3, (m, n)).astype(float)
        slack = rng.integers(-1, 3, m).astype(float)
    else:
        A = rng.normal(size=(m, n))
        slack = rng.uniform(-0.5, 1.0, m) * np.linalg.norm(A, axis=1)
    if m:
        holds = rng.uniform(size=m) < feasible_bias
        slack = np.where(holds, np.abs(slack), slack)
    if family == "common_point" and m:
        through = rng.uniform(size=m) < 0.6
        slack = np.where(through, 0.0, slack)  # many rows through x0: a degenerate vertex
    b = A @ x0 + slack
    if family == "duplicates" and m:
        k = rng.integers(0, m, size=m // 2)
        factor = rng.choice([1.0, 2.0, 1e-3, 1e3], size=len(k))
        A = np.vstack([A, A[k] * factor[:, None]])
        b = np.concatenate([b, b[k] * factor])
        if rng.uniform() < 0.3:  # a zero row, satisfied
            A = np.vstack([A, np.zeros(n)])
            b = np.append(b, rng.choice([0.0, 1.0]))
        perm = rng.permutation(len(b))
        A, b = A[perm], b[perm]
    if family == "scaled" and m:
        s = 10.0 ** rng.uniform(-6, 6, m)
        A, b = A * s[:, None], b * s
    lo = np.full(n, -INF)
    hi = np.full(n, INF)
    for j, kind in enumerate(bound_kinds[:n]):
        w = rng.uniform(0.5, 3.0)
        if kind in ("box", "lower"):
            lo[j] = np.floor(x0[j] - w) if integer else x0[j] - w
        if kind in ("box", "upper"):
            hi[j] = np.ceil(x0[j] + w) if integer else x0[j] + w
        if kind == "fixed":
            lo[j] = hi[j] = x0[j]
    c = rng.integers(-2, 3, n).astype(float) if integer else rng.normal(size=n)
    if rng.uniform() < 0.2:
        c[rng.integers(0, n)] = 0.0
    return c, A, b, lo, hi


lp_params = st.tuples(
    st.integers(0, 2**32 - 1),
    st.integers(1, 8),
    st.integers(0, 60),
    st.sampled_from(FAMILIES),
    st.lists(st.sampled_from(["box", "box", "lower", "upper", "free", "fixed"]), min_size=8, max_size=8),
    st.sampled_from([1.0, 0.97, 0.9, 0.5]),
)


@settings(max_examples=examples(250), deadline=None)
@given(lp_params)
def test_random_lp_matches_highs(params):
    c, A, b, lo, hi = make_lp(*params)
    lp = solver(len(c), A, b, lo, hi)
    for sense in (1, -1):
        check_solve(lp, c, A, b, lo, hi, sense)
    # A second objective on the same polytope: warm-started primal simplex.
    c2 = np.roll(c, 1) + 0.5
    check_solve(lp, c2, A, b, lo, hi, 1)


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.sampled_from(FAMILIES))
def test_free_and_unbounded(seed, n, family):
    # All variables free, few rows: mostly unbounded, sometimes optimal (e.g. c in the row cone).
    rng = np.random.default_rng(seed)
    c, A, b, lo, hi = make_lp(seed, n, int(rng.integers(0, n + 3)), family, ["free"] * 8, 1.0)
    lp = solver(n, A, b, lo, hi)
    for sense in (1, -1):
        check_solve(lp, c, A, b, lo, hi, sense)
    if len(b):  # objective = a row: bounded above (attained on that facet) when feasible
        check_solve(lp, A[0], A, b, lo, hi, 1)


@settings(max_examples=examples(40), deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 6),
    st.integers(1, 25),
    st.sampled_from(FAMILIES),
    st.lists(st.sampled_from(["box", "lower", "upper", "free"]), min_size=8, max_size=8),
)
def test_warm_start_add_rows(seed, n, m, family, kinds):
    """Rows added one at a time; every intermediate optimum (and Chebyshev radius) equals a cold solve."""
    c, A, b, lo, hi = make_lp(seed, n, m, family, kinds, 0.9)
    rng = np.random.default_rng(seed + 1)
    lp = _core.LPSolver(n)
    lp.set_bounds(lo, hi)
    for i in range(len(b)):
        assert lp.add_row(A[i], b[i]) == i
        assert lp.rows == i + 1
        Ai, bi = A[: i + 1], b[: i + 1]
        obj = c if i % 2 else rng.normal(size=n)
        status = check_solve(lp, obj, Ai, bi, lo, hi, 1 if i % 3 else -1)
        cold = solver(n, Ai, bi, lo, hi)
        assert (lp.maximize(obj)[0] == "optimal") == (cold.maximize(obj)[0] == "optimal")
        if status == "infeasible":
            break
        cw, cc = lp.chebyshev(10.0), cold.chebyshev(10.0)
        assert cw[0] == cc[0]
        if cw[0] == "optimal":
            assert abs(cw[2] - cc[2]) <= 1e-8 * (1 + cc[2])


@settings(max_examples=examples(30), deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_depth_first_truncate(seed, n):
    """A depth-first pattern: add hyperplanes near the centre (either side), backtrack with truncate."""
    rng = np.random.default_rng(seed)
    lo, hi = -np.ones(n), np.ones(n)
    lp = _core.LPSolver(n)
    lp.set_bounds(lo, hi)
    A = np.zeros((0, n))
    b = np.zeros(0)
    for _ in range(30):
        if len(b) < 2 or (len(b) < 15 and rng.uniform() < 0.65):
            a = rng.normal(size=n)
            off = 0.3 * rng.normal()
            A, b = np.vstack([A, a]), np.append(b, off)
            lp.add_row(a, off)
        else:
            k = int(rng.integers(0, len(b)))
            A, b = A[:k], b[:k]
            lp.truncate(k)
        assert lp.rows == len(b)
        check_solve(lp, rng.normal(size=n), A, b, lo, hi, 1)


# ---------------------------------------------------------------- Chebyshev centre


def cheb_reference(A, b, lo, hi, r_cap):
    """max r s.t. a_i.x + r ||a_i|| <= b_i, x_j + r <= hi_j, -x_j + r <= -lo_j, 0 <= r <= r_cap (HiGHS)."""
    n = len(lo)
    rows, rhs = [], []
    for a, bi in zip(A, b):
        rows.append(np.append(a, np.linalg.norm(a)))
        rhs.append(bi)
    for j in range(n):
        e = np.zeros(n + 1)
        e[n] = 1.0
        if np.isfinite(hi[j]):
            e[j] = 1.0
            rows.append(e.copy())
            rhs.append(hi[j])
        if np.isfinite(lo[j]):
            e[j] = -1.0
            rows.append(e.copy())
            rhs.append(-lo[j])
    c = np.zeros(n + 1)
    c[n] = 1.0
    lo2 = np.append(np.full(n, -INF), 0.0)
    hi2 = np.append(np.full(n, INF), r_cap)
    A2 = np.array(rows).reshape(-1, n + 1)
    return reference(c, A2, np.array(rhs), lo2, hi2, 1)


@settings(max_examples=examples(120), deadline=None)
@given(lp_params, st.sampled_from([INF, 100.0, 1.0, 0.0]))
def test_chebyshev_matches_highs(params, r_cap):
    c, A, b, lo, hi = make_lp(*params)
    lp = solver(len(c), A, b, lo, hi)
    status, x, r = lp.chebyshev(r_cap)
    rstatus, rval = cheb_reference(A, b, lo, hi, r_cap)
    assert status == rstatus, (status, rstatus)
    if status == "optimal":
        assert abs(r - rval) <= RTOL * (1 + abs(rval)), (r, rval)
        assert 0.0 <= r <= r_cap
        # The ball of radius r around x lies in P.
        if len(b):
            assert np.all(
                A @ x + r * np.linalg.norm(A, axis=1) - b
                <= FEAS * (np.linalg.norm(A, axis=1) * (1 + np.abs(x).max()) + np.abs(b))
            )
        assert_feasible(x, A, b, lo + r, hi - r)


# ---------------------------------------------------------------- hand-made cases and the binding


def test_known_answers():
    lp = _core.LPSolver(2)
    assert lp.n == 2 and lp.rows == 0
    assert lp.maximize([0.0, 0.0])[0] == "optimal"
    assert lp.maximize([1.0, 0.0]) == ("unbounded", None, None)
    lp.set_bounds([0.0, 0.0], [INF, INF])
    lp.add_row([1.0, 2.0], 4.0)
    lp.add_row([3.0, 1.0], 6.0)
    status, x, v = lp.maximize([1.0, 1.0])
    assert status == "optimal"
    np.testing.assert_allclose(x, [1.6, 1.2], atol=1e-12)
    assert v == pytest.approx(2.8, abs=1e-12)
    status, x, r = lp.chebyshev()
    # the largest disc in {x, y >= 0, x + 2y <= 4, 3x + y <= 6}: touches x = 0 (or y = 0) and both slanted
    # sides; its radius from SciPy's LP (independent), and the centre at distance r from the active sides
    from scipy.optimize import linprog

    rows = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 2.0], [3.0, 1.0]])
    rhs = np.array([0.0, 0.0, 4.0, 6.0])
    norms = np.linalg.norm(rows, axis=1)
    exact = -linprog([0, 0, -1], A_ub=np.hstack([rows, norms[:, None]]), b_ub=rhs, bounds=[(None, None)] * 3).fun
    assert status == "optimal" and r == pytest.approx(exact, abs=1e-12) and 0.5 < r < 1
    assert np.min((rhs - rows @ x) / norms) == pytest.approx(r, abs=1e-12)
    lp.add_row([-1.0, -1.0], -3.0)  # x + y >= 3: infeasible
    assert lp.maximize([1.0, 1.0]) == ("infeasible", None, None)
    assert lp.chebyshev(1.0) == ("infeasible", None, None)
    lp.truncate(2)
    assert lp.maximize([1.0, 1.0])[2] == pytest.approx(2.8)
    lp.reset_stats()
    assert lp.pivots == 0
    lp.minimize([1.0, 1.0])
    assert lp.pivots > 0
    lp.set_iteration_limit(1)
    assert lp.maximize([1.0, 1.0])[0] == "iteration_limit"


def test_shape_and_value_checks():
    lp = _core.LPSolver(3)
    with pytest.raises(ValueError, match="n >= 1"):
        _core.LPSolver(0)
    with pytest.raises(ValueError, match=r"a must have shape \(3,\)"):
        lp.add_row(np.ones(2), 1.0)
    with pytest.raises(ValueError, match=r"a must have shape \(3,\)"):
        lp.add_row(np.ones((1, 3)), 1.0)
    with pytest.raises(ValueError, match="row entries must be finite"):
        lp.add_row([np.nan, 0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match=r"hi must have shape \(3,\)"):
        lp.set_bounds(np.zeros(3), np.ones(4))
    with pytest.raises(ValueError, match=r"c must have shape \(3,\)"):
        lp.maximize(np.ones(4))
    with pytest.raises(ValueError, match="objective entries must be finite"):
        lp.minimize([np.inf, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"k must be in \[0, 0\]"):
        lp.truncate(1)
    with pytest.raises(ValueError, match=r"k must be in \[0, 0\]"):
        lp.truncate(-1)
    with pytest.raises(ValueError, match="r_cap must be >= 0"):
        lp.chebyshev(-1.0)
    with pytest.raises(ValueError, match="r_cap must be >= 0"):
        lp.chebyshev(np.nan)
    with pytest.raises(TypeError, match="c must be a numeric array"):
        lp.maximize("abc")
