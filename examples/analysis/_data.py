"""Data for the analysis examples: MNIST-1D (``pip install mnist1d``; generated offline by
``mnist1d.data.make_dataset``), or sklearn's digits (64 pixels, scaled to [0, 1]) when mnist1d is missing."""

from __future__ import annotations

import numpy as np


def load(name: str = "mnist1d", seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(X_train, y_train, X_test, y_test, description)``, inputs as float64 rows."""
    if name == "mnist1d":
        try:
            from mnist1d.data import get_dataset_args, make_dataset
        except ImportError:
            raise SystemExit("this example needs mnist1d (pip install mnist1d), or run it with --data digits") from None
        args = get_dataset_args()
        args.seed = seed
        d = make_dataset(args)
        f = np.float64
        return (
            np.asarray(d["x"], f),
            np.asarray(d["y"]),
            np.asarray(d["x_test"], f),
            np.asarray(d["y_test"]),
            f"MNIST-1D ({d['x'].shape[0]} train, {d['x_test'].shape[0]} test, 40 inputs)",
        )
    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = X / 16.0
        perm = np.random.default_rng(seed).permutation(X.shape[0])
        X, y = X[perm], y[perm]
        return X[:1400], y[:1400], X[1400:], y[1400:], "sklearn digits (1400 train, 397 test, 64 inputs)"
    raise SystemExit(f"unknown data set {name!r}: use mnist1d or digits")


def he_network(rng: np.random.Generator, dims: list[int], bias_std: float):
    """He-normal weights (variance 2 / fan-in), biases N(0, bias_std^2)."""
    import reluregions as rr

    Ws = [rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(len(dims) - 1)]
    bs = [rng.normal(size=dims[i + 1]) * bias_std for i in range(len(dims) - 1)]
    return rr.Network(Ws, bs)
