"""The ACAS Xu ``.nnet`` text format (Katz et al., Reluplex) and VNN-LIB input constraints.

``.nnet``: comment lines (``//``), then ``numLayers, inputSize, outputSize, maxLayerSize,``, the layer sizes
(input first), a legacy flag, the input minima, maxima, means (one per input, then the output's), ranges
(likewise), then per layer the weight rows and the biases, one number per row of biases. The network
clips its inputs to ``[min, max]``, normalises them to ``(x - mean) / range`` and de-normalises its outputs
to ``y * range_out + mean_out``; on the input box the normalisation is affine and is folded into the
first layer, the de-normalisation into the last (the folded weights are the float64 results of those
products: the network counted is that one, exactly).
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np


class NNetData:
    """What an ``.nnet`` file holds: the stored (normalised-input) weights and the normalisation."""

    def __init__(
        self,
        weights: list[np.ndarray],
        biases: list[np.ndarray],
        mins: np.ndarray,
        maxs: np.ndarray,
        means: np.ndarray,
        ranges: np.ndarray,
    ) -> None:
        self.weights, self.biases = weights, biases
        self.mins, self.maxs, self.means, self.ranges = mins, maxs, means, ranges

    def folded(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weights and biases of the network on raw inputs: normalisation folded into the first layer,
        de-normalisation into the last."""
        n = self.weights[0].shape[1]
        mean_in, range_in = self.means[:n], self.ranges[:n]
        W0 = self.weights[0] / range_in[None, :]
        b0 = self.biases[0] - self.weights[0] @ (mean_in / range_in)
        Ws, bs = [W0, *self.weights[1:]], [b0, *self.biases[1:]]
        Ws[-1] = Ws[-1] * self.ranges[n]
        bs[-1] = bs[-1] * self.ranges[n] + self.means[n]
        return Ws, bs


def read_nnet(path: Any) -> NNetData:
    name = os.fspath(path)
    with open(path) as fh:
        text = fh.read()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("//")]

    def numbers(line: str, what: str) -> list[float]:
        try:
            return [float(x) for x in line.replace(",", " ").split()]
        except ValueError:
            raise ValueError(f"{name}: {what}: expected numbers, got {line[:60]!r}") from None

    pos = 0

    def take(what: str) -> list[float]:
        nonlocal pos
        if pos >= len(lines):
            raise ValueError(f"{name}: truncated .nnet file (missing {what})")
        pos += 1
        return numbers(lines[pos - 1], what)

    head = take("the header")
    if len(head) < 4 or any(h != int(h) or h < 1 for h in head[:4]):
        raise ValueError(
            f"{name}: not an .nnet file (the header must be numLayers, inputSize, outputSize, maxLayerSize)"
        )
    L, n_in, n_out = (int(h) for h in head[:3])
    sizes = [int(s) for s in take("the layer sizes")]
    if len(sizes) != L + 1 or sizes[0] != n_in or sizes[-1] != n_out:
        raise ValueError(
            f"{name}: layer sizes {sizes} do not match the header ({L} layers, {n_in} inputs, {n_out} outputs)"
        )
    take("the legacy flag line")
    mins, maxs = np.array(take("the input minima")), np.array(take("the input maxima"))
    means, ranges = np.array(take("the means")), np.array(take("the ranges"))
    for what, arr, n in (
        ("minima", mins, n_in),
        ("maxima", maxs, n_in),
        ("means", means, n_in + 1),
        ("ranges", ranges, n_in + 1),
    ):
        if arr.size != n:
            raise ValueError(f"{name}: expected {n} {what}, got {arr.size}")
    if np.any(ranges == 0):
        raise ValueError(f"{name}: a normalisation range is zero")
    Ws, bs = [], []
    for l in range(L):
        rows = [take(f"layer {l} weights") for _ in range(sizes[l + 1])]
        if any(len(r) != sizes[l] for r in rows):
            raise ValueError(f"{name}: layer {l}: each weight row needs {sizes[l]} numbers")
        b = [take(f"layer {l} biases") for _ in range(sizes[l + 1])]
        if any(len(v) != 1 for v in b):
            raise ValueError(f"{name}: layer {l}: one bias per line expected")
        Ws.append(np.array(rows))
        bs.append(np.array([v[0] for v in b]))
    for arr in [mins, maxs, means, ranges, *Ws, *bs]:
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: a non-finite number (nan or inf) in the file")
    return NNetData(Ws, bs, mins, maxs, means, ranges)


def write_nnet(path: Any, data: NNetData) -> None:
    """Writes `data` with every number in its shortest round-trip form (repr), so nothing is rounded."""
    sizes = [data.weights[0].shape[1], *(W.shape[0] for W in data.weights)]
    out = ["// Written by reluregions (save_nnet)"]
    out.append(f"{len(data.weights)},{sizes[0]},{sizes[-1]},{max(sizes)},")
    out.append(",".join(str(s) for s in sizes) + ",")
    out.append("0,")
    for arr in (data.mins, data.maxs, data.means, data.ranges):
        out.append(",".join(repr(float(v)) for v in arr) + ",")
    for W, b in zip(data.weights, data.biases):
        out.extend(",".join(repr(float(v)) for v in row) + "," for row in W)
        out.extend(repr(float(v)) + "," for v in b)
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


# -------------------------------------------------------------------------------------------- VNN-LIB
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def _parse_sexprs(text: str, name: str) -> list[Any]:
    text = "\n".join(line.split(";", 1)[0] for line in text.splitlines())
    stack: list[list[Any]] = [[]]
    for tok in _TOKEN.findall(text):
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise ValueError(f"{name}: unbalanced ')' in the VNN-LIB file")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise ValueError(f"{name}: unbalanced '(' in the VNN-LIB file (truncated?)")
    return stack[0]


def read_vnnlib(path: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The input boxes of a VNN-LIB property: one ``(lo, hi)`` per disjunct of the input constraints
    (constraints on the outputs ``Y_i`` are ignored)."""
    name = os.fspath(path)
    with open(path) as fh:
        exprs = _parse_sexprs(fh.read(), name)
    n_in = 0
    for e in exprs:
        if isinstance(e, list) and e and e[0] == "declare-const" and len(e) >= 2 and str(e[1]).startswith("X_"):
            n_in = max(n_in, int(e[1][2:]) + 1)
    if n_in == 0:
        raise ValueError(f"{name}: no input variable X_0, X_1, ... is declared")

    def bound(atom: list[Any]) -> tuple[int, str, float] | None:
        """(input, 'lo' or 'hi', value) of (<= X_i c), (>= X_i c), (<= c X_i), ...; None for outputs."""
        if len(atom) != 3 or atom[0] not in ("<=", ">=", "<", ">"):
            raise ValueError(f"{name}: unsupported constraint {_show(atom)}")
        op, a, b = atom
        if isinstance(a, str) and a.startswith("Y_") or isinstance(b, str) and b.startswith("Y_"):
            return None
        if isinstance(a, str) and a.startswith("X_") and not (isinstance(b, str) and b.startswith("X_")):
            var, val, upper = a, b, op in ("<=", "<")
        elif isinstance(b, str) and b.startswith("X_") and not (isinstance(a, str) and a.startswith("X_")):
            var, val, upper = b, a, op in (">=", ">")
        else:
            raise ValueError(f"{name}: unsupported input constraint {_show(atom)} (bounds on single inputs only)")
        try:
            return int(var[2:]), "hi" if upper else "lo", float(val)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: unsupported input constraint {_show(atom)}") from None

    def conj(terms: list[Any]) -> list[list[tuple[int, str, float]]]:
        """Disjunctive normal form of a conjunction: a list of alternatives, each a list of bounds."""
        alts: list[list[tuple[int, str, float]]] = [[]]
        for t in terms:
            if isinstance(t, list) and t and t[0] == "and":
                sub = conj(t[1:])
            elif isinstance(t, list) and t and t[0] == "or":
                sub = [alt for u in t[1:] for alt in conj([u])]
            elif isinstance(t, list):
                b = bound(t)
                sub = [[b]] if b is not None else [[]]
            else:
                raise ValueError(f"{name}: unsupported term {t!r}")
            alts = [x + y for x in alts for y in sub]
        return alts

    asserts = [e[1] for e in exprs if isinstance(e, list) and e and e[0] == "assert" and len(e) == 2]
    boxes: list[tuple[np.ndarray, np.ndarray]] = []
    for alt in conj(asserts):
        lo, hi = np.full(n_in, -np.inf), np.full(n_in, np.inf)
        for i, side, v in alt:
            if i >= n_in:
                raise ValueError(f"{name}: bound on X_{i}, which is not declared")
            if side == "lo":
                lo[i] = max(lo[i], v)
            else:
                hi[i] = min(hi[i], v)
        missing = [i for i in range(n_in) if not (np.isfinite(lo[i]) and np.isfinite(hi[i]))]
        if missing:
            raise ValueError(
                f"{name}: no input bounds for X_{missing[0]} (every input needs a lower and an upper bound)"
            )
        key = (tuple(lo), tuple(hi))
        if key not in [(tuple(b[0]), tuple(b[1])) for b in boxes]:
            boxes.append((lo, hi))
    return boxes


def _show(e: Any) -> str:
    return "(" + " ".join(_show(x) for x in e) + ")" if isinstance(e, list) else str(e)
