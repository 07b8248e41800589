"""Seeds and hypothesis strategies for the fuzz tests (tests/test_fuzz.py) and the long
mutation run (benchmarks/fuzz_long.py).

The seeds are real files of tests/data: the ISS TLE history, Vallado's SGP4-VER.TLE, the
METOP-B set, the OMM files (JSON, CSV, XML, KVN) made from the ISS sets exactly as
CelesTrak lays them out (tests/catalog_data.py), and an excerpt of NASA's ISS OEM (the first
states of ISS.OEM_J2K_EPH_2025-02-26.xml.gz, in XML and written out as KVN).

The strategies make inputs that are nearly right (a real record with one column, field,
key or tag wrong) as well as plain noise, since the first kind gets past the first checks
and reaches the code behind them.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from .catalog_data import CSV_FIELDS, iss_sets, omm_record, to_csv, to_kvn, to_xml

DATA = Path(__file__).resolve().parent / "data"

# ------------------------------------------------------------------------ hostile bits
# Characters and strings that have broken parsers before: digits that are not ASCII
# ('²'.isdigit() is True, int('²') fails), line and paragraph separators, control
# characters, a byte-order mark, surrogate-free astral characters, combining marks.
ODD_CHARS = [
    "²", "٣", "𝟙", "Ⅻ", "½", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\r", "\n",
    "\t", "\x00", "\x1b", "\x7f", "\ufeff", "\u200b", "\u0301", "é", "ß", "İ", "🛰", "\uffff",
    "\U0010ffff", "<", ">", "&", '"', "'", ",", "=", "[", "]", "{", "}", "\\", "%", "$", "#",
]
ODD_NUMBERS = [
    "99999999999999999999999", "-99999999999999999999999", "1" * 400, "9" * 5000,
    "1e19", "1e308", "1e309", "-1e309", "1e400", "-1e400", "1e-400", "5e-324", "nan", "NaN",
    "-nan", "inf", "-inf", "Infinity", "-Infinity", "0", "-0", "-0.0", "+0", "1_000", "0x10",
    "1e", "e5", ".", "-", "+", "..1", "1..", "1.2.3", "18446744073709551616",
    "9223372036854775808", "-9223372036854775809", "4294967296", "²", "٣", "1²", " 1 ",
]
ODD_STRINGS = [
    "", " ", "\x00", "\x1b[31mred\x1b[0m", "a\rb", "a\nb", "a\r\nb", "\ufeffx", "²", "٣٣",
    "x" * 70_000, "é" * 40_000, "🛰" * 1_000, "%s%n", "{0}", "${x}", "<![CDATA[x]]>", "&amp;",
    "&#0;", "&#x10FFFF;", "'; DROP TABLE objects; --", "../../../etc/passwd", "NUL\x00NUL",
    "\u202etxt.exe", "COMMENT", "META_START", "CCSDS_OMM_VERS = 2.0", "1 25544U", "2 25544 ",
]
# OMM epochs at and past the edges of datetime and of the TLE era.
ODD_EPOCHS = [
    "9999-12-31T23:59:59.999999999", "9999-12-31T23:59:59", "0001-01-01T00:00:00",
    "0000-01-01T00:00:00", "1957-10-04T00:00:00", "2100-01-01T00:00:00",
    "2016-02-30T00:00:00", "2016-13-01T00:00:00", "2016-04-04T24:00:00",
    "2016-04-04T23:60:00", "2016-04-04T23:59:60", "2016-04-04T23:59:61.5", "2016-04-04",
    "2016-04-04T00:00:00." + "9" * 5000, "2016-04-04T00:00:00+05:00", "2016-04-04T00:00:00ZZ",
    "2016-095T00:00:00", "²⁰¹⁶-04-04T00:00:00", "٢٠١٦-04-04T00:00:00", "99999-01-01T00:00:00",
    " 2016-04-04T00:00:00 ", "2016-04-04t00:00:00", "",
]
# CCSDS (OEM) epochs, calendar and day-of-year, at and past the edges.
ODD_CCSDS_EPOCHS = [
    "9999-366T23:59:60.999", "9999-365T23:59:60.999Z", "9999-12-31T23:59:60.9",
    "9999-12-31T23:59:59.999", "0001-001T00:00:00", "0000-001T00:00:00", "2025-000T00:00:00",
    "2025-366T00:00:00", "2024-366T00:00:00", "2025-999T00:00:00", "2025-02-29T00:00:00",
    "2025-057T24:00:00", "2025-057T12:60:00", "2025-057T12:00:60.999", "2025-057T12:00:61",
    "2025-057T12:00:00." + "0" * 400, "2025-057T12:00:00.000ZZ", "2025-057", "1e400", "",
    "2025-057T12:00:00.000Z",
]


def odd_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text (no lone surrogates: they cannot come out of a UTF-8 file), the odd
    characters and strings above, and now and then something very long."""
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.sampled_from(ODD_CHARS),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size),
        st.text(st.sampled_from(ODD_CHARS), min_size=1, max_size=max_size),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "1", " ", "\x00", "é", "["]),
                  st.sampled_from([1_000, 70_000, 140_000])),
    )


def odd_number_text() -> st.SearchStrategy[str]:
    """Numbers as text: odd spellings, huge and tiny ones, NaN and infinities, any float."""
    return st.one_of(
        st.sampled_from(ODD_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=12).map(str),
    )


def json_values(depth: int = 3) -> st.SearchStrategy[object]:
    """Values of any JSON type for one OMM field: wrong types, huge numbers, NaN, nesting."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**18, max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([1e19, 1e300, -1e300, 2.0**63, 2.0**64, float("nan"), float("inf")]),
        odd_text(),
        st.sampled_from(ODD_NUMBERS),
        st.sampled_from(ODD_EPOCHS),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=depth * 3,
    )


# ------------------------------------------------------------------------------ seeds
@lru_cache(maxsize=1)
def tle_seeds() -> tuple[tuple[str, str, str], ...]:
    """(name, line 1, line 2) of real sets: the ISS history, METOP-B and Vallado's test
    sets (the first 69 columns of his lines 2, which carry his start/stop/step after)."""
    out: list[tuple[str, str, str]] = []
    for es in iss_sets():
        assert es.line1 is not None and es.line2 is not None
        out.append((es.name, es.line1, es.line2))
    metop = (DATA / "catalog" / "metop-b_2025-10-03.tle").read_text("ascii").splitlines()
    out.append((metop[0].strip(), metop[1], metop[2]))
    lines = (DATA / "vallado" / "SGP4-VER.TLE").read_text("ascii").splitlines()
    for a, b in zip(lines, lines[1:], strict=False):
        if a.startswith("1 ") and b.startswith("2 "):
            out.append(("", a[:69], b[:69]))
    return tuple(out)


@lru_cache(maxsize=1)
def omm_seed_records() -> tuple[dict, ...]:
    """The ISS sets as CelesTrak OMM records (every 10th, to keep them few)."""
    return tuple(omm_record(es) for es in iss_sets()[::10])


@lru_cache(maxsize=1)
def oem_seed_xml(states: int = 12) -> str:
    """NASA's ISS OEM (XML) cut after its first ``states`` state vectors, closed again."""
    with gzip.open(DATA / "iss" / "ISS.OEM_J2K_EPH_2025-02-26.xml.gz", "rt", encoding="utf-8") as f:
        text = f.read(200_000)
    cut = 0
    for _ in range(states):
        cut = text.index("</stateVector>", cut) + len("</stateVector>")
    return text[:cut] + "\n</data>\n</segment>\n</body>\n</oem>\n</ndm>\n"


@lru_cache(maxsize=1)
def oem_seed_kvn() -> str:
    """The same excerpt as KVN (CCSDS 502.0 section 5), with a covariance block."""
    xml = oem_seed_xml()

    def tag(name: str, text: str) -> str:
        m = re.search(rf"<{name}[^>]*>(.*?)</{name}>", text, re.S)
        return m.group(1).strip() if m else ""

    out = ["CCSDS_OEM_VERS = 2.0", f"CREATION_DATE = {tag('CREATION_DATE', xml)}",
           f"ORIGINATOR = {tag('ORIGINATOR', xml)}", "", "META_START"]
    meta = tag("metadata", xml)
    out += [f"{k} = {v.strip()}" for k, v in re.findall(r"<(\w+)>([^<]*)</\1>", meta)]
    out += ["META_STOP", ""]
    data = tag("data", xml)
    out += [f"COMMENT {c}" for c in re.findall(r"<COMMENT>([^<]*)</COMMENT>", data)]
    for vector in re.findall(r"<stateVector>(.*?)</stateVector>", data, re.S):
        values = re.findall(r"<(\w+)[^>]*>([^<]*)</\1>", vector)
        out.append(" ".join(v.strip() for _, v in values))
    out += ["", "COVARIANCE_START", "EPOCH = 2025-057T12:00:00.000", "COV_REF_FRAME = RSW",
            "1.0e-3", "1.0e-6 1.0e-3", "COVARIANCE_STOP", ""]
    return "\n".join(out)


@lru_cache(maxsize=1)
def seed_corpus() -> dict[str, tuple[str, ...]]:
    """Whole files of each format, to mutate: a few sets each."""
    sets = iss_sets()
    picks = [sets[i : i + k] for i, k in ((0, 1), (60, 3), (140, 2), (100, 1))]
    tle = []
    for group in picks:
        tle.append("".join(f"{s.name}\n{s.line1}\n{s.line2}\n" for s in group))
        tle.append("".join(f"{s.line1}\r\n{s.line2}\r\n" for s in group))
    tle.append("".join(f"{n}\n{a}\n{b}\n" for n, a, b in tle_seeds()[150:160]))
    return {
        "tle": tuple(tle),
        "omm-json": tuple(json.dumps([omm_record(s) for s in g], indent=i)
                          for g, i in zip(picks, (None, 1, None, 2), strict=True)),
        "omm-csv": tuple(to_csv(g) for g in picks),
        "omm-xml": tuple(to_xml(g) for g in picks),
        "omm-kvn": tuple(to_kvn(g) for g in picks),
        "oem": (oem_seed_kvn(), oem_seed_xml()),
    }


# ----------------------------------------------------------------- text mutations
def apply_mutation(text: str, op: str, i: int, j: int, piece: str) -> str:
    """One mutation ``op`` of the text at positions ``i``, ``j`` (taken modulo its length)
    with ``piece`` (see :data:`MUTATIONS`)."""
    n = len(text)
    i, j = (i % (n + 1), j % (n + 1)) if n else (0, 0)
    i, j = min(i, j), max(i, j)
    if op == "set" and n:
        return text[:i] + piece[:1] + text[i + 1 :]
    if op == "insert":
        return text[:i] + piece + text[i:]
    if op == "delete":
        return text[:i] + text[j:]
    if op == "duplicate":
        return text[:j] + text[i:j] + text[j:]
    if op == "truncate":
        return text[:i]
    if op == "replace":
        return text[:i] + piece + text[j:]
    if op == "number":  # the k-th number of the text, respelled
        spans = [m.span() for m in re.finditer(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", text)]
        if spans:
            a, b = spans[i % len(spans)]
            return text[:a] + piece + text[b:]
        return text
    if op == "lines":  # shuffle two lines, or drop one
        lines = text.splitlines(keepends=True)
        if len(lines) > 1:
            a, b = i % len(lines), j % len(lines)
            if piece:
                lines[a], lines[b] = lines[b], lines[a]
            else:
                del lines[a]
        return "".join(lines)
    if op == "endings":
        return text.replace("\r\n", "\n").replace("\n", piece[:2] or "\r")
    return text


MUTATIONS = ("set", "insert", "delete", "duplicate", "truncate", "replace", "number", "lines",
             "endings")


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str], max_steps: int = 4) -> str:
    """A text drawn from ``base`` and changed by up to ``max_steps`` mutations: a character
    set, a piece inserted or put in place of a range, a range deleted or repeated, a cut, a
    number respelled, two lines swapped or one dropped, line endings changed."""
    text = draw(base)
    for _ in range(draw(st.integers(0, max_steps))):
        op = draw(st.sampled_from(MUTATIONS))
        i = draw(st.integers(0, 1 << 20))
        j = draw(st.integers(0, 1 << 20))
        if op == "number":
            piece = draw(odd_number_text())
        elif op == "lines":
            piece = draw(st.sampled_from(["", "swap"]))
        elif op == "endings":
            piece = draw(st.sampled_from(["\r", "\r\n", "\n\n", "\x85", "\u2028", "\x00"]))
        else:
            piece = draw(st.one_of(st.sampled_from(ODD_CHARS), odd_text(12),
                                   odd_number_text()))
        text = apply_mutation(text, op, i, j, piece)
    return text


# ------------------------------------------------------------------------------- TLE
# (first, last) columns of each field of the two lines (1-based, inclusive).
TLE_FIELDS = {
    1: [(1, 1), (3, 7), (8, 8), (10, 17), (19, 20), (21, 32), (34, 43), (45, 52), (54, 61),
        (63, 63), (65, 68), (69, 69)],
    2: [(1, 1), (3, 7), (9, 16), (18, 25), (27, 33), (35, 42), (44, 51), (53, 63), (64, 68),
        (69, 69)],
}


def with_checksum(line: str) -> str:
    """A 69-column line with its checksum redone (so that the checks behind it run)."""
    line = line.ljust(68)[:68]
    total = sum(int(c) if c in "0123456789" else c == "-" for c in line)
    return line + str(total % 10)


@st.composite
def tle_pairs(draw: st.DrawFn) -> tuple[str, str, str, bool]:
    """(line 1, line 2, name, lenient): a real set with a few columns or whole fields
    replaced (by digits, signs, points, spaces, letters, odd characters or numbers out of
    range, right-aligned to the field), the checksum redone or not, lines cut or lengthened,
    swapped; names odd."""
    name, l1, l2 = draw(st.sampled_from(tle_seeds()))
    lines = {1: l1, 2: l2}
    for _ in range(draw(st.integers(1, 4))):
        which = draw(st.sampled_from([1, 2]))
        text = lines[which]
        kind = draw(st.sampled_from(["column", "field", "field", "length"]))
        if kind == "column":
            col = draw(st.integers(1, 69))
            ch = draw(st.one_of(st.sampled_from("0123456789 +-.ABCZUaz"),
                                st.sampled_from(ODD_CHARS)))
            text = text[: col - 1] + ch + text[col:]
        elif kind == "field":
            first, last = draw(st.sampled_from(TLE_FIELDS[which]))
            width = last - first + 1
            value = draw(st.one_of(odd_number_text(), st.sampled_from(ODD_CHARS),
                                   st.text("0123456789 .+-", max_size=width)))
            value = value[-width:].rjust(width) if draw(st.booleans()) else value
            text = text[: first - 1] + value + text[last:]
        else:
            cut = draw(st.integers(0, 80))
            text = text[:cut] if cut < len(text) else text + draw(odd_text(12))
        if draw(st.booleans()):
            text = with_checksum(text)
        lines[which] = text
    if draw(st.integers(0, 9)) == 0:
        lines[1], lines[2] = lines[2], lines[1]
    name = draw(st.one_of(st.just(name), odd_text(80)))
    return lines[1], lines[2], name, draw(st.booleans())


@st.composite
def tle_texts(draw: st.DrawFn) -> str:
    """Whole TLE files: real sets (3-line or 2-line) with mutated pairs among them, names
    odd, lines cut, repeated or lost, any line endings and a byte-order mark."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            l1, l2, name, _ = draw(tle_pairs())
        else:
            name, l1, l2 = draw(st.sampled_from(tle_seeds()))
        form = draw(st.sampled_from(["3", "2", "0", "name only", "line 1 only", "line 2 only"]))
        parts.append({"3": [name, l1, l2], "2": [l1, l2], "0": ["0 " + name, l1, l2],
                      "name only": [name], "line 1 only": [l1], "line 2 only": [l2]}[form])
    end = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\x85", "\u2028"]))
    text = end.join(line for p in parts for line in p) + draw(st.sampled_from(["", end]))
    if draw(st.integers(0, 7)) == 0:
        text = "\ufeff" + text
    return draw(mutated(st.just(text), max_steps=2))


# ------------------------------------------------------------------------------- OMM
@st.composite
def omm_records(draw: st.DrawFn) -> dict:
    """A real OMM record with some fields given odd values (any JSON type, NaN, huge
    numbers, odd text, epochs past datetime's range), some dropped, keys respelled."""
    record = dict(draw(st.sampled_from(omm_seed_records())))
    keys = list(record)
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["value", "value", "value", "drop", "rekey", "add"]))
        if action == "value":
            if key == "EPOCH":
                record[key] = draw(st.one_of(st.sampled_from(ODD_EPOCHS), json_values()))
            else:
                record[key] = draw(json_values())
        elif action == "drop":
            record.pop(key, None)
        elif action == "rekey" and key in record:
            new = draw(st.sampled_from([key.lower(), f" {key} ", key + "\x00", key + "²",
                                        "", key.replace("_", "-")]))
            record[new] = record.pop(key)
        else:
            record[draw(odd_text(20))] = draw(json_values())
    return record


def _deep(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return "[" * depth  # unclosed


@st.composite
def omm_json_texts(draw: st.DrawFn) -> str:
    """OMM JSON: lists of mutated records (NaN and Infinity literals included), an odd
    value spliced in raw (a 5,000-digit integer, 1e999, deep nesting), wrong top-level
    shapes, truncation, and text mutations of the whole."""
    records = draw(st.lists(omm_records(), min_size=0, max_size=3))
    text = json.dumps(records if draw(st.integers(0, 5)) else (records or [{}])[0],
                      ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    choice = draw(st.integers(0, 5))
    if choice == 0:  # a raw literal no json.dumps writes, in place of some value
        raw = draw(st.one_of(
            st.sampled_from(["9" * 5000, "-" + "1" * 4301, "1e999", "-1e999", "1" + "0" * 400,
                             "NaN", "-Infinity", "0." + "0" * 5000 + "1", "1E400", "true"]),
            st.builds(_deep, st.sampled_from([50, 900, 1_100, 5_000, 100_000]),
                      st.sampled_from(["array", "object", "open"])),
        ))
        text = re.sub(r'(?<=": )[^,\]}]+', lambda m: raw, text, count=1) if records else raw
    elif choice == 1:  # the whole file odd
        text = draw(st.one_of(
            st.builds(_deep, st.sampled_from([1_000, 100_000, 300_000]),
                      st.sampled_from(["array", "object", "open"])),
            st.sampled_from(["[", "{", "[]", "{}", "[{}]", "[1]", '["x"]', "[null]", "[[]]",
                             "[{},]", "[,]", "[{}{}]", "[{}] x", "\ufeff[]", "[" + " " * 70_000,
                             "[" + '{"EPOCH":"x"},' * 3]),
        ))
    return draw(mutated(st.just(text), max_steps=2))


def _csv_cell(value: str, quoting: str) -> str:
    if quoting == "none":
        return value
    if quoting == "double":
        return '"' + value.replace('"', '""') + '"'
    if quoting == "unbalanced":
        return '"' + value
    return "'" + value + "'"


@st.composite
def omm_csv_texts(draw: st.DrawFn) -> str:
    """OMM CSV: the header and rows of real records with cells replaced by odd text, huge
    fields (over the csv module's 128 KB limit, in lines short enough to pass the line
    limit), embedded newlines, NUL, odd or unbalanced quoting, rows too short or long."""
    header = list(CSV_FIELDS)
    if draw(st.integers(0, 5)) == 0:
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
    rows = []
    for record in draw(st.lists(st.sampled_from(omm_seed_records()), max_size=3)):
        row = [str(record.get(k, "")) for k in header]
        for _ in range(draw(st.integers(0, 3))):
            k = draw(st.integers(0, len(row)))
            cell = draw(st.one_of(
                odd_text(30), odd_number_text(), st.sampled_from(ODD_EPOCHS),
                st.sampled_from(["x\n" * 70_000, "y" * 60_000 + "\n" + "y" * 60_000 + "\n" * 3,
                                 '"', '""', 'a"b', "\x00", "\r", "a,b"]),
            ))
            quoting = draw(st.sampled_from(["none", "double", "double", "unbalanced", "single"]))
            cell = _csv_cell(cell, quoting)
            if k < len(row):
                row[k] = cell
            else:
                row.append(cell)
        rows.append(",".join(row))
    end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    text = end.join([",".join(header), *rows]) + end
    return draw(mutated(st.just(text), max_steps=2))


@st.composite
def omm_xml_texts(draw: st.DrawFn) -> str:
    """OMM XML: CelesTrak's NDM of real records with odd values, and odd structure: tags
    left open or closed twice, <omm> inside <omm>, deep nesting, namespaces, CDATA,
    comments, processing instructions, entity declarations (the XML bomb), external
    entities, odd encodings declared."""
    text = draw(st.sampled_from(seed_corpus()["omm-xml"]))
    tags = re.findall(r"<(\w+)>", text)
    for _ in range(draw(st.integers(0, 3))):
        tag = draw(st.sampled_from(tags))
        trick = draw(st.sampled_from(["value", "value", "drop close", "double close",
                                      "nest omm", "deep", "namespace", "cdata", "comment",
                                      "pi", "doctype", "external", "encoding", "attribute"]))
        if trick == "value":
            value = draw(st.one_of(odd_text(30), odd_number_text(), st.sampled_from(ODD_EPOCHS)))
            value = value.replace("<", "&lt;").replace("&", "&amp;") if draw(st.booleans()) \
                else value
            text = re.sub(rf"<{tag}>[^<]*</{tag}>", lambda m, t=tag, v=value: f"<{t}>{v}</{t}>",
                          text, count=1)
        elif trick == "drop close":
            text = text.replace(f"</{tag}>", "", 1)
        elif trick == "double close":
            text = text.replace(f"</{tag}>", f"</{tag}></{tag}>", 1)
        elif trick == "nest omm":
            text = text.replace("<body>", "<body>" + text.split("\n", 2)[2].split("</ndm>")[0], 1)
        elif trick == "deep":
            depth = draw(st.sampled_from([100, 5_000, 60_000]))
            text = text.replace(f"<{tag}>", f"<{tag}>" + "<a>" * depth + "</a>" * depth, 1)
        elif trick == "namespace":
            text = text.replace("<omm ", '<x:omm xmlns:x="urn:ccsds" ', 1).replace(
                "</omm>", "</x:omm>", 1)
        elif trick == "cdata":
            text = re.sub(rf"<{tag}>([^<]*)</{tag}>",
                          lambda m, t=tag: f"<{t}><![CDATA[{m.group(1)}]]></{t}>", text, count=1)
        elif trick == "comment":
            text = text.replace(f"<{tag}>", f"<{tag}><!-- {draw(odd_text(10))} -->", 1)
        elif trick == "pi":
            text = text.replace(f"<{tag}>", f"<{tag}><?zarya {draw(odd_text(10))}?>", 1)
        elif trick == "doctype":
            text = text.replace(
                "<ndm", '<!DOCTYPE ndm [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                "<ndm", 1).replace("<EPOCH>", "<EPOCH>&b;", 1)
        elif trick == "external":
            text = text.replace(
                "<ndm", '<!DOCTYPE ndm [<!ENTITY e SYSTEM "file:///etc/passwd">]><ndm', 1
            ).replace("<OBJECT_NAME>", "<OBJECT_NAME>&e;", 1)
        elif trick == "encoding":
            enc = draw(st.sampled_from(["latin-1", "utf-16", "ascii", "x-unknown", "", "ebcdic"]))
            text = text.replace('encoding="UTF-8"', f'encoding="{enc}"', 1)
        else:
            text = text.replace(f"<{tag}>", f'<{tag} {draw(st.sampled_from(["a", "x:y", "1"]))}='
                                            f'"{draw(odd_text(8)).replace(chr(34), "")}">', 1)
    return draw(mutated(st.just(text), max_steps=2))


@st.composite
def omm_kvn_texts(draw: st.DrawFn) -> str:
    """OMM KVN: messages of real records with values odd, units odd, lines without '=',
    keys repeated or lost, lines shuffled, COMMENT lines odd."""
    text = draw(st.sampled_from(seed_corpus()["omm-kvn"]))
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        key = lines[k].partition("=")[0]
        trick = draw(st.sampled_from(["value", "value", "unit", "no equals", "repeat", "drop",
                                      "comment", "version"]))
        if trick == "value":
            lines[k] = f"{key}= {draw(st.one_of(odd_text(30), odd_number_text()))}"
        elif trick == "unit":
            lines[k] = f"{lines[k]} [{draw(odd_text(6))}]"
        elif trick == "no equals":
            lines[k] = lines[k].replace("=", " ")
        elif trick == "repeat":
            lines.insert(k, lines[k])
        elif trick == "drop":
            del lines[k]
        elif trick == "comment":
            lines.insert(k, "COMMENT " + draw(odd_text(30)))
        else:
            lines.insert(k, "CCSDS_OMM_VERS = " + draw(odd_text(6)))
    return draw(mutated(st.just("\n".join(lines)), max_steps=2))


# ------------------------------------------------------------------------------- OEM
OEM_KEYS = ["CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR", "OBJECT_NAME", "OBJECT_ID",
            "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM", "START_TIME", "STOP_TIME",
            "USEABLE_START_TIME", "USEABLE_STOP_TIME", "INTERPOLATION", "INTERPOLATION_DEGREE"]
OEM_VALUES = ["EME2000", "J2000", "GCRF", "ICRF", "ITRF", "ITRF-93", "ITRF_2014", "TEME", "UTC",
              "TAI", "TT", "GPS", "UT1", "EARTH", "MOON", "HERMITE", "LAGRANGE", "LINEAR", "0",
              "1", "31", "32", "99", "7", "1.0", "2.0", "3.0", "4.0", "x.y", "1998-067-A",
              "1998-067A", "98067A", "ISS"]


@st.composite
def oem_kvn_texts(draw: st.DrawFn) -> str:
    """OEM KVN: the ISS excerpt with keys shuffled, missing or repeated, values odd, blocks
    (META, COVARIANCE) opened twice or never closed, state lines with odd numbers and
    epochs, comments of an event summary with odd times."""
    lines = oem_seed_kvn().split("\n")
    for _ in range(draw(st.integers(1, 5))):
        k = draw(st.integers(0, len(lines) - 1))
        trick = draw(st.sampled_from(["key value", "epoch", "number", "drop", "repeat", "swap",
                                      "block", "event", "state"]))
        if trick == "key value":
            key = draw(st.sampled_from(OEM_KEYS))
            value = draw(st.one_of(st.sampled_from(OEM_VALUES), st.sampled_from(ODD_CCSDS_EPOCHS),
                                   odd_text(20), odd_number_text()))
            hits = [i for i, ln in enumerate(lines) if ln.startswith(key)]
            if hits and draw(st.booleans()):
                lines[hits[0]] = f"{key} = {value}"
            else:
                lines.insert(k, f"{key} = {value}")
        elif trick == "epoch":
            rows = [i for i, ln in enumerate(lines) if ln[:4].isdigit() and ln.count(" ") >= 6]
            if rows:
                i = draw(st.sampled_from(rows))
                lines[i] = draw(st.sampled_from(ODD_CCSDS_EPOCHS)) + " " + lines[i].split(" ", 1)[1]
        elif trick == "number":
            lines[k] = apply_mutation(lines[k], "number", draw(st.integers(0, 9)), 0,
                              draw(odd_number_text()))
        elif trick == "drop":
            del lines[k]
        elif trick == "repeat":
            lines.insert(k, lines[k])
        elif trick == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[k], lines[j] = lines[j], lines[k]
        elif trick == "block":
            lines.insert(k, draw(st.sampled_from(["META_START", "META_STOP", "COVARIANCE_START",
                                                  "COVARIANCE_STOP", "DATA_START"])))
        elif trick == "event":
            lines.insert(k, "COMMENT " + draw(st.sampled_from([
                " Reboost  999:99:99:99.000  1.2  424.0  410.1",
                " Reboost  366:23:59:59.999  1e308  424.0  410.1",
                " Reboost  000:00:00:00.000  " + "9" * 400 + " 1 1",
                "TRAJECTORY EVENT SUMMARY:", "End sequence of events"])))
        else:
            lines.insert(k, " ".join([draw(st.sampled_from(ODD_CCSDS_EPOCHS))]
                                     + [draw(odd_number_text()) for _ in range(draw(
                                         st.sampled_from([0, 3, 6, 9, 10])))]))
    return draw(mutated(st.just("\n".join(lines)), max_steps=1))


@st.composite
def oem_xml_texts(draw: st.DrawFn) -> str:
    """OEM XML: the ISS excerpt with elements odd (values, units, missing, repeated),
    segments nested or left open, entity declarations, the oem element renamed."""
    text = oem_seed_xml()
    tags = sorted(set(re.findall(r"<(\w+)[ >]", text)))
    for _ in range(draw(st.integers(1, 4))):
        tag = draw(st.sampled_from(tags))
        trick = draw(st.sampled_from(["value", "value", "units", "drop", "drop close",
                                      "repeat segment", "doctype", "rename", "epoch"]))
        if trick == "value":
            value = draw(st.one_of(st.sampled_from(OEM_VALUES), odd_number_text(),
                                   st.sampled_from(ODD_CCSDS_EPOCHS), odd_text(20)))
            value = value.replace("&", "&amp;").replace("<", "&lt;")
            text = re.sub(rf"<{tag}([^>]*)>[^<]*</{tag}>",
                          lambda m, t=tag, v=value: f"<{t}{m.group(1)}>{v}</{t}>", text, count=1)
        elif trick == "units":
            text = text.replace('units="km"', f'units="{draw(st.sampled_from(["m", "", "KM"]))}"',
                                1)
        elif trick == "drop":
            text = re.sub(rf"<{tag}[^>]*>[^<]*</{tag}>", "", text, count=1)
        elif trick == "drop close":
            text = text.replace(f"</{tag}>", "", 1)
        elif trick == "repeat segment":
            first, last = text.find("<segment>"), text.find("</segment>")
            if 0 <= first < last:
                seg = text[first : last + len("</segment>")]
                text = text.replace("</body>", seg + "</body>", 1)
        elif trick == "doctype":
            text = text.replace("<ndm>", '<!DOCTYPE ndm [<!ENTITY a "x">]><ndm>&a;', 1)
        elif trick == "rename":
            text = text.replace(f"<{tag}", f"<{tag}X", 1)
        else:
            text = re.sub(r"<EPOCH>[^<]*</EPOCH>",
                          f"<EPOCH>{draw(st.sampled_from(ODD_CCSDS_EPOCHS))}</EPOCH>", text,
                          count=1)
    return draw(mutated(st.just(text), max_steps=1))


# ---------------------------------------------------------------------------- places
@st.composite
def places_texts(draw: st.DrawFn) -> str:
    """A places CSV for ``zarya batch``: a good file with some of it odd (how much is drawn
    per example): header variants (aliases, missing or repeated columns), names odd
    (200,000 characters, quotes, newlines, NUL, unicode, duplicates), coordinates odd (NaN,
    infinities, huge, '²'), rows short, quoting odd."""
    level = draw(st.sampled_from([0, 5, 20, 50]))

    def odd() -> bool:
        return draw(st.integers(0, 99)) < level

    header = ["name", "lat", "lon", "alt_m"][: draw(st.integers(3, 4))]
    if odd():
        header = draw(st.sampled_from([
            ["Name", "Latitude", "lng"], ["name", "lat"], ["lat", "lon", "name", "elevation_m"],
            ["name", "lat", "lon", "lat"], ["", "", ""], ["name", "lat", "lon", "alt", "x"],
            ["name", "lat_deg", "lon_deg"], ["\ufeffname", "lat", "lon"],
        ]))
    rows = []
    for i in range(draw(st.integers(0, 4))):
        row = []
        for col in header:
            if col.lower() in ("name", "", "\ufeffname"):
                cell = f"Place {i}"
                if odd():
                    cell = draw(st.one_of(st.sampled_from(["Place 0", "x" * 200_000, "\x00", '"',
                                                           "a\nb", "a,b", " "]),
                                          odd_text(20)))
            elif col.lower() in ("lat", "latitude", "lat_deg"):
                cell = repr(draw(st.floats(-90, 90)))
            elif col.lower() in ("alt_m", "alt", "elevation_m"):
                cell = repr(draw(st.floats(-500, 9000)))
            else:
                cell = repr(draw(st.floats(-180, 180)))
            if odd():
                cell = draw(st.one_of(odd_number_text(), st.floats(-1e3, 1e3).map(repr)))
            quoting = draw(st.sampled_from(["none", "double", "unbalanced"])) if odd() else "none"
            row.append(_csv_cell(cell, quoting))
        if odd():
            row = row[: draw(st.integers(0, len(row)))]
        rows.append(",".join(row))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join([",".join(header), *rows]) + end
    return draw(mutated(st.just(text), max_steps=1)) if odd() else text


# ------------------------------------------------------------------- any element text
def element_texts() -> st.SearchStrategy[str]:
    """Text of any element format, nearly right or not at all."""
    return st.one_of(
        tle_texts(), omm_json_texts(), omm_csv_texts(), omm_xml_texts(), omm_kvn_texts(),
        oem_kvn_texts(), oem_xml_texts(),
        mutated(st.sampled_from([t for ts in seed_corpus().values() for t in ts])),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    )


def element_bytes() -> st.SearchStrategy[bytes]:
    """Bytes: the texts above encoded (UTF-8, UTF-16, Latin-1 where it can), cut inside a
    character, gzipped, or plain random bytes."""
    def encode(text: str, how: str) -> bytes:
        if how == "utf-16":
            return text.encode("utf-16")
        if how == "latin-1":
            return text.encode("latin-1", "replace")
        data = text.encode("utf-8")
        if how == "cut":
            return data[: max(0, len(data) - 1)] + b"\xe2\x82"
        if how == "gzip":
            return gzip.compress(data)
        if how == "gzip cut":
            return gzip.compress(data)[:-5]
        return data

    return st.one_of(
        st.builds(encode, element_texts(),
                  st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1", "cut", "gzip",
                                   "gzip cut"])),
        st.binary(max_size=400),
        st.binary(max_size=60).map(lambda b: b"\x1f\x8b" + b),
    )
