"""Closed-form bounds on the number of linear regions of ReLU networks.

Every function returns an exact Python ``int`` (binomials via
:func:`math.comb`, never floats), so the values stay exact for networks
whose bounds have hundreds of digits.

Architecture convention (that of the papers): ``input_dim`` is n_0 and
``widths`` are the hidden-layer widths n_1, ..., n_L.  The output layer is
affine without a ReLU and does not create regions, so it only enters
:func:`num_parameters`.

Wherever a function takes ``(input_dim, widths)`` it also accepts a single
network object instead: anything with attributes ``input_dim`` (int),
``widths`` (hidden widths) and ``weights`` (numpy arrays in torch
``nn.Linear`` layout ``(out, in)``; ``weights[0]`` is the first hidden
layer, ``weights[-1]`` the output layer), such as
:class:`reluregions.Network`.

Input validation
----------------
* Counts must be integers: ``int`` or numpy integer scalars.  ``bool`` is
  rejected (``True`` is almost always a mistake for a width), and so are
  floats, even integral ones such as ``3.0``: a float width usually comes
  from an arithmetic slip such as ``n / 2``, and ``int(...)`` at the call
  site is explicit and cheap.  Wrong types raise ``TypeError``.
* ``input_dim`` and every width must be >= 1 and ``widths`` must be a
  non-empty sequence; violations raise ``ValueError``.  Messages name the
  offending hidden layer both 1-based as in the papers (``hidden layer 3``)
  and as the Python index (``widths[2]``).

References
----------
.. [Z75] T. Zaslavsky, "Facing up to arrangements: face-count formulas for
   partitions of space by hyperplanes", Memoirs of the AMS 154, 1975.
.. [M14] G. Montúfar, R. Pascanu, K. Cho, Y. Bengio, "On the number of
   linear regions of deep neural networks", NeurIPS 2014.
.. [M17] G. Montúfar, "Notes on the number of linear regions of deep neural
   networks", SampTA 2017.
.. [S18] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and counting
   linear regions of deep neural networks", ICML 2018 (arXiv:1711.02114).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from math import comb, prod
from typing import Any, cast

import numpy as np

__all__ = [
    "zaslavsky",
    "zaslavsky_bounded",
    "montufar2014_lower",
    "serra2018_lower",
    "montufar2017_upper",
    "serra2018_upper",
    "trivial_upper",
    "num_parameters",
]

#: Either a network object (see the module docstring) or an input dimension.
NetOrDim = int | Any


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _as_int(value: object, what: str) -> int:
    """Return ``value`` as an ``int``; reject bools, floats and non-numbers."""
    # bool is an int subclass, so it must be caught before operator.index.
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be an int, got bool {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        hint = ""
        if isinstance(value, (float, np.floating)):
            hint = " (floats are rejected even when integral; pass int(...))"
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}{hint}") from None


def _layer_name(index: int) -> str:
    return f"hidden layer {index + 1} (widths[{index}])"


def _check_input_dim(input_dim: object) -> int:
    n0 = _as_int(input_dim, "input_dim")
    if n0 < 1:
        raise ValueError(f"input_dim must be >= 1, got {n0}")
    return n0


def _check_widths(widths: object) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Iterable):
        raise TypeError(f"widths must be a sequence of hidden-layer widths, got {type(widths).__name__} {widths!r}")
    checked = []
    for index, width in enumerate(widths):
        n = _as_int(width, f"width of {_layer_name(index)}")
        if n < 1:
            raise ValueError(f"width of {_layer_name(index)} must be >= 1, got {n}")
        checked.append(n)
    if not checked:
        raise ValueError("widths must contain at least one hidden layer, got none")
    return tuple(checked)


def _is_network(obj: object) -> bool:
    return hasattr(obj, "input_dim") and hasattr(obj, "widths")


def _arch(net_or_dim: NetOrDim, widths: Sequence[int] | None = None) -> tuple[int, tuple[int, ...]]:
    """Normalise ``(network)`` or ``(input_dim, widths)`` to ``(n_0, (n_1..n_L))``."""
    if _is_network(net_or_dim):
        if widths is not None:
            raise TypeError("pass either a network or (input_dim, widths), not both")
        net: Any = net_or_dim
        return (_check_input_dim(net.input_dim), _check_widths(net.widths))
    if widths is None:
        raise TypeError(
            "widths is required when the first argument is an input dimension "
            f"rather than a network (got {type(net_or_dim).__name__} "
            f"{net_or_dim!r})"
        )
    return _check_input_dim(net_or_dim), _check_widths(widths)


def _network_weights(net: Any, input_dim: int, widths: tuple[int, ...]) -> list[np.ndarray]:
    """The network's weight matrices, checked against its architecture."""
    weights = getattr(net, "weights", None)
    if weights is None:
        raise TypeError("network object has no 'weights' attribute")
    matrices = [np.asarray(w) for w in weights]
    if len(matrices) != len(widths) + 1:
        raise ValueError(
            f"network has {len(widths)} hidden layers, so it needs "
            f"{len(widths) + 1} weight matrices (hidden layers + output layer), "
            f"got {len(matrices)}"
        )
    fan_in = input_dim
    for index, (matrix, width) in enumerate(zip(matrices, widths)):
        if matrix.shape != (width, fan_in):
            raise ValueError(
                f"weights[{index}] of {_layer_name(index)} must have shape "
                f"(out, in) = {(width, fan_in)}, got {matrix.shape}"
            )
        fan_in = width
    output = matrices[-1]
    if output.ndim != 2 or output.shape[1] != fan_in:
        raise ValueError(
            f"output weights weights[{len(widths)}] must have shape (output_dim, {fan_in}), got {output.shape}"
        )
    return matrices


def _check_ranks(ranks: object, input_dim: int, widths: tuple[int, ...]) -> tuple[int, ...]:
    if isinstance(ranks, (str, bytes)) or not isinstance(ranks, Iterable):
        raise TypeError(f"ranks must be a sequence of ints, got {ranks!r}")
    ranks = tuple(ranks)
    if len(ranks) != len(widths):
        raise ValueError(f"ranks needs one entry per hidden layer ({len(widths)}), got {len(ranks)}")
    checked = []
    fan_in = input_dim
    for index, (rank, width) in enumerate(zip(ranks, widths)):
        r = _as_int(rank, f"rank of {_layer_name(index)}")
        # W^l is width x fan_in, so any other value is impossible and signals
        # a bug upstream; silently clipping would hide it.
        if not 0 <= r <= min(width, fan_in):
            raise ValueError(
                f"rank of {_layer_name(index)} must be between 0 and min(n_l, n_(l-1)) = {min(width, fan_in)}, got {r}"
            )
        checked.append(r)
        fan_in = width
    return tuple(checked)


# --------------------------------------------------------------------------
# Hyperplane arrangements
# --------------------------------------------------------------------------


def zaslavsky(n: int, d: int) -> int:
    """Number of regions of ``n`` hyperplanes in general position in R^d.

    Zaslavsky's theorem [Z75]_ for an arrangement in general position:
    ``sum_{j=0}^{d} C(n, j)``.  It is the maximum over all arrangements of
    ``n`` hyperplanes, and the exact maximal number of linear regions of a
    one-hidden-layer ReLU network with ``n`` units and input dimension ``d``.

    Parameters
    ----------
    n : int
        Number of hyperplanes, ``n >= 0``.
    d : int
        Dimension of the ambient space, ``d >= 0``.

    Returns
    -------
    int
        The exact number of regions; ``2**n`` whenever ``n <= d``.

    Raises
    ------
    TypeError
        If ``n`` or ``d`` is not an int (bools and floats included).
    ValueError
        If ``n`` or ``d`` is negative.
    """
    n = _as_int(n, "n")
    d = _as_int(d, "d")
    if n < 0 or d < 0:
        raise ValueError(f"n and d must be >= 0, got n={n}, d={d}")
    if n <= d:
        return 1 << n  # every sign vector is realised; also avoids d terms
    return sum(comb(n, j) for j in range(d + 1))


def zaslavsky_bounded(n: int, d: int) -> int:
    """Number of bounded regions of ``n`` hyperplanes in general position in R^d.

    Zaslavsky's theorem [Z75]_ for an arrangement in general position:
    ``C(n - 1, d)``, which is 0 when ``n - 1 < d`` (fewer than ``d + 1``
    hyperplanes cannot enclose a bounded cell).

    Convention for ``n = 0``: the empty arrangement has a single region, the
    whole space, which is bounded only when ``d = 0`` (R^0 is a point).  So
    ``zaslavsky_bounded(0, d)`` is 1 for ``d = 0`` and 0 for ``d >= 1``.
    This counts genuinely bounded regions; Zaslavsky's ``|chi(1)|`` formula
    would give 1 here because it counts *relatively* bounded regions of a
    non-essential arrangement.  ``math.comb(-1, d)`` would raise, so this
    case is handled explicitly.  For ``d = 0`` and ``n >= 1`` the formula
    gives ``C(n - 1, 0) = 1`` (the point itself).

    Parameters
    ----------
    n : int
        Number of hyperplanes, ``n >= 0``.
    d : int
        Dimension of the ambient space, ``d >= 0``.

    Returns
    -------
    int
        The exact number of bounded regions.

    Raises
    ------
    TypeError
        If ``n`` or ``d`` is not an int.
    ValueError
        If ``n`` or ``d`` is negative.
    """
    n = _as_int(n, "n")
    d = _as_int(d, "d")
    if n < 0 or d < 0:
        raise ValueError(f"n and d must be >= 0, got n={n}, d={d}")
    if n == 0:
        return 1 if d == 0 else 0
    return comb(n - 1, d)


# --------------------------------------------------------------------------
# Lower bounds on the maximal number of regions
# --------------------------------------------------------------------------


def montufar2014_lower(input_dim: NetOrDim, widths: Sequence[int] | None = None) -> int:
    """Lower bound of Montúfar, Pascanu, Cho and Bengio (2014).

    Theorem 4 of [M14]_ (NeurIPS numbering; [S18]_ cites it as Theorem 5):
    for ``n_l >= n_0`` in every hidden layer, some network of this
    architecture has at least

        ``(prod_{l=1}^{L-1} floor(n_l / n_0)^{n_0}) * sum_{j=0}^{n_0} C(n_L, j)``

    linear regions.

    Parameters
    ----------
    input_dim : int or network
        Input dimension n_0, or a network object (then omit ``widths``).
    widths : sequence of int, optional
        Hidden-layer widths n_1, ..., n_L.

    Returns
    -------
    int
        The bound (a lower bound on the *maximal* number of regions over all
        weights, not on the regions of a particular network).

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (see the module docstring).
    ValueError
        If some hidden layer has ``n_l < n_0``, where the theorem does not
        apply; the message names the first such layer.
    """
    n0, ws = _arch(input_dim, widths)
    for index, n in enumerate(ws):
        if n < n0:
            raise ValueError(
                f"montufar2014_lower needs n_l >= n_0 = {n0} in every layer; {_layer_name(index)} has width {n}"
            )
    replicas = prod((n // n0) ** n0 for n in ws[:-1])
    return replicas * zaslavsky(ws[-1], n0)


def serra2018_lower(input_dim: NetOrDim, widths: Sequence[int] | None = None) -> int:
    """Lower bound of Serra, Tjandraatmadja and Ramalingam (2018).

    The lower-bound theorem of [S18]_, Sec. 3.3 (Theorem 6 in the 2017
    arXiv/OpenReview text): for ``n_l >= 3 n_0`` in every hidden layer, some
    network of this architecture has at least

        ``(prod_{l=1}^{L-1} (floor(n_l / n_0) + 1)^{n_0}) * sum_{j=0}^{n_0} C(n_L, j)``

    linear regions.  It improves :func:`montufar2014_lower` by one extra
    region per replicated 1-D construction.

    Parameters
    ----------
    input_dim : int or network
        Input dimension n_0, or a network object (then omit ``widths``).
    widths : sequence of int, optional
        Hidden-layer widths n_1, ..., n_L.

    Returns
    -------
    int
        The bound (on the maximal number of regions over all weights).

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (see the module docstring).
    ValueError
        If some hidden layer has ``n_l < 3 n_0``, where the theorem does not
        apply; the message names the first such layer.
    """
    n0, ws = _arch(input_dim, widths)
    for index, n in enumerate(ws):
        if n < 3 * n0:
            raise ValueError(
                f"serra2018_lower needs n_l >= 3 * n_0 = {3 * n0} in every layer; {_layer_name(index)} has width {n}"
            )
    replicas = prod((n // n0 + 1) ** n0 for n in ws[:-1])
    return replicas * zaslavsky(ws[-1], n0)


# --------------------------------------------------------------------------
# Upper bounds
# --------------------------------------------------------------------------


def montufar2017_upper(input_dim: NetOrDim, widths: Sequence[int] | None = None) -> int:
    """Upper bound of Montúfar (2017).

    The upper bound of [M17]_ (as restated in [S18]_, Sec. 3):

        ``prod_{l=1}^{L} sum_{j=0}^{d_l} C(n_l, j)``,  ``d_l = min(n_0, n_1, ..., n_l)``.

    Parameters
    ----------
    input_dim : int or network
        Input dimension n_0, or a network object (then omit ``widths``).
    widths : sequence of int, optional
        Hidden-layer widths n_1, ..., n_L.

    Returns
    -------
    int
        An upper bound on the number of linear regions of any network with
        this architecture.

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (see the module docstring).
    """
    n0, ws = _arch(input_dim, widths)
    bound = 1
    dim = n0
    for n in ws:
        dim = min(dim, n)
        bound *= zaslavsky(n, dim)
    return bound


def _serra2018_caps(
    net_or_dim: NetOrDim, widths: Sequence[int] | None, ranks: Sequence[int] | None
) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """``(n_0, widths, caps)`` where cap_l = rank(W^l) if known, else n_l."""
    n0, ws = _arch(net_or_dim, widths)
    if ranks is not None:
        return n0, ws, _check_ranks(ranks, n0, ws)
    if _is_network(net_or_dim):
        matrices = _network_weights(net_or_dim, n0, ws)
        network_ranks = [int(np.linalg.matrix_rank(m)) for m in matrices[:-1]]
        return n0, ws, _check_ranks(network_ranks, n0, ws)
    return n0, ws, ws


def serra2018_upper(
    input_dim: NetOrDim, widths: Sequence[int] | None = None, ranks: Sequence[int] | None = None
) -> int:
    """Upper bound of Serra, Tjandraatmadja and Ramalingam (2018), Theorem 1.

    Theorem 1 of [S18]_: the number of linear regions is at most

        ``sum_{(j_1..j_L) in J} prod_{l=1}^{L} C(n_l, j_l)``,
        ``J = {0 <= j_l <= min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)}``.

    Rank refinement: [S18]_ (the remark after Lemma 4, Sec. 3.1) notes that
    Lemma 3 holds with ``min(rank(W^l), dim S)`` and that the last ``n_l`` in
    the definition of ``J`` may then be replaced by ``rank(W^l)``.  This is
    used when ``ranks`` is given, or when a network is passed (ranks from
    :func:`numpy.linalg.matrix_rank` of its hidden weight matrices with
    numpy's default tolerance; an explicit ``ranks`` takes precedence).
    Exactly as stated in the paper, the rank only caps ``j_l``; it is not
    carried into the running minimum of later layers.

    The sum over ``J`` is evaluated as a dynamic programme over a histogram
    of region dimensions: the state is the running minimum
    ``min(n_0, n_1 - j_1, ..., n_l - j_l)`` (the dimension available to the
    next layer) and its value the summed weight ``prod C(n_k, j_k)`` of all
    prefixes reaching it.  With prefix sums of binomials and suffix sums of
    the histogram, each layer costs O(min(n_0, n_1..n_l)) big-integer
    operations: 50 layers of width 1000 take milliseconds for ``n_0 <= 300``
    and a few seconds for ``n_0 = 1000``, where the histogram holds a
    thousand integers of up to 15,000 digits.  The literal sum would have
    astronomically many terms.

    Parameters
    ----------
    input_dim : int or network
        Input dimension n_0, or a network object (then omit ``widths``).
    widths : sequence of int, optional
        Hidden-layer widths n_1, ..., n_L.
    ranks : sequence of int, optional
        ``rank(W^l)`` for each hidden layer, each in
        ``[0, min(n_l, n_{l-1})]``.

    Returns
    -------
    int
        An upper bound on the number of linear regions; never larger than
        :func:`montufar2017_upper`, and equal to :func:`zaslavsky` for one
        hidden layer without rank information.

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (see the module docstring), a rank out of range
        (the layer is named), or network weights whose shapes do not match
        its widths.
    """
    n0, ws, caps = _serra2018_caps(input_dim, widths, ranks)
    # histogram[d] = summed weight of index prefixes with running minimum d
    histogram = [0] * n0 + [1]
    for n, cap in zip(ws, caps):
        # Every state d >= n behaves like d = n (j <= cap <= n and the new
        # minimum is n - j), so folding them keeps the histogram short.
        if len(histogram) > n + 1:
            histogram = histogram[:n] + [sum(histogram[n:])]
        top = len(histogram) - 1
        j_max = min(top, cap)

        binom = [1] * (j_max + 1)  # binom[j] = C(n, j)
        for j in range(1, j_max + 1):
            binom[j] = binom[j - 1] * (n - j + 1) // j
        binom_prefix = binom[:]  # binom_prefix[k] = sum_{j<=k} C(n, j)
        for j in range(1, j_max + 1):
            binom_prefix[j] += binom_prefix[j - 1]
        weight_suffix = histogram + [0]  # weight_suffix[k] = sum_{d>=k} hist[d]
        for d in range(top - 1, -1, -1):
            weight_suffix[d] += weight_suffix[d + 1]

        updated = [0] * (top + 1)
        # j <= n - d: the state stays d.  Allowed j: 0..min(d, cap, n - d).
        for d, weight in enumerate(histogram):
            if weight:
                updated[d] += weight * binom_prefix[min(d, cap, n - d)]
        # j > n - d: the state drops to t = n - j.  For fixed j this happens
        # from every d with d > t and d >= j (the cap j <= d), i.e. from
        # d >= max(t + 1, j); j <= cap holds because j <= j_max.
        for j in range(1, j_max + 1):
            t = n - j
            lowest_source = max(t + 1, j)
            if lowest_source <= top:
                updated[t] += binom[j] * weight_suffix[lowest_source]
        histogram = updated
    return sum(histogram)


def _serra2018_upper_literal(
    input_dim: NetOrDim, widths: Sequence[int] | None = None, ranks: Sequence[int] | None = None
) -> int:
    """Theorem 1 of [S18]_ summed literally over ``J`` (exponential; tests only)."""
    from itertools import product

    n0, ws, caps = _serra2018_caps(input_dim, widths, ranks)
    total = 0
    # Each j_l is at most min(n_0, cap_l); the membership test below is the
    # set-builder definition of J transcribed term by term.
    for js in product(*(range(min(n0, cap) + 1) for cap in caps)):
        in_j = all(js[l] <= min([n0] + [ws[k] - js[k] for k in range(l)] + [caps[l]]) for l in range(len(ws)))
        if in_j:
            total += prod(comb(n, j) for n, j in zip(ws, js))
    return total


def trivial_upper(widths: Sequence[int] | Any) -> int:
    """Trivial upper bound ``2**N``, N the total number of hidden units.

    Each region has its own activation pattern and there are ``2**N`` of
    those (the observation behind the ``2^N`` bound recalled in [M14]_ and
    [S18]_, Sec. 3).

    Parameters
    ----------
    widths : sequence of int or network
        Hidden-layer widths n_1, ..., n_L, or a network object.

    Returns
    -------
    int
        ``2 ** sum(widths)``.

    Raises
    ------
    TypeError, ValueError
        On invalid widths (see the module docstring).
    """
    if _is_network(widths):
        widths = cast(Any, widths).widths
    return 1 << sum(_check_widths(widths))


def num_parameters(input_dim: NetOrDim, widths: Sequence[int] | None = None, output_dim: int | None = None) -> int:
    """Number of weights and biases of all affine layers, output layer included.

    ``sum_{l=1}^{L+1} (n_{l-1} + 1) * n_l`` with ``n_{L+1} = output_dim``.
    For example input 1, widths ``[10] * 5`` and one output give 471.

    Parameters
    ----------
    input_dim : int or network
        Input dimension n_0, or a network object (then omit ``widths``).
    widths : sequence of int, optional
        Hidden-layer widths n_1, ..., n_L.
    output_dim : int, optional
        Width of the affine output layer.  Defaults to 1 for an
        architecture and to the network's own output width (rows of
        ``weights[-1]``) for a network; giving a different value for a
        network raises ``ValueError``.

    Returns
    -------
    int
        The number of trainable parameters.

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (see the module docstring) or a non-positive
        ``output_dim``.
    """
    n0, ws = _arch(input_dim, widths)
    if _is_network(input_dim):
        net_output_dim = int(_network_weights(input_dim, n0, ws)[-1].shape[0])
        if output_dim is not None and _as_int(output_dim, "output_dim") != net_output_dim:
            raise ValueError(
                f"output_dim={output_dim} disagrees with the network's output layer of width {net_output_dim}"
            )
        output_dim = net_output_dim
    elif output_dim is None:
        output_dim = 1
    n_out = _as_int(output_dim, "output_dim")
    if n_out < 1:
        raise ValueError(f"output_dim must be >= 1, got {n_out}")
    layer_sizes = (n0, *ws, n_out)
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(layer_sizes, layer_sizes[1:]))
