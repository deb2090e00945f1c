import numpy as np
import pytest

import reluregions as rr


def test_plane_through_is_orthonormal_and_contains_points():
    p = [np.array([1.0, 2, 3, 4]), np.array([2.0, 0, 3, 1]), np.array([0.0, 1, 5, 4])]
    plane = rr.Plane.through(*p, margin=0.0)
    assert abs(plane.u @ plane.u - 1) < 1e-12 and abs(plane.v @ plane.v - 1) < 1e-12 and abs(plane.u @ plane.v) < 1e-12
    assert plane.contains(np.array(p)).all()
    np.testing.assert_allclose(plane.to_input(plane.to_coords(np.array(p))), p, atol=1e-12)
    assert not plane.contains(np.array([[9.0, 9, 9, 9]])).any()


def test_measures_and_parametrization():
    seg = rr.Segment([0, 0, 0], [3, 4, 0])
    assert seg.measure == 1.0 and seg.length == 5.0
    np.testing.assert_allclose(seg.to_input([[0.5]]), [[1.5, 2, 0]])
    box = rr.Box([-1, 0], [1, 3])
    assert box.measure == 6.0 and box.dim == 2
    plane = rr.Plane([0, 0, 0], [1, 0, 0], [0, 2, 0], s_range=(-1, 1), t_range=(0, 0.5))
    assert plane.measure == 1.0


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: rr.Segment([0, 0], [0, 0]), "zero-length"),
        (lambda: rr.Segment([0, 0], [1, 0, 0]), "same length"),
        (lambda: rr.Segment([np.nan], [1]), "non-finite"),
        (lambda: rr.Plane([0, 0], [1, 1], [2, 2]), "parallel"),
        (lambda: rr.Plane([0, 0], [0, 0], [1, 0]), "non-zero"),
        (lambda: rr.Plane([0, 0, 0], [1, 0], [0, 1, 0]), "u must have 3"),
        (lambda: rr.Plane([0, 0], [1, 0], [0, 1], s_range=(1, 0)), "lo < hi"),
        (lambda: rr.Plane.through([0, 0], [1, 1], [2, 2]), "collinear"),
        (lambda: rr.Box([0, 1], [1, 1]), "coordinate 1"),
        (lambda: rr.Box([0, 0], [1]), "2 entries"),
        (lambda: rr.Box([], []), "non-empty"),
    ],
)
def test_bad_domains(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_non_numeric_domains():
    with pytest.raises(TypeError, match="Segment: a must be a real numeric vector"):
        rr.Segment(["a"], ["b"])
    with pytest.raises(TypeError, match="Box: lo must be a real numeric vector, got dtype bool"):
        rr.Box([True], [False])
