"""Depth vs width at (almost) equal parameter counts, from UDL ch. 4:
a 1-6-1 network has 19 parameters and at most 7 regions; two composed 1-3-1 networks have 20 and
reach 9 (Fig. 4.1); the composition of two 1-3-1 networks can reach 16.

    python examples/shallow_vs_deep.py [--out DIR]
"""

import argparse
import os

import numpy as np

import reluregions as rr
from reluregions import bounds, constructions
from reluregions.plot import figure, plot_regions_1d

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".", help="directory for shallow_vs_deep.png")
args = ap.parse_args()

unit = rr.Box([0.0], [1.0])
# A 1-6-1 network with all six breakpoints inside [0, 1] reaches the maximum.
shallow = rr.Network([np.ones((6, 1)), np.array([[1.0, -2, 2, -2, 2, -2]])], [-np.arange(1, 7) / 7, np.zeros(1)])
first, second = constructions.udl_fig4_1()
saw = constructions.sawtooth(3)
best = saw.then(saw)
print(
    f"1-6-1:               {bounds.num_parameters(1, [6])} parameters, at most {bounds.zaslavsky(6, 1)} regions; "
    f"this one has {rr.count(shallow, unit)}"
)
print(
    f"two composed 1-3-1:  {first.num_parameters + second.num_parameters} parameters, "
    f"{rr.count(first.then(second), rr.Box([-1.0], [1.0]))} regions (UDL Fig. 4.1)"
)
print(
    f"two composed 1-3-1:  {2 * saw.num_parameters} parameters, {rr.count(best, unit)} regions "
    f"(sawtooths; the most possible: {bounds.serra2018_upper(1, [3, 3])})"
)

fig = figure((12, 3.5))
axes = fig.subplots(1, 3)
plot_regions_1d(shallow, unit, ax=axes[0])
plot_regions_1d(first.then(second), rr.Box([-1.0], [1.0]), ax=axes[1])
plot_regions_1d(best, unit, ax=axes[2])
for ax, title in zip(axes, ("1-6-1", "UDL Fig. 4.1 composition", "two composed sawtooths")):
    ax.set_title(f"{title}: {ax.get_title()}")
path = os.path.join(args.out, "shallow_vs_deep.png")
fig.savefig(path, dpi=120)
print(f"wrote {path}")
