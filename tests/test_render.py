"""Pictures: geometry checked on computed values (not pixels), readability, atomic saves.

Geometry: the sky chart's path is (azimuth, 90 - elevation) in polar coordinates, with
look angles recomputed here from erfa's geodetic transform; the world map's track points
are the sub-points, the day/night line has the Sun at altitude 0 (Sun recomputed from
erfa's epv00 and the IAU 2006 celestial-to-terrestrial matrix, not zarya's GMST-82
path), and the footprint's edge sees the station at the threshold elevation.

Readability: 1200 x 800 pixels, no text under 10 pt, no two text boxes overlapping (as
measured by matplotlib's own renderer), everything inside the picture, the line styles
of sunlit and shadowed parts.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from zoneinfo import ZoneInfo

import erfa
import numpy as np
import pytest

from zarya.domain.geodesy import subpoints
from zarya.domain.passes import find_passes
from zarya.elements.files import bundled_sets
from zarya.engine.ephemeris import Ephemeris
from zarya.engine.look import Observer
from zarya.engine.satellite import Satellite
from zarya.engine.timescale import Window, parse_instant
from zarya.render import common, skychart, worldmap

ASTANA = Observer(51.1694, 71.4491, 347.0)
ALMATY = ZoneInfo("Asia/Almaty")
AU_KM = 149597870.7


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def sat() -> Satellite:
    return Satellite.from_elements(bundled_sets())


@pytest.fixture(scope="module")
def pass_eph(sat) -> Ephemeris:
    return Ephemeris(sat, Window.days(parse_instant("2016-04-04"), 3.0))


@pytest.fixture(scope="module")
def passes(pass_eph):
    return find_passes(pass_eph, ASTANA)[0]


def _sky(pass_eph, passes, k: int) -> skychart.SkyPass:
    return skychart.sky_pass(pass_eph, ASTANA, passes[k], number=k + 1, total=len(passes))


@pytest.fixture(scope="module")
def skies(pass_eph, passes) -> dict[str, skychart.SkyPass]:
    """Three kinds of pass over Astana: visible from rise to set, visible then into the
    shadow, and visible only after the sky darkens (daylight first)."""
    out = {}
    for p_k, p in enumerate(passes):
        v = p.visible
        if v is None:
            continue
        kind = {("rise", "set"): "whole", ("rise", "enters_shadow"): "shadow",
                ("twilight", "set"): "twilight"}.get((v.starts, v.ends))
        if kind and kind not in out:
            out[kind] = _sky(pass_eph, passes, p_k)
    assert set(out) == {"whole", "shadow", "twilight"}
    return out


@pytest.fixture(scope="module")
def sky_figures(skies):
    return {
        kind: skychart.sky_chart_figure(s, place="Astana, KZ", zone=ALMATY)
        for kind, s in skies.items()
    }


@pytest.fixture(scope="module")
def map_eph(sat) -> Ephemeris:
    return Ephemeris(sat, Window(parse_instant("2016-04-04T14:36:00Z"), 1.5 * 3600.0))


@pytest.fixture(scope="module")
def world(map_eph) -> worldmap.WorldMap:
    return worldmap.world_map(map_eph, observer=ASTANA, observer_label="Astana, KZ")


@pytest.fixture(scope="module")
def map_figure(world):
    return worldmap.world_map_figure(world)


# -------------------------------------------------------------- independent helpers
def _enu(lat_deg, lon_deg):
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    east = np.stack((-np.sin(lon), np.cos(lon), np.zeros_like(lon)), axis=-1)
    north = np.stack((-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)), -1)
    up = np.stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), -1)
    return east, north, up


def _look(lat_deg, lon_deg, alt_m, r_km):
    """Azimuth and elevation (degrees) of Earth-fixed points from WGS84 places (erfa)."""
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    o = erfa.gd2gc(1, np.radians(lon), np.radians(lat), np.broadcast_to(alt_m, lat.shape)) / 1e3
    e, n, u = _enu(lat, lon)
    d = np.asarray(r_km) - o
    rng = np.linalg.norm(d, axis=-1)
    az = np.degrees(np.arctan2(np.sum(d * e, -1), np.sum(d * n, -1))) % 360.0
    el = np.degrees(np.arcsin(np.clip(np.sum(d * u, -1) / rng, -1.0, 1.0)))
    return az, el


def _erfa_sun_itrs_km(window: Window, t_s: float) -> np.ndarray:
    """The apparent Sun, Earth-fixed: epv00 plus first-order aberration, rotated by the
    IAU 2006/2000A celestial-to-terrestrial matrix (UT1 = UTC, no polar motion)."""
    jd1, jd2 = window.jd(np.array([t_s]))
    tai1, tai2 = erfa.utctai(jd1[0], jd2[0])
    tt1, tt2 = erfa.taitt(tai1, tai2)
    pvh, pvb = erfa.epv00(tt1, tt2)
    sun = -pvh["p"]
    sun = sun + np.linalg.norm(sun) / 173.1446326846693 * pvb["v"]
    return erfa.c2t06a(tt1, tt2, jd1[0], jd2[0], 0.0, 0.0) @ sun * AU_KM


def _lines(fig, gid: str):
    return [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == gid]


def _points(fig, gid: str) -> np.ndarray:
    """All finite (x, y) data points of the lines with this gid."""
    xy = np.concatenate([ln.get_xydata() for ln in _lines(fig, gid)])
    return xy[np.isfinite(xy).all(axis=1)]


def _luminance(colour) -> float:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# ---------------------------------------------------------------- choosing a pass
def test_choose_pass_first_visible_then_number(passes):
    k, p = skychart.choose_pass(passes)
    assert p.visible is not None
    assert all(q.visible is None for q in passes[:k])
    assert skychart.choose_pass(passes, 1) == (0, passes[0])
    assert skychart.choose_pass(passes, len(passes))[0] == len(passes) - 1
    daylight_only = [q for q in passes if q.visible is None]
    assert skychart.choose_pass(daylight_only) == (0, daylight_only[0])


def test_choose_pass_errors(passes):
    from zarya.errors import TimeRangeError

    with pytest.raises(TimeRangeError, match=r"pass number 99 is beyond the \d+ passes over X"):
        skychart.choose_pass(passes, 99, where="X")
    with pytest.raises(TimeRangeError, match="no pass above 30 degrees"):
        skychart.choose_pass([], min_elevation_deg=30.0)


# ---------------------------------------------------------------- sky geometry
def test_sky_samples_are_the_look_angles(skies, pass_eph):
    for s in skies.values():
        az, el = _look(ASTANA.lat_deg, ASTANA.lon_deg, ASTANA.alt_m, pass_eph.position(s.t_s))
        assert np.allclose(s.elevation_deg, el, atol=1e-9)
        assert np.allclose((s.azimuth_deg - az + 180.0) % 360.0 - 180.0, 0.0, atol=1e-9)
        # the ends are the pass's rise and set, at the threshold
        assert s.elevation_deg[0] == pytest.approx(10.0, abs=1e-3)
        assert s.elevation_deg[-1] == pytest.approx(10.0, abs=1e-3)
        assert s.elevation_deg.max() == pytest.approx(s.passage.culmination.elevation_deg,
                                                      abs=1e-6)
        assert np.all(np.diff(s.t_s) <= skychart.SAMPLE_STEP_S + 1e-9)


def test_sky_path_is_azimuth_and_zenith_distance(skies, sky_figures):
    for kind, fig in sky_figures.items():
        s = skies[kind]
        plotted = np.concatenate([_points(fig, f"path-{c}") for c in ("visible", "shadow",
                                                                      "daylight")
                                  if _lines(fig, f"path-{c}")])
        theta = np.radians(s.azimuth_deg)
        # every plotted point is a sample at (azimuth, 90 - elevation), and every sample
        # is plotted
        d_theta = (plotted[:, None, 0] - theta[None, :] + np.pi) % (2 * np.pi) - np.pi
        d_r = plotted[:, None, 1] - (90.0 - s.elevation_deg)[None, :]
        match = (np.abs(d_theta) < 1e-12) & (np.abs(d_r) < 1e-12)
        assert match.any(axis=1).all()
        assert match.any(axis=0).all()


def test_sky_projection_north_up_east_left(sky_figures):
    fig = sky_figures["whole"]
    ax = next(a for a in fig.axes if a.name == "polar")
    centre = ax.transData.transform((0.0, 0.0))
    radius = np.hypot(*(ax.transData.transform((0.0, 90.0)) - centre))
    assert radius == pytest.approx(fig.bbox.height / 2 - 0.07 * fig.bbox.height)
    az = np.arange(0.0, 360.0, 7.5)
    for el in (0.0, 10.0, 45.0, 80.0):
        got = ax.transData.transform(np.column_stack((np.radians(az), np.full(az.shape,
                                                                              90.0 - el))))
        rr = (90.0 - el) / 90.0 * radius
        want = centre + rr * np.column_stack((-np.sin(np.radians(az)), np.cos(np.radians(az))))
        assert np.allclose(got, want, atol=1e-6)


def test_sky_events_marked_at_the_pass_points(skies, sky_figures):
    for kind, fig in sky_figures.items():
        v = skies[kind].passage.visible
        for gid, point in (("event-appears", v.start), ("event-disappears", v.end),
                           ("event-highest", skies[kind].passage.culmination)):
            (line,) = _lines(fig, gid)
            theta, r = line.get_xydata()[0]
            assert theta == pytest.approx(np.radians(point.azimuth_deg))
            assert r == pytest.approx(90.0 - point.elevation_deg)
        texts = [t.get_text() for t, _ in common.text_boxes(fig)]
        for name, point in (("Appears", v.start), ("Disappears", v.end)):
            local = point.time.astimezone(ALMATY).strftime("%H:%M:%S")
            mag = f"{point.magnitude:+.1f}".replace("-", "\u2212")
            assert f"{name} {local}\nmag {mag}" in texts


def test_sky_light_of_each_sample(skies, pass_eph):
    from zarya.domain.light import shadow, sun_elevation_deg
    from zarya.engine.look import Observers

    obs = Observers.of(ASTANA)
    for s in skies.values():
        v = s.passage.visible
        times = np.array([s.time(t) for t in s.t_s])
        inside = (times >= v.start.time) & (times <= v.end.time)
        assert (s.light[inside] == "visible").all()
        r, sun = pass_eph.position(s.t_s), pass_eph.sun(s.t_s)
        where_shadow = s.light == "shadow"
        assert np.isin(shadow(r[where_shadow], sun[where_shadow]), ["umbra", "penumbra"]).all()
        sun_el = sun_elevation_deg(sun, obs.r_km[[0]], obs.up[[0]])
        assert (sun_el[s.light == "daylight"] > -6.0).all()
    assert (skies["shadow"].light == "shadow").any()
    assert (skies["twilight"].light == "daylight").any()


def test_sky_line_styles(sky_figures):
    vis = _lines(sky_figures["shadow"], "path-visible")
    dark = _lines(sky_figures["shadow"], "path-shadow")
    grey = _lines(sky_figures["twilight"], "path-daylight")
    assert vis and dark and grey
    for ln in vis:
        assert ln.get_linestyle() == "-"
        assert ln.get_color() == skychart.LIGHT_STYLES["visible"]["color"]
        r, g, b = __import__("matplotlib.colors").colors.to_rgb(ln.get_color())
        assert r > 0.8 and b < 0.3  # a bright, saturated amber
    for ln in dark:
        assert ln.get_linestyle() == "--"
        assert _luminance(ln.get_color()) < 0.25
    for ln in grey:
        assert ln.get_linestyle() == "-"
        from matplotlib.colors import to_rgb

        r, g, b = to_rgb(ln.get_color())
        assert max(r, g, b) - min(r, g, b) < 0.02 and 0.4 < _luminance(ln.get_color()) < 0.8
    assert vis[0].get_linewidth() > max(dark[0].get_linewidth(), grey[0].get_linewidth())


def test_sky_minutes_ticked_and_labelled_in_local_time(skies, sky_figures):
    for kind, fig in sky_figures.items():
        s = skies[kind]
        ticks = _lines(fig, "minute-tick")
        assert len(ticks) == len(s.tick_t_s) >= 4
        assert all(s.time(t).second == 0 for t in s.tick_t_s)
        want = {s.time(t).astimezone(ALMATY).strftime("%H:%M") for t in s.tick_t_s}
        texts = {t.get_text() for t, _ in common.text_boxes(fig)}
        assert len(want & texts) >= 0.75 * len(want)


# -------------------------------------------------------------------- readability
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _check_readable(fig) -> None:
    assert fig.canvas.get_width_height() == (1200, 800)
    boxes = common.text_boxes(fig)
    assert len(boxes) > 10
    for t, bb in boxes:
        assert t.get_fontsize() >= 10.0, (t.get_text(), t.get_fontsize())
        assert bb.x0 >= 0 and bb.y0 >= 0 and bb.x1 <= 1200 and bb.y1 <= 800, t.get_text()
    assert common.overlapping_texts(fig) == []


@pytest.mark.parametrize("kind", ["whole", "shadow", "twilight"])
def test_sky_chart_readable(sky_figures, kind):
    _check_readable(sky_figures[kind])


def test_sky_chart_png_is_1200_by_800(sky_figures):
    assert _png_size(common.figure_bytes(sky_figures["whole"], "png")) == (1200, 800)


def test_sky_chart_daylight_pass_readable(pass_eph, passes):
    k = next(i for i, p in enumerate(passes) if p.visible is None)
    fig = skychart.sky_chart_figure(_sky(pass_eph, passes, k), place="Astana, KZ", zone=ALMATY)
    _check_readable(fig)
    assert _lines(fig, "event-rises") and _lines(fig, "event-sets")
    assert not _lines(fig, "event-appears")


def test_sky_chart_long_names_fit(skies):
    fig = skychart.sky_chart_figure(
        skies["whole"], zone=ALMATY,
        place="Baikonur Cosmodrome, Site 1/5 (Gagarin's Start), the pad of Vostok 1 and Soyuz",
    )
    _check_readable(fig)


def test_map_readable(map_figure):
    _check_readable(map_figure)
    assert _png_size(common.figure_bytes(map_figure, "png")) == (1200, 800)


# ------------------------------------------------------------------- map geometry
def test_map_track_points_are_subpoints(world, map_figure, map_eph):
    lat, lon, _ = subpoints(map_eph.position(world.track_t_s))
    assert np.allclose(world.track_lat_deg, lat, atol=1e-9)
    assert np.allclose(world.track_lon_deg, lon, atol=1e-9)
    plotted = np.concatenate([_points(map_figure, "track-sunlit"),
                              _points(map_figure, "track-shadow")])
    cut = np.abs(plotted[:, 0]) == 180.0  # where split_antimeridian ends a piece
    assert cut.any()  # this track crosses the antimeridian
    sub = np.column_stack((lon, lat))
    d = np.abs(plotted[~cut, None, :] - sub[None, :, :]).max(axis=2)
    assert (d.min(axis=1) < 1e-12).all()  # every plotted point is a sub-point
    assert (np.abs(sub[:, None, :] - plotted[None, ~cut, :]).max(axis=2).min(axis=1)
            < 1e-12).all()  # and every sub-point is plotted
    for gid in ("track-sunlit", "track-shadow"):
        for ln in _lines(map_figure, gid):
            x = ln.get_xdata()
            jumps = np.abs(np.diff(x))
            assert np.nanmax(jumps) < 10.0  # never a line across the whole map


def test_map_track_styles(map_figure, world):
    (lit,) = _lines(map_figure, "track-sunlit")
    (dark,) = _lines(map_figure, "track-shadow")
    assert lit.get_linestyle() == "-" and dark.get_linestyle() == "--"
    assert _luminance(dark.get_color()) < 0.25 < _luminance(lit.get_color())
    assert world.track_sunlit.any() and (~world.track_sunlit).any()


def test_map_terminator_has_the_sun_on_the_horizon(world, map_figure, map_eph):
    sun = _erfa_sun_itrs_km(map_eph.window, world.at_s)
    cos = sun @ world.sun_km / np.linalg.norm(sun) / np.linalg.norm(world.sun_km)
    assert np.degrees(np.arccos(min(cos, 1.0))) < 0.01  # zarya's Sun is erfa's
    pts = _points(map_figure, "terminator")
    assert len(pts) >= 3 * 700
    lon = (pts[:, 0] + 180.0) % 360.0 - 180.0
    _, alt = _look(pts[:, 1], lon, 0.0, sun)
    assert np.abs(alt).max() < 0.1
    # the ring goes all the way round (it is a great circle, near enough)
    assert np.ptp(np.degrees(np.unwrap(np.radians(world.terminator_lon_deg)))) > 359.0


def test_map_twilight_bands(world, map_figure, map_eph):
    from matplotlib.contour import ContourSet

    (bands,) = [c for c in map_figure.axes[0].get_children() if isinstance(c, ContourSet)]
    assert list(bands.levels[1:]) == [-18.0, -12.0, -6.0, 0.0]
    sun = _erfa_sun_itrs_km(map_eph.window, world.at_s)
    lon, lat = np.meshgrid(world.grid_lon_deg[::40], world.grid_lat_deg[::20])
    _, alt = _look(lat.ravel(), lon.ravel(), 0.0, sun)
    assert np.abs(world.sun_altitude_deg[::20, ::40].ravel() - alt).max() < 0.05
    for level in (-6.0, -12.0, -18.0):
        lat_r, lon_r = worldmap.sun_altitude_ring(world.sun_km, level, n=91)
        _, alt = _look(lat_r, lon_r, 0.0, sun)
        assert np.abs(alt - level).max() < 0.1


def test_map_footprint_edge_at_the_threshold(world, map_figure):
    pts = _points(map_figure, "footprint")
    assert len(pts) >= 3 * 180
    lon = (pts[:, 0] + 180.0) % 360.0 - 180.0
    _, el = _look(pts[:, 1], lon, 0.0, world.station_r_km)
    assert np.abs(el - 10.0).max() < 0.05
    # and it surrounds the station, about 1400 km out for the ISS at 400 km
    _, el_centre = _look(world.station_lat_deg, world.station_lon_deg, 0.0, world.station_r_km)
    assert el_centre[0] == pytest.approx(90.0, abs=0.01)
    station = map_figure.axes[0]
    (marker,) = [ln for ln in station.get_lines() if ln.get_gid() == "station"]
    assert tuple(marker.get_xydata()[0]) == pytest.approx((world.station_lon_deg,
                                                          world.station_lat_deg))


def test_footprint_around_a_pole_is_closed_along_the_edge():
    from zarya.engine.frames import geodetic_to_itrs

    r = geodetic_to_itrs(86.0, 40.0, 800_000.0)[0]
    lat, lon = worldmap.footprint_edge(r, 10.0)
    _, el = _look(lat, lon, 0.0, r)
    assert np.abs(el - 10.0).max() < 1e-6
    polys = worldmap._ring_polygons(lon, lat)
    assert len(polys) == 3
    for p in polys:
        assert (p[:, 1] == 90.0).sum() == 2  # closed along the top edge
        assert np.ptp(p[:, 0]) == pytest.approx(360.0)
    covered = sorted((p[:, 0].min(), p[:, 0].max()) for p in polys)
    assert covered[0][0] <= -180.0 and covered[-1][1] >= 180.0


def test_map_without_observer(map_eph):
    w = worldmap.world_map(map_eph, min_elevation_deg=0.0)
    assert w.observer is None and w.observer_look is None
    fig = worldmap.world_map_figure(w)
    assert not _lines(fig, "observer")
    _, el = _look(w.footprint_lat_deg, w.footprint_lon_deg, 0.0, w.station_r_km)
    assert np.abs(el).max() < 0.05


# ------------------------------------------------------------------ svg and saving
def test_svg_text(skies, world):
    svg = skychart.sky_chart_svg(skies["whole"], place="Astana, KZ", zone=ALMATY)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and 'width="864pt"' in svg
    assert svg == skychart.sky_chart_svg(skies["whole"], place="Astana, KZ", zone=ALMATY)
    svg = worldmap.world_map_svg(world)
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")


def test_save_is_atomic(skies, tmp_path, monkeypatch):
    fig = skychart.sky_chart_figure(skies["whole"], place="Astana, KZ", zone=ALMATY)
    out = tmp_path / "chart.png"
    common.save_figure(fig, out)
    first = out.read_bytes()
    assert _png_size(first) == (1200, 800)
    assert os.listdir(tmp_path) == ["chart.png"]
    assert (out.stat().st_mode & 0o777) != 0o600  # a normal file, not mkstemp's mode

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(common.os, "replace", broken)
    with pytest.raises(common.RenderError, match="No space left on device"):
        common.save_figure(fig, tmp_path / "chart.svg")
    with pytest.raises(common.RenderError):
        common.save_figure(fig, out)
    assert os.listdir(tmp_path) == ["chart.png"]  # no partial file, the old one intact
    assert out.read_bytes() == first


def test_output_checks(tmp_path):
    with pytest.raises(common.RenderError, match=r"unknown picture format \('\.jpg'\)"):
        common.check_output(tmp_path / "a.jpg")
    with pytest.raises(common.RenderError, match="no suffix"):
        common.check_output(tmp_path / "a")
    with pytest.raises(common.RenderError, match="does not exist"):
        common.check_output(tmp_path / "nowhere" / "a.png")
    (tmp_path / "d.png").mkdir()
    with pytest.raises(common.RenderError, match="is a folder"):
        common.check_output(tmp_path / "d.png")
    assert common.check_output(tmp_path / "A.SVG") == (tmp_path / "A.SVG", "svg")


def test_no_matplotlib_until_a_picture_is_drawn():
    code = (
        "import sys, io, contextlib\n"
        "import zarya.cli, zarya.render.skychart, zarya.render.worldmap\n"
        "from zarya.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['passes', '--lat', '51.17', '--lon', '71.45', '--from', '2016-04-04',"
        " '--days', '1', '--json'])\n"
        "print(rc, 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ})
    assert out.stdout.split() == ["0", "False"], out.stderr


def test_names_are_text_not_tex(skies, map_eph):
    """A '$' in a place name is a dollar sign, not the start of matplotlib mathtext
    (an unbalanced '$x^$' used to raise ValueError)."""
    sky = next(iter(skies.values()))
    svg = skychart.sky_chart_svg(sky, place="$x^$ Town", zone=ALMATY)
    assert "<svg" in svg
    m = worldmap.world_map(map_eph, observer=ASTANA, observer_label="$x^$ Town")
    assert "<svg" in worldmap.world_map_svg(m)
