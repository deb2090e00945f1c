"""UDL Fig. 4.1: composing two 1-3-1 networks gives 3 x 3 = 9 regions on [-1, 1].

python examples/fig4_1.py [--out DIR]
"""

import argparse
import os

import reluregions as rr
from reluregions import constructions
from reluregions.plot import figure, plot_regions_1d

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".", help="directory for fig4_1.png")
args = ap.parse_args()

first, second = constructions.udl_fig4_1()
composed = first.then(second)
interval = rr.Box([-1.0], [1.0])
n1, n2, n12 = (rr.count(net, interval) for net in (first, second, composed))
print(f"first network:  1-3-1, {first.num_parameters} parameters, {n1} regions on [-1, 1]")
print(f"second network: 1-3-1, {second.num_parameters} parameters, {n2} regions on [-1, 1]")
print(f"composition:    {first.num_parameters + second.num_parameters} parameters, {n12} regions on [-1, 1]")

fig = figure((12, 3.5))
axes = fig.subplots(1, 3)
for ax, net, title in zip(
    axes, (first, second, composed), ("first: x -> y", "second: y -> y'", "composition: x -> y'")
):
    plot_regions_1d(net, interval, ax=ax)
    ax.set_title(f"{title} ({rr.count(net, interval)} regions)")
path = os.path.join(args.out, "fig4_1.png")
fig.savefig(path, dpi=120)
print(f"wrote {path}")
