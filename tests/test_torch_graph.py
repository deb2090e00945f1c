"""General PyTorch modules through torch.fx (Network.from_torch with an example input): forward passes
against torch, counts against the reference. Skipped without torch (CI has none)."""

import sys
from pathlib import Path

import numpy as np
import pytest

import reluregions as rr
from reluregions import reference as ref

torch = pytest.importorskip("torch", reason="from_torch needs PyTorch")
nn = torch.nn
F = torch.nn.functional
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_lenet import lenet5  # noqa: E402  (the benchmark's model, one definition)


class ResidualConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)
        self.conv2 = nn.Conv2d(2, 2, 3, padding=1, bias=False)
        self.skip = nn.Conv2d(1, 2, 1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        h = F.relu(self.bn(self.conv1(x)))
        h = torch.relu(self.conv2(h) + self.skip(x))
        return self.head(torch.flatten(self.pool(h), 1))


class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.prelu = nn.PReLU(4)
        self.conv = nn.Conv1d(1, 2, 2, stride=1)
        self.avg = nn.AdaptiveAvgPool1d(1)
        self.out = nn.Linear(4 + 2 + 3, 2)

    def forward(self, x):
        h = self.prelu(self.fc(x))
        c = F.leaky_relu(self.conv(h.view(x.size(0), 1, 4)), 0.2)
        a = self.avg(c).view(x.size(0), -1)
        return self.out(torch.cat([h, a, x * 0.5 - 1], dim=1))


def prepared(module, seed):
    torch.manual_seed(seed)
    m = module()
    for p in m.parameters():
        p.data.normal_(0, 0.7)
    for b in m.modules():
        if isinstance(b, nn.BatchNorm2d):
            b.running_mean.normal_(0, 0.5)
            b.running_var.uniform_(0.5, 2.0)
    return m.eval()


CASES = {"residual_conv": (ResidualConv, (1, 1, 4, 4)), "mixed": (Mixed, (1, 3)), "lenet5": (lenet5, (1, 1, 28, 28))}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_matches_torch_on_1000_inputs(name):
    make, shape = CASES[name]
    module = prepared(make, 1)
    net = rr.Network.from_torch(module, torch.zeros(shape))
    n = 50 if name == "lenet5" else 1000  # the LeNet's chain is wide: its forward pass is slow
    X = np.random.default_rng(2).normal(size=(n, net.input_dim)).astype(np.float32)
    with torch.no_grad():
        theirs = module(torch.from_numpy(X).reshape(n, *shape[1:])).double().numpy()
    ours = net(X.astype(np.float64))
    assert np.max(np.abs(ours - theirs) / (np.abs(theirs).max(axis=1, keepdims=True) + 1.0)) < 1e-6
    assert net.num_parameters == sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("name", ["residual_conv", "mixed"])
def test_counts_equal_the_reference(name):
    make, shape = CASES[name]
    net = rr.Network.from_torch(prepared(make, 3), torch.zeros(shape))
    rng = np.random.default_rng(4)
    spread = 2.0 if net.num_hidden <= 20 else 0.2  # big models on small planes: a fast reference
    p = rng.normal(size=net.input_dim) + spread * rng.normal(size=(3, net.input_dim))
    for dom in (rr.Segment(p[0], p[1]), rr.Plane.through(*p, margin=0.1)):
        truth = ref.regions(net, dom, method="lp", max_hidden=200)
        assert truth.count >= 2
        res = rr.regions(net, dom)
        assert res.count == truth.count
        assert np.array_equal(net.activation_pattern(res.witnesses, exact=True), res.patterns)


def test_unsupported_module_and_function_are_named():
    with pytest.raises(ValueError, match=r"module '1' \(Sigmoid\): unsupported module Sigmoid"):
        rr.Network.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()), torch.zeros(1, 2))

    class Tanh(nn.Module):
        def forward(self, x):
            return torch.tanh(x)

    with pytest.raises(ValueError, match="unsupported function tanh"):
        rr.Network.from_torch(Tanh(), torch.zeros(1, 2))
