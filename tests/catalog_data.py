"""Element files for the store tests, made from the real ISS element sets in tests/data.

The OMM files (JSON, CSV, XML, KVN) carry exactly the values of the published TLEs, laid
out as CelesTrak serves them. The catalogue-sized file keeps the real ISS elements and
changes only the catalogue number (Alpha-5 past 99999) and the checksums: 12,000 objects
that pass every check of the TLE reader.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

from zarya.elements.elset import ElementSet
from zarya.elements.tle import checksum, int_to_alpha5, read_tle

from .conftest import shared_or_local

CSV_FIELDS = (
    "OBJECT_NAME",
    "OBJECT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
ISS_FILE = shared_or_local("iss/iss_tle_history.txt")


def iss_text() -> str:
    return ISS_FILE.read_text("ascii")


def iss_sets() -> list[ElementSet]:
    """The 150 published ISS sets (3-line format)."""
    return read_tle(iss_text(), source=str(ISS_FILE))


def object_id(designator: str) -> str:
    """TLE international designator ('98067A') -> OMM OBJECT_ID ('1998-067A')."""
    year = int(designator[:2])
    return f"{year + (1900 if year >= 57 else 2000)}-{designator[2:]}"


def omm_record(es: ElementSet) -> dict:
    """One set as a CelesTrak OMM JSON record."""
    return {
        "OBJECT_NAME": es.name,
        "OBJECT_ID": object_id(es.intl_designator),
        "EPOCH": es.epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": es.mean_motion_rev_per_day,
        "ECCENTRICITY": es.eccentricity,
        "INCLINATION": es.inclination_deg,
        "RA_OF_ASC_NODE": es.raan_deg,
        "ARG_OF_PERICENTER": es.arg_perigee_deg,
        "MEAN_ANOMALY": es.mean_anomaly_deg,
        "EPHEMERIS_TYPE": es.ephemeris_type,
        "CLASSIFICATION_TYPE": es.classification,
        "NORAD_CAT_ID": es.norad_id,
        "ELEMENT_SET_NO": es.element_set_no,
        "REV_AT_EPOCH": es.rev_number,
        "BSTAR": es.bstar,
        "MEAN_MOTION_DOT": es.ndot,
        "MEAN_MOTION_DDOT": es.nddot,
    }


def to_json(sets: list[ElementSet]) -> str:
    """CelesTrak's FORMAT=json: one line, a list of records."""
    return json.dumps([omm_record(es) for es in sets], separators=(",", ":"))


def to_csv(sets: list[ElementSet]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for es in sets:
        writer.writerow(omm_record(es))
    return out.getvalue()


def to_xml(sets: list[ElementSet]) -> str:
    """CelesTrak's FORMAT=xml: an NDM of OMM messages."""
    body = []
    for es in sets:
        r = {k: escape(str(v)) for k, v in omm_record(es).items()}
        mean = "".join(
            f"<{k}>{r[k]}</{k}>"
            for k in (
                "EPOCH",
                "MEAN_MOTION",
                "ECCENTRICITY",
                "INCLINATION",
                "RA_OF_ASC_NODE",
                "ARG_OF_PERICENTER",
                "MEAN_ANOMALY",
            )
        )
        tle = "".join(
            f"<{k}>{r[k]}</{k}>"
            for k in (
                "EPHEMERIS_TYPE",
                "CLASSIFICATION_TYPE",
                "NORAD_CAT_ID",
                "ELEMENT_SET_NO",
                "REV_AT_EPOCH",
                "BSTAR",
                "MEAN_MOTION_DOT",
                "MEAN_MOTION_DDOT",
            )
        )
        body.append(
            '<omm id="CCSDS_OMM_VERS" version="2.0">\n'
            "<header><CREATION_DATE/><ORIGINATOR/></header>\n<body><segment>\n"
            f"<metadata><OBJECT_NAME>{r['OBJECT_NAME']}</OBJECT_NAME>"
            f"<OBJECT_ID>{r['OBJECT_ID']}</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME>"
            "<REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>"
            "<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>\n"
            f"<data><meanElements>{mean}</meanElements>\n"
            f"<tleParameters>{tle}</tleParameters></data>\n</segment></body></omm>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(body)
        + "\n</ndm>\n"
    )


def to_kvn(sets: list[ElementSet]) -> str:
    """CCSDS OMM KVN: one message per set, units in brackets as the standard prints them."""
    units = {
        "MEAN_MOTION": " [rev/day]",
        "INCLINATION": " [deg]",
        "RA_OF_ASC_NODE": " [deg]",
        "ARG_OF_PERICENTER": " [deg]",
        "MEAN_ANOMALY": " [deg]",
    }
    out = []
    for es in sets:
        r = omm_record(es)
        out.append("CCSDS_OMM_VERS = 2.0\nCOMMENT made from a published TLE\nORIGINATOR = test")
        out.append("CENTER_NAME = EARTH\nREF_FRAME = TEME\nTIME_SYSTEM = UTC")
        out.extend(f"{k} = {r[k]}{units.get(k, '')}" for k in CSV_FIELDS)
        out.append("")
    return "\n".join(out)


def with_catalogue_number(line: str, number: int) -> str:
    """A TLE line with another catalogue number (columns 3-7) and its checksum redone."""
    text = line[:2] + int_to_alpha5(number) + line[7:68]
    return text + str(checksum(text))


def synthetic_catalogue(count: int = 12_000, first: int = 90_001) -> str:
    """``count`` objects (3-line sets), numbers from ``first`` on (Alpha-5 past 99999),
    each a real ISS set under a new catalogue number."""
    sets = iss_sets()
    out = []
    for i in range(count):
        es = sets[i % len(sets)]
        number = first + i
        assert es.line1 is not None and es.line2 is not None
        out.append(f"SYNTH {number}")
        out.append(with_catalogue_number(es.line1, number))
        out.append(with_catalogue_number(es.line2, number))
    return "\n".join(out) + "\n"


def snapshot(path: Path) -> dict:
    """Every row of every table of a store, to show that a failed import changed nothing."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    finally:
        conn.close()
