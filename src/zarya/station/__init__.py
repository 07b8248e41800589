"""A ground station driven live: Hamlib's ``rotctld`` and ``rigctld`` (:mod:`.hamlib`),
the clock of a live or rehearsed pass (:mod:`.clock`) and the loop that follows passes
(:mod:`.follow`). It sits beside the batch: it uses the domain, and only the faces use it.
"""

from __future__ import annotations

from .clock import Clock
from .follow import FollowConfig, Follower, PassTrack
from .hamlib import Daemon, Endpoint, Rigctld, Rotctld, parse_endpoint

__all__ = ["Clock", "Daemon", "Endpoint", "FollowConfig", "Follower", "PassTrack", "Rigctld",
           "Rotctld", "parse_endpoint"]
