"""Plots (needs matplotlib: ``pip install reluregions[plot]``).

Every function returns a :class:`matplotlib.figure.Figure` (created without pyplot, so no display is
needed) and writes it to `path` when given. The numbers drawn are the computed ones: region polygons,
breakpoints and bounds, so tests can compare the artists' data with the results.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Union

import numpy as np

from . import bounds as _bounds
from .api import count, regions
from .constructions import zigzag
from .domains import Box, Domain, Segment
from .network import Network
from .regions import Regions

__all__ = ["figure", "plot_bounds_vs_parameters", "plot_regions_1d", "plot_regions_2d"]

PathLike = Union[str, "os.PathLike[str]"]


def figure(figsize: tuple[float, float] = (6.4, 4.8)) -> Any:
    """A new matplotlib :class:`~matplotlib.figure.Figure` (constrained layout), made without pyplot so
    that no display is needed; draw into its axes with ``ax=`` and write it with ``fig.savefig``.

    Examples
    --------
    >>> fig = figure((10, 5))                      # doctest: +SKIP
    >>> ax1, ax2 = fig.subplots(1, 2)              # doctest: +SKIP
    >>> plot_regions_2d(res, ax=ax1)               # doctest: +SKIP
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'reluregions[plot]'") from None
    return Figure(figsize=figsize, layout="constrained")


_figure = figure  # the name used before figure() was public


def _save(fig: Any, path: PathLike | None) -> Any:
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_regions_2d(
    regions_or_net: Regions | Network,
    domain: Domain | None = None,
    *,
    points: Any = None,
    color_by: str = "region",
    path: PathLike | None = None,
    ax: Any = None,
    seed: int = 0,
) -> Any:
    """Draw the regions of a 2-D domain, filled, with their boundaries.

    Parameters
    ----------
    regions_or_net : Regions or Network
        Regions from :func:`reluregions.regions` on a 2-D domain, or a network (then give `domain`).
    domain : Plane or 2-D Box, optional
    points : array_like, optional
        Data points in input space, drawn in domain coordinates (projected onto the plane).
    color_by : {"region", "linear"}
        One colour per activation region, or per maximal linear region.
    path : str or path, optional
        Where to write the figure (any format matplotlib knows; PNG by extension).
    ax : matplotlib Axes, optional
        Draw into an existing Axes instead of a new figure.
    """
    from matplotlib.collections import PolyCollection

    if isinstance(regions_or_net, Regions):
        res = regions_or_net
    else:
        if domain is None:
            raise ValueError("plot_regions_2d needs a domain when given a network")
        res = regions(regions_or_net, domain, merge_linear=color_by == "linear")
    if res.dim != 2:
        raise ValueError(f"plot_regions_2d needs a 2-D domain, got a {res.dim}-D {type(res.domain).__name__}")
    if res.engine != "polygon":  # e.g. the walk on a 2-D box: the polygon engine gives the same regions as polygons
        res = regions(res.network, res.domain, engine="polygon", merge_linear=color_by == "linear")
    if color_by not in ("region", "linear"):
        raise ValueError(f"color_by must be 'region' or 'linear', got {color_by!r}")
    if ax is None:
        fig = _figure((6, 6))
        ax = fig.add_subplot()
    fig = ax.figure
    labels = res.linear_regions().labels if color_by == "linear" else np.arange(res.count)
    n_colors = int(labels.max()) + 1 if labels.size else 0
    palette = np.random.default_rng(seed).uniform(0.25, 0.95, size=(max(n_colors, 1), 3))
    polys = PolyCollection(res.polygons, facecolors=palette[labels], edgecolors="k", linewidths=0.3)
    polys.set_gid("regions")
    ax.add_collection(polys)
    _, _, lo, hi = res.domain.parametrization()
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    if points is not None:
        coords = res.domain.to_coords(points)
        ax.scatter(coords[:, 0], coords[:, 1], s=18, c="k", marker="o", zorder=3, gid="points")
    title = f"{res.count} activation regions"
    if color_by == "linear":
        title += f", {res.linear_count} linear regions"
    ax.set_title(title)
    return _save(fig, path)


def plot_regions_1d(
    net: Network, segment: Domain, *, output: int = 0, path: PathLike | None = None, ax: Any = None
) -> Any:
    """Draw the network's output along a 1-D domain, with the region boundaries marked.

    The network is linear between breakpoints, so the plotted polyline through the region endpoints is
    the exact function.
    """
    if not isinstance(segment, (Segment, Box)) or segment.dim != 1:
        raise ValueError("plot_regions_1d needs a Segment or a 1-D Box")
    if not 0 <= output < net.output_dim:
        raise ValueError(f"output must be in [0, {net.output_dim}), got {output}")
    res = regions(net, segment)
    t = np.concatenate([res.intervals[:, 0], res.intervals[-1:, 1]])
    y = net(segment.to_input(t[:, None]))[:, output]
    if ax is None:
        fig = _figure((7, 4))
        ax = fig.add_subplot()
    fig = ax.figure
    ax.plot(t, y, "-", color="C0", lw=1.2, gid="function")
    ax.plot(t[1:-1], y[1:-1], "o", color="C3", ms=3, gid="breakpoints")
    ax.set_xlabel("t" if isinstance(segment, Segment) else "x")
    ax.set_ylabel(f"output {output}")
    ax.set_title(f"{res.count} regions")
    return _save(fig, path)


def _panel(ax: Any, input_dim: int, depths: Sequence[int], widths: Sequence[int], exact_max: int) -> dict[str, Any]:
    """One panel of UDL Fig. 4.7: regions vs parameters for each depth, widths varied."""
    data: dict[str, Any] = {}
    for K in depths:
        valid = [w for w in widths if w >= 3 * input_dim]
        params = [_bounds.num_parameters(input_dim, [w] * K) for w in valid]
        lower = [_bounds.serra2018_lower(input_dim, [w] * K) for w in valid]
        upper = [_bounds.serra2018_upper(input_dim, [w] * K) for w in valid]
        line = ax.plot(
            params, [float(v) for v in upper], "-", lw=1.2, label=f"{K} hidden layer{'s' * (K > 1)}", gid=f"upper-{K}"
        )[0]
        ax.plot(params, [float(v) for v in lower], "--", lw=0.8, color=line.get_color(), gid=f"lower-{K}")
        data[f"depth {K}"] = {"widths": valid, "parameters": params, "lower": lower, "upper": upper}
        if input_dim == 1:  # exact counts of the zigzag constructions where they are cheap
            pts = [
                (p, int(count(zigzag(w, K), Box([0.0], [1.0]))))
                for w, p in zip(valid, params)
                if (w + 1) ** K <= exact_max
            ]
            if pts:
                ax.plot(*zip(*pts), "o", ms=4, color=line.get_color(), mfc="none", gid=f"exact-{K}")
                data[f"depth {K}"]["exact"] = pts
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of parameters")
    ax.set_ylabel("number of linear regions")
    ax.grid(True, which="major", alpha=0.3)
    return data


def plot_bounds_vs_parameters(
    *,
    depths: Sequence[int] = (1, 2, 3, 4, 5),
    widths_1d: Sequence[int] = tuple(range(3, 51)),
    widths_10d: Sequence[int] = tuple(range(30, 101, 5)),
    exact_max: int = 2_000_000,
    path: PathLike | None = None,
) -> Any:
    """UDL Fig. 4.7: maximum number of linear regions vs number of parameters.

    Panel a: 1 input; panel b: 10 inputs; one curve per depth, width varied. Solid: Serra et al.'s upper
    bound; dashed: their lower bound (reached by the folding constructions); circles (panel a): exact
    counts of the zigzag constructions from the engine. The highlighted points are the 1-10-10-10-10-10-1
    network (471 parameters, 161,051 regions) and 10 inputs with five layers of 50 (10,801 parameters,
    more than 10^40 regions). The figure's ``reluregions_data`` attribute holds the plotted numbers.
    """
    fig = _figure((11, 4.5))
    ax_a, ax_b = fig.subplots(1, 2)
    data: dict[str, Any] = {
        "a": _panel(ax_a, 1, depths, widths_1d, exact_max),
        "b": _panel(ax_b, 10, depths, widths_10d, exact_max),
    }
    p_a, r_a = _bounds.num_parameters(1, [10] * 5), _bounds.serra2018_lower(1, [10] * 5)
    p_b, r_b = _bounds.num_parameters(10, [50] * 5), _bounds.serra2018_lower(10, [50] * 5)
    ax_a.plot([p_a], [float(r_a)], "*", ms=12, color="k", gid="highlight")
    ax_a.annotate(
        f"{p_a} parameters\n{r_a:,} regions",
        (p_a, float(r_a)),
        textcoords="offset points",
        xytext=(10, -25),
        fontsize=8,
    )
    ax_b.plot([p_b], [float(r_b)], "*", ms=12, color="k", gid="highlight")
    ax_b.annotate(
        f"{p_b:,} parameters\n> 10^{len(str(r_b)) - 1} regions",
        (p_b, float(r_b)),
        textcoords="offset points",
        xytext=(10, -25),
        fontsize=8,
    )
    data["highlights"] = [(p_a, r_a), (p_b, r_b)]
    ax_a.set_title("a) 1 input")
    ax_b.set_title("b) 10 inputs")
    ax_a.legend(fontsize=8)
    fig.reluregions_data = data
    return _save(fig, path)
