"""General PyTorch modules as layered graphs (:meth:`reluregions.Network.from_torch` with an example
input): the module is traced with ``torch.fx``; each call maps onto the affine expressions and layers of
the ONNX importer (:mod:`reluregions._onnx`), so both share one implementation of every operation."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._onnx import _avgpool, _batchnorm, _Builder, _concat, _conv, _elementwise, _maxpool, _shape_op, _Sym
from .graph import Layer

SUPPORTED = (
    "Linear, Conv1d/2d/3d, BatchNorm1d/2d/3d, ReLU, LeakyReLU, PReLU, MaxPool1d/2d/3d, AvgPool1d/2d/3d, "
    "AdaptiveAvgPool1d/2d/3d, Flatten, Identity, Dropout; +, -, * and / by constants, torch.cat, flatten, "
    "view/reshape, permute/transpose, relu"
)


def _tuple(v: Any, nd: int) -> list[int]:
    return [int(x) for x in v] if isinstance(v, (tuple, list)) else [int(v)] * nd


def _np(t: Any) -> np.ndarray:
    return t.detach().cpu().double().numpy()


class _TorchBuilder(_Builder):
    def __init__(self, module: Any, source: str) -> None:
        super().__init__(source)
        self.module = module
        self.modules = dict(module.named_modules())

    def activation(self, X: Any, slope: Any) -> _Sym:
        if not isinstance(X, _Sym):
            raise self.fail("an activation of a constant is not supported")
        return self.new_layer(Layer.activation(X.inputs(), X.bias, slope, name=self.node_desc), X.shape)

    def linear(self, X: _Sym, W: np.ndarray, b: np.ndarray | None) -> _Sym:
        if X.shape[-1] != W.shape[1]:
            raise self.fail(f"input shape {X.shape} does not fit weights {W.shape}")
        rows = X.size // X.shape[-1]
        bias = np.zeros(W.shape[0]) if b is None else b
        return X.linear(np.kron(np.eye(rows), W), np.tile(bias, rows), (*X.shape[:-1], W.shape[0]))

    def pool_attrs(self, m: Any, nd: int, max_pool: bool) -> dict[str, Any]:
        k = _tuple(m.kernel_size, nd)
        stride = _tuple(m.stride if m.stride is not None else m.kernel_size, nd)
        pad = _tuple(m.padding, nd)
        attrs: dict[str, Any] = {"kernel_shape": k, "strides": stride, "pads": pad + pad, "ceil_mode": int(m.ceil_mode)}
        if max_pool:
            if getattr(m, "return_indices", False):
                raise self.fail("return_indices=True is not supported")
            attrs["dilations"] = _tuple(m.dilation, nd)
        else:
            if getattr(m, "divisor_override", None):
                raise self.fail("divisor_override is not supported")
            attrs["count_include_pad"] = int(m.count_include_pad)
        return attrs

    def adaptive(self, X: _Sym, out_size: Any, nd: int) -> _Sym:
        spatial = X.shape[2:]
        out = [s if o is None else int(o) for s, o in zip(spatial, _tuple(out_size, nd))]
        if any(s % o for s, o in zip(spatial, out)):
            raise self.fail(f"adaptive pooling from {spatial} to {tuple(out)} has windows of different sizes")
        k = [s // o for s, o in zip(spatial, out)]
        return _avgpool(self, [X], {"kernel_shape": k, "strides": k}, False)

    def call_module(self, m: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        import torch.nn as nn

        X = args[0]
        if isinstance(m, (nn.Identity, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)):
            return X
        if not isinstance(X, _Sym):
            raise self.fail("the module's input does not depend on the network input")
        if isinstance(m, nn.Linear):
            return self.linear(X, _np(m.weight), None if m.bias is None else _np(m.bias))
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            nd = len(X.shape) - 2
            if m.padding_mode != "zeros":
                raise self.fail(f"padding_mode={m.padding_mode!r} is not supported (zeros only)")
            attrs: dict[str, Any] = {
                "strides": _tuple(m.stride, nd),
                "dilations": _tuple(m.dilation, nd),
                "group": int(m.groups),
            }
            if isinstance(m.padding, str):
                attrs["auto_pad"] = "VALID" if m.padding == "valid" else "SAME_UPPER"
            else:
                attrs["pads"] = _tuple(m.padding, nd) * 2
            bias = None if m.bias is None else _np(m.bias)
            return _conv(self, [X, _np(m.weight), bias], attrs)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            if m.training or m.running_mean is None:
                raise self.fail("batch norm needs eval() mode and running statistics")
            C = m.num_features
            w = np.ones(C) if m.weight is None else _np(m.weight)
            b = np.zeros(C) if m.bias is None else _np(m.bias)
            return _batchnorm(self, [X, w, b, _np(m.running_mean), _np(m.running_var)], {"epsilon": float(m.eps)})
        if isinstance(m, nn.ReLU):
            return self.activation(X, 0.0)
        if isinstance(m, nn.LeakyReLU):
            return self.activation(X, float(m.negative_slope))
        if isinstance(m, nn.PReLU):
            a = _np(m.weight)
            shape = [1] * len(X.shape)
            if a.size > 1:
                shape[1] = a.size
            return self.activation(X, np.broadcast_to(a.reshape(shape), X.shape).ravel().copy())
        nd = len(X.shape) - 2
        if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            return _maxpool(self, [X], self.pool_attrs(m, nd, True))
        if isinstance(m, (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)):
            return _avgpool(self, [X], self.pool_attrs(m, nd, False), False)
        if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)):
            return self.adaptive(X, m.output_size, nd)
        if isinstance(m, nn.Flatten):
            return self.flatten(X, m.start_dim, m.end_dim)
        raise self.fail(f"unsupported module {type(m).__name__}; supported: {SUPPORTED}")

    def flatten(self, X: Any, start: int = 0, end: int = -1) -> Any:
        shape = X.shape if isinstance(X, _Sym) else np.shape(X)
        nd = len(shape)
        start, end = start % nd, end % nd
        new = (*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])
        return self.reshape(X, new)

    def reshape(self, X: Any, shape: Any) -> Any:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return _shape_op(self, [X, np.array([int(s) for s in shape], dtype=np.int64)], {"allowzero": 1}, "Reshape")

    def call_function(self, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        import torch
        import torch.nn.functional as F

        binary = {
            operator.add: "Add",
            torch.add: "Add",
            operator.sub: "Sub",
            torch.sub: "Sub",
            operator.mul: "Mul",
            torch.mul: "Mul",
            operator.truediv: "Div",
            torch.div: "Div",
        }
        if fn in binary:
            if kwargs.get("alpha", 1) != 1:
                raise self.fail("torch.add / torch.sub with alpha is not supported")
            return _elementwise(self, [self.tensor(args[0]), self.tensor(args[1])], {}, binary[fn])
        if fn in (operator.neg, torch.neg):
            X = args[0]
            return X.scaled(-np.ones(X.size), np.zeros(X.size))
        if fn in (torch.relu, F.relu):
            return self.activation(args[0], 0.0)
        if fn is F.leaky_relu:
            return self.activation(args[0], float(args[1] if len(args) > 1 else kwargs.get("negative_slope", 0.01)))
        if fn is torch.flatten:
            return self.flatten(args[0], *(int(a) for a in args[1:]), **{k: int(v) for k, v in kwargs.items()})
        if fn is torch.cat:
            dim = int(args[1] if len(args) > 1 else kwargs.get("dim", 0))
            return _concat(self, [self.tensor(t) for t in args[0]], {"axis": dim})
        if fn is operator.getitem and isinstance(args[0], tuple):
            return args[0][args[1]]
        name = getattr(fn, "__name__", repr(fn))
        raise self.fail(f"unsupported function {name}; supported: {SUPPORTED}")

    def call_method(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        X = args[0]
        shape = X.shape if isinstance(X, _Sym) else np.shape(X)
        if name == "size":
            return tuple(shape) if len(args) == 1 else shape[int(args[1])]
        if name in ("view", "reshape"):
            return self.reshape(X, args[1:])
        if name == "flatten":
            return self.flatten(X, *(int(a) for a in args[1:]), **{k: int(v) for k, v in kwargs.items()})
        if name == "permute":
            perm = args[1] if len(args) == 2 and isinstance(args[1], (tuple, list)) else args[1:]
            return _shape_op(self, [X], {"perm": [int(p) for p in perm]}, "Transpose")
        if name == "transpose":
            perm = list(range(len(shape)))
            i, j = int(args[1]) % len(shape), int(args[2]) % len(shape)
            perm[i], perm[j] = perm[j], perm[i]
            return _shape_op(self, [X], {"perm": perm}, "Transpose")
        if name in ("contiguous", "clone"):
            return X
        if name == "relu":
            return self.activation(X, 0.0)
        raise self.fail(f"unsupported method .{name}(); supported: {SUPPORTED}")

    def tensor(self, v: Any) -> Any:
        """A constant operand as an array (Python numbers and torch tensors)."""
        if isinstance(v, (_Sym, np.ndarray)):
            return v
        if hasattr(v, "detach"):
            return _np(v)
        return np.asarray(v, dtype=np.float64)


def load_torch(module: Any, example_input: Any) -> tuple[int, list[Layer], Layer, int]:
    """``(input_dim, layers, output, parameters)`` of a module traced with torch.fx on `example_input`."""
    import torch
    import torch.fx

    source = f"module {type(module).__name__}"
    try:
        gm = torch.fx.symbolic_trace(module)
    except Exception as exc:  # data-dependent control flow and friends
        why = " ".join(str(exc).split())[:300]
        raise ValueError(
            f"{source}: torch.fx cannot trace it (data-dependent shapes or control flow?): {why}"
        ) from None
    x = example_input.detach() if hasattr(example_input, "detach") else torch.as_tensor(example_input)
    shape = (1, *x.shape[1:]) if x.dim() > 1 else (1, *x.shape)
    b = _TorchBuilder(module, source)
    b.parameters = int(sum(p.numel() for p in module.parameters()))
    n0 = int(np.prod(shape[1:]))
    out: Any = None
    for node in gm.graph.nodes:
        target = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", node.target)
        b.node_desc = f"node {node.name!r} ({node.op} {target})"

        def val(a: Any) -> Any:
            if isinstance(a, torch.fx.Node):
                return b.values[a.name]
            if isinstance(a, (tuple, list)):
                return type(a)(val(x) for x in a)
            return a

        args = [val(a) for a in node.args]
        kwargs = {k: val(v) for k, v in node.kwargs.items()}
        if node.op == "placeholder":
            if b.values:
                raise b.fail("modules with several inputs are not supported")
            b.values[node.name] = _Sym(shape, {0: np.eye(n0)}, np.zeros(n0))
        elif node.op == "get_attr":
            obj = gm
            for part in str(node.target).split("."):
                obj = getattr(obj, part)
            b.values[node.name] = _np(obj)
        elif node.op == "call_module":
            b.node_desc = f"module {node.target!r} ({type(b.modules[node.target]).__name__})"
            b.values[node.name] = b.call_module(b.modules[node.target], args, kwargs)
        elif node.op == "call_function":
            b.values[node.name] = b.call_function(node.target, args, kwargs)
        elif node.op == "call_method":
            b.values[node.name] = b.call_method(str(node.target), args, kwargs)
        elif node.op == "output":
            out = args[0]
    return n0, b.layers, b.finish(out, "output"), b.parameters
