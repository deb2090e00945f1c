"""UDL Fig. 4.7: number of linear regions vs number of parameters, 1 and 10 inputs, depths 1-5.

python examples/fig4_7.py [--out DIR]
"""

import argparse
import os

from reluregions import bounds
from reluregions.plot import plot_bounds_vs_parameters

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".", help="directory for fig4_7.png")
args = ap.parse_args()

path = os.path.join(args.out, "fig4_7.png")
fig = plot_bounds_vs_parameters(path=path)
(p_a, r_a), (p_b, r_b) = fig.reluregions_data["highlights"]
print(
    f"1 input, five hidden layers of 10:   {p_a} parameters, {r_a:,} regions "
    f"(upper bound {bounds.serra2018_upper(1, [10] * 5):,}, reached by the zigzag construction)"
)
print(f"10 inputs, five hidden layers of 50: {p_b:,} parameters, at least {r_b:.3e} regions (> 10^40: {r_b > 10**40})")
print(f"wrote {path}")
