"""Orbit Mean-elements Messages (CCSDS OMM) as CelesTrak serves them: JSON, CSV, XML, KVN.

OMM carries the same SGP4 mean elements as a TLE, without the column squeeze: 9-digit
catalogue numbers, full-precision epochs. Each reader returns :class:`ElementSet` objects
built through ``sgp4init``. A record missing a required field, or holding a value out of
range, raises :class:`~zarya.errors.OMMError` naming the record and the field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.etree import ElementTree

from ..errors import OMMError
from .base import ElementSet, epoch_from_datetime

REQUIRED = (
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "NORAD_CAT_ID",
    "BSTAR",
)
_RANGES = {
    "MEAN_MOTION": (1e-8, 20.0),
    "ECCENTRICITY": (0.0, 0.9999999),
    "INCLINATION": (0.0, 180.0),
    "RA_OF_ASC_NODE": (0.0, 360.0),
    "ARG_OF_PERICENTER": (0.0, 360.0),
    "MEAN_ANOMALY": (0.0, 360.0),
    "BSTAR": (-1.0, 1.0),
    "MEAN_MOTION_DOT": (-1.0, 1.0),
    "MEAN_MOTION_DDOT": (-1.0, 1.0),
}


def parse_epoch(text: str) -> datetime:
    """OMM epochs: ISO 8601 without zone (UTC), fractional seconds up to 9 digits."""
    m = re.fullmatch(
        r"\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?\s*", text
    )
    if not m:
        raise ValueError(
            f"expected an ISO 8601 UTC time like 2016-02-07T04:55:11.681, got {text!r}"
        )
    y, mo, d, h, mi, s, frac = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=UTC)


def from_record(record: Mapping[str, object], *, where: str, source: str = "") -> ElementSet:
    """One OMM record (keys as in CelesTrak's JSON) -> ElementSet."""
    rec = {str(k).strip().upper(): v for k, v in record.items()}
    missing = [k for k in REQUIRED if rec.get(k) in (None, "")]
    if missing:
        raise OMMError(f"{where}: not an OMM record, missing {', '.join(missing)}")

    def number(key: str, default: float | None = None) -> float:
        value = rec.get(key)
        if value in (None, "") and default is not None:
            return default
        try:
            x = float(str(value))
        except ValueError:
            raise OMMError(f"{where}: {key} should be a number, found {value!r}") from None
        low, high = _RANGES.get(key, (-1e300, 1e300))
        if not low <= x <= high:
            raise OMMError(f"{where}: {key} = {value!r} is outside {low:.10g} to {high:.10g}")
        return x

    try:
        epoch = parse_epoch(str(rec["EPOCH"]))
    except ValueError as exc:
        raise OMMError(f"{where}: EPOCH {exc}") from None
    norad = number("NORAD_CAT_ID")
    if norad != int(norad) or not 0 < norad < 1e9:
        raise OMMError(f"{where}: NORAD_CAT_ID should be a whole number below 10^9, found {norad}")
    ephemeris_type = int(number("EPHEMERIS_TYPE", 0.0))
    if ephemeris_type not in (0, 2):
        raise OMMError(f"{where}: EPHEMERIS_TYPE {ephemeris_type} is not SGP4 (0 or 2)")
    return ElementSet(
        norad_id=int(norad),
        name=str(rec.get("OBJECT_NAME") or "").strip(),
        epoch_jd=epoch_from_datetime(epoch),
        inclination_deg=number("INCLINATION"),
        raan_deg=number("RA_OF_ASC_NODE"),
        eccentricity=number("ECCENTRICITY"),
        arg_perigee_deg=number("ARG_OF_PERICENTER"),
        mean_anomaly_deg=number("MEAN_ANOMALY"),
        mean_motion_rev_per_day=number("MEAN_MOTION"),
        bstar=number("BSTAR"),
        ndot=number("MEAN_MOTION_DOT", 0.0),
        nddot=number("MEAN_MOTION_DDOT", 0.0),
        rev_number=int(number("REV_AT_EPOCH", 0.0)),
        classification=str(rec.get("CLASSIFICATION_TYPE") or "U")[:1],
        intl_designator=str(rec.get("OBJECT_ID") or ""),
        element_set_no=int(number("ELEMENT_SET_NO", 0.0)),
        ephemeris_type=ephemeris_type,
        source=source,
    )


def read_omm_json(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CelesTrak's JSON: a list of objects (or one object) with OMM keys."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OMMError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise OMMError("not OMM JSON: expected a list of objects with OMM keys")
    return [from_record(r, where=f"record {i + 1}", source=source) for i, r in enumerate(data)]


def read_omm_csv(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CSV: a header line of OMM keys, one record per line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "EPOCH" not in [f.strip().upper() for f in reader.fieldnames]:
        raise OMMError("not OMM CSV: the header line has no EPOCH column")
    # line 1 is the header: record i sits on line i + 2
    return [
        from_record(r, where=f"record {i + 1} (line {i + 2})", source=source)
        for i, r in enumerate(reader)
    ]


def read_omm_xml(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CCSDS NDM/XML: every ``<omm>`` element (namespaces ignored) is one record."""
    from defusedxml.ElementTree import fromstring  # refuses entity bombs, external references

    try:
        root = fromstring(text)
    except (ElementTree.ParseError, ValueError) as exc:  # ValueError: defusedxml's refusals
        raise OMMError(f"not XML or refused XML (no entity declarations allowed): {exc}") from None
    omms = [el for el in root.iter() if _local(el.tag) == "omm"] or [root]
    out = []
    for i, omm in enumerate(omms):
        rec = {_local(el.tag).upper(): (el.text or "").strip() for el in omm.iter() if len(el) == 0}
        out.append(from_record(rec, where=f"record {i + 1}", source=source))
    return out


def read_omm_kvn(text: str, *, source: str = "") -> list[ElementSet]:
    """KVN: ``KEY = value`` lines; each ``CCSDS_OMM_VERS`` starts a new message."""
    records: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("COMMENT"):
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise OMMError(f"not OMM KVN: expected 'KEY = value', found {line.strip()[:40]!r}")
        key = key.strip().upper()
        if key == "CCSDS_OMM_VERS" or not records:
            records.append({})
        records[-1][key] = re.sub(r"\s*\[.*\]\s*$", "", value.strip())
    return [from_record(r, where=f"record {i + 1}", source=source) for i, r in enumerate(records)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
