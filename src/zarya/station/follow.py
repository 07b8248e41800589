"""Following a pass live: the antenna through ``rotctld``, the radio through ``rigctld``.

:class:`Follower` waits for the next pass above the radio horizon, plans the antenna's
path before AOS (:func:`zarya.domain.rotator.plan_pass`: no end stop crossed mid-pass),
pre-positions it at the AOS azimuth, then from AOS to LOS, every ``step_s`` of the clock,
points the antenna where the satellite is (when it moved at least the rotator's step) and
tunes the radio to the Doppler-corrected downlink (and uplink, in split), both computed for
that very instant; after LOS it parks the antenna and goes on to the next pass (or stops,
``once``).

The loop keeps time: a step that comes late by more than a step is skipped, not queued
(the next command is for the satellite's position now). A daemon that goes away is
reported once, retried with back-off (1, 2, 4 ... at most 10 s of real time) while the
loop goes on with the other, and on its return is sent the current position and
frequencies at once. What happens is told through ``emit`` as events (dicts with
``event``: ``pass``, ``preposition``, ``aos``, ``step``, ``skipped``, ``lost``,
``back``, ``refused``, ``los``, ``park``), which the command line prints for people or as
JSON lines.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ..domain.pass_table import PassOptions
from ..domain.passes import find_pass_table
from ..domain.radio import downlink_hz, uplink_hz
from ..domain.rotator import PassPlan, Rotator, Stepper, plan_pass
from ..elements.transmitters import Channel
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observer, Observers
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z
from ..errors import OptionError, StationError, TimeRangeError, param, shown
from .clock import Clock
from .hamlib import Rigctld, Rotctld

__all__ = ["FollowConfig", "Follower", "PassTrack", "UnfollowablePass"]

Event = dict[str, Any]
MAX_BACKOFF_S = 10.0


@dataclass(frozen=True)
class FollowConfig:
    """``step_s``: seconds of the clock between commands (0.1 to 60); ``min_elevation_deg``:
    the radio horizon; ``lead_s``: how long before AOS the antenna is pre-positioned;
    ``search_days``: how far ahead to look for a pass; ``tune_step_hz``: the smallest
    frequency change sent to the radio; ``once``: stop after one pass."""

    step_s: float = 1.0
    min_elevation_deg: float = 0.0
    lead_s: float = 120.0
    search_days: float = 2.0
    tune_step_hz: float = 1.0
    once: bool = False
    allow_stale: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.step_s) and 0.1 <= self.step_s <= 60.0):
            raise TimeRangeError(f"{param('step_s')} {shown(self.step_s)} is impossible: "
                                 "expected 0.1 to 60 s", parameter="step_s", value=self.step_s)


@dataclass
class PassTrack:
    """The pass being followed: AOS and LOS (UTC; AOS is the start when the pass is under
    way), the highest elevation, the ephemeris around it and the antenna's plan sampled
    every second from AOS (``plan``; ``plan_t0``, the time of its first sample)."""

    aos: datetime
    los: datetime
    max_elevation_deg: float
    eph: Ephemeris
    observers: Observers
    plan: PassPlan | None

    def look(self, when: datetime) -> tuple[float, float, float]:
        """Azimuth, elevation (degrees) and range rate (km/s) at an instant."""
        t = np.array([(when - self.eph.window.start).total_seconds()])
        r, v = self.eph.state(t)
        az, el, _, rr = self.observers.look(r, np.zeros(1, dtype=np.int64), v)
        assert rr is not None
        return float(az[0]), float(el[0]), float(rr[0])

    def sample(self, when: datetime) -> int:
        """The plan's sample nearest an instant."""
        assert self.plan is not None
        i = round((when - self.aos).total_seconds())
        return min(max(i, 0), len(self.plan.az_deg) - 1)


class UnfollowablePass(OptionError):
    """A pass the rotator's ranges cannot follow (``aos``, ``los``): with ``once`` the
    answer, otherwise said and skipped."""

    aos: datetime
    los: datetime


class _Link:
    """A daemon, its reconnection back-off, and whether its loss has been said."""

    def __init__(self, daemon: Rotctld | Rigctld) -> None:
        self.daemon = daemon
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.backoff_s = 1.0
        self.fresh = False  # came back: send everything anew

    def usable(self, emit: Callable[[Event], None]) -> bool:
        if self.down_since is None:
            return True
        if time.monotonic() < self.retry_at:
            return False
        try:
            self.daemon.connect()
        except StationError:
            self._later()
            return False
        emit({"event": "back", "daemon": self.daemon.name, "address": str(self.daemon.endpoint),
              "down_s": round(time.monotonic() - self.down_since, 1)})
        self.down_since = None
        self.backoff_s = 1.0
        self.fresh = True
        if isinstance(self.daemon, Rigctld):
            self.daemon.uplink_via = None  # a restarted rigctld: split set up anew
        return True

    def lost(self, exc: StationError, emit: Callable[[Event], None]) -> None:
        self.daemon.close()
        if self.down_since is None:
            self.down_since = time.monotonic()
            emit({"event": "lost", "daemon": self.daemon.name,
                  "address": str(self.daemon.endpoint), "message": str(exc)})
        self._later()

    def _later(self) -> None:
        self.retry_at = time.monotonic() + self.backoff_s
        self.backoff_s = min(self.backoff_s * 2.0, MAX_BACKOFF_S)


class Follower:
    """Follows passes of one satellite over one observer with a rotator and/or a radio."""

    def __init__(
        self, satellite: Satellite, observer: Observer, *, clock: Clock,
        emit: Callable[[Event], None], rotator: Rotator | None = None,
        rotctld: Rotctld | None = None, rigctld: Rigctld | None = None,
        channel: Channel | None = None, config: FollowConfig | None = None,
    ) -> None:
        self.satellite = satellite
        self.observer = observer
        self.observers = Observers.of(observer)
        self.clock = clock
        self.emit = emit
        self.rotator = rotator or Rotator()
        self.channel = channel
        self.config = config or FollowConfig()
        self.rot = _Link(rotctld) if rotctld is not None else None
        self.rig = _Link(rigctld) if rigctld is not None else None
        self.stepper = Stepper(self.rotator.min_step_deg)
        self._sent_hz: tuple[float | None, float | None] = (None, None)
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ planning
    def next_pass(self, after: datetime) -> PassTrack:
        """The next pass whose LOS is after ``after`` (one under way starts at ``after``)."""
        cfg = self.config
        window = Window.days(after, cfg.search_days)
        self.warnings = self.satellite.check_age(window, allow_stale=cfg.allow_stale)
        eph = Ephemeris(self.satellite, window)
        eph.require_some_valid()
        table = find_pass_table(eph, self.observers, PassOptions(
            min_elevation_deg=cfg.min_elevation_deg, visibility=False))
        for p in table.passes(1)[0]:
            los = p.set.time if p.set is not None else window.end
            if los <= after + timedelta(seconds=cfg.step_s):
                continue
            aos = max(p.rise.time if p.rise is not None else after, after)
            return self.track(aos, los, p.culmination.elevation_deg)
        raise TimeRangeError(
            f"no pass of {self.satellite.name} above {cfg.min_elevation_deg:g} degrees in the "
            f"{cfg.search_days:g} days from {iso_z(after)}", parameter="search_days",
            value=cfg.search_days)

    def track(self, aos: datetime, los: datetime, max_el: float) -> PassTrack:
        lead = timedelta(seconds=self.config.lead_s + 60.0)
        window = Window.between(aos - lead, los + timedelta(seconds=60.0))
        eph = Ephemeris(self.satellite, window, step_s=10.0)
        track = PassTrack(aos, los, max_el, eph, self.observers, None)
        span = (los - aos).total_seconds()
        t = (aos - window.start).total_seconds() + np.arange(0.0, span + 1.0, 1.0)
        r = eph.position(t)
        az, el, _, _ = self.observers.look(r, np.zeros(len(t), dtype=np.int64))
        start_az = self._read_position()[0]
        try:
            track.plan = plan_pass(self.rotator, az, el, from_az_deg=start_az)
        except OptionError as exc:
            raise UnfollowablePass(exc.message, aos=aos, los=los, parameter=exc.parameter,
                                   value=exc.value) from None
        return track

    # ------------------------------------------------------------------- running
    def run(self) -> None:
        """Follow passes until ``once`` is done (or forever); park the antenna at the end,
        whatever ends it (Ctrl-C, SIGTERM)."""
        try:
            after = self.clock.now()
            while True:
                try:
                    track = self.next_pass(max(after, self.clock.now()))
                except UnfollowablePass as exc:  # the rotator cannot follow this pass
                    if self.config.once:
                        raise
                    self.emit({"event": "unfollowable", "aos": iso_z(exc.aos, 2),
                               "los": iso_z(exc.los, 2), "message": str(exc)})
                    after = exc.los + timedelta(seconds=1)
                    continue
                self.follow(track)
                if self.config.once:
                    return
        finally:
            self.park()

    def follow(self, track: PassTrack) -> None:
        cfg = self.config
        assert track.plan is not None
        plan = track.plan
        self.emit({
            "event": "pass", "aos": iso_z(track.aos, 2), "los": iso_z(track.los, 2),
            "max_elevation_deg": round(track.max_elevation_deg, 2),
            "flipped": plan.flipped,
            "unwinds": [iso_z(track.aos + timedelta(seconds=int(i))) for i in plan.unwinds],
            "antenna_start_az_deg": round(float(plan.az_deg[0]), 2),
            "warnings": self.warnings,
        })
        first = self.clock.now() < track.aos
        if first:
            self.clock.sleep_until(track.aos - timedelta(seconds=cfg.lead_s))
            az, el = float(plan.az_deg[0]), float(plan.el_deg[0])  # (over the top if flipped)
            self.stepper.reset()
            self._point(az, el, force=True)
            at = self._read_position()
            self.emit({"event": "preposition", "time": iso_z(self.clock.now(), 2),
                       "command_az_deg": round(az, 2), "command_el_deg": round(el, 2),
                       "antenna_az_deg": at[0], "antenna_el_deg": at[1]})
        self._setup_radio()
        step = timedelta(seconds=cfg.step_s)
        k = max(0, math.ceil((self.clock.now() - track.aos) / step))
        aos_said = False
        while True:
            when = track.aos + k * step
            last = when >= track.los
            when = min(when, track.los)
            self.clock.sleep_until(when)
            late = (self.clock.now() - when).total_seconds()
            if late > cfg.step_s and not last:
                k2 = math.ceil((self.clock.now() - track.aos) / step)
                self.emit({"event": "skipped", "time": iso_z(when, 2), "steps": k2 - k,
                           "late_s": round(late, 2)})
                k = k2
                continue
            if not aos_said:
                self.emit({"event": "aos", "time": iso_z(when, 2)})
                aos_said = True
            self._step(track, when, force=(k == 0 or last))
            if last:
                break
            k += 1
        self.emit({"event": "los", "time": iso_z(track.los, 2)})

    # ---------------------------------------------------------------- one step
    def _step(self, track: PassTrack, when: datetime, *, force: bool) -> None:
        assert track.plan is not None
        az, el, rr = track.look(when)
        cmd_az, cmd_el = track.plan.command(self.rotator, track.sample(when), az, el)
        sent = self._point(cmd_az, cmd_el, force=force)
        down = up = None
        if self.channel is not None:
            down = float(downlink_hz(self.channel.downlink_hz, rr))
            if self.channel.uplink_hz is not None:
                up = float(uplink_hz(self.channel.uplink_hz, rr))
            self._tune(down, up, force=force)
        at = self._read_position()
        heard = self._read_radio()
        self.emit({
            "event": "step", "time": iso_z(when, 3), "azimuth_deg": round(az, 3),
            "elevation_deg": round(el, 3), "range_rate_km_s": round(rr, 6),
            "command_az_deg": round(cmd_az, 2) if sent else None,
            "command_el_deg": round(cmd_el, 2) if sent else None,
            "downlink_hz": None if down is None else round(down, 1),
            "uplink_hz": None if up is None else round(up, 1),
            "antenna_az_deg": at[0], "antenna_el_deg": at[1],
            "radio_hz": heard[0], "radio_uplink_hz": heard[1],
        })

    def _point(self, az: float, el: float, *, force: bool = False) -> bool:
        if self.rot is None or not self.rot.usable(self.emit):
            return False
        force, self.rot.fresh = force or self.rot.fresh, False
        if not self.stepper.due(az, el, force=force):
            return False
        return self._call(self.rot, lambda d: d.set_position(az, el))

    def _tune(self, down: float, up: float | None, *, force: bool) -> None:
        if self.rig is None or not self.rig.usable(self.emit):
            return
        rig = self.rig.daemon
        assert isinstance(rig, Rigctld)
        force, self.rig.fresh = force or self.rig.fresh, False
        last_down, last_up = self._sent_hz
        step = self.config.tune_step_hz
        if force or last_down is None or abs(round(down) - last_down) >= step:
            if self._call(self.rig, lambda d: rig.set_frequency(down)):
                last_down = round(down)
        if up is not None and (force or last_up is None or abs(round(up) - last_up) >= step):
            if self._call(self.rig, lambda d: rig.set_uplink(up)):
                last_up = round(up)
        self._sent_hz = (last_down, last_up)

    def _call(self, link: _Link, action: Callable[[Any], object]) -> bool:
        try:
            action(link.daemon)
            return True
        except StationError as exc:
            if exc.lost:
                link.lost(exc, self.emit)
            else:
                self.emit({"event": "refused", "daemon": link.daemon.name,
                           "message": str(exc), "code": exc.code})
            return False

    def _setup_radio(self) -> None:
        if self.rig is None or self.channel is None or self.channel.uplink_hz is None:
            return
        rig = self.rig.daemon
        assert isinstance(rig, Rigctld)
        if self.rig.usable(self.emit) and rig.uplink_via is None:
            if self._call(self.rig, lambda d: rig.setup_uplink()) and rig.uplink_via == "vfo":
                self.emit({"event": "refused", "daemon": rig.name, "code": None,
                           "message": f"{rig.name} at {rig.endpoint}: the radio has no split "
                           "('S 1 VFOB' refused): the uplink is set on VFO B between steps; "
                           "transmit on VFO B"})

    def _read_position(self) -> tuple[float | None, float | None]:
        if self.rot is None or self.rot.down_since is not None:
            return None, None
        out: list[tuple[float, float]] = []
        rot = self.rot.daemon
        assert isinstance(rot, Rotctld)
        self._call(self.rot, lambda d: out.append(rot.get_position()))
        return (round(out[0][0], 2), round(out[0][1], 2)) if out else (None, None)

    def _read_radio(self) -> tuple[float | None, float | None]:
        if self.rig is None or self.rig.down_since is not None or self.channel is None:
            return None, None
        rig = self.rig.daemon
        assert isinstance(rig, Rigctld)
        out: list[float | None] = []
        ok = self._call(self.rig, lambda d: out.append(rig.get_frequency()))
        if ok and self.channel.uplink_hz is not None and rig.uplink_via == "split":
            self._call(self.rig, lambda d: out.append(rig.get_uplink()))
        out += [None, None]
        return out[0], out[1]

    def park(self) -> None:
        """Send the antenna to its park position (best effort: the loop is ending)."""
        if self.rot is None:
            return
        az, el = self.rotator.park
        if self.rot.down_since is not None:
            try:
                self.rot.daemon.connect()
                self.rot.down_since = None
            except StationError:
                self.emit({"event": "park", "time": iso_z(self.clock.now(), 2),
                           "az_deg": az, "el_deg": el, "done": False})
                return
        ok = self._call(self.rot, lambda d: d.set_position(az, el))
        self.emit({"event": "park", "time": iso_z(self.clock.now(), 2), "az_deg": az,
                   "el_deg": el, "done": ok})
