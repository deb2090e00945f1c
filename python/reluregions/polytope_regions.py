"""Compatibility: the walk's results are :class:`~reluregions.Regions` like every engine's.

``PolytopeRegions`` is an alias of :class:`~reluregions.Regions` (files saved by either load with
either name); ``WalkFrame(domain, d)`` is the walk's :class:`~reluregions._frame.Frame`.
"""

from __future__ import annotations

from ._frame import Frame
from .domains import Domain
from .regions import Regions

__all__ = ["PolytopeRegions", "WalkFrame"]

PolytopeRegions = Regions


def WalkFrame(domain: Domain, d: int) -> Frame:  # noqa: N802 - the former class name
    """The frame in which the walk sees `domain` (see :class:`~reluregions._frame.Frame`)."""
    return Frame(domain, d, "walk")
