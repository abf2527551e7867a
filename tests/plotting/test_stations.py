"""Figures across stations: great-circle distances along a section, the map and the section."""

import numpy as np
import pytest

from bayesjoint.physics.constants import MEAN_EARTH_RADIUS_KM
from bayesjoint.plotting.stations import (plot_cross_section,
                                          plot_station_map, section_distance_km)


def test_section_distances_are_cumulative_great_circle_arcs():
    x, has = section_distance_km([(0.0, 0.0), (0.0, 90.0), (90.0, 90.0)])
    assert has
    np.testing.assert_allclose(x, [0.0, 0.5, 1.0] * np.array(np.pi * MEAN_EARTH_RADIUS_KM))


def test_a_station_without_coordinates_places_the_section_by_index():
    x, has = section_distance_km([(0.0, 0.0), (None, 10.0)])
    assert not has and x.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("coordinates", [[(36.2, 140.2), (38.2, -77.4), (52.2, 104.5)],
                                         [(36.2, 140.2), (36.2, 140.2), (None, None)]])
def test_section_and_map_write_their_figures(tmp_path, coordinates):
    z = np.linspace(0.0, 1500.0, 20)
    plot_cross_section(coordinates, [z] * 3, [np.linspace(-3, 0, 20)] * 3,
                       [np.full(20, 0.5)] * 3, ["A", "B", "C"], field="log10_sigma",
                       path=tmp_path / "s.png")
    lat = [c[0] if c[0] is not None else 0.0 for c in coordinates]
    lon = [c[1] if c[1] is not None else 0.0 for c in coordinates]
    plot_station_map(lon, lat, [0.1, np.nan, 0.3], ["A", "B", "C"], label="q",
                     path=tmp_path / "m.png")
    assert (tmp_path / "s.png").stat().st_size > 0 and (tmp_path / "m.png").stat().st_size > 0
