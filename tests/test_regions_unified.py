"""One result type for every engine (issue 9): the same analysis code runs on 1-D, 2-D and 4-D results,
adjacency agrees between engines, and files saved before the unification still load."""

from pathlib import Path

import numpy as np
import pytest

import reluregions as rr
from reluregions._frame import Frame

DATA = Path(__file__).resolve().parent / "data"


def random_net(seed, d, widths):
    rng = np.random.default_rng(seed)
    sizes = [d, *widths, 1]
    Ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=o) * 0.5 for o in sizes[1:]]
    return rr.Network(Ws, bs)


def components(n, pairs):
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[find(i)] = find(j)
    return len({find(i) for i in range(n)})


def analyse(res, path):
    """Engine-agnostic analysis: the same code for every result."""
    R = res.count
    assert type(res) is rr.Regions and res.complete
    pats = res.patterns
    assert pats.shape == (R, res.network.num_hidden) and pats.dtype == bool
    assert len({p.tobytes() for p in pats}) == R
    np.testing.assert_array_equal(res.network.activation_pattern(res.witnesses), pats)
    np.testing.assert_allclose(res.domain.to_input(res.coords), res.witnesses, atol=1e-12)
    m = res.measures
    assert m.shape == (R,) and np.all(m > 0)
    assert m.sum() == pytest.approx(res.domain.measure, rel=1e-9)
    adj = res.adjacency
    assert adj.ndim == 2 and adj.shape[1] == 2 and np.all(adj[:, 0] < adj[:, 1])
    assert components(R, adj) == 1  # a box / segment is connected
    np.testing.assert_array_equal(res.locate(res.witnesses), np.arange(R))
    lin = res.linear_regions()
    same = adj[lin.labels[adj[:, 0]] == lin.labels[adj[:, 1]]]
    assert components(R, same) == lin.count == res.linear_count  # linear regions are connected unions
    assert lin.measures.sum() == pytest.approx(m.sum(), rel=1e-12)
    A, c = res.affine if res.affine is not None else (None, None)
    if A is not None:
        np.testing.assert_allclose(np.einsum("rok,rk->ro", A, res.coords) + c, res.network(res.witnesses), atol=1e-8)
    res.save(path)
    back = rr.Regions.load(path)
    assert type(back) is rr.Regions and back.engine == res.engine and back.dim == res.dim
    np.testing.assert_array_equal(back.patterns, pats)
    np.testing.assert_allclose(back.measures, m, rtol=1e-12)
    np.testing.assert_array_equal(back.adjacency, adj)
    np.testing.assert_array_equal(back.locate(res.witnesses), np.arange(R))
    assert back.linear_count == res.linear_count
    assert isinstance(res.stats, dict) and isinstance(back.stats, dict)
    return {"count": R, "pairs": len(adj), "linear": lin.count}


def results():
    net2 = random_net(0, 2, [6, 5])
    net4 = random_net(3, 4, [4, 4])
    one = rr.regions(net2, rr.Segment([-1.5, -1.0], [1.5, 1.0]), merge_linear=True)
    two = rr.regions(net2, rr.Box([-1.5, -1.0], [1.5, 1.0]), merge_linear=True)
    four = rr.regions(net4, rr.Box(-np.ones(4), np.ones(4)), facets=True, merge_linear=True)
    return {"1-D": one, "2-D": two, "4-D": four}


def test_every_engine_returns_the_same_type():
    res = results()
    assert {r.engine for r in res.values()} == {"interval", "polygon", "walk"}
    assert all(type(r) is rr.Regions for r in res.values())
    assert rr.PolytopeRegions is rr.Regions


@pytest.mark.parametrize("which", ["1-D", "2-D", "4-D"])
def test_the_same_analysis_runs_on_every_result(which, tmp_path):
    res = results()[which]
    summary = analyse(res, tmp_path / "r.npz")
    assert summary["count"] > 3
    if which == "1-D":
        assert summary["pairs"] == summary["count"] - 1


def test_geometry_of_each_kind():
    res = results()
    assert res["1-D"].intervals.shape == (res["1-D"].count, 2)
    assert len(res["2-D"].polygons) == res["2-D"].count
    A, b, units = res["4-D"].facets(0)
    assert A.shape[1] == 4 and np.all(A @ res["4-D"].coords[0] < b)
    with pytest.raises(AttributeError, match="polygons come from the polygon engine"):
        _ = res["1-D"].polygons
    with pytest.raises(AttributeError, match="intervals come from the interval engine"):
        _ = res["4-D"].intervals
    with pytest.raises(AttributeError, match="facets come from the walk engine"):
        res["2-D"].facets(0)


def pairs_by_pattern(res):
    keys = [p.tobytes() for p in res.patterns]
    return {frozenset((keys[i], keys[j])) for i, j in res.adjacency}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_polygon_adjacency_agrees_with_the_walk(seed):
    net = random_net(seed, 2, [7, 6])
    box = rr.Box([-2.0, -1.0], [1.0, 2.0])
    poly = rr.regions(net, box)
    walk = rr.regions(net, box, engine="walk", facets=True)
    assert poly.engine == "polygon" and walk.engine == "walk" and poly.count == walk.count
    assert pairs_by_pattern(poly) == pairs_by_pattern(walk)


def test_interval_adjacency_agrees_with_the_walk():
    net = random_net(5, 3, [8, 8])
    seg = rr.Segment([-2.0, 0.0, 1.0], [2.0, 1.0, -1.0])
    one = rr.regions(net, seg)
    walk = rr.regions(net, seg, engine="walk", facets=True)
    assert one.count == walk.count
    assert pairs_by_pattern(one) == pairs_by_pattern(walk)


def test_volumes_above_three_dimensions_are_exact():
    # a 4-D box [0,1] x [0,1] x [0,2] x [0,0.5] cut by x0 = 0.25 and x1 = 0.5, plus an oblique cut
    W0 = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])
    net = rr.Network([W0, np.ones((1, 2))], [np.array([-0.25, -0.5]), np.zeros(1)])
    res = rr.regions(net, rr.Box(np.zeros(4), np.array([1.0, 1.0, 2.0, 0.5])), facets=True)
    expected = {(False, False): 0.125, (True, False): 0.375, (False, True): 0.125, (True, True): 0.375}
    assert res.count == 4
    for p, v in zip(res.patterns, res.measures):
        assert v == pytest.approx(expected[tuple(bool(x) for x in p)], rel=1e-12)
    oblique = rr.Network([np.array([[1.0, 1.0, 1.0, 1.0]]), np.ones((1, 1))], [np.array([-1.0]), np.zeros(1)])
    res = rr.regions(oblique, rr.Box(np.zeros(4), np.ones(4)), facets=True)
    vol = dict(zip((bool(p[0]) for p in res.patterns), res.measures))
    assert vol[False] == pytest.approx(1 / 24, rel=1e-9)  # the simplex x >= 0, sum x <= 1
    assert vol[True] == pytest.approx(23 / 24, rel=1e-9)


def test_one_frame_maps_every_domain():
    seg = rr.Segment([0.0, 1.0], [2.0, 3.0])
    fr = Frame(seg, 2, "interval")
    np.testing.assert_allclose(fr.to_input([[0.0], [1.0]]), [[0.0, 1.0], [2.0, 3.0]])
    box = rr.Box([-1.0, 0.0, 2.0], [1.0, 4.0, 3.0])
    iso = Frame(box, 3, "walk")
    assert iso.isotropic and iso.scale == 4.0
    U = np.array([[0.1, 0.2, 0.05]])
    M, m = iso.coord_map()
    np.testing.assert_allclose(iso.to_coords(U) @ M.T + m, U)
    np.testing.assert_allclose(iso.to_input(U), iso.to_coords(U))
    plane = rr.Plane([0.0, 0, 0], [1.0, 0, 0], [0, 1.0, 1.0], (-1.0, 2.0), (0.5, 1.5))
    for engine in ("polygon", "walk"):  # segments and planes: the same normalized frame for every engine
        fr = Frame(plane, 3, engine)
        assert not fr.isotropic and fr.measure_factor == pytest.approx(3.0)
        np.testing.assert_allclose(fr.to_coords([[0.0, 0.0], [1.0, 1.0]]), [[-1.0, 0.5], [2.0, 1.5]])


# ------------------------------------------------------------------ files saved before unification
LEGACY = ["legacy_regions_1d.npz", "legacy_regions_2d.npz", "legacy_walk_3d.npz"]


@pytest.mark.parametrize("name", LEGACY)
def test_files_saved_by_the_old_classes_still_load(name, tmp_path):
    path = DATA / name
    for loader in (rr.Regions.load, rr.PolytopeRegions.load):
        old = loader(path)
        assert type(old) is rr.Regions
        assert (
            old.engine
            == {"legacy_regions_1d.npz": "interval", "legacy_regions_2d.npz": "polygon", "legacy_walk_3d.npz": "walk"}[
                name
            ]
        )
    kwargs = {"facets": True} if old.engine == "walk" else {}
    fresh = rr.regions(old.network, old.domain, merge_linear=True, **kwargs)
    assert fresh.engine == old.engine and fresh.count == old.count
    # The order of the regions may change between versions (not their patterns): match them by pattern.
    where = {p.tobytes(): i for i, p in enumerate(np.asarray(fresh.patterns))}
    perm = np.array([where[p.tobytes()] for p in np.asarray(old.patterns)])
    np.testing.assert_array_equal(old.patterns, fresh.patterns[perm])
    np.testing.assert_allclose(old.witnesses, fresh.witnesses[perm], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(old.measures, fresh.measures[perm], rtol=1e-9)
    assert old.linear_count == fresh.linear_count
    A0, c0 = old.affine
    A1, c1 = fresh.affine
    np.testing.assert_allclose(A0, A1[perm], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c0, c1[perm], rtol=1e-9, atol=1e-12)
    analyse(old, tmp_path / "again.npz")
