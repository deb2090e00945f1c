#!/usr/bin/env python3
"""Mutation check: does the test suite catch small, plausible bugs?

Each mutation below replaces one exact piece of source text (it must occur exactly once) with a
slightly wrong one: a flipped comparison, an off-by-one, a loosened tolerance, a dropped or swapped
output. For each, on a COPY of the tree (the working tree is never touched):

1. apply the mutation (C++ mutations: rebuild the extension module incrementally with CMake);
2. run the mutation's tests (a fast subset, ``-x``); the mutation is *caught* if they fail;
3. undo it.

The unmutated copy is built and its subsets are run first: a subset that fails without a mutation
makes the results meaningless (the script stops). A mutation whose text is no longer in the source is
reported as ``stale`` (the code moved on: update the list). Every listed mutation must be caught.

Usage (from the repository root, in a venv with the test dependencies, pybind11 and cmake)::

    python tools/mutate.py                 # all mutations; results on stdout and in a JSON file
    python tools/mutate.py --only walk-volume-swap linear-tol
    python tools/mutate.py --list
    python tools/mutate.py --record        # also rewrite the results table of tools/MUTATIONS.md

It takes a while (a rebuild per C++ mutation, ~20 s on 2 cores, plus the tests): run it in the
background (``nohup python tools/mutate.py --record > /tmp/mutate.log 2>&1 &``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = "cpp/include/reluregions/"
PKG = "python/reluregions/"


@dataclass(frozen=True)
class Mutation:
    id: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    what: str

    @property
    def cpp(self) -> bool:
        return self.path.startswith("cpp/")


def M(id: str, path: str, old: str, new: str, tests: str, what: str) -> Mutation:  # noqa: A002
    return Mutation(id, path, old, new, tuple(tests.split()), what)


IND = "tests/test_independent.py"
ENG = "tests/test_engines.py"
WALK = "tests/test_walk.py"
CLI = "tests/test_cli.py"
LP = "tests/test_lp.py"
EXACT = "tests/test_exact.py"
WEXACT = "tests/test_walk_exact.py"
AN = "tests/test_analysis.py"
DIST = "tests/test_distributed.py"
ONNX = "tests/test_onnx.py"
FILES = "tests/test_model_files.py"
GRAPH = "tests/test_graph.py"


def tests(*names: str) -> str:
    return " ".join(names)


MUTATIONS: list[Mutation] = [
    # ------------------------------------------- the two survivors of the issue-14 audit (updated)
    M(
        "linear-exact-skipped",
        INCLUDE + "linear_merge.hpp",
        "++exact_decisions;",
        "return true;",
        tests(EXACT + "::test_walk_linear_regions_are_exact", EXACT + "::test_linear_regions_see_a_tiny_bend"),
        "linear merge: maps within the float bound called equal without the exact comparison",
    ),
    M(
        "walk-volume-swap",
        INCLUDE + "polytope.hpp",
        "  return out;\n}\n\n}  // namespace reluregions",
        "  if (d <= 2 && out.volume.size() >= 2) std::swap(out.volume[0], out.volume[1]);\n  return out;\n}\n\n}  // namespace reluregions",
        tests(
            IND + "::test_walk_volumes_are_per_region_in_the_plane",
            IND + "::test_walk_and_engine_volumes_per_region_low_dims",
        ),
        "walk (d <= 2): the first two regions' volumes swapped",
    ),
    # ---------------------------------------------------------------------------- 1-D / 2-D engines
    M(
        "interval-root",
        INCLUDE + "interval_engine.hpp",
        "const double r = -be * inv;",
        "const double r = be * inv;",
        tests(ENG + "::test_1d_matches_reference", IND + "::test_intervals_match_the_reference"),
        "1-D: a root's float position mirrored (-b/a -> b/a)",
    ),
    M(
        "interval-cluster",
        INCLUDE + "interval_engine.hpp",
        "const bool same = group && c > g0 && L.exact[c - g0].first == L.exact[c - g0 - 1].first;",
        "const bool same = group && c > g0;",
        tests(EXACT + "::test_parallel_lines_a_hair_apart", EXACT + "::test_near_degenerate_deep_nets_on_segments"),
        "1-D: roots whose float error intervals overlap merged into one breakpoint (no exact comparison)",
    ),
    M(
        "interval-rising",
        INCLUDE + "interval_engine.hpp",
        "if (!c.rising) bits[c.unit >> 6]",
        "if (c.rising) bits[c.unit >> 6]",
        tests(ENG + "::test_1d_matches_reference", ENG + "::test_zigzag_small"),
        "1-D: units left of their root on when rising",
    ),
    M(
        "interval-filter",
        INCLUDE + "interval_engine.hpp",
        "int sa = za > bound ? 1 : (za < -bound ? -1 : 0), sb = zb > bound ? 1 : (zb < -bound ? -1 : 0);",
        "int sa = za > 0.0 ? 1 : (za < -0.0 ? -1 : 0), sb = zb > 0.0 * bound ? 1 : (zb < -0.0 ? -1 : 0);",
        tests(
            EXACT + "::test_a_unit_vanishing_at_an_earlier_breakpoint_adds_no_region",
            EXACT + "::test_near_degenerate_deep_nets_on_segments",
        ),
        "1-D: the float filter's error bound ignored (signs at a node's ends taken in floating point)",
    ),
    M(
        "polygon-area",
        INCLUDE + "polygon.hpp",
        "  area = 0.5 * a2;",
        "  area = 0.5 * a2 * (n > 3 ? 1.0 : 0.999);",
        tests(ENG + "::test_2d_matches_reference", IND + "::test_polygon_vertices_match_the_reference"),
        "2-D: triangles' areas 0.1% short",
    ),
    M(
        "polygon-filter",
        INCLUDE + "polygon_engine.hpp",
        "const signed char sg = z > bound ? 1 : (z < -bound ? -1 : 0);",
        "const signed char sg = z > 0.0 * bound ? 1 : (z < -0.0 ? -1 : 0);",
        tests(
            EXACT + "::test_a_unit_vanishing_on_an_earlier_line_adds_no_region",
            EXACT + "::test_three_lines_through_a_point_perturbed",
            EXACT + "::test_near_degenerate_arrangements",
        ),
        "2-D: the vertex filter's error bound ignored (near-degenerate vertex sides taken in floating point)",
    ),
    M(
        "exact-fallback-sign",
        INCLUDE + "layerwise.hpp",
        "return sign(exact_value(exact_maps_.row(l, i, pattern_.data()), pt, K));",
        "return -sign(exact_value(exact_maps_.row(l, i, pattern_.data()), pt, K));",
        tests(
            EXACT + "::test_three_lines_through_a_point_perturbed",
            EXACT + "::test_near_degenerate_arrangements",
            EXACT + "::test_near_degenerate_deep_nets_on_segments",
        ),
        "1-D/2-D: the exact fallback's sign negated",
    ),
    # ------------------------------------------------------------------------------------ the walk
    M(
        "walk-split-side",
        INCLUDE + "walk.hpp",
        "        const bool on = side == 1;\n",
        "        const bool on = side == 1;\n        if (on) break;\n",
        WALK + "::test_zaslavsky_in_space",
        "walk: the 'on' child of a split never visited (off-by-one)",
    ),
    M(
        "walk-cheb-reuse",
        INCLUDE + "walk.hpp",
        "vc >= r * gn && pok",
        "vc >= 0.5 * r * gn && pok",
        tests(
            WALK + "::test_chebyshev_radii_of_a_cut_box_closed_form", IND + "::test_walk_in_a_box_matches_the_reference"
        ),
        "walk: parent's ball reused when half of it crosses (wrong radii)",
    ),
    M(
        "walk-radius",
        INCLUDE + "walk.hpp",
        "s.radius.push_back(radius_[static_cast<std::size_t>(depth)]);",
        "s.radius.push_back(0.5 * radius_[static_cast<std::size_t>(depth)]);",
        IND + "::test_walk_in_a_box_matches_the_reference",
        "walk: stored Chebyshev radius halved",
    ),
    M(
        "walk-margin",
        INCLUDE + "walk.hpp",
        "if (ub <= 0.0) {",
        "if (ub <= 1e-3) {",
        tests(
            WALK + "::test_zaslavsky_in_space",
            WEXACT + "::test_parallel_lines",
            WEXACT + "::test_lines_crossing_at_tiny_angle",
        ),
        "walk: a float Farkas bound up to 1e-3 accepted as 'no interior' (slivers lost)",
    ),
    M(
        "walk-farkas-unchecked",
        INCLUDE + "walk.hpp",
        "if (basis_certificate(g.data(), bound) && bound + g[static_cast<std::size_t>(d_)] <= 0) return false;",
        "if (basis_certificate(g.data(), bound)) return false;",
        tests(
            WEXACT + "::test_three_lines_through_a_point_perturbed",
            WEXACT + "::test_parallel_lines",
            WEXACT + "::test_lines_crossing_at_tiny_angle",
            WEXACT + "::test_ten_lines_near_the_origin",
        ),
        "walk: the LP basis' exact certificate accepted without checking its bound",
    ),
    M(
        "walk-witness-unchecked",
        INCLUDE + "walk.hpp",
        "if (exact_budget == 0) return false;",
        "return true;",
        tests(
            WEXACT + "::test_a_region_too_thin_for_a_float_is_counted_and_flagged",
            WEXACT + "::test_parallel_lines",
        ),
        "walk: a witness that floating point cannot certify accepted without the exact check",
    ),
    M(
        "exact-lp-interior",
        INCLUDE + "exact_lp.hpp",
        "res.interior = value > 0;",
        "res.interior = value >= 0;",
        tests(
            WEXACT + "::test_a_line_touching_a_region_at_a_vertex_is_no_facet",
            WEXACT + "::test_three_lines_through_a_point_perturbed",
            WEXACT + "::test_lines_concurrent_at_points_no_float_holds",
        ),
        "exact LP: an optimum t* = 0 (no interior) read as interior",
    ),
    M(
        "walk-box",
        INCLUDE + "walk.hpp",
        "return lo > 0.0 ? kOn : kOff;",
        "return lo > 0.0 ? kOff : kOn;",
        tests(WALK + "::test_zaslavsky_in_space", WALK + "::test_walk_matches_reference"),
        "walk: box-decided units get the wrong side",
    ),
    M(
        "walk-update-stale",
        INCLUDE + "walk.hpp",
        "if (may_update && made_from_gen_[ul + 1] == map_gen_[ul]) {",
        "if (may_update) {",
        tests(WALK + "::test_walk_matches_the_vertex_engine_on_deeper_nets", WALK + "::test_walk_matches_reference"),
        "walk: a layer's map updated from the previous layer's bits although that layer's map has changed",
    ),
    M(
        "walk-update-side",
        INCLUDE + "walk.hpp",
        "const double delta = ((bits[w] >> (j & 63)) & 1u) ? f : -f;",
        "const double delta = ((bits[w] >> (j & 63)) & 1u) ? f : 0.0;",
        tests(WALK + "::test_walk_matches_the_vertex_engine_on_deeper_nets", WALK + "::test_walk_matches_reference"),
        "walk: a unit switched off is not removed from the next layer's updated map",
    ),
    M(
        "walk-predecide-bound",
        INCLUDE + "walk.hpp",
        "if (lo - err > 0.0)",
        "if (lo + err > 0.0)",
        tests(WALK + "::test_a_unit_cutting_a_sliver_off_the_box", WALK + "::test_walk_matches_reference"),
        "walk: layer-start box decisions without their error bound (a unit crossing the node called on)",
    ),
    M(
        "walk-row-bound-inherit",
        INCLUDE + "walk.hpp",
        "std::max({j + 1, box_from_",
        "std::max({0, box_from_",
        tests(
            WALK + "::test_walk_matches_the_vertex_engine_on_deeper_nets",
            WALK + "::test_signs_proven_on_an_ancestor_hold_in_its_subtree",
        ),
        "walk: a sign proven with a split row passed on to nodes without that row",
    ),
    M(
        "walk-affine-drop",
        INCLUDE + "walk.hpp",
        "        s.c.push_back(row[ud]);",
        "        s.c.push_back(0.0);",
        tests(IND + "::test_walk_in_a_box_matches_the_reference", WALK + "::test_affine_maps_match_the_network"),
        "walk: output map's constant dropped",
    ),
    M(
        "walk-pattern-clear",
        INCLUDE + "walk.hpp",
        "        clear_from(l, i);  // units i, i + 1, ... are decided again in this child\n",
        "",
        tests(WALK + "::test_zaslavsky_in_space", WALK + "::test_walk_matches_reference"),
        "walk: stale bits of the previous child kept",
    ),
    M(
        "task-radius",
        INCLUDE + "walk_tasks.hpp",
        "w.put(t.radius);",
        "w.put(0.5 * t.radius);",
        DIST + "::test_without_a_budget_the_tasks_are_the_threads_tasks",
        "walk tasks: the node's radius halved in the task's bytes",
    ),
    # ---------------------------------------------------------- facets, adjacency, volumes (walk)
    M(
        "facet-redundant-tol",
        INCLUDE + "polytope.hpp",
        "redundant = gap <= (ex.en ? 0.0 :",
        "redundant = gap <= (ex.en ? 1e-2 :",
        tests(
            IND + "::test_walk_in_a_box_matches_the_reference",
            IND + "::test_walk_volumes_per_region_in_3d_cube_with_cancelled_units",
        ),
        "facets: rows reaching less than 1e-2 beyond the others called redundant",
    ),
    M(
        "facet-bounded",
        INCLUDE + "polytope.hpp",
        "== LPStatus::unbounded) bnd = false;",
        "== LPStatus::optimal && j == 0) bnd = false;",
        tests(
            IND + "::test_walk_on_polytopes_and_space_matches_the_reference",
            WALK + "::test_arrangement_faces_and_bounded_regions",
        ),
        "boundedness: wrong LP status tested",
    ),
    M(
        "volume-3d",
        INCLUDE + "polytope.hpp",
        "vol += 0.5 * std::fabs(area2) * h / 3.0;",
        "vol += 0.5 * std::fabs(area2) * h / 3.0 * (P.faces() > 6 ? 1.0 : 1.001);",
        tests(
            IND + "::test_walk_volumes_per_region_in_3d_cube_with_cancelled_units",
            IND + "::test_walk_in_a_box_matches_the_reference",
        ),
        "3-D volumes of regions with few facets 0.1% too large",
    ),
    M(
        "neighbour-step",
        INCLUDE + "polytope.hpp",
        "double step = std::min(0.25 * rf, tol::neighbour_step);",
        "double step = -std::min(0.25 * rf, tol::neighbour_step);",
        tests(
            IND + "::test_walk_in_a_box_matches_the_reference", WALK + "::test_arrangement_faces_and_bounded_regions"
        ),
        "adjacency: stepping into the region instead of across its facet",
    ),
    # ----------------------------------------------------------------------------- merging, LP, locate
    M(
        "merge-1d-last-pair",
        INCLUDE + "linear_merge.hpp",
        "for (std::size_t p = 0; p + 1 < R; ++p)",
        "for (std::size_t p = 0; p + 2 < R; ++p)",
        tests(ENG + "::test_cancelled_duplicate_unit_merges_regions", ENG + "::test_linear_regions_1d_match_reference"),
        "1-D merge: the last two regions never compared (off-by-one)",
    ),
    M(
        "merge-2d-side",
        INCLUDE + "linear_merge.hpp",
        "if (side > 0 && contains(cq, mx, my, band)) q = cand;",
        "if (side > 0 && contains(cq, mx, my, band)) q = static_cast<std::int64_t>(p);",
        tests(ENG + "::test_cancelled_duplicate_unit_merges_regions", ENG + "::test_linear_regions_2d"),
        "2-D merge: the region merged with itself",
    ),
    M(
        "lp-cheb-cap",
        INCLUDE + "lp.hpp",
        "*r = std::min(std::max(x_[static_cast<std::size_t>(n_)], 0.0), r_cap);",
        "*r = std::min(std::max(x_[static_cast<std::size_t>(n_)], 0.0), 0.5 * r_cap);",
        tests(LP, WALK + "::test_walk_on_3d_domains_matches_reference"),
        "LP: Chebyshev radius capped at half the cap",
    ),
    M(
        "lp-feasibility",
        INCLUDE + "tolerances.hpp",
        "inline constexpr double lp_feasibility = 1e-9;",
        "inline constexpr double lp_feasibility = 1e-3;",
        tests(LP, IND + "::test_walk_in_a_box_matches_the_reference"),
        "LP feasibility tolerance 1e-9 -> 1e-3",
    ),
    M(
        "locate-boundary",
        "cpp/bindings/bind_engines.cpp",
        "idx[static_cast<std::size_t>(r)] = boundary ? -1 : index.find(pa.bits());",
        "idx[static_cast<std::size_t>(r)] = index.find(pa.bits());",
        tests(
            ENG + "::test_a_point_on_a_boundary_is_in_no_region",
            ENG + "::test_locate_finds_the_region_of_random_points",
        ),
        "locate: a point on a boundary located in the region of its float pattern",
    ),
    M(
        "pattern-strict",
        INCLUDE + "network.hpp",
        "z[i] > tol * e2[i];",
        "z[i] >= -tol * e2[i];",
        tests(ENG + "::test_degenerate_2d_by_hand", ENG + "::test_dead_and_always_on_bits", "tests/test_network.py"),
        "forward pattern: a zero pre-activation counts as on",
    ),
    # ------------------------------------------------------------------------------------ analysis
    M(
        "distance-norm",
        INCLUDE + "analysis.hpp",
        "const double dist = std::fabs(z_[static_cast<std::size_t>(i)]) / norm;",
        "const double dist = std::fabs(z_[static_cast<std::size_t>(i)]) / (norm * norm);",
        tests(
            AN + "::test_distance_without_boundaries_and_closed_form",
            AN + "::test_distance_equals_the_walk_facets_and_an_lp",
        ),
        "distance_to_boundary: first-layer distances divided by the squared gradient norm",
    ),
    M(
        "local-count-cross",
        INCLUDE + "analysis.hpp",
        "if (k == 1 || (k == 2 && !cross)) {",
        "if (k == 1 || k == 2) {",
        AN + "::test_local_count_k2_is_the_plane_count",
        "local_count: the 2-D cross-polytope counted as the square",
    ),
    # ---------------------------------------------------------------------------------- Python
    M(
        "py-count-off-by-one",
        PKG + "api.py",
        '        out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))\n'
        '        out.stats = dict(res["stats"])',
        '        out = RegionCount(int(res["count"]) + (int(res["count"]) > 1), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))\n'
        '        out.stats = dict(res["stats"])',
        WALK + "::test_zaslavsky_in_space",
        "walk count: off by one",
    ),
    M(
        "py-measures-span",
        PKG + "_frame.py",
        "return float(np.prod(self._span))",
        "return float(np.max(self._span))",
        tests(ENG + "::test_2d_matches_reference", IND + "::test_walk_and_engine_volumes_per_region_low_dims"),
        "2-D measures scaled by one side only",
    ),
    M(
        "py-radii-scale",
        PKG + "regions.py",
        'return self._raw["radius"] * self._frame.length_scale',
        'return self._raw["radius"]',
        IND + "::test_walk_in_a_box_matches_the_reference",
        "walk radii: the box's scale dropped",
    ),
    M(
        "py-facets-norm",
        PKG + "regions.py",
        "return A / n[:, None], bb / n, self.network._user_unit_index(units)",
        "return A / n[:, None], bb, self.network._user_unit_index(units)",
        IND + "::test_walk_in_a_box_matches_the_reference",
        "walk facets: offsets not normalized with the rows",
    ),
    M(
        "py-adjacency-order",
        PKG + "regions.py",
        "pairs = np.stack([np.minimum(owner[keep], nb[keep]), np.maximum(owner[keep], nb[keep])], axis=1)",
        "pairs = np.stack([owner[keep], nb[keep]], axis=1)",
        tests(
            IND + "::test_walk_in_a_box_matches_the_reference", WALK + "::test_arrangement_faces_and_bounded_regions"
        ),
        "adjacency: pairs not ordered i < j (each listed twice)",
    ),
    M(
        "py-locate-domain",
        PKG + "regions.py",
        "        idx = np.where(inside, idx, -1)\n",
        "",
        tests(IND + "::test_walk_in_a_box_matches_the_reference", WALK + "::test_locate_and_save_load"),
        "locate: points outside the domain located",
    ),
    M(
        "py-affine-shift",
        PKG + "regions.py",
        'cu + np.einsum("rok,k->ro", Au, m)',
        'cu - np.einsum("rok,k->ro", Au, m)',
        IND + "::test_engine_locate_and_maps_match_the_reference",
        "affine maps: constant shifted the wrong way",
    ),
    M(
        "py-linear-labels",
        PKG + "regions.py",
        "self.count = int(labels.max()) + 1 if labels.size else 0",
        "self.count = int(labels.max()) if labels.size else 0",
        tests(IND + "::test_a_small_bend_is_a_linear_region_boundary", CLI),
        "linear region count: off by one",
    ),
    M(
        "onnx-pads",
        PKG + "_onnx.py",
        "pos = opos[:, :, None] * np.array(strides)[:, None, None] - np.array(pads[:nd])[:, None, None]",
        "pos = opos[:, :, None] * np.array(strides)[:, None, None] + np.array(pads[:nd])[:, None, None]",
        ONNX + "::test_forward_matches_onnxruntime_on_1000_inputs",
        "ONNX: windows shifted by +pads instead of -pads",
    ),
    M(
        "nnet-norm",
        PKG + "_nnet.py",
        "b0 = self.biases[0] - self.weights[0] @ (mean_in / range_in)",
        "b0 = self.biases[0] + self.weights[0] @ (mean_in / range_in)",
        FILES + "::test_nnet_folds_the_normalisation_and_keeps_the_input_box",
        ".nnet: input means folded with the wrong sign",
    ),
    M(
        "graph-maxpool",
        PKG + "graph.py",
        "diff.append((np.concatenate([lc, rc]), np.concatenate([lv, -rv]), l0 - r0))",
        "diff.append((np.concatenate([rc, lc]), np.concatenate([rv, -lv]), r0 - l0))",
        tests(
            GRAPH + "::test_max_pool_of_four_values_adds_three_units_in_tree_order",
            GRAPH + "::test_forward_patterns_and_maps_match_the_reference",
        ),
        "max-pool tree: comparison right - left (max(a, b) computed as b + relu(b - a))",
    ),
    M(
        "distributed-order",
        PKG + "distributed.py",
        "        ev.sort(key=lambda e: e[0])\n",
        "",
        DIST + "::test_without_a_budget_the_tasks_are_the_threads_tasks",
        "distributed: a task's regions and subtasks not merged in depth-first order",
    ),
    M(
        "cli-linear",
        PKG + "cli.py",
        'out["linear_regions"] = res.linear_count',
        'out["linear_regions"] = res.count',
        CLI,
        "CLI: activation regions reported as linear regions",
    ),
    M(
        "cli-plane-ranges",
        PKG + "cli.py",
        "return Plane(origin, u, v, s_range=args.s_range, t_range=args.t_range)",
        "return Plane(origin, u, v, s_range=args.t_range, t_range=args.s_range)",
        CLI,
        "CLI: --s-range and --t-range swapped",
    ),
    M(
        "cli-max-regions",
        PKG + "cli.py",
        '"max_regions": args.max_regions,',
        '"max_regions": None,',
        CLI,
        "CLI: --max-regions ignored",
    ),
]

_SHIM = r"""
import sys
# Do not let an editable install of reluregions (a meta-path finder) shadow the copy under test.
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "ScikitBuild" not in type(f).__name__]
import reluregions
if not reluregions.__file__.startswith(sys.argv[1]):
    sys.exit(f"mutate.py: imported reluregions from {reluregions.__file__}, not from the copy {sys.argv[1]}")
import pytest
sys.exit(pytest.main(sys.argv[2:]))
"""


def sh(cmd: list[str], cwd: Path, log: Path, timeout: float | None = None, env: dict[str, str] | None = None) -> int:
    with open(log, "a") as f:
        f.write(f"\n$ {' '.join(cmd)}\n")
        f.flush()
        try:
            return subprocess.run(
                cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout, env=env, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            f.write(f"\n[timeout after {timeout} s]\n")
            return -1


class Copy:
    """A copy of the tree (tracked and untracked, not ignored files) with a CMake build of _core."""

    def __init__(self, work: Path, log: Path) -> None:
        self.dir = work / "tree"
        self.build = work / "build"
        self.log = log
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        for name in filter(None, files.decode().split("\0")):
            src = ROOT / name
            if src.is_file():
                dst = self.dir / name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        import pybind11

        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        cmd = [
            "cmake",
            "-S",
            str(self.dir),
            "-B",
            str(self.build),
            *gen,
            "-DCMAKE_BUILD_TYPE=Release",
            "-DSKBUILD=ON",
            "-DSKBUILD_PROJECT_NAME=reluregions",
            f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
            f"-DPython_EXECUTABLE={sys.executable}",
        ]
        if sh(cmd, self.dir, log) != 0:
            raise SystemExit(f"mutate.py: cmake configure failed (see {log})")
        (self.dir / "_run_pytest.py").write_text(_SHIM)

    def compile(self) -> bool:
        if sh(["cmake", "--build", str(self.build), "-j", str(os.cpu_count() or 2)], self.dir, self.log) != 0:
            return False
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        so = self.build / f"_core{suffix}"
        shutil.copy2(so, self.dir / PKG / so.name)
        return True

    def pytest(self, tests: tuple[str, ...], timeout: float) -> tuple[int, str]:
        """Return code and the first failing test (from pytest's summary) of a run of `tests`."""
        env = dict(
            os.environ, PYTHONPATH=str(self.dir / "python"), PYTHONDONTWRITEBYTECODE="1", HYPOTHESIS_PROFILE="mutate"
        )
        args = [
            sys.executable,
            "_run_pytest.py",
            str(self.dir / "python"),
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            *tests,
        ]
        start = self.log.stat().st_size if self.log.exists() else 0
        rc = sh(args, self.dir, self.log, timeout=timeout, env=env)
        with open(self.log) as f:
            f.seek(start)
            failed = [line.split(" - ")[0].split()[1] for line in f if line.startswith(("FAILED ", "ERROR "))]
        return rc, failed[0] if failed else ""


def run(mutations: list[Mutation], timeout: float, keep: bool) -> list[dict[str, object]]:
    work = Path(tempfile.mkdtemp(prefix="reluregions-mutate-"))
    log = work / "log.txt"
    print(f"copy and log in {work}", flush=True)
    results: list[dict[str, object]] = []
    try:
        copy = Copy(work, log)
        t0 = time.time()
        if not copy.compile():
            raise SystemExit(f"mutate.py: the unmutated copy does not build (see {log})")
        tests = tuple(dict.fromkeys(t for m in mutations for t in m.tests))
        if copy.pytest(tests, timeout * 3)[0] != 0:
            keep = True
            raise SystemExit(f"mutate.py: the unmutated copy fails its tests (see {log}): fix the suite first")
        print(f"baseline: built and {len(tests)} test selections pass ({time.time() - t0:.0f} s)", flush=True)
        dirty = False  # the build holds a mutated C++ source
        for m in mutations:
            t0 = time.time()
            path = copy.dir / m.path
            text = path.read_text()
            hits = text.count(m.old)
            status, by = "stale", ""
            if hits == 1:
                path.write_text(text.replace(m.old, m.new))
                try:
                    if m.cpp or dirty:
                        built = copy.compile()
                        dirty = m.cpp
                    else:
                        built = True
                    if not built:
                        status = "build error"
                    else:
                        rc, by = copy.pytest(m.tests, timeout)
                        status = "caught" if rc != 0 else "SURVIVED"
                        if rc == -1:
                            status = "caught (timeout)"
                finally:
                    path.write_text(text)
            else:
                print(f"  {m.id}: its text occurs {hits} times in {m.path}", flush=True)
            results.append(
                {
                    "id": m.id,
                    "status": status,
                    "seconds": round(time.time() - t0, 1),
                    "what": m.what,
                    "path": m.path,
                    "caught_by": by,
                }
            )
            print(f"{m.id:24s} {status:16s} {time.time() - t0:6.1f} s  {m.what}  {by}", flush=True)
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def record(results: list[dict[str, object]], started: str) -> None:
    """Rewrite the results section of tools/MUTATIONS.md."""
    md = ROOT / "tools" / "MUTATIONS.md"
    head = md.read_text().split("## Last run")[0] if md.exists() else "# Mutations\n\n"
    caught = sum(str(r["status"]).startswith("caught") for r in results)
    lines = [
        "## Last run",
        "",
        f"{started} UTC, commit `{_commit()}`: **{caught} of {len(results)} caught**.",
        "",
        "| mutation | file | what | result | first failing test | seconds |",
        "| --- | --- | --- | --- | --- | ---: |",
    ]
    lines += [
        f"| `{r['id']}` | `{r['path']}` | {r['what']} | {r['status']} | `{r['caught_by']}` | {r['seconds']} |"
        for r in results
    ]
    md.write_text(head + "\n".join(lines) + "\n")


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return out.stdout.strip() or "?"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+", metavar="ID", help="run these mutations only")
    p.add_argument("--list", action="store_true", help="list the mutations and exit")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per test run (a timeout counts as caught)")
    p.add_argument("--keep", action="store_true", help="keep the temporary copy")
    p.add_argument("--record", action="store_true", help="rewrite the results table of tools/MUTATIONS.md")
    p.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "reluregions-mutations.json")
    args = p.parse_args()
    ids = [m.id for m in MUTATIONS]
    assert len(set(ids)) == len(ids), "duplicate mutation ids"
    if args.list:
        for m in MUTATIONS:
            print(f"{m.id:24s} {m.path:45s} {m.what}")
        return 0
    chosen = MUTATIONS
    if args.only:
        unknown = set(args.only) - set(ids)
        if unknown:
            p.error(f"unknown mutation ids: {', '.join(sorted(unknown))}")
        chosen = [m for m in MUTATIONS if m.id in args.only]
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    results = run(chosen, args.timeout, args.keep)
    args.json.write_text(json.dumps(results, indent=1))
    if args.record:
        record(results, started)
    bad = [r for r in results if not str(r["status"]).startswith("caught")]
    print(
        f"{len(results) - len(bad)} of {len(results)} caught"
        + (f"; not caught: {', '.join(str(r['id']) for r in bad)}" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
