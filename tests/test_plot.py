"""Plots: valid non-empty PNGs whose drawn data are the computed numbers (not the pixels)."""

import numpy as np
import pytest

import reluregions as rr
from reluregions import bounds
from reluregions import constructions as C
from reluregions.cli import main

pytest.importorskip("matplotlib")
from reluregions import plot  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 1000


def by_gid(ax, gid):
    return [a for a in [*ax.lines, *ax.collections] if a.get_gid() == gid]


def test_plot_regions_2d(tmp_path):
    first, second, box = C.udl_fig4_2()
    res = rr.regions(first.then(second), box, merge_linear=True)
    fig = plot.plot_regions_2d(res, points=[[0.0, 0.0], [0.5, 0.5]], color_by="linear", path=tmp_path / "r.png")
    assert_png(tmp_path / "r.png")
    ax = fig.axes[0]
    (polys,) = by_gid(ax, "regions")
    paths = polys.get_paths()
    assert len(paths) == res.count == 13
    for p, poly in zip(paths, res.polygons):
        np.testing.assert_allclose(p.vertices[: len(poly)], poly)
    (pts,) = by_gid(ax, "points")
    np.testing.assert_allclose(pts.get_offsets(), [[0, 0], [0.5, 0.5]], atol=1e-12)
    assert "13 activation regions, 13 linear regions" in ax.get_title()


def test_plot_regions_2d_from_network_and_errors(tmp_path):
    first, _, box = C.udl_fig4_2()
    fig = plot.plot_regions_2d(first, box, path=tmp_path / "f.png")
    assert len(by_gid(fig.axes[0], "regions")[0].get_paths()) == 7
    with pytest.raises(ValueError, match="domain"):
        plot.plot_regions_2d(first)
    with pytest.raises(ValueError, match="2-D"):
        plot.plot_regions_2d(rr.regions(C.zigzag(3, 2), rr.Box([0.0], [1.0])))


def test_plot_regions_1d(tmp_path):
    first, second = C.udl_fig4_1()
    net, interval = first.then(second), rr.Box([-1.0], [1.0])
    fig = plot.plot_regions_1d(net, interval, path=tmp_path / "f.png")
    assert_png(tmp_path / "f.png")
    ax = fig.axes[0]
    (line,) = by_gid(ax, "function")
    (marks,) = by_gid(ax, "breakpoints")
    assert len(marks.get_xdata()) == 9 - 1 == rr.count(net, interval) - 1
    # the polyline is the function: it agrees with the network between breakpoints too
    t = np.linspace(-1, 1, 1001)
    np.testing.assert_allclose(np.interp(t, line.get_xdata(), line.get_ydata()), net(t[:, None])[:, 0], atol=1e-12)


def test_plot_bounds_vs_parameters(tmp_path):
    fig = plot.plot_bounds_vs_parameters(
        depths=(1, 3, 5),
        widths_1d=range(3, 12),
        widths_10d=range(30, 60, 10),
        exact_max=200_000,
        path=tmp_path / "b.png",
    )
    assert_png(tmp_path / "b.png")
    data = fig.reluregions_data
    assert data["highlights"][0] == (471, 161_051)
    assert data["highlights"][1][0] == 10_801 and data["highlights"][1][1] > 10**40
    a5 = data["a"]["depth 5"]
    for w, p, lo, up in zip(a5["widths"], a5["parameters"], a5["lower"], a5["upper"]):
        assert p == bounds.num_parameters(1, [w] * 5) and lo == up == (w + 1) ** 5
    # exact counts of the constructions lie on the curves
    for K in (1, 3, 5):
        for p, n in data["a"][f"depth {K}"]["exact"]:
            w = data["a"][f"depth {K}"]["widths"][data["a"][f"depth {K}"]["parameters"].index(p)]
            assert n == (w + 1) ** K
    (star,) = by_gid(fig.axes[0], "highlight")
    assert list(star.get_xdata()) == [471] and list(star.get_ydata()) == [161051.0]
    upper_line = by_gid(fig.axes[1], "upper-3")[0]
    np.testing.assert_allclose(upper_line.get_ydata(), [float(v) for v in data["b"]["depth 3"]["upper"]])


def test_cli_plot_and_bounds(tmp_path, capsys):
    out = tmp_path / "p.png"
    assert main(["plot", "--example", "udl-fig4.2", "--linear", "-o", str(out)]) == 0
    assert_png(out)
    assert main(["plot", "--example", "udl-fig4.1", "-o", str(tmp_path / "q.png")]) == 0
    assert_png(tmp_path / "q.png")
    capsys.readouterr()
    assert main(["bounds", "--input-dim", "1", "--widths", "10,10,10,10,10"]) == 0
    text = capsys.readouterr().out
    assert (
        "parameters:          471" in text
        and "serra2018_lower:     161,051" in text
        and "montufar2014_lower:  110,000" in text
    )
    assert main(["bounds", "--input-dim", "0", "--widths", "3"]) == 2
