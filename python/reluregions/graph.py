"""Layered graphs: hidden layers with skip connections, per-unit slopes and max-pooling.

A layered graph has the network input (source 0) and hidden layers 1, 2, ... in topological order. The
pre-activation of a layer is an affine function of the input and of the outputs of any earlier layers;
so is the output. Two kinds of hidden layer:

* an *activation* layer: ``h = z`` where ``z > 0``, ``h = negative_slope * z`` elsewhere, one slope per
  unit (0: ReLU; a constant: leaky ReLU; per channel: PReLU). One pattern unit per neuron, on iff
  ``z > 0``.
* a *max-pool* layer: output ``o = max(z[w] for w in windows[o])``, computed exactly with ReLU units in a
  balanced binary tree, ``max(a, b) = b + relu(a - b)``. A window of ``k`` values adds ``k - 1`` pattern
  units (comparisons): at each level the window's running maxima are paired left to right (an odd one
  passes through unchanged), a comparison is on iff ``left > right``. The units of a max-pool layer are
  ordered level by level, and within a level window by window, pair by pair. A window of one value adds
  none. A region is thus a cell of constant ReLU signs and max-pool choices.

The engines see an equivalent dense chain (see :func:`compile_graph`): values needed by later layers are
carried through *linear* units (negative slope exactly 1: the identity in floats and in rationals), which
have no boundary, are never split on and never appear in the patterns users see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Layer"]


def _matrix(value: Any, what: str) -> np.ndarray:
    from .network import _as_float_array

    return _as_float_array(value, what, 2)


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of a layered graph (a hidden layer, or the output).

    Build with :meth:`activation`, :meth:`max_pool` or :meth:`affine`; combine with
    :meth:`reluregions.Network.from_graph`.

    Attributes
    ----------
    kind : {"activation", "max_pool", "affine"}
    inputs : tuple of (int, ndarray)
        ``(source, W)`` pairs: source 0 is the network input, ``k >= 1`` the output of hidden layer
        ``k``; ``W`` has shape ``(pre-activation size, source size)``.
    bias : ndarray
        The pre-activation's constant term.
    negative_slopes : ndarray or None
        Activation layers: the slope of each unit for negative pre-activations (0 for ReLU).
    windows : tuple of ndarray or None
        Max-pool layers: the pre-activation indices whose maximum is each output.
    name : str
        Where the layer came from (shown in messages and by ``reluregions info``).
    """

    kind: str
    inputs: tuple[tuple[int, np.ndarray], ...]
    bias: np.ndarray
    negative_slopes: np.ndarray | None = None
    windows: tuple[np.ndarray, ...] | None = None
    name: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _inputs(inputs: Mapping[int, Any] | Sequence[tuple[int, Any]], name: str) -> tuple[tuple[int, np.ndarray], ...]:
        items = list(inputs.items()) if isinstance(inputs, Mapping) else list(inputs)
        if not items:
            raise ValueError(f"layer {name!r}: needs at least one input")
        out: list[tuple[int, np.ndarray]] = []
        seen = set()
        for src, W in items:
            if isinstance(src, bool) or not isinstance(src, (int, np.integer)) or src < 0:
                raise ValueError(f"layer {name!r}: input source must be a non-negative integer, got {src!r}")
            if int(src) in seen:
                raise ValueError(f"layer {name!r}: source {int(src)} given twice")
            seen.add(int(src))
            out.append((int(src), _matrix(W, f"layer {name!r}: weight matrix from source {int(src)}")))
        rows = {W.shape[0] for _, W in out}
        if len(rows) != 1:
            raise ValueError(f"layer {name!r}: weight matrices have different numbers of rows {sorted(rows)}")
        return tuple(sorted(out, key=lambda p: p[0]))

    @classmethod
    def activation(
        cls,
        inputs: Mapping[int, Any] | Sequence[tuple[int, Any]],
        bias: Any,
        negative_slope: Any = 0.0,
        name: str = "",
    ) -> Layer:
        """A ReLU / leaky ReLU / PReLU layer: ``negative_slope`` a number or one per unit."""
        from .network import _as_float_array

        ins = cls._inputs(inputs, name)
        b = _as_float_array(bias, f"layer {name!r}: bias", 1)
        if b.shape[0] != ins[0][1].shape[0]:
            raise ValueError(
                f"layer {name!r}: bias has {b.shape[0]} entries but the weights have {ins[0][1].shape[0]} rows"
            )
        s = np.asarray(negative_slope, dtype=np.float64)
        if s.ndim == 0:
            s = np.full(b.shape[0], float(s))
        if s.shape != b.shape:
            raise ValueError(f"layer {name!r}: expected {b.shape[0]} negative slopes, got shape {s.shape}")
        if not np.all(np.isfinite(s)):
            raise ValueError(f"layer {name!r}: negative slopes must be finite")
        s = s.copy()
        s.setflags(write=False)
        return cls("activation", ins, b, negative_slopes=s, name=name)

    @classmethod
    def max_pool(
        cls,
        inputs: Mapping[int, Any] | Sequence[tuple[int, Any]],
        bias: Any,
        windows: Sequence[Any],
        name: str = "",
    ) -> Layer:
        """A max-pool layer: output ``o`` is the maximum of the pre-activations ``windows[o]``."""
        from .network import _as_float_array

        ins = cls._inputs(inputs, name)
        b = _as_float_array(bias, f"layer {name!r}: bias", 1)
        m = ins[0][1].shape[0]
        if b.shape[0] != m:
            raise ValueError(f"layer {name!r}: bias has {b.shape[0]} entries but the weights have {m} rows")
        wins = []
        for o, w in enumerate(windows):
            idx = np.asarray(w, dtype=np.int64).reshape(-1)
            if idx.size == 0:
                raise ValueError(f"layer {name!r}: max-pool window {o} is empty")
            if idx.min() < 0 or idx.max() >= m:
                raise ValueError(f"layer {name!r}: max-pool window {o} has an index outside 0..{m - 1}")
            idx.setflags(write=False)
            wins.append(idx)
        if not wins:
            raise ValueError(f"layer {name!r}: a max-pool layer needs at least one window")
        return cls("max_pool", ins, b, windows=tuple(wins), name=name)

    @classmethod
    def affine(cls, inputs: Mapping[int, Any] | Sequence[tuple[int, Any]], bias: Any, name: str = "output") -> Layer:
        """The output layer: an affine function of the sources."""
        from .network import _as_float_array

        ins = cls._inputs(inputs, name)
        b = _as_float_array(bias, f"layer {name!r}: bias", 1)
        if b.shape[0] != ins[0][1].shape[0]:
            raise ValueError(
                f"layer {name!r}: bias has {b.shape[0]} entries but the weights have {ins[0][1].shape[0]} rows"
            )
        return cls("affine", ins, b, name=name)

    # ------------------------------------------------------------------------------------------ sizes
    @property
    def pre_size(self) -> int:
        return int(self.bias.shape[0])

    @property
    def size(self) -> int:
        """Number of output values."""
        return len(self.windows) if self.windows is not None else self.pre_size

    @property
    def num_units(self) -> int:
        """Pattern units: one per neuron, ``k - 1`` per max-pool window of ``k`` values."""
        if self.kind == "activation":
            return self.pre_size
        if self.kind == "max_pool":
            assert self.windows is not None
            return int(sum(len(w) - 1 for w in self.windows))
        return 0

    @property
    def num_parameters(self) -> int:
        n = int(sum(W.size for _, W in self.inputs) + self.bias.size)
        return n


def check_graph(input_dim: int, layers: Sequence[Layer], output: Layer) -> list[int]:
    """Checks sources and shapes; returns the size of every source (0: the input)."""
    if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
        raise ValueError(f"input_dim must be a positive integer, got {input_dim!r}")
    sizes = [int(input_dim)]
    for k, layer in enumerate([*layers, output], start=1):
        if not isinstance(layer, Layer):
            raise TypeError(f"layer {k}: expected a reluregions.Layer, got {type(layer).__name__}")
        is_out = k == len(layers) + 1
        if is_out and layer.kind != "affine":
            raise ValueError(f"the output layer must be Layer.affine, got a {layer.kind} layer")
        if not is_out and layer.kind == "affine":
            raise ValueError(f"layer {k} ({layer.name!r}): a hidden layer must be an activation or max-pool layer")
        for src, W in layer.inputs:
            if src >= k:
                raise ValueError(f"layer {k} ({layer.name!r}): input from layer {src}, which is not earlier")
            if W.shape[1] != sizes[src]:
                raise ValueError(
                    f"layer {k} ({layer.name!r}): weight matrix from source {src} has {W.shape[1]} columns "
                    f"but the source has {sizes[src]} values"
                )
        sizes.append(layer.size)
    return sizes


def _rows(width: int, cols: Any) -> np.ndarray:
    """Rows of the identity matrix of size `width`."""
    cols = list(cols)
    out = np.zeros((len(cols), width))
    out[np.arange(len(cols)), cols] = 1.0
    return out


class _Selection:
    """Rows of the identity matrix of size `width` (row ``r`` picks column ``cols[r]``, all distinct),
    kept as indices: the chain's carried values, without a dense width x width matrix."""

    def __init__(self, width: int, cols: Any) -> None:
        self.width = int(width)
        self.cols = np.asarray(cols, dtype=np.int64)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.cols.size), self.width)

    def dense(self) -> np.ndarray:
        return _rows(self.width, self.cols)


def _dense_rows(rows: Sequence[tuple[np.ndarray, np.ndarray, float]], width: int) -> np.ndarray:
    """The dense matrix of sparse rows (columns, values, constant): row r = sum of values at columns."""
    out = np.zeros((len(rows), width))
    for r, (cols, vals, _) in enumerate(rows):
        np.add.at(out[r], cols, vals)
    return out


def _is_selection(A: np.ndarray, a: np.ndarray) -> bool:
    """Every row picks one column with weight 1, and no constant."""
    return bool(np.all(a == 0) and np.all((A == 0) | (A == 1)) and np.all(np.count_nonzero(A, axis=1) == 1))


@dataclass
class Chain:
    """The dense chain a graph compiles to (see :func:`compile_graph`)."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    slopes: list[np.ndarray]  # per hidden unit
    linear: list[np.ndarray]  # per hidden unit: a carry (pass-through) unit
    user_units: np.ndarray  # chain unit (flat index) of each user unit, in user order


def compile_graph(input_dim: int, layers: Sequence[Layer], output: Layer) -> Chain:
    """An equivalent dense chain: the same function, and a pattern whose user units are exactly the
    graph's units (carry units are linear: always bit 0, no boundary).

    Every value still needed is an affine expression ``M h + c`` of the current chain layer's output
    ``h``; a new chain layer holds the new units and one linear unit per component of every value needed
    later (whose pre-activation is that expression).
    """
    sizes = check_graph(input_dim, layers, output)
    n_layers = len(layers)
    last_use = [0] * (n_layers + 1)  # last layer (n_layers + 1: the output) reading each source
    for k, layer in enumerate([*layers, output], start=1):
        for src, _ in layer.inputs:
            last_use[src] = max(last_use[src], k)
    exprs: dict[int, tuple[np.ndarray | _Selection, np.ndarray]] = {
        0: (_Selection(sizes[0], range(sizes[0])), np.zeros(sizes[0]))
    }
    chain_W: list[np.ndarray] = []
    chain_b: list[np.ndarray] = []
    chain_s: list[np.ndarray] = []
    chain_lin: list[np.ndarray] = []
    user_parts: list[np.ndarray] = []
    unit_offset = 0

    def pre(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
        ncols = next(iter(exprs.values()))[0].shape[1]
        A = np.zeros((layer.pre_size, ncols))
        a = layer.bias.copy()
        for src, W in layer.inputs:
            M, c = exprs[src]
            if isinstance(M, _Selection):
                A[:, M.cols] += W  # W @ M without M
            else:
                A += W @ M
            a += W @ c
        return A, a

    def push(
        rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], k: int
    ) -> tuple[list[int], dict[int, tuple[int, int]]]:
        """Appends a chain layer: `rows` = (A, a, slopes, linear) blocks, then carries of the sources
        read after layer k. Returns the offsets of the blocks and the carried sources' slices."""
        nonlocal unit_offset
        blocks = list(rows)
        carried: dict[int, tuple[int, int]] = {}
        offs = []
        pos = 0
        for A, _, _, _ in blocks:
            offs.append(pos)
            pos += A.shape[0]
        for src in sorted(exprs):
            if last_use[src] > k and src != k:
                M, c = exprs[src]
                carried[src] = (pos, pos + M.shape[0])
                dense = M.dense() if isinstance(M, _Selection) else M
                blocks.append((dense, c, np.ones(M.shape[0]), np.ones(M.shape[0], dtype=bool)))
                pos += M.shape[0]
        chain_W.append(np.concatenate([blk[0] for blk in blocks], axis=0))
        chain_b.append(np.concatenate([blk[1] for blk in blocks]))
        chain_s.append(np.concatenate([blk[2] for blk in blocks]))
        chain_lin.append(np.concatenate([blk[3] for blk in blocks]).astype(bool))
        width = pos
        for src, (lo, hi) in carried.items():
            exprs[src] = (_Selection(width, range(lo, hi)), np.zeros(hi - lo))
        for src in [s for s in exprs if s not in carried]:
            del exprs[src]
        start = unit_offset
        unit_offset += width
        return [start + o for o in offs], carried

    def width_now() -> int:
        return int(chain_W[-1].shape[0]) if chain_W else int(sizes[0])

    def selected_columns(layer: Layer) -> np.ndarray | None:
        """The chain columns the layer's pre-activations are, when they are chain values as they are
        (one source carried as a selection, weights a selection, no bias): no dense pre-activation."""
        if len(layer.inputs) != 1 or np.any(layer.bias != 0):
            return None
        src, W = layer.inputs[0]
        M, c = exprs[src]
        if not isinstance(M, _Selection) or np.any(c != 0):
            return None
        nonzero = W != 0
        if not (np.all(np.count_nonzero(nonzero, axis=1) == 1) and np.all(W[nonzero] == 1)):
            return None
        return M.cols[np.argmax(nonzero, axis=1)]

    for k, layer in enumerate(layers, start=1):
        if layer.kind == "activation":
            A, a = pre(layer)
            assert layer.negative_slopes is not None
            n = layer.pre_size
            (start,), _ = push([(A, a, layer.negative_slopes, np.zeros(n, dtype=bool))], k)
            user_parts.append(np.arange(start, start + n))
            width = chain_W[-1].shape[0]
            lo = start - (unit_offset - width)
            exprs[k] = (_Selection(width, range(lo, lo + n)), np.zeros(n))
            continue
        assert layer.windows is not None
        # Max-pool: each window's running maxima as expressions over the current chain layer; one chain
        # layer per tree level: relu(left - right) (a pattern unit) and right carried, so that
        # max(left, right) = right + relu(left - right); an odd node is carried as it is.
        # Exactness: a level's weights must be +-1 on chain units (a rounded row difference would move
        # the comparisons), so the pre-activations are first materialized as linear units unless they
        # already are chain units (a max-pool right after an activation layer).
        # A node is a sparse row over the current chain layer: (columns, values, constant).
        cols = selected_columns(layer)
        if cols is None:
            A, a = pre(layer)
            if _is_selection(A, a):
                cols = np.argmax(A != 0, axis=1)
            else:
                (start,), _ = push([(A, a, np.ones(len(a)), np.ones(len(a), dtype=bool))], k)
                cols = np.arange(len(a)) + start - (unit_offset - chain_W[-1].shape[0])
            del A
        nodes = [[(cols[j : j + 1], np.ones(1), 0.0) for j in win] for win in layer.windows]
        while any(len(win) > 1 for win in nodes):
            pairs = [(o, t) for o, win in enumerate(nodes) for t in range(len(win) // 2)]
            odd = [o for o, win in enumerate(nodes) if len(win) % 2]
            diff = []
            for o, t in pairs:
                (lc, lv, l0), (rc, rv, r0) = nodes[o][2 * t], nodes[o][2 * t + 1]
                diff.append((np.concatenate([lc, rc]), np.concatenate([lv, -rv]), l0 - r0))
            right = [nodes[o][2 * t + 1] for o, t in pairs]
            last = [nodes[o][-1] for o in odd]
            ncols = width_now()
            blocks = []
            for part, linear in ((diff, False), (right, True), (last, True)):
                if part:
                    n = len(part)
                    blocks.append(
                        (
                            _dense_rows(part, ncols),
                            np.array([e[2] for e in part], dtype=np.float64),
                            np.full(n, 1.0 if linear else 0.0),
                            np.full(n, linear),
                        )
                    )
            starts, _ = push(blocks, k)
            del blocks
            user_parts.append(np.arange(starts[0], starts[0] + len(pairs)))
            width = chain_W[-1].shape[0]
            base = unit_offset - width
            new: list[list[tuple[np.ndarray, np.ndarray, float]]] = [[] for _ in nodes]
            two = np.ones(2)
            for r, (o, _) in enumerate(pairs):
                new[o].append((np.array([starts[0] - base + r, starts[1] - base + r]), two, 0.0))
            for r, o in enumerate(odd):
                new[o].append((np.array([starts[-1] - base + r]), two[:1], 0.0))
            nodes = new
        finals = [win[0] for win in nodes]
        exprs[k] = (_dense_rows(finals, width_now()), np.array([e[2] for e in finals], dtype=np.float64))
    A, a = pre(output)
    chain_W.append(A)
    chain_b.append(a)
    return Chain(
        chain_W, chain_b, chain_s, chain_lin, np.concatenate(user_parts) if user_parts else np.zeros(0, np.int64)
    )


def graph_arrays(
    graph: tuple[int, Sequence[Layer], Layer], source_parameters: int | None, prefix: str = ""
) -> dict[str, Any]:
    """A graph as named arrays (for ``.npz``): ``{prefix}graph`` (JSON structure) and, for layer ``k``
    (the output is ``len(layers) + 1``), ``g{k}_W{source}``, ``g{k}_b``, ``g{k}_slopes`` or
    ``g{k}_windows`` / ``g{k}_window_offsets``."""
    import json

    d, layers, output = graph
    meta: dict[str, Any] = {"input_dim": int(d), "layers": [], "source_parameters": source_parameters}
    arrays: dict[str, Any] = {}
    for k, layer in enumerate([*layers, output], start=1):
        meta["layers"].append({"kind": layer.kind, "name": layer.name, "sources": [s for s, _ in layer.inputs]})
        for src, W in layer.inputs:
            arrays[f"{prefix}g{k}_W{src}"] = W
        arrays[f"{prefix}g{k}_b"] = layer.bias
        if layer.negative_slopes is not None:
            arrays[f"{prefix}g{k}_slopes"] = layer.negative_slopes
        if layer.windows is not None:
            arrays[f"{prefix}g{k}_windows"] = np.concatenate(layer.windows)
            arrays[f"{prefix}g{k}_window_offsets"] = np.cumsum([0] + [len(w) for w in layer.windows])
    arrays[f"{prefix}graph"] = np.array(json.dumps(meta))
    return arrays


def graph_from_arrays(data: Mapping[str, np.ndarray], prefix: str = "") -> tuple[int, list[Layer], Layer, int | None]:
    """Inverse of :func:`graph_arrays`: ``(input_dim, layers, output, source_parameters)``."""
    import json

    meta = json.loads(str(data[f"{prefix}graph"]))
    layers: list[Layer] = []
    specs = meta["layers"]
    if not specs:
        raise ValueError("the graph has no output layer")
    for k, spec in enumerate(specs, start=1):
        inputs = {int(s): data[f"{prefix}g{k}_W{int(s)}"] for s in spec["sources"]}
        b = data[f"{prefix}g{k}_b"]
        name = str(spec.get("name", ""))
        kind = spec["kind"]
        if kind == "activation":
            layers.append(Layer.activation(inputs, b, data[f"{prefix}g{k}_slopes"], name=name))
        elif kind == "max_pool":
            idx, off = data[f"{prefix}g{k}_windows"], data[f"{prefix}g{k}_window_offsets"]
            layers.append(Layer.max_pool(inputs, b, [idx[off[o] : off[o + 1]] for o in range(len(off) - 1)], name=name))
        elif kind == "affine":
            layers.append(Layer.affine(inputs, b, name=name))
        else:
            raise ValueError(f"unknown layer kind {kind!r}")
    params = meta.get("source_parameters")
    return int(meta["input_dim"]), layers[:-1], layers[-1], None if params is None else int(params)
