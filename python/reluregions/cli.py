"""Command line: ``reluregions count ...``, ``reluregions examples``."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__, _core
from .api import count, regions
from .constructions import example, examples
from .domains import Box, Domain, Plane, Segment, Space
from .network import Network

_NUMBERS = re.compile(r"^-(\d|\.\d|inf|nan)[\d.,eE+\-infa ]*$")


def _vec(text: str) -> np.ndarray:
    try:
        return np.array([float(x) for x in text.strip().split(",")], dtype=float)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers like 0,-1.5,2, got {text.strip()!r}"
        ) from None


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.strip().split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 10,10,10, got {text.strip()!r}"
        ) from None


def _pair(text: str) -> tuple[float, float]:
    v = _vec(text)
    if v.size != 2:
        raise argparse.ArgumentTypeError(f"expected two numbers LO,HI, got {text.strip()!r}")
    return float(v[0]), float(v[1])


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reluregions", description="Exact linear regions of ReLU networks.")
    p.add_argument("--version", action="version", version=f"reluregions {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser(
        "count",
        help="count the regions of a network on a segment, plane or box",
        description="Count activation and linear regions. Vectors are comma-separated: 0,-1,2.",
    )
    c.add_argument("network", nargs="?", help="network file: .npz (W0, b0, W1, b1, ...), .onnx or .nnet")
    c.add_argument("--example", metavar="NAME", help="a bundled network (see `reluregions examples`)")
    dom = c.add_mutually_exclusive_group()
    dom.add_argument("--segment", nargs=2, type=_vec, metavar=("A", "B"), help="the segment from A to B")
    dom.add_argument("--box", nargs=2, type=_vec, metavar=("LO", "HI"), help="the box LO <= x <= HI (any dimension)")
    dom.add_argument("--space", action="store_true", help="all of R^d (the walk engine; unbounded regions count)")
    dom.add_argument(
        "--vnnlib", metavar="PROP", help="the input box(es) of a VNN-LIB property (each box of a disjunction counted)"
    )
    dom.add_argument("--plane", nargs=3, type=_vec, metavar=("ORIGIN", "U", "V"), help="the plane ORIGIN + s U + t V")
    dom.add_argument(
        "--plane-through", nargs=3, type=_vec, metavar=("P0", "P1", "P2"), help="the plane through three points"
    )
    c.add_argument(
        "--s-range", type=_pair, default=(0.0, 1.0), metavar="LO,HI", help="s range of --plane (default 0,1)"
    )
    c.add_argument(
        "--t-range", type=_pair, default=(0.0, 1.0), metavar="LO,HI", help="t range of --plane (default 0,1)"
    )
    c.add_argument("--margin", type=float, default=0.1, help="margin of --plane-through (default 0.1)")
    c.add_argument("--max-regions", type=int, help="stop after this many regions (an error unless --partial)")
    c.add_argument(
        "--time-limit", type=float, metavar="SECONDS", help="stop after this long (an error unless --partial)"
    )
    c.add_argument(
        "--partial",
        action="store_true",
        help="on --max-regions/--time-limit, print the regions found so far, marked partial, instead of an error",
    )
    c.add_argument("--no-linear", action="store_true", help="only count activation regions (regions are not stored)")
    c.add_argument(
        "--engine",
        choices=["auto", "interval", "polygon", "walk"],
        default="auto",
        help="auto: interval/polygon for 1-D/2-D domains, the walk otherwise",
    )
    c.add_argument("--threads", type=int, help="worker threads of the walk (default: all cores)")
    dist = c.add_mutually_exclusive_group()
    dist.add_argument("--workers", type=int, metavar="N", help="run the walk on a local Dask cluster of N processes")
    dist.add_argument("--scheduler", metavar="ADDRESS", help="run the walk on a Dask cluster (tcp://host:8786)")
    c.add_argument(
        "--out", metavar="DIR", help="write the regions to Parquet files in DIR (resumes an interrupted run there)"
    )
    c.add_argument("--progress", action="store_true", help="show a progress bar on stderr (tqdm when installed)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument(
        "--normalized",
        action="store_true",
        help=".nnet models: the stored weights on normalised inputs and outputs (as VNN-COMP's ONNX and VNN-LIB files)",
    )

    inf = sub.add_parser("info", help="describe a model: layers, units, skips, max-pool units, parameters")
    inf.add_argument("network", help="network file: .npz, .onnx or .nnet")
    inf.add_argument("--normalized", action="store_true", help=".nnet models: on normalised inputs")
    inf.add_argument("--json", action="store_true", help="print the description as JSON")

    pl = sub.add_parser("plot", help="plot the regions on a plane / 2-D box, or the function along a segment")
    pl.add_argument("network", nargs="?", help="network file (.npz)")
    pl.add_argument("--example", metavar="NAME", help="a bundled network")
    pdom = pl.add_mutually_exclusive_group()
    pdom.add_argument("--segment", nargs=2, type=_vec, metavar=("A", "B"))
    pdom.add_argument("--box", nargs=2, type=_vec, metavar=("LO", "HI"))
    pdom.add_argument("--plane", nargs=3, type=_vec, metavar=("ORIGIN", "U", "V"))
    pdom.add_argument("--plane-through", nargs=3, type=_vec, metavar=("P0", "P1", "P2"))
    pl.add_argument("--s-range", type=_pair, default=(0.0, 1.0), metavar="LO,HI")
    pl.add_argument("--t-range", type=_pair, default=(0.0, 1.0), metavar="LO,HI")
    pl.add_argument("--margin", type=float, default=0.1)
    pl.add_argument("--linear", action="store_true", help="colour maximal linear regions instead of activation regions")
    pl.add_argument("-o", "--output", required=True, help="image file to write (e.g. regions.png)")

    b = sub.add_parser("bounds", help="theoretical bounds on the number of regions of an architecture")
    b.add_argument("--input-dim", type=int, required=True)
    b.add_argument("--widths", type=_ints, required=True, help="hidden widths, comma-separated: 10,10,10")
    b.add_argument("--json", action="store_true")

    sub.add_parser("examples", help="list the bundled example networks")
    return p


def _domain(args: argparse.Namespace, default: Domain | None) -> Domain:
    if args.segment is not None:
        return Segment(*args.segment)
    if args.box is not None:
        return Box(*args.box)
    if args.plane is not None:
        origin, u, v = args.plane
        return Plane(origin, u, v, s_range=args.s_range, t_range=args.t_range)
    if args.plane_through is not None:
        p0, p1, p2 = args.plane_through
        return Plane.through(p0, p1, p2, margin=args.margin)
    if getattr(args, "space", False):
        return Space()
    if default is None:
        raise ValueError("give a domain: --segment A B, --box LO HI, --plane ORIGIN U V or --plane-through P0 P1 P2")
    return default


def _network_and_domain(args: argparse.Namespace) -> tuple[Network, Domain]:
    if (args.network is None) == (args.example is None):
        raise ValueError("give either a network file or --example NAME")
    default = None
    if args.example is not None:
        ex = example(args.example)
        net, default = ex.network, ex.domain
    else:
        net = load_model(args.network, normalized=getattr(args, "normalized", False))
    if getattr(args, "vnnlib", None) is not None:
        return net, _vnnlib_domain(args.vnnlib)
    return net, _domain(args, default)


def load_model(path: str, normalized: bool = False) -> Network:
    """A network from a file, by its suffix: ``.onnx``, ``.nnet``, else a ``.npz`` of :meth:`Network.save`."""
    low = path.lower()
    if low.endswith(".onnx"):
        return Network.from_onnx(path)
    if low.endswith(".nnet"):
        return Network.from_nnet(path, normalized=normalized)
    return Network.load(path)


def _vnnlib_domain(path: str) -> Domain:
    from .domains import vnnlib

    boxes = vnnlib(path)
    return boxes[0] if len(boxes) == 1 else _Boxes(boxes)


class _Boxes(Domain):
    """The boxes of a VNN-LIB disjunction (counted one by one)."""

    def __init__(self, boxes: list[Box]) -> None:
        self.boxes = boxes
        self.dim = self.input_dim = boxes[0].dim

    def __repr__(self) -> str:
        return f"{len(self.boxes)} boxes (a VNN-LIB disjunction)"


def _info(args: argparse.Namespace) -> dict[str, Any]:
    net = load_model(args.network, normalized=args.normalized)
    d, layers, out = net.graph
    rows = []
    for k, layer in enumerate([*layers, out], start=1):
        row: dict[str, Any] = {
            "layer": k if layer.kind != "affine" else "output",
            "kind": layer.kind,
            "name": layer.name,
            "values": layer.size,
            "units": layer.num_units,
            "inputs": [s for s, _ in layer.inputs],
            "skips": [s for s, _ in layer.inputs if s != k - 1],
        }
        if layer.kind == "activation":
            slopes = np.unique(np.asarray(layer.negative_slopes))
            row["activation"] = "relu" if slopes.tolist() == [0.0] else ("leaky_relu" if slopes.size == 1 else "prelu")
        if layer.kind == "max_pool":
            sizes = sorted({len(w) for w in layer.windows or ()})
            row["max_pool"] = (
                f"{layer.size} windows of {'/'.join(map(str, sizes))} values, {layer.num_units} comparison units"
            )
        rows.append(row)
    chain = [W.shape[0] for W in net._weights[:-1]]
    return {
        "network": repr(net),
        "input_dim": d,
        "output_dim": net.output_dim,
        "parameters": net.num_parameters,
        "pattern_units": net.num_hidden,
        "engine_chain": {
            "hidden_layers": len(chain),
            "units": int(sum(chain)),
            "carry_units": int(sum(chain)) - net.num_hidden,
        },
        "layers": rows,
        "input_box": None if net.input_box is None else repr(net.input_box),
    }


def _count(args: argparse.Namespace) -> dict[str, Any]:
    if args.partial and args.max_regions is None and args.time_limit is None:
        raise ValueError("--partial needs a limit: --max-regions N or --time-limit SECONDS")
    net, domain = _network_and_domain(args)
    if isinstance(domain, _Boxes):
        t0 = time.perf_counter()
        parts = []
        for box in domain.boxes:
            part = _count_on(args, net, box)
            parts.append({k: part[k] for k in ("domain", "regions", "complete") if k in part})
        return {
            "network": repr(net),
            "domain": repr(domain),
            "boxes": parts,
            "regions": sum(p["regions"] for p in parts),
            "complete": all(p["complete"] for p in parts),
            "seconds": time.perf_counter() - t0,
        }
    return _count_on(args, net, domain)


def _count_on(args: argparse.Namespace, net: Network, domain: Domain) -> dict[str, Any]:
    limits: dict[str, Any] = {
        "max_regions": args.max_regions,
        "time_limit": args.time_limit,
        "engine": args.engine,
        "threads": args.threads,
        "partial": args.partial,
    }
    t0 = time.perf_counter()
    out: dict[str, Any] = {"network": repr(net), "domain": repr(domain)}
    bar = _ProgressBar() if args.progress else None
    with contextlib.ExitStack() as stack:
        executor = _executor(args, stack)
        if executor is not None:
            limits["executor"] = executor
        if args.out is not None:
            limits["out"] = args.out
        try:
            complete, reason = _run_count(net, domain, args, bar, limits, out)
        finally:
            if bar is not None:
                bar.close()
    out["complete"] = bool(complete)
    if not complete:
        out["partial"] = reason
    out["seconds"] = time.perf_counter() - t0
    return out


def _executor(args: argparse.Namespace, stack: contextlib.ExitStack) -> Any:
    """A Dask client for --workers N (a local cluster) or --scheduler ADDRESS, closed with `stack`."""
    if args.workers is None and args.scheduler is None:
        return None
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be a positive integer, got {args.workers}")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("--workers and --scheduler need Dask: pip install 'reluregions[dask]'") from None
    if args.scheduler is not None:
        return stack.enter_context(Client(args.scheduler))
    cluster = stack.enter_context(
        LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    )
    return stack.enter_context(Client(cluster))


def _run_count(
    net: Network, domain: Domain, args: argparse.Namespace, bar: Any, limits: dict[str, Any], out: dict[str, Any]
) -> tuple[bool, str]:
    if args.out is not None:  # streamed: the regions are on disk, not merged into linear regions
        written = regions(net, domain, progress=bar, **limits)
        out["regions"], out["out"] = int(written), args.out
        return written.complete, written.reason
    if args.no_linear:
        n = count(net, domain, progress=bar, **limits)
        out["regions"] = int(n)
        return n.complete, n.reason
    res = regions(net, domain, merge_linear=True, progress=bar, **limits)
    out["regions"] = res.count
    if res.complete:
        out["linear_regions"] = res.linear_count
    return res.complete, res.reason


class _ProgressBar:
    """progress(regions, open_nodes, elapsed) as a tqdm bar (regions found), or a plain stderr line; a
    second bar (``start_phase``) for the merge into linear regions, which counts regions done of all."""

    def __init__(self) -> None:
        try:
            from tqdm import tqdm
        except ImportError:
            self._tqdm = None
        else:
            self._tqdm = tqdm
        self._bar: Any = None
        self._phase = "enumerating"
        self._total: int | None = None
        self._last = 0
        self._open = False
        self._new_bar()

    def _new_bar(self) -> None:
        if self._tqdm is not None:
            desc = "regions" if self._total is None else "linear regions (merging)"
            self._bar = self._tqdm(total=self._total, desc=desc, unit=" regions", file=sys.stderr, dynamic_ncols=True)

    def start_phase(self, name: str, total: int) -> None:
        """A new phase (the merge into linear regions) with a known total."""
        self._finish()
        self._phase, self._total, self._last = name, int(total), 0
        if self._tqdm is None:
            print(f"{name}: merging {total:,} regions", file=sys.stderr, flush=True)
        self._new_bar()

    def __call__(self, found: int, open_nodes: int, elapsed: float) -> None:
        if self._bar is not None:
            self._bar.update(found - self._last)
            if self._total is None:
                self._bar.set_postfix(open=open_nodes, refresh=False)
        elif self._total is None:
            print(f"\r{found:,} regions, {open_nodes:,} open, {elapsed:.1f} s", end="", file=sys.stderr, flush=True)
            self._open = True
        else:
            print(
                f"\r{self._phase}: {found:,} of {self._total:,} regions merged, {elapsed:.1f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
            self._open = True
        self._last = found

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._open:
            print(file=sys.stderr)
            self._open = False

    def close(self) -> None:
        self._finish()


def _plot(args: argparse.Namespace) -> str:
    from . import plot

    net, domain = _network_and_domain(args)
    if domain.dim == 1:
        plot.plot_regions_1d(net, domain, path=args.output)
    elif domain.dim == 2:
        plot.plot_regions_2d(net, domain, color_by="linear" if args.linear else "region", path=args.output)
    else:
        raise ValueError(f"can only plot 1-D and 2-D domains, got a {domain.dim}-D one")
    return args.output


def _bounds(args: argparse.Namespace) -> dict[str, Any]:
    from . import bounds

    widths, d = args.widths, args.input_dim
    out: dict[str, Any] = {"input_dim": d, "widths": widths, "parameters": bounds.num_parameters(d, widths)}
    for name in ("serra2018_upper", "montufar2017_upper", "serra2018_lower", "montufar2014_lower"):
        try:
            out[name] = getattr(bounds, name)(d, widths)
        except ValueError as exc:  # a lower bound outside its validity range
            out[name] = f"n/a ({exc})"
    out["trivial_upper"] = bounds.trivial_upper(widths)
    return out


def _print_info(res: dict[str, Any]) -> None:
    print(f"network:     {res['network']}")
    print(f"inputs:      {res['input_dim']}   outputs: {res['output_dim']}   parameters: {res['parameters']:,}")
    chain = res["engine_chain"]
    print(
        f"units:       {res['pattern_units']:,} in patterns; the engines' chain has {chain['hidden_layers']} layers, "
        f"{chain['units']:,} units ({chain['carry_units']:,} linear carry units)"
    )
    if res["input_box"]:
        print(f"input box:   {res['input_box']}")
    for row in res["layers"]:
        what = row.get("activation") or row.get("max_pool") or row["kind"]
        skips = f"  skips from {row['skips']}" if row["skips"] else ""
        print(
            f"  layer {row['layer']!s:>6}: {row['values']:>6} values, {row['units']:>6} units  "
            f"{what}{skips}  {row['name']}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # "-1,2" is a vector, not an option: a leading space keeps argparse from reading it as one.
    argv = [" " + a if _NUMBERS.match(a) else a for a in argv]
    args = _parser().parse_args(argv)
    try:
        if args.command == "examples":
            for name, desc in examples().items():
                print(f"{name:18s} {desc}")
            return 0
        if args.command == "plot":
            print(f"wrote {_plot(args)}")
            return 0
        if args.command == "info":
            res = _info(args)
            if args.json:
                print(json.dumps(res))
            else:
                _print_info(res)
            return 0
        if args.command == "bounds":
            res = _bounds(args)
            if args.json:
                print(json.dumps({k: (str(v) if isinstance(v, int) and v > 2**53 else v) for k, v in res.items()}))
            else:
                for k, v in res.items():
                    print(f"{k + ':':20s} {v:,}" if isinstance(v, int) else f"{k + ':':20s} {v}")
            return 0
        out = _count(args)
    except (ValueError, TypeError, OSError, ImportError, _core.LimitExceeded) as exc:
        print(f"reluregions: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reluregions: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(out))
    else:
        print(f"network:         {out['network']}")
        print(f"domain:          {out['domain']}")
        for part in out.get("boxes", []):
            print(f"  {part['domain']}: {part['regions']} regions")
        if out["complete"]:
            print(f"regions:         {out['regions']}")
        else:
            print(f"regions:         {out['regions']} (partial: {out['partial']}; at least this many)")
        if "linear_regions" in out:
            print(f"linear regions:  {out['linear_regions']}")
        elif not out["complete"]:
            print("linear regions:  not computed (partial result)")
        if "out" in out:
            print(f"written to:      {out['out']} (reluregions.read_regions)")
        print(f"time:            {out['seconds'] * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
