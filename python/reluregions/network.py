"""Fully connected ReLU / leaky-ReLU networks."""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any, Union

import numpy as np

from . import _core
from .graph import Layer, compile_graph, graph_arrays, graph_from_arrays

__all__ = ["Network"]

_ACTIVATIONS = ("relu", "leaky_relu")
PathLike = Union[str, "os.PathLike[str]"]


def _as_float_array(value: Any, what: str, ndim: int) -> np.ndarray:
    """A read-only float64 C-contiguous copy of `value`, checked for dtype, dimension and finiteness."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # e.g. ragged nested lists
        raise TypeError(f"{what} could not be converted to an array: {exc}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{what} must be {ndim}-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape})")
    arr = np.array(arr, dtype=np.float64, order="C", copy=True)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{what} has a non-finite value {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    arr.setflags(write=False)
    return arr


class _CompressedRows:
    """A chain matrix of a layered graph stored by its non-zeros (compressed rows: row ``i``'s columns
    ``indices[indptr[i]:indptr[i + 1]]`` and values ``data[...]``); the core takes it as it is."""

    def __init__(self, dense: np.ndarray) -> None:
        self.shape: tuple[int, int] = (int(dense.shape[0]), int(dense.shape[1]))
        rows, cols = np.nonzero(dense)
        self.indptr = np.zeros(self.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.shape[0]), out=self.indptr[1:])
        self.indices = cols.astype(np.int64)
        self.data = np.ascontiguousarray(dense[rows, cols], dtype=np.float64)
        for a in (self.indptr, self.indices, self.data):
            a.setflags(write=False)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[np.repeat(np.arange(self.shape[0]), np.diff(self.indptr)), self.indices] = self.data
        return out

    def __matmul__(self, other: Any) -> np.ndarray:
        other = np.asarray(other, dtype=np.float64)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        terms = self.data.reshape((-1,) + (1,) * (other.ndim - 1)) * other[self.indices]
        out = np.zeros((self.shape[0], *other.shape[1:]))
        np.add.at(out, rows, terms)
        return out


def _compact(W: np.ndarray) -> np.ndarray | _CompressedRows:
    """A chain matrix, compressed when at most a third of it is non-zero (as the core stores it)."""
    return _CompressedRows(W) if 3 * np.count_nonzero(W) <= W.size else _frozen(W)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=a.dtype, order="C", copy=True)
    a.setflags(write=False)
    return a


def _read_npz(path: PathLike) -> dict[str, np.ndarray]:
    """All arrays of the ``.npz`` file `path`. A missing file raises ``FileNotFoundError``; an empty,
    truncated or corrupt file, a ``.npy`` file or any other non-``.npz`` file a one-line ``ValueError``
    naming the file and the problem."""
    name = os.fspath(path)
    with open(path, "rb") as fh:
        head = fh.read(6)
    if not head:
        raise ValueError(f"{name}: the file is empty (expected an .npz archive written by numpy.savez)")
    if head == b"\x93NUMPY":
        raise ValueError(
            f"{name}: this is a .npy file (one array), not an .npz archive (numpy.savez) with named arrays"
        )
    if not head.startswith(b"PK"):
        raise ValueError(f"{name}: not an .npz file (not a zip archive; expected one written by numpy.savez)")
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:  # our handle: closed on errors too
            items = dict(data.items())
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, OSError, AttributeError) as exc:
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(f"{name}: corrupt or truncated .npz file ({why})") from None
    for key, value in items.items():
        if not isinstance(value, np.ndarray):  # NpzFile hands back the raw bytes of a member that is not .npy
            raise ValueError(f"{name}: corrupt or truncated .npz file (member {key!r} is not a NumPy array)")
    return items


class Network:
    """A fully connected network: affine layers with ReLU or leaky ReLU after every layer but the last.

    Parameters
    ----------
    weights : sequence of array_like
        One matrix per layer in ``torch.nn.Linear`` layout, shape ``(out, in)``. The last layer is affine
        (no activation); every earlier layer is followed by the activation.
    biases : sequence of array_like
        One 1-D vector per layer, of length ``out``.
    activation : {"relu", "leaky_relu"} or sequence of them
        The activation of the hidden layers, or one per hidden layer.
    negative_slope : float or sequence of float, default 0.01
        Slope for negative inputs of ``"leaky_relu"`` layers (ignored for ``"relu"``).

    Notes
    -----
    A hidden unit is *active* (pattern bit 1) where its pre-activation is strictly positive; a unit whose
    pre-activation is identically zero on a region is inactive there.

    Examples
    --------
    >>> import numpy as np, reluregions as rr
    >>> net = rr.Network([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    >>> net(np.array([[-2.0], [3.0]]))[:, 0]   # |x|
    array([2., 3.])
    """

    def __init__(
        self,
        weights: Sequence[Any],
        biases: Sequence[Any],
        activation: str | Sequence[str] = "relu",
        negative_slope: float | Sequence[float] = 0.01,
    ) -> None:
        if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
            raise TypeError("weights must be a list or tuple of 2-D arrays, one per layer")
        if isinstance(biases, np.ndarray) or not isinstance(biases, Sequence):
            raise TypeError("biases must be a list or tuple of 1-D arrays, one per layer")
        if len(weights) == 0:
            raise ValueError("a network needs at least one layer")
        if len(weights) != len(biases):
            raise ValueError(f"got {len(weights)} weight matrices but {len(biases)} bias vectors")
        Ws = [_as_float_array(w, f"layer {l}: weight matrix", 2) for l, w in enumerate(weights)]
        bs = [_as_float_array(b, f"layer {l}: bias", 1) for l, b in enumerate(biases)]
        for l, (W, b) in enumerate(zip(Ws, bs)):
            if b.shape[0] != W.shape[0]:
                raise ValueError(
                    f"layer {l}: bias has {b.shape[0]} entries but the weight matrix has {W.shape[0]} rows (outputs)"
                )
            if l > 0 and W.shape[1] != Ws[l - 1].shape[0]:
                raise ValueError(
                    f"layer {l}: weight matrix expects {W.shape[1]} inputs "
                    f"but layer {l - 1} has {Ws[l - 1].shape[0]} outputs"
                )
        hidden = len(Ws) - 1
        acts = [activation] * hidden if isinstance(activation, str) else list(activation)
        if len(acts) != hidden:
            raise ValueError(f"got {len(acts)} activations for {hidden} hidden layers")
        if isinstance(negative_slope, (int, float, np.floating, np.integer)) and not isinstance(negative_slope, bool):
            slopes_in = [float(negative_slope)] * hidden
        else:
            slopes_in = [float(s) for s in negative_slope]  # type: ignore[union-attr]
            if len(slopes_in) != hidden:
                raise ValueError(f"got {len(slopes_in)} negative slopes for {hidden} hidden layers")
        slopes = []
        for l, (a, s) in enumerate(zip(acts, slopes_in)):
            if a not in _ACTIVATIONS:
                raise ValueError(f"hidden layer {l}: unknown activation {a!r}; expected one of {_ACTIVATIONS}")
            if a == "leaky_relu" and not np.isfinite(s):
                raise ValueError(f"hidden layer {l}: negative_slope must be finite, got {s}")
            slopes.append(0.0 if a == "relu" else s)
        self._weights = tuple(Ws)
        self._biases = tuple(bs)
        self._activations = tuple(acts)
        self._slopes = tuple(slopes)
        self._core_net: Any = None
        self._source_parameters: int | None = None
        self._graph: tuple[int, tuple[Layer, ...], Layer] | None = None
        self._unit_slopes: tuple[np.ndarray, ...] | None = None  # graph networks: the compiled chain's
        self._linear: tuple[np.ndarray, ...] | None = None
        self._user_units: np.ndarray | None = None
        self._nnet: Any = None  # what from_nnet read (for save_nnet)
        self._nnet_normalized = False

    @classmethod
    def from_graph(cls, input_dim: int, layers: Sequence[Layer], output: Layer) -> Network:
        """A layered graph: hidden `layers` (:class:`~reluregions.Layer`, activation or max-pool) in
        topological order, each reading the input (source 0) and any earlier layers (source ``k`` is
        ``layers[k - 1]``), and the affine `output`.

        Patterns cover the activation layers' units and the max-pool comparisons (see
        :mod:`reluregions.graph`); the engines work on an equivalent dense chain in which values needed
        later are carried by linear units.

        Examples
        --------
        >>> import numpy as np, reluregions as rr
        >>> hidden = rr.Layer.activation({0: [[1.0], [-1.0]]}, [0.0, 0.0])
        >>> out = rr.Layer.affine({0: [[1.0]], 1: [[1.0, 1.0]]}, [0.0])   # skip: x + |x|
        >>> net = rr.Network.from_graph(1, [hidden], out)
        >>> net(np.array([[-2.0], [3.0]]))[:, 0]
        array([0., 6.])
        """
        chain = compile_graph(input_dim, layers, output)
        net = cls.__new__(cls)
        net._weights = tuple(_compact(W) for W in chain.weights)  # type: ignore[misc]
        net._biases = tuple(_frozen(b) for b in chain.biases)
        net._activations = ()
        net._slopes = ()
        net._core_net = None
        net._source_parameters = None
        net._graph = (int(input_dim), tuple(layers), output)
        net._unit_slopes = tuple(_frozen(s) for s in chain.slopes)
        net._linear = tuple(chain.linear)
        net._user_units = _frozen(np.asarray(chain.user_units, dtype=np.int64))
        net._nnet = None
        net._nnet_normalized = False
        return net

    @property
    def is_graph(self) -> bool:
        """True for a layered graph (:meth:`from_graph`), False for a dense chain."""
        return self._graph is not None

    @property
    def graph(self) -> tuple[int, tuple[Layer, ...], Layer]:
        """``(input_dim, hidden layers, output layer)`` as :class:`~reluregions.Layer` objects (a dense
        chain is the graph in which each layer reads the previous one)."""
        if self._graph is not None:
            return self._graph
        layers = tuple(
            Layer.activation({l: W}, b, s, name=f"dense{l}")
            for l, (W, b, s) in enumerate(zip(self._weights[:-1], self._biases[:-1], self._slopes))
        )
        out = Layer.affine({len(layers): self._weights[-1]}, self._biases[-1])
        return (self.input_dim, layers, out)

    def _dense_only(self, what: str) -> None:
        if self._graph is not None:
            raise TypeError(f"{what} is defined for dense chains; this network is a layered graph (see .graph)")

    # ----------------------------------------------------------------------------------- structure
    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """Weight matrices, shape ``(out, in)`` each (read-only). Dense chains only."""
        self._dense_only("weights")
        return self._weights

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        """Bias vectors (read-only). Dense chains only."""
        self._dense_only("biases")
        return self._biases

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation of each hidden layer. Dense chains only."""
        self._dense_only("activations")
        return self._activations

    @property
    def negative_slopes(self) -> tuple[float, ...]:
        """Slope for negative pre-activations of each hidden layer (0 for ReLU). Dense chains only."""
        self._dense_only("negative_slopes")
        return self._slopes

    @property
    def input_dim(self) -> int:
        return int(self._weights[0].shape[1])

    @property
    def output_dim(self) -> int:
        return int(self._weights[-1].shape[0])

    @property
    def widths(self) -> tuple[int, ...]:
        """Widths of the hidden layers (of a graph: the pattern units of each layer)."""
        if self._graph is not None:
            return tuple(layer.num_units for layer in self._graph[1])
        return tuple(int(W.shape[0]) for W in self._weights[:-1])

    @property
    def num_hidden(self) -> int:
        """Total number of hidden units (the length of an activation pattern)."""
        return int(sum(self.widths))

    @property
    def num_parameters(self) -> int:
        """Number of weights and biases. For a network made by :meth:`from_torch`, the number of
        parameters of the source module (its layers may have been multiplied together or padded with
        identity layers here, which changes the count of the expanded layers)."""
        if self._source_parameters is not None:
            return self._source_parameters
        if self._graph is not None:
            return int(sum(layer.num_parameters for layer in (*self._graph[1], self._graph[2])))
        return int(sum(W.size + b.size for W, b in zip(self._weights, self._biases)))

    def __repr__(self) -> str:
        if self._graph is not None:
            kinds = "".join("M" if layer.kind == "max_pool" else "A" for layer in self._graph[1])
            skips = sum(
                1
                for k, layer in enumerate(self._graph[1] + (self._graph[2],), 1)
                for src, _ in layer.inputs
                if src != k - 1
            )
            return (
                f"Network(graph {self.input_dim}->{self.output_dim}, {len(self._graph[1])} hidden layers "
                f"[{kinds}], {self.num_hidden} units, {skips} skips, parameters={self.num_parameters})"
            )
        dims = "-".join(str(d) for d in (self.input_dim, *self.widths, self.output_dim))
        acts = set(self._activations)
        if not acts:
            return f"Network({dims}, no hidden layer, parameters={self.num_parameters})"
        act = acts.pop() if len(acts) == 1 else "mixed"
        return f"Network({dims}, activation={act!r}, parameters={self.num_parameters})"

    # --------------------------------------------------------------------------------- evaluation
    @property
    def _core(self) -> Any:
        if self._core_net is None:
            self._core_net = self._make_core(list(self._weights))
        return self._core_net

    def _make_core(self, weights: list[np.ndarray]) -> Any:
        if self._graph is None:
            return _core.Network(weights, list(self._biases), list(self._slopes))
        hidden = len(self._weights) - 1
        return _core.Network(
            weights, list(self._biases), [0.0] * hidden, list(self._unit_slopes or ()), list(self._linear or ())
        )

    def _user_unit_index(self, chain_units: np.ndarray) -> np.ndarray:
        """User unit indices of chain units (flat); -1 stays -1 (and marks carry units)."""
        units = np.array(chain_units, dtype=np.int64)
        if self._user_units is None:
            return units
        inverse = np.full(sum(W.shape[0] for W in self._weights[:-1]) + 1, -1, dtype=np.int64)
        inverse[self._user_units] = np.arange(self._user_units.size)
        return inverse[units]

    def _user_patterns(self, pats: np.ndarray) -> np.ndarray:
        """The columns of core (chain) patterns that users see (graphs: not the carry units)."""
        return pats if self._user_units is None else np.ascontiguousarray(pats[..., self._user_units])

    def _points(self, X: Any) -> tuple[np.ndarray, bool]:
        arr = np.asarray(X)
        if arr.dtype == bool or arr.dtype.kind not in "iuf":
            raise TypeError(f"X must be a real numeric array, got dtype {arr.dtype}")
        single = arr.ndim == 1
        if single:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.input_dim:
            raise ValueError(f"X must have shape (n, {self.input_dim}) or ({self.input_dim},), got {np.shape(X)}")
        return np.ascontiguousarray(arr, dtype=np.float64), single

    def __call__(self, X: Any) -> np.ndarray:
        """Outputs for points `X` of shape ``(n, input_dim)`` (or one point of shape ``(input_dim,)``)."""
        pts, single = self._points(X)
        out = self._core.forward(pts)
        return out[0] if single else out

    def activation_pattern(self, X: Any, tol: float = 0.0, exact: bool = False) -> np.ndarray:
        """Activation patterns of points `X`: bool array ``(n, num_hidden)``, hidden layers in order.

        With ``exact=True`` the forward pass runs in exact rational arithmetic on the exact values of the
        weights, biases and points: a bit is set where the pre-activation is ``> 0`` exactly (the
        definition the engines use; an independent check of any witness). Otherwise floating point: a
        bit is set where ``z > tol * E``, ``E`` a bound on the magnitude of the terms summed for ``z``.
        """
        if not np.isfinite(tol) or tol < 0:
            raise ValueError(f"tol must be a finite non-negative number, got {tol}")
        if exact and tol != 0:
            raise ValueError("exact=True evaluates z > 0 exactly: tol must be 0")
        pts, single = self._points(X)
        pats = self._core.exact_activation_pattern(pts) if exact else self._core.activation_pattern(pts, float(tol))
        pats = self._user_patterns(pats)
        return pats[0] if single else pats

    def local_affine(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """The affine map ``f(x) = J x + c`` of the network on the region of each point.

        Returns ``J`` of shape ``(n, output_dim, input_dim)`` and ``c`` of shape ``(n, output_dim)``.
        """
        pts, single = self._points(X)
        J, c = self._core.local_affine(pts)
        return (J[0], c[0]) if single else (J, c)

    # -------------------------------------------------------------------------------- composition
    def then(self, other: Network) -> Network:
        """The composition ``other(self(x))``: this network's output feeds `other`.

        This network's output layer and `other`'s first layer are multiplied into one affine layer,
        so the result has the hidden layers of both (as in "Understanding Deep Learning", ch. 4).
        """
        if not isinstance(other, Network):
            raise TypeError(f"then() expects a Network, got {type(other).__name__}")
        if other.input_dim != self.output_dim:
            raise ValueError(
                f"cannot compose: this network has {self.output_dim} outputs "
                f"but the other expects {other.input_dim} inputs"
            )
        if self._graph is not None or other._graph is not None:
            return self._then_graph(other)
        W_mid = other.weights[0] @ self.weights[-1]
        b_mid = other.weights[0] @ self.biases[-1] + other.biases[0]
        weights = [*self.weights[:-1], W_mid, *other.weights[1:]]
        biases = [*self.biases[:-1], b_mid, *other.biases[1:]]
        net = Network(
            weights, biases, [*self.activations, *other.activations], [*self._raw_slopes(), *other._raw_slopes()]
        )
        return net

    def _then_graph(self, other: Network) -> Network:
        # other's reads of its input become reads of this output's sources (the output map multiplied in).
        d, mine, out = self.graph
        _, theirs, their_out = other.graph
        shift = len(mine)

        def moved(layer: Layer) -> Layer:
            inputs: dict[int, np.ndarray] = {}
            bias = layer.bias.copy()
            for src, W in layer.inputs:
                if src == 0:
                    for s2, W2 in out.inputs:
                        inputs[s2] = inputs.get(s2, 0) + W @ W2
                    bias = bias + W @ out.bias
                else:
                    inputs[src + shift] = inputs.get(src + shift, 0) + W
            return Layer(
                layer.kind,
                Layer._inputs(inputs, layer.name),
                _frozen(bias),
                layer.negative_slopes,
                layer.windows,
                layer.name,
            )

        net = Network.from_graph(d, [*mine, *(moved(layer) for layer in theirs)], moved(their_out))
        return net

    def _raw_slopes(self) -> list[float]:
        # Slopes as accepted by the constructor (value ignored for ReLU layers).
        return [s if a == "leaky_relu" else 0.01 for a, s in zip(self._activations, self._slopes)]

    def _folded(self, origin: np.ndarray, basis: np.ndarray) -> Any:
        """Core network of ``u -> self(origin + basis @ u)`` (the domain folded into the first layer)."""
        W0 = self._weights[0] @ basis
        b0 = self._weights[0] @ origin + self._biases[0]
        if self._graph is None:
            return _core.Network([W0, *self._weights[1:]], [b0, *self._biases[1:]], list(self._slopes))
        hidden = len(self._weights) - 1
        return _core.Network(
            [W0, *self._weights[1:]],
            [b0, *self._biases[1:]],
            [0.0] * hidden,
            list(self._unit_slopes or ()),
            list(self._linear or ()),
        )

    # ------------------------------------------------------------------------------------ file I/O
    def save(self, path: PathLike) -> None:
        """Save to a ``.npz`` file with keys ``W0, b0, W1, b1, ...`` (and ``negative_slopes``); a layered
        graph with keys ``graph`` (its structure, JSON) and ``g{k}_W{source}``, ``g{k}_b``, ..."""
        np.savez(path, **self._arrays())

    def _arrays(self, prefix: str = "") -> dict[str, Any]:
        arrays: dict[str, Any] = {}
        if self._graph is not None:
            return graph_arrays(self._graph, self._source_parameters, prefix)
        for l, (W, b) in enumerate(zip(self._weights, self._biases)):
            arrays[f"{prefix}W{l}"] = W
            arrays[f"{prefix}b{l}"] = b
        arrays[f"{prefix}negative_slopes"] = np.array(self._slopes, dtype=np.float64)
        arrays[f"{prefix}leaky"] = np.array([a == "leaky_relu" for a in self._activations], dtype=bool)
        return arrays

    @classmethod
    def load(cls, path: PathLike) -> Network:
        """Load a network saved by :meth:`save` (or any ``.npz`` with keys ``W0, b0, W1, b1, ...``)."""
        return cls._from_arrays(_read_npz(path), os.fspath(path))

    @classmethod
    def _from_arrays(cls, data: dict[str, np.ndarray], source: str, prefix: str = "") -> Network:
        if f"{prefix}graph" in data:
            try:
                d, layers, out, params = graph_from_arrays(data, prefix)
                net = cls.from_graph(d, layers, out)
            except (TypeError, ValueError, KeyError) as exc:
                raise ValueError(f"{source}: not a valid layered-graph network ({exc})") from None
            net._source_parameters = params
            return net
        L = 0
        while f"{prefix}W{L}" in data:
            L += 1
        if L == 0:
            raise ValueError(f"{source}: no key {prefix}W0; expected weights W0, W1, ... and biases b0, b1, ...")
        extra = sorted(
            k
            for k in data
            if k.startswith(f"{prefix}W") and k[len(prefix) + 1 :].isdigit() and int(k[len(prefix) + 1 :]) >= L
        )
        if extra:
            raise ValueError(
                f"{source}: weight keys are not consecutive: {prefix}W{L} is missing but {extra[0]} exists"
            )
        missing = [f"{prefix}b{l}" for l in range(L) if f"{prefix}b{l}" not in data]
        if missing:
            raise ValueError(f"{source}: missing bias key(s) {', '.join(missing)}")
        weights = [data[f"{prefix}W{l}"] for l in range(L)]
        biases = [data[f"{prefix}b{l}"] for l in range(L)]
        slopes = np.asarray(data.get(f"{prefix}negative_slopes", np.zeros(L - 1)))
        if slopes.dtype == bool or slopes.dtype.kind not in "iuf":
            raise ValueError(f"{source}: {prefix}negative_slopes must be numbers, got dtype {slopes.dtype}")
        slopes = slopes.astype(np.float64)
        if slopes.shape != (L - 1,):
            raise ValueError(f"{source}: negative_slopes must have one entry per hidden layer ({L - 1})")
        leaky = np.asarray(data.get(f"{prefix}leaky", slopes != 0))
        if leaky.dtype != bool and not (leaky.dtype.kind in "iu" and np.isin(leaky, (0, 1)).all()):
            raise ValueError(
                f"{source}: {prefix}leaky must be booleans (one per hidden layer), got dtype {leaky.dtype}"
            )
        if leaky.shape != (L - 1,):
            raise ValueError(
                f"{source}: {prefix}leaky must have one entry per hidden layer ({L - 1}), got shape {leaky.shape}"
            )
        acts = ["leaky_relu" if k else "relu" for k in leaky.astype(bool)]
        try:
            return cls(weights, biases, acts, [float(s) for s in slopes])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: {exc}") from None

    # ---------------------------------------------------------------------------------- model files
    @classmethod
    def from_onnx(cls, path_or_model: Any) -> Network:
        """An ONNX model (a file path or an ``onnx.ModelProto``; needs the ``onnx`` package) as a layered
        graph.

        Supported: Gemm, MatMul, Conv (1-D/2-D/N-D: strides, pads, dilations, groups),
        BatchNormalization (inference), AveragePool, GlobalAveragePool, MaxPool (see
        :mod:`reluregions.graph` for the units it adds), Flatten, Reshape, Transpose, Concat, Squeeze,
        Unsqueeze, Slice, Gather, Pad (zeros), Add, Sub, Mul/Div by constants, Neg, Identity, Dropout,
        Relu, LeakyRelu, PRelu, and constant subgraphs (Shape, Cast, ...). Affine operations are folded
        into the neighbouring affine maps (float64 products). The input is the C-order flattening of the
        single input tensor (one sample; a symbolic batch dimension is taken as 1). Anything else, a
        dynamic shape or a non-finite initializer raises a ValueError naming the node.
        ``num_parameters`` is the model's number of floating-point initializer values.
        """
        from ._onnx import load_onnx

        d, layers, out, params = load_onnx(path_or_model)
        net = cls._from_layers(d, layers, out)
        net._source_parameters = params
        return net

    @classmethod
    def _from_layers(cls, d: int, layers: Sequence[Layer], out: Layer) -> Network:
        """A dense chain when the graph is one (each layer reads only the previous, one slope per
        layer), else a layered graph."""
        chain = all(
            len(layer.inputs) == 1 and layer.inputs[0][0] == k for k, layer in enumerate([*layers, out])
        ) and all(
            layer.kind == "activation" and np.all(layer.negative_slopes == layer.negative_slopes[0])  # type: ignore[index]
            for layer in layers
        )
        if not chain:
            return cls.from_graph(d, layers, out)
        slopes = [float(layer.negative_slopes[0]) for layer in layers]  # type: ignore[index]
        return cls(
            [layer.inputs[0][1] for layer in [*layers, out]],
            [layer.bias for layer in [*layers, out]],
            ["relu" if s == 0 else "leaky_relu" for s in slopes],
            slopes,
        )

    @classmethod
    def from_nnet(cls, path: PathLike, normalized: bool = False) -> Network:
        """An ACAS Xu ``.nnet`` file: the input normalisation folded into the first layer, the output
        de-normalisation into the last (``.input_box`` holds the file's input bounds, inside which the
        network equals the file's). With ``normalized=True``: the stored weights as they are, on
        normalised inputs and outputs (as VNN-COMP's ONNX networks and VNN-LIB properties are), and
        ``.input_box`` normalised too. :meth:`save_nnet` writes the stored weights and normalisation back."""
        from ._nnet import read_nnet

        data = read_nnet(path)
        Ws, bs = (data.weights, data.biases) if normalized else data.folded()
        try:
            net = cls(Ws, bs)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{os.fspath(path)}: {exc}") from None
        net._nnet = data
        net._nnet_normalized = bool(normalized)
        net._source_parameters = int(sum(W.size + b.size for W, b in zip(data.weights, data.biases)))
        return net

    @property
    def input_box(self) -> Any:
        """The input bounds of a network read from an ``.nnet`` file (a :class:`~reluregions.Box`), else None."""
        data = self._nnet
        if data is None:
            return None
        from .domains import Box

        if self._nnet_normalized:
            n = self.input_dim
            return Box((data.mins - data.means[:n]) / data.ranges[:n], (data.maxs - data.means[:n]) / data.ranges[:n])
        return Box(data.mins, data.maxs)

    def save_nnet(self, path: PathLike, input_box: Any = None) -> None:
        """Write a dense ReLU network in the ``.nnet`` format. A network read by :meth:`from_nnet` is
        written with its stored weights and normalisation (nothing is rounded: numbers are written in
        their shortest round-trip form); any other with mean 0, range 1 and the bounds of `input_box`
        (default: +-1.8e308)."""
        from ._nnet import NNetData, write_nnet

        data = self._nnet
        if data is None:
            self._dense_only("save_nnet")
            if any(s != 0 for s in self._slopes):
                raise ValueError("save_nnet: the .nnet format holds ReLU networks only (this one is leaky)")
            n = self.input_dim
            lo = np.full(n, -np.finfo(float).max) if input_box is None else np.asarray(input_box.lo, dtype=float)
            hi = np.full(n, np.finfo(float).max) if input_box is None else np.asarray(input_box.hi, dtype=float)
            data = NNetData(list(self._weights), list(self._biases), lo, hi, np.zeros(n + 1), np.ones(n + 1))
        write_nnet(path, data)

    # --------------------------------------------------------------------------------------- torch
    @classmethod
    def from_torch(cls, module: Any, example_input: Any = None) -> Network:
        """Convert a PyTorch module.

        Without `example_input`: a ``torch.nn.Sequential`` of ``Linear``, ``ReLU``, ``LeakyReLU``,
        ``Identity``, ``Flatten`` and ``Dropout`` layers (nested ``Sequential`` allowed) or a single
        ``Linear``. Consecutive ``Linear`` layers are multiplied into one; an activation at the end (or
        two in a row) gets an identity layer after it, so the network is the same function.

        With `example_input` (a tensor of the input's shape, batch of one): any module that
        ``torch.fx`` can trace, made of Linear, Conv1d/2d/3d, BatchNorm (eval mode), ReLU, LeakyReLU,
        PReLU, MaxPool, AvgPool, AdaptiveAvgPool (uniform windows), Flatten, Identity, Dropout, ``+``,
        ``-`` (residual connections), ``*`` and ``/`` by constants, ``torch.cat``, ``view``/``reshape``,
        ``permute``/``transpose``; the result is a layered graph (a dense chain when it is one). The
        network's input is the C-order flattening of one sample. Anything else raises a ValueError
        naming the module or function and its node.
        """
        try:
            import torch.nn as nn
        except ImportError:
            raise ImportError("Network.from_torch needs PyTorch: pip install torch") from None
        if example_input is not None:
            from ._torch import load_torch

            if not isinstance(module, nn.Module):
                raise TypeError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
            d, graph_layers, graph_out, params = load_torch(module, example_input)
            traced = cls._from_layers(d, graph_layers, graph_out)
            traced._source_parameters = params
            return traced

        def flatten(m: Any, prefix: str) -> list[tuple[str, Any]]:
            if isinstance(m, nn.Sequential):
                out: list[tuple[str, Any]] = []
                for name, child in m.named_children():
                    out += flatten(child, f"{prefix}{name}" if not prefix else f"{prefix}.{name}")
                return out
            return [(prefix or "0", m)]

        if not isinstance(module, nn.Module):
            raise TypeError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
        layers: list[tuple[np.ndarray, np.ndarray]] = []
        acts: list[str] = []
        slopes: list[float] = []
        pending: tuple[np.ndarray, np.ndarray] | None = None  # affine map since the last activation

        def affine(W: np.ndarray, b: np.ndarray) -> None:
            nonlocal pending
            if pending is None:
                pending = (W, b)
            else:
                if W.shape[1] != pending[0].shape[0]:
                    raise ValueError(
                        f"Linear layers do not chain: {W.shape[1]} inputs after {pending[0].shape[0]} outputs"
                    )
                pending = (W @ pending[0], W @ pending[1] + b)

        for name, m in flatten(module, ""):
            if isinstance(m, nn.Linear):
                W = m.weight.detach().cpu().double().numpy()
                b = m.bias.detach().cpu().double().numpy() if m.bias is not None else np.zeros(W.shape[0])
                affine(W, b)
            elif isinstance(m, (nn.ReLU, nn.LeakyReLU)):
                if pending is None:  # activation first or twice in a row: identity layer
                    if not layers:
                        raise ValueError(
                            f"layer {name} ({type(m).__name__}): "
                            "an activation before the first Linear layer is not supported"
                        )
                    n = layers[-1][0].shape[0]
                    pending = (np.eye(n), np.zeros(n))
                layers.append(pending)
                pending = None
                if isinstance(m, nn.LeakyReLU):
                    acts.append("leaky_relu")
                    slopes.append(float(m.negative_slope))
                else:
                    acts.append("relu")
                    slopes.append(0.01)
            elif isinstance(m, (nn.Identity, nn.Flatten, nn.Dropout)):
                continue
            else:
                raise TypeError(
                    f"layer {name} ({type(m).__name__}) is not supported; supported: Linear, ReLU, LeakyReLU, "
                    "Identity, Flatten, Dropout"
                )
        if pending is None:
            if not layers:
                raise ValueError("the module has no Linear layer")
            n = layers[-1][0].shape[0]
            pending = (np.eye(n), np.zeros(n))
        layers.append(pending)
        net = cls([W for W, _ in layers], [b for _, b in layers], acts, slopes)
        net._source_parameters = int(sum(p.numel() for p in module.parameters()))
        return net
