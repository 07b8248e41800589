"""``zarya plot sky`` and ``zarya plot map``: pictures written, bad input refused.

Bad input (unknown format, unwritable path, no pass in the window, --pass beyond the
passes, impossible options) gives one line on stderr and exit status 2, and leaves no
file behind, not even a partial one.
"""

from __future__ import annotations

import json
import os
import struct

import pytest

from .cli_harness import run
from .conftest import shared_or_local

ASTANA = ["--lat", "51.1694", "--lon", "71.4491", "--alt-m", "347"]


def assert_refused(capsys, folder, *args: str, fragments: tuple[str, ...] = ()) -> str:
    before = sorted(os.listdir(folder))
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err)
    assert err.startswith("zarya: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err + out
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert sorted(os.listdir(folder)) == before  # nothing written, no temporary left
    return err


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# ------------------------------------------------------------------------ pictures
def test_plot_sky_png(capsys, tmp_path):
    out = tmp_path / "sky.png"
    code, stdout, err = run(
        capsys, "plot", "sky", "--place", "Astana", "--from", "2016-04-04", "--days", "1",
        "--out", str(out),
    )
    assert code == 0, err
    assert png_size(out) == (1200, 800)
    assert stdout.startswith(f"wrote {out}: ISS (ZARYA) over Astana, KZ, pass 2 of 5")
    assert os.listdir(tmp_path) == ["sky.png"]
    # the brightness said is the one `zarya passes` gives for that pass
    code, listed, err = run(capsys, "passes", "--place", "Astana", "--from", "2016-04-04",
                            "--days", "1", "--json")
    second = json.loads(listed)["passes"][1]["visible"]
    assert f"brightest {second['brightest_magnitude']:+.1f}" in stdout


def test_plot_sky_svg_json(capsys, tmp_path):
    out = tmp_path / "sky.svg"
    code, stdout, err = run(
        capsys, "plot", "sky", *ASTANA, "--from", "2016-04-04", "--days", "1", "--pass", "3",
        "--tz", "UTC", "--out", str(out), "--json",
    )
    assert code == 0, err
    data = json.loads(stdout)
    assert data["out"] == str(out) and data["format"] == "svg"
    assert data["pass_number"] == 3 and data["passes_in_window"] == 5
    assert data["pass"]["visible"]["ends"] == "enters_shadow"
    assert data["satellite"]["norad_id"] == 25544
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_plot_map_png_and_json(capsys, tmp_path):
    out = tmp_path / "map.png"
    code, stdout, err = run(
        capsys, "plot", "map", "--from", "2016-04-04T14:36:00Z", "--hours", "1.5",
        "--place", "Astana", "--out", str(out), "--json",
    )
    assert code == 0, err
    assert png_size(out) == (1200, 800)
    data = json.loads(stdout)
    assert data["window"] == {"start": "2016-04-04T14:36:00Z", "end": "2016-04-04T16:06:00Z"}
    assert data["station"]["sunlit"] is True
    assert 400.0 < data["station"]["alt_km"] < 420.0
    assert data["observer"]["lat_deg"] == pytest.approx(51.18, abs=0.05)


def test_plot_map_svg_without_observer(capsys, tmp_path):
    out = tmp_path / "map.svg"
    code, stdout, err = run(
        capsys, "plot", "map", "--from", "2016-04-04T14:36:00Z", "--hours", "3",
        "--out", str(out),
    )
    assert code == 0, err
    assert stdout.startswith(f"wrote {out}: ISS (ZARYA) ground track from 2016-04-04T14:36:00Z")
    assert "<svg" in out.read_text()


def test_plot_replaces_an_older_picture(capsys, tmp_path):
    out = tmp_path / "map.png"
    out.write_bytes(b"old")
    code, _, err = run(capsys, "plot", "map", "--from", "2016-04-04", "--out", str(out))
    assert code == 0, err
    assert png_size(out) == (1200, 800)


# ----------------------------------------------------------------------- bad input
def test_unknown_format(capsys, tmp_path):
    for command in (["sky", "--place", "Astana"], ["map"]):
        assert_refused(
            capsys, tmp_path, "plot", *command, "--from", "2016-04-04",
            "--out", str(tmp_path / "chart.jpg"),
            fragments=("unknown picture format ('.jpg')", ".png or .svg"),
        )


def test_unwritable_path(capsys, tmp_path):
    missing = tmp_path / "no-such-folder" / "chart.png"
    assert_refused(capsys, tmp_path, "plot", "sky", "--place", "Astana", "--from",
                   "2016-04-04", "--out", str(missing), fragments=("does not exist",))
    (tmp_path / "a-folder.png").mkdir()
    assert_refused(capsys, tmp_path, "plot", "map", "--from", "2016-04-04",
                   "--out", str(tmp_path / "a-folder.png"), fragments=("is a folder",))
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    assert_refused(capsys, tmp_path, "plot", "map", "--from", "2016-04-04",
                   "--out", str(afile / "chart.png"), fragments=("does not exist",))


def test_failed_write_leaves_nothing(capsys, tmp_path, monkeypatch):
    from zarya.render import common

    def broken(src, dst):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(common.os, "replace", broken)
    assert_refused(capsys, tmp_path, "plot", "map", "--from", "2016-04-04",
                   "--out", str(tmp_path / "map.png"), fragments=("Permission denied",))


def test_no_pass_in_the_window(capsys, tmp_path):
    assert_refused(
        capsys, tmp_path, "plot", "sky", "--place", "Astana", "--from", "2016-04-04",
        "--days", "0.05", "--out", str(tmp_path / "sky.png"),
        fragments=("no pass above 10 degrees over Astana, KZ", "2016-04-04T00:00:00Z",
                   "--days"),
    )
    assert_refused(
        capsys, tmp_path, "plot", "sky", *ASTANA, "--from", "2016-04-04", "--days", "1",
        "--min-elevation", "89.9", "--out", str(tmp_path / "sky.png"),
        fragments=("no pass above 89.9 degrees",),
    )


@pytest.fixture
def decayed(tmp_path) -> str:
    """Vallado's MINOTAUR R/B (28872): SGP4 fails (decay, error 6) from about 01:20 UTC on
    2005-11-29, 51 minutes after its epoch."""
    lines = shared_or_local("vallado/SGP4-VER.TLE").read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("1 28872"))
    path = tmp_path / "elements" / "28872.tle"
    path.parent.mkdir()
    path.write_text(f"{lines[i][:69]}\n{lines[i + 1][:69]}\n")
    return str(path)


def test_no_pass_before_the_decay(capsys, tmp_path, decayed):
    """Regression: 'try a longer --days' for a satellite that had decayed. Now the error
    names the failure; with nothing propagated at all, the same one line as passes."""
    err = assert_refused(
        capsys, tmp_path, "plot", "sky", "--lat", "0", "--lon", "0", "--from",
        "2005-11-29T00:30:00Z", "--days", "1", "--elements", decayed,
        "--out", str(tmp_path / "x.png"),
        fragments=("no pass above 10 degrees", "satellite has decayed", "sgp4 error 6",
                   "2005-11-29T01:20"),
    )
    assert "--days" not in err
    assert_refused(
        capsys, tmp_path, "plot", "sky", "--lat", "0", "--lon", "0", "--from",
        "2005-11-29T02:00:00Z", "--days", "1", "--elements", decayed,
        "--out", str(tmp_path / "x.png"),
        fragments=("cannot propagate", "decayed", "sgp4 error 6"),
    )


def test_pass_cut_by_the_decay_is_drawn_with_a_warning(capsys, tmp_path, decayed):
    """A pass that the decay cuts short is drawn up to it, and the decay is a warning."""
    out = tmp_path / "sky.svg"
    code, text, err = run(
        capsys, "plot", "sky", "--lat", "-22.5", "--lon", "-112.7", "--min-elevation", "0",
        "--from", "2005-11-29T00:30:00Z", "--days", "1", "--elements", decayed,
        "--out", str(out), "--json",
    )
    assert code == 0, err
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["pass"]["set"] is None and data["pass"]["duration_s"] < 60.0
    assert any("satellite has decayed" in w for w in data["warnings"])
    assert out.exists()


def test_pass_beyond_the_window(capsys, tmp_path):
    assert_refused(
        capsys, tmp_path, "plot", "sky", "--place", "Astana", "--from", "2016-04-04",
        "--days", "1", "--pass", "6", "--out", str(tmp_path / "sky.png"),
        fragments=("--pass 6 is beyond the 5 passes", "expected 1 to 5"),
    )
    assert_refused(
        capsys, tmp_path, "plot", "sky", "--place", "Astana", "--from", "2016-04-04",
        "--pass", "0", "--out", str(tmp_path / "sky.png"), fragments=("--pass",),
    )


def test_bad_options(capsys, tmp_path):
    png = str(tmp_path / "x.png")
    cases = [
        (["sky", "--place", "Astana"], ("Missing option '--out'",)),
        (["sky", "--out", png], ("--place NAME",)),
        (["sky", "--place", "Atlantis-on-Sea", "--out", png], ("Atlantis",)),
        (["sky", "--lat", "95", "--lon", "0", "--out", png], ("latitude 95",)),
        (["sky", "--place", "Astana", "--tz", "Mars/Olympus", "--out", png],
         ("unknown time zone",)),
        (["sky", "--place", "Astana", "--days", "0", "--out", png], ("--days",)),
        (["sky", "--place", "Astana", "--from", "yesterday-ish", "--out", png],
         ("cannot read the time",)),
        (["map", "--hours", "0", "--out", png], ("--hours 0 is impossible",)),
        (["map", "--hours", "100", "--out", png], ("at most 48 hours",)),
        (["map", "--min-elevation", "95", "--out", png], ("--min-elevation 95",)),
        (["map", "--from", "2030-01-01", "--out", png], ("--allow-stale",)),
    ]
    for args, fragments in cases:
        assert_refused(capsys, tmp_path, "plot", *args, fragments=fragments)
