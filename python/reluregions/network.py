"""Fully connected ReLU / leaky-ReLU networks."""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any, Union

import numpy as np

from . import _core

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

    # ----------------------------------------------------------------------------------- structure
    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """Weight matrices, shape ``(out, in)`` each (read-only)."""
        return self._weights

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        """Bias vectors (read-only)."""
        return self._biases

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation of each hidden layer."""
        return self._activations

    @property
    def negative_slopes(self) -> tuple[float, ...]:
        """Slope for negative pre-activations of each hidden layer (0 for ReLU)."""
        return self._slopes

    @property
    def input_dim(self) -> int:
        return int(self._weights[0].shape[1])

    @property
    def output_dim(self) -> int:
        return int(self._weights[-1].shape[0])

    @property
    def widths(self) -> tuple[int, ...]:
        """Widths of the hidden layers."""
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
        return int(sum(W.size + b.size for W, b in zip(self._weights, self._biases)))

    def __repr__(self) -> str:
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
            self._core_net = _core.Network(list(self._weights), list(self._biases), list(self._slopes))
        return self._core_net

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
        W_mid = other.weights[0] @ self.weights[-1]
        b_mid = other.weights[0] @ self.biases[-1] + other.biases[0]
        weights = [*self.weights[:-1], W_mid, *other.weights[1:]]
        biases = [*self.biases[:-1], b_mid, *other.biases[1:]]
        net = Network(
            weights, biases, [*self.activations, *other.activations], [*self._raw_slopes(), *other._raw_slopes()]
        )
        return net

    def _raw_slopes(self) -> list[float]:
        # Slopes as accepted by the constructor (value ignored for ReLU layers).
        return [s if a == "leaky_relu" else 0.01 for a, s in zip(self._activations, self._slopes)]

    def _folded(self, origin: np.ndarray, basis: np.ndarray) -> Any:
        """Core network of ``u -> self(origin + basis @ u)`` (the domain folded into the first layer)."""
        W0 = self._weights[0] @ basis
        b0 = self._weights[0] @ origin + self._biases[0]
        return _core.Network([W0, *self._weights[1:]], [b0, *self._biases[1:]], list(self._slopes))

    # ------------------------------------------------------------------------------------ file I/O
    def save(self, path: PathLike) -> None:
        """Save to a ``.npz`` file with keys ``W0, b0, W1, b1, ...`` (and ``negative_slopes``)."""
        arrays: dict[str, Any] = {}
        for l, (W, b) in enumerate(zip(self._weights, self._biases)):
            arrays[f"W{l}"] = W
            arrays[f"b{l}"] = b
        arrays["negative_slopes"] = np.array(self._slopes, dtype=np.float64)
        arrays["leaky"] = np.array([a == "leaky_relu" for a in self._activations], dtype=bool)
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path: PathLike) -> Network:
        """Load a network saved by :meth:`save` (or any ``.npz`` with keys ``W0, b0, W1, b1, ...``)."""
        return cls._from_arrays(_read_npz(path), os.fspath(path))

    @classmethod
    def _from_arrays(cls, data: dict[str, np.ndarray], source: str, prefix: str = "") -> Network:
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

    # --------------------------------------------------------------------------------------- torch
    @classmethod
    def from_torch(cls, module: Any) -> Network:
        """Convert a ``torch.nn.Sequential`` of ``Linear``, ``ReLU``, ``LeakyReLU``, ``Identity``,
        ``Flatten`` and ``Dropout`` layers (nested ``Sequential`` allowed) or a single ``Linear``.

        Consecutive ``Linear`` layers are multiplied into one; an activation at the end (or two in a
        row) gets an identity layer after it, so the network is the same function.
        """
        try:
            import torch.nn as nn
        except ImportError:
            raise ImportError("Network.from_torch needs PyTorch: pip install torch") from None

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
