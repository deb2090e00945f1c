"""ACAS Xu .nnet files, VNN-LIB properties and the model routes of the CLI (count --vnnlib, info)."""

from pathlib import Path

import numpy as np
import pytest

import reluregions as rr
from reluregions import reference as ref
from reluregions.cli import main

ACAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "acasxu"
needs_acas = pytest.mark.skipif(not ACAS.is_dir(), reason=f"ACAS Xu data not found at {ACAS} (../shared is absent)")

RNG = np.random.default_rng(13)
# A 3-4-3-2 ReLU network in .nnet form, written by hand (independent of save_nnet).
W = [RNG.normal(size=(4, 3)), RNG.normal(size=(3, 4)), RNG.normal(size=(2, 3))]
B = [RNG.normal(size=4), RNG.normal(size=3), RNG.normal(size=2)]
MINS, MAXS = np.array([-1.0, 0.0, 2.0]), np.array([1.0, 10.0, 4.0])
MEANS, RANGES = np.array([0.5, 5.0, 3.0, 7.25]), np.array([2.0, 10.0, 0.5, 3.5])


def nnet_text():
    lines = ["// a test network", "3,3,2,4,", "3,4,3,2,", "0,"]
    for arr in (MINS, MAXS, MEANS, RANGES):
        lines.append(",".join(repr(float(v)) for v in arr) + ",")
    for Wl, bl in zip(W, B):
        lines += [",".join(repr(float(v)) for v in row) + "," for row in Wl]
        lines += [repr(float(v)) + "," for v in bl]
    return "\n".join(lines) + "\n"


def nnet_forward(X):
    """The .nnet semantics: clip, normalise, the stored ReLU network, de-normalise."""
    h = (np.clip(X, MINS, MAXS) - MEANS[:3]) / RANGES[:3]
    for Wl, bl in zip(W[:-1], B[:-1]):
        h = np.maximum(h @ Wl.T + bl, 0.0)
    return (h @ W[-1].T + B[-1]) * RANGES[3] + MEANS[3]


@pytest.fixture
def nnet_file(tmp_path):
    path = tmp_path / "net.nnet"
    path.write_text(nnet_text())
    return path


def test_nnet_folds_the_normalisation_and_keeps_the_input_box(nnet_file):
    net = rr.Network.from_nnet(nnet_file)
    X = MINS + (MAXS - MINS) * RNG.uniform(size=(1000, 3))
    np.testing.assert_allclose(net(X), nnet_forward(X), rtol=1e-12, atol=1e-12)
    box = net.input_box
    assert np.array_equal(box.lo, MINS) and np.array_equal(box.hi, MAXS)
    assert net.num_parameters == sum(Wl.size + bl.size for Wl, bl in zip(W, B))
    normed = rr.Network.from_nnet(nnet_file, normalized=True)
    assert all(np.array_equal(a, b) for a, b in zip(normed.weights, W))
    np.testing.assert_array_equal(normed.input_box.lo, (MINS - MEANS[:3]) / RANGES[:3])


def test_nnet_round_trip_keeps_every_weight_and_the_counts(nnet_file, tmp_path):
    net = rr.Network.from_nnet(nnet_file)
    out = tmp_path / "again.nnet"
    net.save_nnet(out)
    back = rr.Network.from_nnet(out)
    for a, b in zip(back._nnet.weights + back._nnet.biases, W + B):
        assert np.array_equal(a, b)
    for k, v in (("mins", MINS), ("maxs", MAXS), ("means", MEANS), ("ranges", RANGES)):
        assert np.array_equal(getattr(back._nnet, k), v)
    box = net.input_box
    plane = rr.Plane.through(box.lo, box.hi, np.array([1.0, 0.0, 2.0]), margin=0.0)
    assert rr.count(back, box) == rr.count(net, box) == ref.count(net, box, max_hidden=64)
    assert rr.count(back, plane) == rr.count(net, plane) == ref.count(net, plane)


def test_save_nnet_of_a_plain_network(tmp_path):
    net = rr.Network(W, B)
    net.save_nnet(tmp_path / "p.nnet", input_box=rr.Box(MINS, MAXS))
    back = rr.Network.from_nnet(tmp_path / "p.nnet")
    assert all(np.array_equal(a, b) for a, b in zip(back.weights, W))  # mean 0, range 1: nothing rounded
    with pytest.raises(ValueError, match="ReLU networks only"):
        rr.Network(W, B, "leaky_relu").save_nnet(tmp_path / "l.nnet")


@pytest.mark.parametrize(
    ("cut", "match"),
    [(lambda t: t[: len(t) // 2], "truncated .nnet file"), (lambda t: t.replace("3,4,3,2,", "3,4,2,"), "layer sizes")],
)
def test_bad_nnet_files_are_named(tmp_path, cut, match):
    path = tmp_path / "bad.nnet"
    path.write_text(cut(nnet_text()))
    with pytest.raises(ValueError, match=match):
        rr.Network.from_nnet(path)


# ------------------------------------------------------------------------------------------ VNN-LIB
def test_vnnlib_boxes_and_disjunctions(tmp_path):
    p = tmp_path / "p.vnnlib"
    p.write_text(
        "; two boxes\n(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
        "(assert (<= X_1 2.5))\n(assert (>= X_1 -1))\n"
        "(assert (or (and (<= X_0 1) (>= X_0 0)) (and (<= X_0 5e-1) (>= X_0 -0.25))))\n(assert (<= Y_0 X_0))\n"
    )
    boxes = rr.vnnlib(p)
    assert [b.lo.tolist() for b in boxes] == [[0.0, -1.0], [-0.25, -1.0]]
    assert [b.hi.tolist() for b in boxes] == [[1.0, 2.5], [0.5, 2.5]]
    with pytest.raises(ValueError, match="2 boxes; use reluregions.vnnlib"):
        rr.Box.from_vnnlib(p)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("(declare-const X_0 Real)\n(assert (<= X_0 1))\n", "no input bounds for X_0"),
        ("(declare-const Y_0 Real)\n(assert (<= Y_0 1))\n", "no input variable"),
        ("(declare-const X_0 Real)\n(assert (<= X_0 1)", "unbalanced"),
    ],
)
def test_bad_vnnlib_files_are_named(tmp_path, text, match):
    p = tmp_path / "bad.vnnlib"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        rr.vnnlib(p)


# ---------------------------------------------------------------------------------------- ACAS Xu
def dense_acas(path):
    """The ACAS Xu ONNX network read as a dense chain directly (MatMul + Add per layer; AvgImg is 0)."""
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    m = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    Ws = [init[nd.input[1]].T for nd in m.graph.node if nd.op_type == "MatMul"]
    bs = [init[nd.input[1]].ravel() for nd in m.graph.node if nd.op_type == "Add"]
    return rr.Network(Ws, bs)


@needs_acas
def test_acas_onnx_and_prop_1_through_the_cli_equal_the_dense_route(capsys):
    pytest.importorskip("onnx")
    onnx_path, prop = ACAS / "ACASXU_run2a_1_1_batch_2000.onnx", ACAS / "prop_1.vnnlib"
    box = rr.Box.from_vnnlib(prop)
    dense = dense_acas(onnx_path)
    net = rr.Network.from_onnx(onnx_path)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, dense.weights))
    assert main(["count", str(onnx_path), "--vnnlib", str(prop), "--no-linear", "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["regions"] == rr.count(dense, box) == 39835  # nnenum's count for N1_1 on property 1


@needs_acas
def test_acas_prop_2_is_one_box_of_the_same_input_region():
    assert len(rr.vnnlib(ACAS / "prop_2.vnnlib")) == 1


# --------------------------------------------------------------------------------------------- CLI
def test_cli_info_describes_skips_and_max_pool_units(tmp_path, capsys):
    mp = rr.Layer.max_pool({0: [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}, [0.0, 0.0, 0.0], [[0, 1, 2]])
    act = rr.Layer.activation({1: [[1.0]], 0: [[1.0, -1.0]]}, [0.0], 0.1)
    net = rr.Network.from_graph(2, [mp, act], rr.Layer.affine({2: [[1.0]], 0: [[1.0, 0.0]]}, [0.0]))
    path = tmp_path / "g.npz"
    net.save(path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 windows of 3 values, 2 comparison units" in out
    assert "skips from [0]" in out and "leaky_relu" in out
    assert main(["count", str(path), "--box", "-1,-1", "1,1", "--no-linear", "--json"]) == 0
    assert f'"regions": {ref.count(net, rr.Box([-1, -1], [1, 1]))}' in capsys.readouterr().out


def test_cli_counts_every_box_of_a_disjunction(tmp_path, capsys, nnet_file):
    p = tmp_path / "p.vnnlib"
    p.write_text(
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const X_2 Real)\n"
        "(assert (<= X_1 10))\n(assert (>= X_1 0))\n(assert (<= X_2 4))\n(assert (>= X_2 2))\n"
        "(assert (or (and (<= X_0 1) (>= X_0 0)) (and (<= X_0 0) (>= X_0 -1))))\n"
    )
    assert main(["count", str(nnet_file), "--vnnlib", str(p), "--no-linear"]) == 0
    out = capsys.readouterr().out
    net = rr.Network.from_nnet(nnet_file)
    counts = [rr.count(net, b) for b in rr.vnnlib(p)]
    assert f"regions:         {sum(counts)}" in out and f": {counts[1]} regions" in out


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.onnx", b"\x08\x07garbage-not-a-model", "not a valid ONNX model"),
        ("bad.nnet", b"3,3,2,4,\n3,4,3,2,\n0,\n", "truncated .nnet file"),
        ("nan.nnet", None, "non-finite"),
    ],
)
def test_cli_bad_models_print_one_line_and_exit_2(tmp_path, capsys, name, content, match):
    path = tmp_path / name
    path.write_bytes(content if content is not None else nnet_text().replace(repr(float(B[0][1])), "nan").encode())
    assert main(["count", str(path), "--box", "0,0,2", "1,1,3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err


def test_cli_vnnlib_without_input_bounds_exits_2(tmp_path, capsys, nnet_file):
    p = tmp_path / "p.vnnlib"
    p.write_text("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= Y_0 1))\n")
    assert main(["count", str(nnet_file), "--vnnlib", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no input bounds for X_0" in err
