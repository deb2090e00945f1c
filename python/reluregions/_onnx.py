"""ONNX models as layered graphs (:meth:`reluregions.Network.from_onnx`).

Every tensor that depends on the input is an affine expression of the graph's sources (the input and the
outputs of the hidden layers made so far): ``value = sum_s T_s @ source_s + bias``. Affine operations
(Gemm, MatMul, Conv, BatchNormalization, AveragePool, Add, Sub, Mul/Div by constants, Flatten, Reshape,
Transpose, Concat, ...) transform the expression; ReLU, LeakyReLU, PRelu and MaxPool make a new hidden
layer of the graph. Tensors that do not depend on the input are evaluated with NumPy (constant folding).
Anything else raises a ValueError naming the operation and its node.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .graph import Layer

SUPPORTED = (
    "Gemm, MatMul, Conv, BatchNormalization, AveragePool, GlobalAveragePool, MaxPool, Flatten, Reshape, "
    "Transpose, Concat, Squeeze, Unsqueeze, Slice, Gather, Pad, Add, Sub, Mul, Div, Neg, Identity, Dropout, "
    "Relu, LeakyRelu, PRelu, Constant, Shape, Cast"
)


def _is_eye(T: np.ndarray) -> bool:
    n = T.shape[0]
    return T.shape[1] == n and np.count_nonzero(T) == n and bool(np.all(np.diagonal(T) == 1.0))


class _Sym:
    """An affine expression of the sources: ``terms[s]`` is ``(size, source size)``; C-order elements."""

    def __init__(self, shape: tuple[int, ...], terms: dict[int, np.ndarray], bias: np.ndarray) -> None:
        self.shape = tuple(int(s) for s in shape)
        self.terms = terms
        self.bias = bias

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def rows(self, idx: np.ndarray, shape: tuple[int, ...]) -> _Sym:
        """Elements picked by flat indices `idx` (-1: a zero element), reshaped."""
        idx = np.asarray(idx, dtype=np.int64).ravel()
        pad = idx < 0
        safe = np.where(pad, 0, idx)
        terms = {s: np.where(pad[:, None], 0.0, T[safe]) for s, T in self.terms.items()}
        return _Sym(shape, terms, np.where(pad, 0.0, self.bias[safe]))

    def linear(self, L: np.ndarray, b: np.ndarray | float, shape: tuple[int, ...]) -> _Sym:
        """``L @ value + b``."""
        return _Sym(shape, {s: L if _is_eye(T) else L @ T for s, T in self.terms.items()}, L @ self.bias + b)

    def scaled(self, scale: np.ndarray, shift: np.ndarray) -> _Sym:
        """Elementwise ``scale * value + shift`` (both of this expression's size)."""
        return _Sym(self.shape, {s: scale[:, None] * T for s, T in self.terms.items()}, scale * self.bias + shift)

    def plus(self, other: _Sym, sign: float = 1.0) -> _Sym:
        terms = dict(self.terms)
        for s, T in other.terms.items():
            terms[s] = terms[s] + sign * T if s in terms else sign * T
        return _Sym(self.shape, terms, self.bias + sign * other.bias)

    def broadcast(self, shape: tuple[int, ...]) -> _Sym:
        if tuple(shape) == self.shape:
            return self
        idx = np.broadcast_to(np.arange(self.size).reshape(self.shape), shape)
        return self.rows(idx.ravel(), tuple(shape))

    @staticmethod
    def constant(value: np.ndarray) -> _Sym:
        v = np.asarray(value, dtype=np.float64)
        return _Sym(v.shape, {}, v.ravel().copy())

    def inputs(self) -> dict[int, np.ndarray]:
        """The terms that are not identically zero (at least one, so that a layer has an input)."""
        kept = {s: T for s, T in self.terms.items() if np.any(T)}
        if not kept:
            s = min(self.terms) if self.terms else 0
            kept = {s: self.terms[s]} if self.terms else {}
        return kept


class _Builder:
    """The layers made so far and the messages: what the ONNX and torch importers share."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[Any, Any] = {}  # name -> np.ndarray (constant) or _Sym
        self.layers: list[Layer] = []
        self.parameters = 0
        self.node_desc = ""

    def fail(self, why: str) -> ValueError:
        return ValueError(f"{self.source}: {self.node_desc}: {why}")

    def const_value(self, v: Any, what: str) -> np.ndarray:
        if isinstance(v, _Sym):
            raise self.fail(f"{what} must be a constant (an initializer), but it depends on the network input")
        if v is None:
            raise self.fail(f"{what} is missing")
        return np.asarray(v)

    def sym(self, v: Any) -> _Sym:
        return v if isinstance(v, _Sym) else _Sym.constant(v)

    def new_layer(self, layer: Layer, shape: tuple[int, ...]) -> _Sym:
        self.layers.append(layer)
        k = len(self.layers)
        n = layer.size
        return _Sym(shape, {k: np.eye(n)}, np.zeros(n))

    def finish(self, out: Any, name: str) -> Layer:
        if not isinstance(out, _Sym):
            raise ValueError(f"{self.source}: the output {name!r} does not depend on the input")
        return Layer.affine(out.inputs(), out.bias)


class _Importer(_Builder):
    def __init__(self, model: Any, source: str) -> None:
        from onnx import numpy_helper

        super().__init__(source)
        self.numpy_helper = numpy_helper
        self.graph = model.graph
        for init in self.graph.initializer:
            arr = numpy_helper.to_array(init)
            if arr.dtype.kind == "f":
                if not np.all(np.isfinite(arr)):
                    bad = np.argwhere(~np.isfinite(arr))[0]
                    raise ValueError(
                        f"{source}: initializer {init.name!r} has a non-finite value {arr[tuple(bad)]} at index "
                        f"{tuple(int(i) for i in bad)}"
                    )
                self.parameters += int(arr.size)
            self.values[init.name] = arr

    # ------------------------------------------------------------------------------------ helpers
    def get(self, name: str) -> Any:
        if name == "":
            return None
        if name not in self.values:
            raise self.fail(f"input {name!r} is not produced by any earlier node or initializer")
        return self.values[name]

    @staticmethod
    def attrs(node: Any) -> dict[str, Any]:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    # ---------------------------------------------------------------------------------------- run
    def run(self) -> tuple[int, list[Layer], Layer]:
        inits = {i.name for i in self.graph.initializer}
        inputs = [i for i in self.graph.input if i.name not in inits]
        if len(inputs) != 1:
            raise ValueError(
                f"{self.source}: expected one network input, got {len(inputs)} ({[i.name for i in inputs]})"
            )
        inp = inputs[0]
        dims = []
        for j, dim in enumerate(inp.type.tensor_type.shape.dim):
            if dim.HasField("dim_value") and dim.dim_value > 0:
                dims.append(int(dim.dim_value))
            elif j == 0:
                dims.append(1)  # a symbolic batch dimension: one sample
            else:
                label = dim.dim_param or "unknown"
                raise ValueError(
                    f"{self.source}: dynamic shape: input {inp.name!r} dimension {j} is {label!r} (static shapes only)"
                )
        if not dims:
            raise ValueError(f"{self.source}: input {inp.name!r} has no static shape")
        n0 = int(np.prod(dims))
        self.values[inp.name] = _Sym(tuple(dims), {0: np.eye(n0)}, np.zeros(n0))
        for index, node in enumerate(self.graph.node):
            self.node_desc = (
                f"node {index} {node.name!r} ({node.op_type})" if node.name else f"node {index} ({node.op_type})"
            )
            self.step(node)
        if len(self.graph.output) != 1:
            raise ValueError(f"{self.source}: expected one output, got {len(self.graph.output)}")
        out = self.values.get(self.graph.output[0].name)
        return n0, self.layers, self.finish(out, self.graph.output[0].name)

    def step(self, node: Any) -> None:
        op = node.op_type
        ins = [self.get(n) for n in node.input]
        a = self.attrs(node)
        if op == "Constant":
            if "value" not in a:
                raise self.fail("only Constant nodes with a tensor 'value' are supported")
            self.values[node.output[0]] = self.numpy_helper.to_array(a["value"])
            return
        if op == "Shape":
            v = ins[0]
            self.values[node.output[0]] = np.array(v.shape if isinstance(v, _Sym) else np.shape(v), dtype=np.int64)
            return
        if all(not isinstance(v, _Sym) for v in ins if v is not None) and op in _FOLDABLE:
            self.values[node.output[0]] = _FOLDABLE[op](
                self, [np.asarray(v) if v is not None else None for v in ins], a
            )
            return
        handler = _OPS.get(op)
        if handler is None:
            raise self.fail(f"unsupported operation {op}; supported: {SUPPORTED}")
        result = handler(self, ins, a)
        self.values[node.output[0]] = result


# ---------------------------------------------------------------------------------------- affine ops
def _gemm(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> _Sym:
    A, B = ins[0], imp.const_value(ins[1], "Gemm's B")
    if not isinstance(A, _Sym):
        raise imp.fail("Gemm's A must depend on the network input")
    if a.get("transA", 0):
        raise imp.fail("transA=1 is not supported")
    Bm = B.T if a.get("transB", 0) else B
    alpha, beta = float(a.get("alpha", 1.0)), float(a.get("beta", 1.0))
    rows = A.size // A.shape[-1] if A.shape else 1
    if len(A.shape) != 2 or Bm.shape[0] != A.shape[1]:
        raise imp.fail(f"shapes {A.shape} and {Bm.shape} do not match")
    out = (A.shape[0], Bm.shape[1])
    L = np.kron(np.eye(rows), alpha * Bm.T)
    C = (
        np.zeros(out)
        if len(ins) < 3 or ins[2] is None
        else np.broadcast_to(beta * imp.const_value(ins[2], "Gemm's C"), out)
    )
    return A.linear(L, np.asarray(C, dtype=np.float64).ravel(), out)


def _matmul(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> _Sym:
    X, Y = ins
    if isinstance(X, _Sym) and isinstance(Y, _Sym):
        raise imp.fail("the product of two tensors that depend on the input is not piecewise linear")
    if isinstance(X, _Sym):
        W = np.asarray(Y, dtype=np.float64)
        if W.ndim != 2 or X.shape[-1] != W.shape[0]:
            raise imp.fail(f"shapes {X.shape} and {W.shape} do not match")
        rows = X.size // X.shape[-1]
        return X.linear(np.kron(np.eye(rows), W.T), 0.0, (*X.shape[:-1], W.shape[1]))
    W = np.asarray(X, dtype=np.float64)
    if W.ndim != 2 or len(Y.shape) < 2 or Y.shape[-2] != W.shape[1]:
        raise imp.fail(f"shapes {W.shape} and {Y.shape} do not match")
    lead = int(np.prod(Y.shape[:-2], dtype=np.int64))
    L = np.kron(np.eye(lead), np.kron(W, np.eye(Y.shape[-1])))
    return Y.linear(L, 0.0, (*Y.shape[:-2], W.shape[0], Y.shape[-1]))


def _elementwise(imp: _Builder, ins: list[Any], a: dict[str, Any], op: str) -> _Sym:
    X, Y = ins
    sx = X.shape if isinstance(X, _Sym) else np.shape(X)
    sy = Y.shape if isinstance(Y, _Sym) else np.shape(Y)
    try:
        shape = tuple(np.broadcast_shapes(sx, sy))
    except ValueError:
        raise imp.fail(f"shapes {tuple(sx)} and {tuple(sy)} do not broadcast") from None
    if op in ("Add", "Sub"):
        sign = 1.0 if op == "Add" else -1.0
        return imp.sym(X).broadcast(shape).plus(imp.sym(Y).broadcast(shape), sign)
    if isinstance(X, _Sym) and isinstance(Y, _Sym):
        raise imp.fail(f"{op} of two tensors that depend on the input is not piecewise linear")
    if op == "Div" and not isinstance(X, _Sym):
        raise imp.fail("dividing by a tensor that depends on the input is not piecewise linear")
    s, c = (X, np.asarray(Y, dtype=np.float64)) if isinstance(X, _Sym) else (Y, np.asarray(X, dtype=np.float64))
    factor = np.broadcast_to(1.0 / c if op == "Div" else c, shape).ravel()
    s = s.broadcast(shape)
    return s.scaled(np.ascontiguousarray(factor), np.zeros(s.size))


def _batchnorm(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> _Sym:
    X = ins[0]
    scale, B, mean, var = (
        np.asarray(imp.const_value(v, "BatchNormalization's parameters"), np.float64) for v in ins[1:5]
    )
    eps = float(a.get("epsilon", 1e-5))
    s = scale / np.sqrt(var + eps)
    t = B - mean * s
    C = X.shape[1]
    if s.shape != (C,):
        raise imp.fail(f"scale has shape {s.shape} but the input has {C} channels")
    per = X.size // (X.shape[0] * C)
    return X.scaled(np.tile(np.repeat(s, per), X.shape[0]), np.tile(np.repeat(t, per), X.shape[0]))


def _pads(
    imp: _Builder,
    a: dict[str, Any],
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dil: Sequence[int],
) -> list[int]:
    nd = len(spatial)
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto in ("NOTSET", ""):
        pads = list(a.get("pads", [0] * (2 * nd)))
        return pads
    if auto == "VALID":
        return [0] * (2 * nd)
    pads = [0] * (2 * nd)
    for i in range(nd):
        out = -(-spatial[i] // strides[i])
        total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - spatial[i])
        lo = total // 2 if auto == "SAME_UPPER" else total - total // 2
        pads[i], pads[i + nd] = lo, total - lo
    return pads


def _windows(
    imp: _Builder, a: dict[str, Any], spatial: tuple[int, ...], kernel: Sequence[int], op: str
) -> tuple[np.ndarray, tuple[int, ...]]:
    """For every output position, the flat input positions of its window (-1 outside): (out, K) and the
    output spatial shape."""
    nd = len(spatial)
    strides = list(a.get("strides", [1] * nd))
    dil = list(a.get("dilations", [1] * nd))
    pads = _pads(imp, a, spatial, kernel, strides, dil)
    ceil = int(a.get("ceil_mode", 0))
    out = []
    for i in range(nd):
        span = spatial[i] + pads[i] + pads[i + nd] - dil[i] * (kernel[i] - 1) - 1
        n = (-(-span // strides[i]) if ceil else span // strides[i]) + 1
        if n < 1:
            raise imp.fail(f"{op}: the kernel does not fit the input (spatial shape {spatial})")
        out.append(int(n))
    opos = np.indices(out).reshape(nd, -1)  # (nd, O)
    koff = np.indices(kernel).reshape(nd, -1)  # (nd, K)
    pos = opos[:, :, None] * np.array(strides)[:, None, None] - np.array(pads[:nd])[:, None, None]
    pos = pos + koff[:, None, :] * np.array(dil)[:, None, None]  # (nd, O, K)
    inside = np.all((pos >= 0) & (pos < np.array(spatial)[:, None, None]), axis=0)
    flat = np.ravel_multi_index(tuple(np.clip(pos[i], 0, spatial[i] - 1) for i in range(nd)), spatial)
    return np.where(inside, flat, -1), tuple(out)


def _conv(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> _Sym:
    X = ins[0]
    W = np.asarray(imp.const_value(ins[1], "Conv's weights"), dtype=np.float64)
    B = (
        np.zeros(W.shape[0])
        if len(ins) < 3 or ins[2] is None
        else np.asarray(imp.const_value(ins[2], "Conv's bias"), np.float64)
    )
    g = int(a.get("group", 1))
    if not isinstance(X, _Sym):
        raise imp.fail("Conv's input must depend on the network input")
    if len(X.shape) != W.ndim or X.shape[0] != 1:
        raise imp.fail(f"input shape {X.shape} does not match weights {W.shape}")
    C, spatial = X.shape[1], X.shape[2:]
    M, Cg = W.shape[:2]
    kernel = W.shape[2:]
    if Cg * g != C or M % g:
        raise imp.fail(f"weights {W.shape} with group={g} do not fit {C} input channels")
    if "kernel_shape" in a and tuple(a["kernel_shape"]) != tuple(kernel):
        raise imp.fail(f"kernel_shape {tuple(a['kernel_shape'])} does not match the weights {W.shape}")
    win, out = _windows(imp, a, spatial, kernel, "Conv")  # (O, K)
    O, K = win.shape
    S = int(np.prod(spatial))
    L = np.zeros((M * O, C * S))
    Mg = M // g
    for m in range(M):
        grp = m // Mg
        for c in range(Cg):
            cin = grp * Cg + c
            w = W[m, c].ravel()  # (K,)
            for k in range(K):
                ok = win[:, k] >= 0
                rows = m * O + np.flatnonzero(ok)
                np.add.at(L, (rows, cin * S + win[ok, k]), w[k])
    return X.linear(L, np.repeat(B, O), (1, M, *out))


def _avgpool(imp: _Builder, ins: list[Any], a: dict[str, Any], glob: bool) -> _Sym:
    X = ins[0]
    C, spatial = X.shape[1], X.shape[2:]
    kernel = list(spatial) if glob else list(a["kernel_shape"])
    win, out = _windows(imp, {} if glob else a, spatial, kernel, "AveragePool")
    S, O = int(np.prod(spatial)), win.shape[0]
    L = np.zeros((C * O, C * S))
    include = bool(a.get("count_include_pad", 0))
    for o in range(O):
        idx = win[o][win[o] >= 0]
        w = 1.0 / (win.shape[1] if include else idx.size)
        for c in range(C):
            L[c * O + o, c * S + idx] += w
    return X.linear(L, 0.0, (X.shape[0], C, *out))


# ------------------------------------------------------------------------------------------ shape ops
def _index(v: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    shape = v.shape if isinstance(v, _Sym) else np.shape(v)
    return np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape), tuple(shape)


def _reshaped(imp: _Builder, shape: tuple[int, ...], target: Any, allowzero: bool) -> tuple[int, ...]:
    target = [int(t) for t in target]
    new = [shape[i] if t == 0 and not allowzero else t for i, t in enumerate(target)]
    if new.count(-1) > 1:
        raise imp.fail(f"Reshape to {target}: more than one -1")
    if -1 in new:
        known = int(np.prod([t for t in new if t != -1]))
        new[new.index(-1)] = int(np.prod(shape)) // max(known, 1)
    if int(np.prod(new)) != int(np.prod(shape)):
        raise imp.fail(f"cannot reshape {tuple(shape)} to {tuple(target)}")
    return tuple(new)


def _shape_op(imp: _Builder, ins: list[Any], a: dict[str, Any], op: str) -> Any:
    """Ops that only move elements: applied to an index array, then to the expression or the constant."""
    v = ins[0]
    idx, shape = _index(v)
    new: np.ndarray
    if op == "Flatten":
        axis = int(a.get("axis", 1)) % max(len(shape), 1) if shape else 0
        new = idx.reshape(int(np.prod(shape[:axis], dtype=np.int64)), -1)
    elif op == "Reshape":
        new = idx.reshape(
            _reshaped(imp, shape, imp.const_value(ins[1], "Reshape's shape"), bool(a.get("allowzero", 0)))
        )
    elif op == "Transpose":
        new = idx.transpose(a.get("perm"))
    elif op in ("Squeeze", "Unsqueeze"):
        axes = a.get("axes")
        if axes is None and len(ins) > 1 and ins[1] is not None:
            axes = imp.const_value(ins[1], f"{op}'s axes").tolist()
        if op == "Unsqueeze" and axes is None:
            raise imp.fail("Unsqueeze needs axes")
        if op == "Squeeze":
            new = np.squeeze(idx, axis=None if axes is None else tuple(int(x) for x in axes))
        else:
            new = idx
            for ax in sorted(int(x) % (len(shape) + len(axes or ())) for x in axes or ()):
                new = np.expand_dims(new, ax)
    elif op == "Slice":
        starts, ends = (imp.const_value(ins[i], "Slice's bounds").astype(np.int64) for i in (1, 2))
        axes = (
            imp.const_value(ins[3], "Slice's axes") if len(ins) > 3 and ins[3] is not None else np.arange(len(starts))
        )
        steps = (
            imp.const_value(ins[4], "Slice's steps")
            if len(ins) > 4 and ins[4] is not None
            else np.ones(len(starts), np.int64)
        )
        sl = [slice(None)] * len(shape)
        for s0, e0, ax, st in zip(starts, ends, axes, steps):
            sl[int(ax)] = slice(int(s0), int(max(min(e0, 2**62), -(2**62))), int(st))
        new = idx[tuple(sl)]
    elif op == "Gather":
        new = np.take(idx, imp.const_value(ins[1], "Gather's indices").astype(np.int64), axis=int(a.get("axis", 0)))
    elif op == "Pad":
        mode = a.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        pads = a.get("pads")
        if pads is None:
            pads = imp.const_value(ins[1], "Pad's pads").tolist()
        value = 0.0
        if len(ins) > 2 and ins[2] is not None:
            value = float(imp.const_value(ins[2], "Pad's value"))
        if mode != "constant" or value != 0.0 or min(pads) < 0:
            raise imp.fail("only zero constant padding is supported")
        nd = len(shape)
        new = np.pad(idx, [(int(pads[i]), int(pads[i + nd])) for i in range(nd)], constant_values=-1)
    else:  # pragma: no cover - the table lists the ops above only
        raise imp.fail(f"unsupported operation {op}")
    if isinstance(v, _Sym):
        return v.rows(new.ravel(), new.shape)
    flat = np.asarray(v).ravel()
    return np.where(new < 0, 0, flat[np.where(new < 0, 0, new)]).astype(np.asarray(v).dtype)


def _concat(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> Any:
    axis = int(a["axis"])
    if not any(isinstance(v, _Sym) for v in ins):
        return np.concatenate([np.asarray(v) for v in ins], axis=axis)
    syms = [imp.sym(v) for v in ins]
    pool = syms[0]
    parts = []
    offset = 0
    for i, s in enumerate(syms):
        if i:
            terms = {src: np.zeros((pool.size, T.shape[1])) for src, T in s.terms.items() if src not in pool.terms}
            grown = _Sym((pool.size + s.size,), {}, np.concatenate([pool.bias, s.bias]))
            for src in set(pool.terms) | set(s.terms):
                width = (pool.terms[src] if src in pool.terms else s.terms[src]).shape[1]
                top = pool.terms.get(src, terms.get(src, np.zeros((pool.size, width))))
                bottom = s.terms.get(src, np.zeros((s.size, width)))
                grown.terms[src] = np.concatenate([top, bottom])
            pool = grown
        parts.append(np.arange(offset, offset + s.size).reshape(s.shape))
        offset += s.size
    try:
        new = np.concatenate(parts, axis=axis)
    except ValueError as exc:
        raise imp.fail(f"cannot concatenate shapes {[s.shape for s in syms]}: {exc}") from None
    return pool.rows(new.ravel(), new.shape)


# -------------------------------------------------------------------------------------- activations
def _activation(imp: _Builder, ins: list[Any], a: dict[str, Any], op: str) -> _Sym:
    X = ins[0]
    if not isinstance(X, _Sym):
        raise imp.fail(f"{op} of a constant is not supported")
    if op == "Relu":
        slope: Any = 0.0
    elif op == "LeakyRelu":
        slope = float(a.get("alpha", 0.01))
    else:  # PRelu: the slope broadcasts to the input's shape
        s = np.asarray(imp.const_value(ins[1], "PRelu's slope"), dtype=np.float64)
        try:
            slope = np.broadcast_to(s, X.shape).ravel().copy()
        except ValueError:
            raise imp.fail(f"slope of shape {s.shape} does not broadcast to the input's {X.shape}") from None
    layer = Layer.activation(X.inputs(), X.bias, slope, name=imp.node_desc)
    return imp.new_layer(layer, X.shape)


def _maxpool(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> _Sym:
    X = ins[0]
    if not isinstance(X, _Sym):
        raise imp.fail("MaxPool of a constant is not supported")
    if int(a.get("storage_order", 0)):
        raise imp.fail("storage_order=1 is not supported")
    C, spatial = X.shape[1], X.shape[2:]
    win, out = _windows(imp, a, spatial, list(a["kernel_shape"]), "MaxPool")
    S = int(np.prod(spatial))
    windows = []
    for n in range(X.shape[0]):
        for c in range(C):
            for o in range(win.shape[0]):
                idx = win[o][win[o] >= 0]
                if idx.size == 0:
                    raise imp.fail(f"a max-pool window at output {o} lies entirely in the padding")
                windows.append((n * C + c) * S + idx)
    layer = Layer.max_pool(X.inputs(), X.bias, windows, name=imp.node_desc)
    return imp.new_layer(layer, (X.shape[0], C, *out))


def _passthrough(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> Any:
    return ins[0]


def _neg(imp: _Builder, ins: list[Any], a: dict[str, Any]) -> Any:
    X = ins[0]
    return X.scaled(-np.ones(X.size), np.zeros(X.size))


_OPS: dict[str, Any] = {
    "Gemm": _gemm,
    "MatMul": _matmul,
    **{op: functools.partial(_elementwise, op=op) for op in ("Add", "Sub", "Mul", "Div")},
    "Neg": _neg,
    "BatchNormalization": _batchnorm,
    "Conv": _conv,
    "AveragePool": lambda i, x, a: _avgpool(i, x, a, False),
    "GlobalAveragePool": lambda i, x, a: _avgpool(i, x, a, True),
    "MaxPool": _maxpool,
    **{op: functools.partial(_activation, op=op) for op in ("Relu", "LeakyRelu", "PRelu")},
    "Identity": _passthrough,
    "Dropout": _passthrough,
    "Concat": _concat,
    **{
        op: functools.partial(_shape_op, op=op)
        for op in ("Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Slice", "Gather", "Pad")
    },
}


def _fold_binary(fn: Any) -> Any:
    return lambda imp, ins, a: fn(ins[0], ins[1])


_FOLDABLE: dict[str, Any] = {
    "Add": _fold_binary(np.add),
    "Sub": _fold_binary(np.subtract),
    "Mul": _fold_binary(np.multiply),
    "Div": _fold_binary(lambda x, y: x // y if x.dtype.kind in "iu" and y.dtype.kind in "iu" else x / y),
    "Cast": lambda imp, ins, a: ins[0].astype(_onnx_dtype(a["to"])),
    "Identity": lambda imp, ins, a: ins[0],
    "Concat": _concat,
    **{
        op: functools.partial(_shape_op, op=op)
        for op in ("Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Slice", "Gather")
    },
}


def _onnx_dtype(code: int) -> Any:
    from onnx import helper

    return helper.tensor_dtype_to_np_dtype(code)


def load_onnx(path_or_model: Any) -> tuple[int, list[Layer], Layer, int]:
    """``(input_dim, layers, output, source parameters)`` of an ONNX model (a path or a ModelProto)."""
    try:
        import onnx
    except ImportError:
        raise ImportError("Network.from_onnx needs the onnx package: pip install 'reluregions[onnx]'") from None
    if isinstance(path_or_model, (str, os.PathLike)):
        source = os.fspath(path_or_model)
        try:
            model = onnx.load(source)
        except FileNotFoundError:
            raise
        except Exception as exc:  # protobuf's DecodeError and friends: a truncated or foreign file
            why = " ".join(str(exc).split()) or type(exc).__name__
            raise ValueError(f"{source}: not a valid ONNX model ({why})") from None
    elif isinstance(path_or_model, onnx.ModelProto):
        model, source = path_or_model, f"ONNX model {path_or_model.graph.name!r}"
    else:
        raise TypeError(f"from_onnx expects a path or an onnx.ModelProto, got {type(path_or_model).__name__}")
    if not model.graph.node:
        raise ValueError(f"{source}: not a valid ONNX model (the graph has no nodes)")
    imp = _Importer(model, source)
    d, layers, out = imp.run()
    return d, layers, out, imp.parameters
