"""UDL Fig. 4.2: a 2-3-1 network (7 regions, one flat) composed with a 1-2-1 network: 13 regions.

python examples/fig4_2.py [--out DIR]
"""

import argparse
import os

import reluregions as rr
from reluregions import constructions
from reluregions.plot import figure, plot_regions_2d

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".", help="directory for fig4_2.png")
args = ap.parse_args()

first, second, box = constructions.udl_fig4_2()
composed = first.then(second)
r1 = rr.regions(first, box, merge_linear=True)
r2 = rr.regions(composed, box, merge_linear=True)
print(f"first network:  2-3-1, {r1.count} activation regions, {r1.linear_count} linear regions on {box}")
print(f"second network: 1-2-1, {rr.count(second, rr.Box([-1.0], [1.0]))} regions on [-1, 1]")
print(f"composition:    {r2.count} activation regions, {r2.linear_count} linear regions")

fig = figure((10, 5))
ax1, ax2 = fig.subplots(1, 2)
plot_regions_2d(r1, ax=ax1, color_by="linear")
plot_regions_2d(r2, ax=ax2, color_by="linear")
ax1.set_title(f"first network: {r1.count} regions")
ax2.set_title(f"composed: {r2.count} regions")
path = os.path.join(args.out, "fig4_2.png")
fig.savefig(path, dpi=120)
print(f"wrote {path}")
