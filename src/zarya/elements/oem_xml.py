"""OEM in CCSDS NDM/XML (``ISS.OEM_J2K_EPH.xml``), read in one pass through defusedxml.

``<oem>`` (alone or inside ``<ndm>``) holds a ``<header>`` and a ``<body>`` of
``<segment>`` elements, each with ``<metadata>`` and ``<data>``: ``<COMMENT>`` lines,
``<stateVector>`` elements (EPOCH, X, Y, Z, X_DOT, Y_DOT, Z_DOT and optionally X_DDOT,
Y_DDOT, Z_DDOT) and ``<covarianceMatrix>`` blocks, which are skipped. Each state vector is
dropped from the tree once read, so memory holds the states as numbers, not as XML.
Entity declarations and external references are refused (defusedxml). Errors name the
element: ``segment 1, stateVector 57``.
"""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element

from ..errors import OEMError
from .oem import OEMSegment, Trajectory, _segment, _trajectory

__all__ = ["read_oem_xml"]

_STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_ACCEL_KEYS = ("X_DDOT", "Y_DDOT", "Z_DDOT")
_UNITS = {"km": ("X", "Y", "Z"), "km/s": ("X_DOT", "Y_DOT", "Z_DOT"),
          "km/s**2": ("X_DDOT", "Y_DDOT", "Z_DDOT")}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: Element) -> dict[str, Element]:
    return {_local(c.tag).upper(): c for c in el}


def read_oem_xml(
    text: str, *, source: str = "", norad_id: int | None = None,
    expect_object: str | None = None,
) -> Trajectory:
    """An OEM in XML as a :class:`~.oem.Trajectory` (see :func:`~.oem.read_oem`)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    header: dict[str, tuple[str, str]] = {}
    header_comments: list[str] = []
    segments: list[OEMSegment] = []
    version = ""
    meta: dict[str, tuple[str, str]] = {}
    comments: list[str] = []
    rows: list[tuple[str, str, list[str]]] = []
    seg_no = 0
    in_header = False
    saw_oem = False
    try:
        for event, el in iterparse(io.BytesIO(text.encode("utf-8")), events=("start", "end")):
            name = _local(el.tag).upper()
            if event == "start":
                if name == "OEM":
                    saw_oem = True
                    version = el.get("version", "")
                elif name == "HEADER":
                    in_header = True
                elif name == "SEGMENT":
                    seg_no += 1
                    meta, comments, rows = {}, [], []
                continue
            where = f"segment {seg_no}" if seg_no else "the header"
            if name == "HEADER":
                in_header = False
                for child in el:
                    key = _local(child.tag).upper()
                    value = (child.text or "").strip()
                    if key == "COMMENT":
                        header_comments.append(value)
                    else:
                        header[key] = (value, f"the header's {key}")
                el.clear()
            elif name == "METADATA":
                for child in el:
                    key = _local(child.tag).upper()
                    value = (child.text or "").strip()
                    if key != "COMMENT":  # comments are taken at their own end
                        meta[key] = (value, f"{where}, metadata {key}")
                el.clear()
            elif name == "COMMENT" and not in_header and seg_no:
                comments.append((el.text or "").strip())
            elif name == "STATEVECTOR":
                rows.append(_row(el, f"{where}, stateVector {len(rows) + 1}"))
                el.clear()
            elif name == "COVARIANCEMATRIX":
                el.clear()
            elif name == "SEGMENT":
                segments.append(_segment(meta, rows, comments))
                el.clear()
    except DefusedXmlException as exc:
        raise OEMError(
            f"refused XML: {exc}; entity declarations and external references are not "
            "allowed in OEM files (an XML bomb?)"
        ) from None
    except (LookupError, ValueError, RecursionError) as exc:  # an unknown encoding, ...
        raise OEMError(f"not XML zarya can read: {exc}") from None
    except ParseError as exc:
        raise OEMError(f"not XML, or cut short: {exc}") from None
    if not saw_oem:
        raise OEMError("not an OEM: no <oem> element")
    return _trajectory(header, segments, header_comments, version or "2.0", source,
                       norad_id, expect_object)


def _row(el: Element, where: str) -> tuple[str, str, list[str]]:
    """(where, epoch, numbers) of one ``<stateVector>``."""
    kids = _children(el)
    epoch = kids.get("EPOCH")
    if epoch is None or not (epoch.text or "").strip():
        raise OEMError(f"{where}: no EPOCH")
    missing = [k for k in _STATE_KEYS if k not in kids]
    if missing:
        raise OEMError(f"{where}: missing {', '.join(missing)}")
    keys = list(_STATE_KEYS)
    if all(k in kids for k in _ACCEL_KEYS):
        keys += list(_ACCEL_KEYS)
    for unit, names in _UNITS.items():
        for key in names:
            given = kids[key].get("units") if key in kids else None
            if given is not None and given.strip() != unit:
                raise OEMError(f"{where}: {key} in {given.strip()!r}: expected {unit}")
    return where, (epoch.text or "").strip(), [(kids[k].text or "").strip() for k in keys]
