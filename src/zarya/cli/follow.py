"""``zarya follow``: point the antenna and tune the radio live, through Hamlib's daemons.

Registered on the application when :mod:`zarya.cli` is imported. Waits for the next pass,
pre-positions the antenna, follows from AOS to LOS (``rotctld``: position; ``rigctld``:
the Doppler-corrected downlink, and the uplink in split), parks, goes on to the next pass
(``--once``: stops after one). ``--at T --speed 60`` rehearses a pass at 60 times real
time; ``--dry-run`` prints the commands instead of sending them. Lines for people in local
time, or one JSON object per event (``--json``, UTC). A daemon that is not there at the
start is bad input (one line, exit 2); one that goes away during a pass is reported and
reconnected. Ctrl-C parks the antenna and exits 130.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from .app import app
from .options import (
    AltOpt,
    ElementsOpt,
    JsonOpt,
    LatOpt,
    LonOpt,
    PlaceOpt,
    RadioHorizonOpt,
    SatOpt,
    StaleOpt,
    TzOpt,
    local_time,
    observer,
    zone,
)

__all__ = ["follow"]


@app.command()
def follow(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    rotctld: Annotated[
        str | None, typer.Option("--rotctld", help="The rotator's rotctld, HOST:PORT (4533).")
    ] = None,
    rigctld: Annotated[
        str | None, typer.Option("--rigctld", help="The radio's rigctld, HOST:PORT (4532).")
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="A channel by name: voice, voice-r2, aprs, repeater, "
                     "sstv (the ISS's), or one of --transmitters."),
    ] = None,
    freq_mhz: Annotated[
        float | None, typer.Option("--freq-mhz", help="Downlink, MHz (instead of --channel).")
    ] = None,
    uplink_mhz: Annotated[
        float | None, typer.Option("--uplink-mhz", help="Uplink, MHz (with --freq-mhz).")
    ] = None,
    transmitters: Annotated[
        str | None,
        typer.Option("--transmitters", help="A SatNOGS DB transmitters JSON file."),
    ] = None,
    sat: SatOpt = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Rehearse from this instant (ISO 8601).")
    ] = None,
    speed: Annotated[
        float, typer.Option("--speed", help="Rehearsal speed: 60 plays a pass 60x faster.")
    ] = 1.0,
    once: Annotated[bool, typer.Option("--once", help="Stop after one pass.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the commands instead of sending them.")
    ] = False,
    step_s: Annotated[
        float, typer.Option("--step-s", help="Seconds between commands (0.1 to 60).")
    ] = 1.0,
    min_elevation: RadioHorizonOpt = 0.0,
    lead_s: Annotated[
        float, typer.Option("--lead-s", help="Pre-position the antenna this long before AOS.")
    ] = 120.0,
    rotator_az: Annotated[
        str, typer.Option("--rotator-az", help="Azimuth range: 0:360, 0:450, -180:180.")
    ] = "0:360",
    rotator_el: Annotated[
        str, typer.Option("--rotator-el", help="Elevation range: 0:90, or 0:180 (flip).")
    ] = "0:90",
    min_step_deg: Annotated[
        float, typer.Option("--min-step-deg", help="Smallest move sent to the rotator.")
    ] = 1.0,
    park: Annotated[
        str | None, typer.Option("--park", help="Park position AZ,EL (default 0,0).")
    ] = None,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Follow passes live: point the antenna (rotctld) and tune the radio (rigctld) with
    the Doppler shift, from AOS to LOS."""
    from ..domain.radio import check_frequency
    from ..domain.rotator import Rotator, parse_range
    from ..elements.transmitters import (
        ISS_CHANNELS,
        Channel,
        find_channel,
        read_satnogs_transmitters,
    )
    from ..engine.look import check_angle
    from ..engine.timescale import parse_instant
    from ..errors import OptionError
    from ..reports.satellites import load_satellite
    from ..station import Clock, FollowConfig, Follower, Rigctld, Rotctld, parse_endpoint

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    check_angle("min_elevation", min_elevation, low_included=True)
    if not (0.0 <= lead_s <= 3600.0):
        raise OptionError(f"--lead-s {lead_s:g} is impossible: expected 0 to 3600 s",
                          parameter="lead_s", value=lead_s)
    config = FollowConfig(step_s=step_s, min_elevation_deg=min_elevation, lead_s=lead_s,
                          once=once, allow_stale=allow_stale)
    az_lo, az_hi = parse_range(rotator_az, "rotator_az")
    el_lo, el_hi = parse_range(rotator_el, "rotator_el")
    park_az = park_el = None
    if park is not None:
        park_az, park_el = _pair(park)
    rotator = Rotator(az_lo, az_hi, el_lo, el_hi, min_step_deg, park_az, park_el)
    clock = Clock(parse_instant(at) if at is not None else None, speed)
    if rotctld is None and rigctld is None and not dry_run:
        raise OptionError("nothing to drive: give --rotctld HOST:PORT and/or --rigctld "
                          "HOST:PORT (or --dry-run)", parameter="rotctld")
    satellite = load_satellite(sat, elements_file=elements)

    chosen: Channel | None = None
    if freq_mhz is not None:
        if channel is not None or transmitters is not None:
            raise OptionError("give --freq-mhz or --channel/--transmitters, not both",
                              parameter="freq_mhz")
        up = check_frequency(uplink_mhz) if uplink_mhz is not None else None
        chosen = Channel("custom", check_frequency(freq_mhz), up, source="command line")
    elif uplink_mhz is not None:
        raise OptionError("--uplink-mhz needs --freq-mhz (the downlink)", parameter="uplink_mhz")
    elif transmitters is not None:
        found = read_satnogs_transmitters(transmitters, norad_id=satellite.norad_id)
        if not found:
            raise OptionError(f"no active transmitter of NORAD {satellite.norad_id} with a "
                              "downlink in --transmitters", parameter="transmitters")
        chosen = find_channel(channel, found) if channel is not None else found[0]
    elif channel is not None or rigctld is not None or dry_run:
        if satellite.norad_id != 25544:
            if channel is not None or rigctld is not None:
                raise OptionError(
                    f"no channels known for NORAD {satellite.norad_id}: give --freq-mhz or "
                    "--transmitters FILE (a SatNOGS DB export)", parameter="channel")
        else:
            chosen = find_channel(channel or "voice", ISS_CHANNELS)

    rot = rig = None
    echo = _echo(as_json)
    if rotctld is not None or dry_run:
        rot = Rotctld(parse_endpoint(rotctld or "localhost:4533", "rotctld"), dry_run=dry_run,
                      echo=echo)
    if rigctld is not None or (dry_run and chosen is not None):
        rig = Rigctld(parse_endpoint(rigctld or "localhost:4532", "rigctld"),
                      dry_run=dry_run, echo=echo)
    for daemon in (rot, rig):
        if daemon is not None:
            daemon.connect()  # not there: one line, exit 2
    tzinfo = None if as_json else zone(tz, place_zone, obs)
    printer = _Printer(as_json, tzinfo, label, satellite.name, chosen)
    follower = Follower(satellite, obs, clock=clock, emit=printer, rotator=rotator,
                        rotctld=rot, rigctld=rig, channel=chosen, config=config)
    try:
        follower.run()
    finally:
        for daemon in (rot, rig):
            if daemon is not None:
                daemon.close()


def _pair(text: str) -> tuple[float, float]:
    from ..errors import OptionError

    parts = text.split(",")
    try:
        az, el = (float(p) for p in parts) if len(parts) == 2 else (float("nan"),) * 2
    except ValueError:
        az = el = float("nan")
    if az != az or el != el:
        raise OptionError(f"--park {text!r} is not a position: expected AZ,EL in degrees "
                          "(e.g. 0,0)", parameter="park", value=text)
    return az, el


def _echo(as_json: bool) -> Any:
    def echo(line: str) -> None:
        if as_json:
            sys.stdout.write(json.dumps({"event": "command", "line": line}) + "\n")
        else:
            sys.stdout.write(f"  > {line}\n")
        sys.stdout.flush()
    return echo


class _Printer:
    """Events as JSON lines, or as lines for people in local time."""

    def __init__(self, as_json: bool, tz: Any, label: str, name: str, channel: Any) -> None:
        self.as_json, self.tz, self.label, self.name = as_json, tz, label, name
        self.channel = channel
        self.last_said = ""

    def __call__(self, event: dict[str, Any]) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        line = self._line(event)
        if line:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def _t(self, iso: str) -> str:
        return local_time(iso, self.tz, "%H:%M:%S")

    def _line(self, e: dict[str, Any]) -> str | None:
        kind = e["event"]
        if kind == "pass":
            how = " (antenna over the top: flip)" if e["flipped"] else ""
            if e["unwinds"]:
                how = f" (the antenna swings round at {self._t(e['unwinds'][0])})"
            tuned = ""
            if self.channel is not None:
                tuned = f", {self.channel.name} {self.channel.downlink_hz / 1e6:.3f} MHz"
            lines = [f"{self.name} over {self.label}: AOS "
                     f"{local_time(e['aos'], self.tz, '%a %d %b %H:%M:%S %Z')}, highest "
                     f"{e['max_elevation_deg']:.0f}°, LOS {self._t(e['los'])}{tuned}{how}"]
            lines += [f"warning: {w}" for w in e["warnings"]]
            return "\n".join(lines)
        if kind == "preposition":
            return (f"{self._t(e['time'])} antenna to azimuth {e['command_az_deg']:.1f}°, "
                    f"waiting for AOS")
        if kind == "aos":
            return f"{self._t(e['time'])} AOS"
        if kind == "step":
            stamp = e["time"][:19]
            if stamp[-1] not in "05" or stamp == self.last_said:  # a line every 5 s
                return None
            self.last_said = stamp
            radio = ""
            if e["downlink_hz"] is not None:
                radio = f"  down {e['downlink_hz'] / 1e6:.6f} MHz"
                if e["uplink_hz"] is not None:
                    radio += f"  up {e['uplink_hz'] / 1e6:.6f} MHz"
            antenna = ""
            if e["antenna_az_deg"] is not None:
                antenna = f"  antenna {e['antenna_az_deg']:.1f}°/{e['antenna_el_deg']:.1f}°"
            return (f"{self._t(e['time'])} az {e['azimuth_deg']:5.1f}° el "
                    f"{e['elevation_deg']:4.1f}°{radio}{antenna}")
        if kind == "skipped":
            return f"{self._t(e['time'])} late by {e['late_s']:.1f} s: {e['steps']} step(s) skipped"
        if kind == "lost":
            return f"warning: {e['message']}; retrying"
        if kind == "back":
            return f"{e['daemon']} at {e['address']} is back after {e['down_s']:.0f} s"
        if kind == "refused":
            return f"warning: {e['message']}"
        if kind == "los":
            return f"{self._t(e['time'])} LOS"
        if kind == "park":
            done = "" if e["done"] else " (rotctld not reachable: not parked)"
            return f"antenna parked at {e['az_deg']:g}°, {e['el_deg']:g}°{done}"
        return None
