"""ONNX import: small models built with onnx.helper, one per supported operation. The forward pass must
match onnxruntime's; the counts on segments and planes must equal the reference's, which evaluates the
imported graph with its own code."""

import numpy as np
import pytest

import reluregions as rr
from reluregions import reference as ref

onnx = pytest.importorskip("onnx", reason="the ONNX importer needs the onnx package")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(20261130)


def build(nodes, in_shape, out_shape, inits, name="test", in_name="x"):
    """A float32 ONNX model: input `x`, output `y`, initializers as float32 (int64 for int arrays)."""
    tensors = [
        numpy_helper.from_array(v if v.dtype.kind in "iu" else v.astype(np.float32), name=k) for k, v in inits.items()
    ]
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        tensors,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def w(*shape, scale=1.0):
    return (RNG.normal(size=shape) * scale).astype(np.float32)


def n(op, ins, outs, **kw):
    return helper.make_node(op, ins, outs, **kw)


def head(src, features, outputs=2):
    """Flatten `src` and map it to `outputs` values with a Gemm."""
    return [n("Flatten", [src], ["flat"]), n("Gemm", ["flat", "Wh", "bh"], ["y"], transB=1)], {
        "Wh": w(outputs, features),
        "bh": w(outputs),
    }


def conv_model(extra, in_shape, conv_kw, conv_out, tail_feats, C_out=2):
    C_in = in_shape[1]
    k = conv_kw.pop("k")
    group = conv_kw.get("group", 1)
    nodes = [n("Conv", ["x", "Wc", "bc"], ["c"], **conv_kw)]
    inits = {"Wc": w(C_out, C_in // group, *k), "bc": w(C_out, scale=0.3)}
    nodes += extra[0]
    inits.update(extra[1])
    h_nodes, h_inits = head(extra[2], tail_feats)
    return build(nodes + h_nodes, in_shape, [1, 2], {**inits, **h_inits})


def models():
    """(name, model) for every supported operation."""
    out = {}
    # Gemm + ReLU, MatMul + Add + LeakyReLU, Identity, Dropout.
    out["gemm_relu"] = build(
        [
            n("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
            n("Relu", ["h"], ["r"]),
            n("Identity", ["r"], ["i"]),
            n("Dropout", ["i"], ["d"]),
            n("Gemm", ["d", "W2", "b2"], ["y"], transB=1),
        ],
        [1, 3],
        [1, 2],
        {"W1": w(6, 3), "b1": w(6), "W2": w(2, 6), "b2": w(2)},
    )
    out["matmul_leaky"] = build(
        [
            n("MatMul", ["x", "W1"], ["m"]),
            n("Add", ["m", "b1"], ["h"]),
            n("LeakyRelu", ["h"], ["r"], alpha=0.2),
            n("MatMul", ["r", "W2"], ["m2"]),
            n("Sub", ["m2", "b2"], ["y"]),
        ],
        [1, 3],
        [1, 2],
        {"W1": w(3, 6), "b1": w(6), "W2": w(6, 2), "b2": w(2)},
    )
    # Conv2d with stride / padding, PRelu per channel, groups and dilation.
    out["conv2d_stride_pad"] = conv_model(
        ([n("Relu", ["c"], ["r"])], {}, "r"),
        [1, 1, 5, 5],
        {"k": (3, 3), "strides": [2, 2], "pads": [1, 1, 1, 1]},
        None,
        18,
    )
    out["conv2d_groups_dilation_prelu"] = conv_model(
        ([n("PRelu", ["c", "slope"], ["r"])], {"slope": np.array([[[0.1]], [[-0.3]]], np.float32)}, "r"),
        [1, 2, 5, 5],
        {"k": (2, 2), "group": 2, "dilations": [2, 2]},
        None,
        18,
    )
    out["conv1d"] = conv_model(([n("Relu", ["c"], ["r"])], {}, "r"), [1, 2, 6], {"k": (3,), "strides": [2]}, None, 4)
    # BatchNorm (inference), GlobalAveragePool, AveragePool.
    bn = {"s": w(2), "bb": w(2), "mu": w(2), "var": np.abs(w(2)) + 0.5}
    out["batchnorm_globalavg"] = conv_model(
        (
            [
                n("BatchNormalization", ["c", "s", "bb", "mu", "var"], ["bn"], epsilon=1e-3),
                n("Relu", ["bn"], ["r"]),
                n("GlobalAveragePool", ["r"], ["g"]),
            ],
            bn,
            "g",
        ),
        [1, 1, 4, 4],
        {"k": (2, 2)},
        None,
        2,
    )
    out["avgpool"] = conv_model(
        ([n("Relu", ["c"], ["r"]), n("AveragePool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2])], {}, "p"),
        [1, 1, 5, 5],
        {"k": (2, 2)},
        None,
        8,
    )
    # MaxPool: non-overlapping after a ReLU, and overlapping with padding straight after a conv.
    out["maxpool"] = conv_model(
        ([n("Relu", ["c"], ["r"]), n("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2])], {}, "p"),
        [1, 1, 5, 5],
        {"k": (2, 2)},
        None,
        8,
    )
    out["maxpool_pad_overlap"] = conv_model(
        ([n("MaxPool", ["c"], ["p"], kernel_shape=[3], strides=[2], pads=[1, 1])], {}, "p"),
        [1, 1, 6],
        {"k": (2,)},
        None,
        6,
    )
    # Residual block (Add), Reshape / Transpose / Concat, Mul / Div / Neg.
    out["residual"] = build(
        [
            n("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
            n("Relu", ["h"], ["r"]),
            n("Gemm", ["r", "W2", "b2"], ["h2"], transB=1),
            n("Add", ["h2", "x"], ["s"]),
            n("Relu", ["s"], ["r2"]),
            n("Gemm", ["r2", "W3", "b3"], ["y"], transB=1),
        ],
        [1, 3],
        [1, 2],
        {"W1": w(4, 3), "b1": w(4), "W2": w(3, 4), "b2": w(3), "W3": w(2, 3), "b3": w(2)},
    )
    out["reshape_transpose_concat"] = build(
        [
            n("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
            n("Relu", ["h"], ["r"]),
            n("Reshape", ["r", "shape"], ["r3"]),
            n("Transpose", ["r3"], ["t"], perm=[0, 2, 1]),
            n("Reshape", ["t", "flat"], ["f"]),
            n("Concat", ["f", "x"], ["cat"], axis=1),
            n("Mul", ["cat", "scale"], ["m"]),
            n("Div", ["m", "two"], ["dv"]),
            n("Neg", ["dv"], ["ng"]),
            n("Gemm", ["ng", "W2", "b2"], ["y"], transB=1),
        ],
        [1, 3],
        [1, 2],
        {
            "W1": w(6, 3),
            "b1": w(6),
            "shape": np.array([1, 2, 3], np.int64),
            "flat": np.array([1, 6], np.int64),
            "scale": w(9),
            "two": np.array([2.0], np.float32),
            "W2": w(2, 9),
            "b2": w(2),
        },
    )
    return out


MODELS = models()


def onnxruntime_forward(model, X):
    ort = pytest.importorskip("onnxruntime", reason="forward passes are compared with onnxruntime")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    return np.stack([sess.run(None, {"x": x.reshape(shape).astype(np.float32)})[0].ravel() for x in X])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_forward_matches_onnxruntime_on_1000_inputs(name):
    model = MODELS[name]
    net = rr.Network.from_onnx(model)
    X = RNG.normal(size=(1000, net.input_dim)).astype(np.float32).astype(np.float64)
    ours, theirs = net(X), onnxruntime_forward(model, X)
    # float32 arithmetic in onnxruntime against exact float64 products of the float32 weights here
    scale = np.abs(theirs).max(axis=1, keepdims=True) + 1.0
    assert np.max(np.abs(ours - theirs) / scale) < 1e-6
    # ... and the reference's own evaluation of the graph agrees with ours to rounding.
    np.testing.assert_allclose(ref.forward(net, X), ours, rtol=1e-12, atol=1e-12 * np.abs(ours).max())
    params = sum(numpy_helper.to_array(t).size for t in model.graph.initializer if t.data_type == TensorProto.FLOAT)
    assert net.num_parameters == params


@pytest.mark.parametrize("name", sorted(MODELS))
def test_counts_on_segments_and_planes_equal_the_reference(name):
    net = rr.Network.from_onnx(MODELS[name])
    rng = np.random.default_rng(7)
    spread = 2.0 if net.num_hidden <= 20 else 0.3  # big models on small planes: a fast reference
    p = rng.normal(size=net.input_dim) + spread * rng.normal(size=(3, net.input_dim))
    seg = rr.Segment(p[0], p[1])
    plane = rr.Plane.through(*p, margin=0.1)
    for dom in (seg, plane):
        truth = ref.regions(net, dom, method="lp", max_hidden=200)
        assert truth.count >= 2 or dom is seg
        for engine in ("auto", "walk"):
            res = rr.regions(net, dom, engine=engine)
            assert res.count == truth.count, (engine, dom)
            key = lambda P: sorted(map(bytes, np.asarray(P, np.uint8)))  # noqa: E731
            assert key(res.patterns) == key(truth.patterns)
            assert np.array_equal(net.activation_pattern(res.witnesses, exact=True), res.patterns)


def test_max_pool_units_are_documented_counts():
    net = rr.Network.from_onnx(MODELS["maxpool"])
    # conv 2@4x4 -> 32 ReLU units; max-pool 2x2 stride 2 -> 2@2x2 windows of 4 values, 3 comparisons each.
    assert net.widths == (32, 8 * 3)
    net2 = rr.Network.from_onnx(MODELS["maxpool_pad_overlap"])
    # conv 2@5 (no ReLU); max-pool kernel 3, stride 2, pad 1: 3 outputs per channel, windows of 2, 3, 2.
    assert net2.widths == (2 * (1 + 2 + 1),)


def test_dense_onnx_chain_is_a_dense_network():
    net = rr.Network.from_onnx(MODELS["gemm_relu"])
    assert not net.is_graph and net.widths == (6,)


# ------------------------------------------------------------------------------------- bad models
def test_unsupported_operation_names_the_op_and_the_node():
    m = build(
        [n("Gemm", ["x", "W", "b"], ["h"], transB=1, name="fc"), n("Sigmoid", ["h"], ["y"], name="act")],
        [1, 2],
        [1, 2],
        {"W": w(2, 2), "b": w(2)},
    )
    with pytest.raises(ValueError, match=r"node 1 'act' \(Sigmoid\): unsupported operation Sigmoid"):
        rr.Network.from_onnx(m)


def test_dynamic_shape_is_refused():
    graph = helper.make_graph(
        [n("Relu", ["x"], ["y"])],
        "dyn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "D"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "D"])],
    )
    with pytest.raises(ValueError, match="dynamic shape: input 'x' dimension 1 is 'D'"):
        rr.Network.from_onnx(helper.make_model(graph))


def test_mismatched_initializer_is_named():
    m = build([n("MatMul", ["x", "W"], ["y"], name="mm")], [1, 3], [1, 2], {"W": w(4, 2)})
    with pytest.raises(ValueError, match=r"node 0 'mm' \(MatMul\): shapes \(1, 3\) and \(4, 2\) do not match"):
        rr.Network.from_onnx(m)


def test_nan_weight_is_named():
    W = w(2, 2)
    W[1, 0] = np.nan
    m = build(
        [n("Gemm", ["x", "W", "b"], ["h"], transB=1), n("Relu", ["h"], ["y"])], [1, 2], [1, 2], {"W": W, "b": w(2)}
    )
    with pytest.raises(ValueError, match=r"initializer 'W' has a non-finite value nan at index \(1, 0\)"):
        rr.Network.from_onnx(m)


def test_truncated_file_is_named(tmp_path):
    path = tmp_path / "cut.onnx"
    data = MODELS["residual"].SerializeToString()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.onnx: not a valid ONNX model"):
        rr.Network.from_onnx(path)


def test_product_of_two_network_values_is_refused():
    m = build([n("Mul", ["x", "x"], ["y"], name="sq")], [1, 2], [1, 2], {})
    with pytest.raises(ValueError, match="Mul of two tensors that depend on the input is not piecewise linear"):
        rr.Network.from_onnx(m)
