"""A long fuzz run over the element readers: a million inputs, in-process, in minutes.

tests/test_fuzz.py checks on every commit, with a few hundred hypothesis examples, that
every reader answers or refuses in its own words (a :class:`~zarya.errors.ZaryaError`).
Hypothesis is too slow for a million; this is a plain mutation fuzzer. It starts from the
real files of tests/data (the ISS TLE history, Vallado's SGP4-VER.TLE, METOP-B, the OMM
files made from the ISS sets as CelesTrak lays them out, an excerpt of NASA's ISS OEM; see
tests/fuzz_strategies.py) and mutates them: bytes flipped, inserted, deleted, repeated;
TLE columns and fields replaced (checksum redone or not); numbers respelled (huge, tiny,
NaN, '²'); lines cut, repeated, swapped, line endings changed; JSON values replaced by any
type, raw 5,000-digit literals, deep nesting; CSV cells quoted oddly or made huge; XML tags
left open, doubled, nested, entities declared; unicode and control characters anywhere;
inputs spliced together. An input that ends in a new way (a new refusal or a new crash) is
kept and mutated further.

Each input goes through the one way in of every source (:func:`zarya.elements.readers.
read_chunks`, cut into chunks at random points, sniffed or in a format given, with and
without ``skip_bad``), or through :func:`parse_tle`, :func:`read_tle` or :func:`read_oem`
directly; element sets read are then used as every command uses them (epoch, period,
Satrec). Warnings are errors (as in the test suite: a RuntimeWarning is a line on the
user's stderr). Anything but a result or a ZaryaError is a crash: each distinct one
(exception type and the zarya function raising it) is saved to ``--out`` (the input, its
traceback, how to replay it) the first time, and counted every time.

    python benchmarks/fuzz_long.py --inputs 1000000 --out /tmp/fuzz-crashes
    python benchmarks/fuzz_long.py --seconds 1200 --seed 7
    python benchmarks/fuzz_long.py --replay /tmp/fuzz-crashes/<name>.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ZARYA_HOME", tempfile.mkdtemp(prefix="zarya-fuzz-home-"))

from tests import fuzz_strategies as fs  # noqa: E402

import zarya  # noqa: E402
from zarya.elements.readers import read_chunks, read_oem  # noqa: E402
from zarya.elements.tle import parse_tle, read_tle  # noqa: E402
from zarya.errors import ZaryaError  # noqa: E402

ZARYA_DIR = str(Path(zarya.__file__).resolve().parent)

FORMATS = ("tle", "omm-json", "omm-csv", "omm-kvn", "omm-xml", "oem")
WEIGHTS = {"tle": 30, "omm-json": 25, "omm-csv": 15, "omm-kvn": 10, "omm-xml": 12, "oem": 8}
TIME_LIMIT_S = 10.0  # one input taking longer is a finding too ("Timeout")
POOL_LIMIT = 2_000  # inputs kept for further mutation, per format
MAX_BYTES = 600_000


class Timeout(Exception):
    """An input that took more than the time limit."""


def _alarm(signum: int, frame: object) -> None:
    raise Timeout(f"more than {TIME_LIMIT_S} s")


# ------------------------------------------------------------------------ mutations
TOKENS = [t.encode("utf-8") for t in
          fs.ODD_CHARS + fs.ODD_NUMBERS[:40] + fs.ODD_EPOCHS[:12] + fs.ODD_CCSDS_EPOCHS[:12]
          + ["\r\n", "\n\n", "1 ", "2 ", "0 ", "META_START", "META_STOP", "COVARIANCE_START",
             "CCSDS_OMM_VERS = 2.0\n", "CCSDS_OEM_VERS = 2.0\n", "<omm>", "</omm>", "<![CDATA[",
             "]]>", "<!--", "-->", "<?x?>", "&amp;", "&#0;", "&#x110000;", '{"', '":', ",",
             "[", "]", "{", "}", '"', "null", "true", "NaN", "-Infinity", "EPOCH", "\\u0000",
             "\\ud800", "\\", "COMMENT ", " = ", "[km]", "\ufeff"]]
ODD_VALUES: list[object] = [None, True, False, 0, -1, 1e19, 2**63, 2**64, -(2**63) - 1,
                            10**30, 1e300, -1e300, 5e-324, float("nan"), float("inf"),
                            float("-inf"), "", " ", "x" * 200, "²", "\x00", "\r\n", [], {},
                            [1, 2], {"a": 1}, "1e400", "99999999999999999999999",
                            *fs.ODD_EPOCHS[:10]]


def _ins(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def byte_mutation(rng: random.Random, data: bytes) -> bytes:
    """One change of the raw bytes."""
    n = len(data)
    at = rng.randrange(n + 1)
    op = rng.randrange(9)
    if op == 0 and n:  # flip bits
        i = rng.randrange(n)
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if op == 1 and n:  # a byte replaced by any byte
        i = rng.randrange(n)
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if op == 2:  # a token inserted
        return _ins(data, at, rng.choice(TOKENS))
    if op == 3 and n:  # a range deleted
        j = min(n, at + rng.choice([1, 2, 8, 64, 1024]))
        return data[:at] + data[j:]
    if op == 4 and n:  # a range repeated
        j = min(n, at + rng.choice([1, 8, 70, 500, 5000]))
        return data[:j] + data[at:j] * rng.choice([1, 2, 10]) + data[j:]
    if op == 5:  # truncated
        return data[:at]
    if op == 6 and n:  # a token in place of a range
        j = min(n, at + rng.randrange(1, 12))
        return data[:at] + rng.choice(TOKENS) + data[j:]
    if op == 7:  # random bytes
        return _ins(data, at, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9))))
    if op == 8:  # a cut multi-byte character, a lone continuation byte, an overlong form
        return _ins(data, at, rng.choice([b"\xe2\x82", b"\x80", b"\xc0\xaf", b"\xff\xfe",
                                          b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]))
    return data


def text_mutation(rng: random.Random, text: str) -> str:
    """One change of the text as lines and numbers."""
    op = rng.randrange(6)
    lines = text.splitlines(keepends=True)
    if op == 0:  # a number respelled
        piece = rng.choice(fs.ODD_NUMBERS)
        return fs.apply_mutation(text, "number", rng.randrange(1 << 20), 0, piece)
    if op == 1 and lines:  # a line dropped, repeated or swapped
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        kind = rng.randrange(3)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i] * rng.choice([1, 2, 100]))
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if op == 2:  # line endings
        return text.replace("\r\n", "\n").replace("\n", rng.choice(["\r", "\r\n", "\x85",
                                                                     "\u2028", "\n\n"]))
    if op == 3 and lines:  # a line cut or lengthened
        i = rng.randrange(len(lines))
        line = lines[i].rstrip("\r\n")
        cut = rng.randrange(len(line) + 1)
        lines[i] = (line[:cut] if rng.random() < 0.5 else line + rng.choice(fs.ODD_STRINGS))
        lines[i] += "\n"
        return "".join(lines)
    if op == 4:  # odd characters anywhere
        at = rng.randrange(len(text) + 1)
        return text[:at] + "".join(rng.choice(fs.ODD_CHARS) for _ in range(rng.randrange(1, 4))) \
            + text[at:]
    if op == 5:  # an odd string (long ones among them)
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(fs.ODD_STRINGS) + text[at:]
    return text


def tle_mutation(rng: random.Random, text: str) -> str:
    """A TLE line of the text with a column or a whole field changed, checksum redone (or
    not), so that the checks behind the layout and the checksum run."""
    lines = text.split("\n")
    which = [i for i, ln in enumerate(lines) if ln[:2] in ("1 ", "2 ")]
    if not which:
        return text
    i = rng.choice(which)
    line = lines[i].rstrip("\r")
    number = 1 if line.startswith("1") else 2
    if rng.random() < 0.5:
        col = rng.randrange(1, 70)
        ch = rng.choice("0123456789 +-.ABZUaz" + "".join(fs.ODD_CHARS[:8]))
        line = line[: col - 1] + ch + line[col:]
    else:
        first, last = rng.choice(fs.TLE_FIELDS[number])
        width = last - first + 1
        value = rng.choice(fs.ODD_NUMBERS + ["9" * width, "0" * width, " " * width,
                                             "-" + "9" * (width - 1), ".", "-.5", "+1.", "1e5"])
        value = value[-width:].rjust(width) if rng.random() < 0.7 else value
        line = line[: first - 1] + value + line[last:]
    if rng.random() < 0.7:
        line = fs.with_checksum(line)
    lines[i] = line
    return "\n".join(lines)


def _odd_json_value(rng: random.Random, depth: int = 0) -> object:
    if depth < 2 and rng.random() < 0.15:
        return [_odd_json_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return rng.choice(ODD_VALUES)


def json_mutation(rng: random.Random, text: str) -> str:
    """OMM JSON changed as data: a value of any type, a key lost or respelled, a raw
    literal no encoder writes, deep nesting, the top level of another shape."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return text
    records = data if isinstance(data, list) else [data]
    records = [r for r in records if isinstance(r, dict)]
    if not records:
        return text
    record = rng.choice(records)
    key = rng.choice(list(record) or ["EPOCH"])
    op = rng.randrange(7)
    if op <= 2:
        record[key] = _odd_json_value(rng)
    elif op == 3:
        record.pop(key, None)
    elif op == 4:
        record[rng.choice([key.lower(), f" {key}", key + "\x00", "", key + "²"])] = \
            record.pop(key, None)
    elif op == 5:
        records.append(dict(record))
    out = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    if op == 6:  # a raw literal in place of a value
        raw = rng.choice(["9" * 5000, "-" + "1" * 4301, "1e999", "0." + "0" * 5000 + "1",
                          "[" * 3000 + "]" * 3000, '{"a":' * 2000 + "1" + "}" * 2000,
                          "[" * 100_000, "NaN", "-Infinity", '"\\ud800"', '"\\u0000"'])
        at = out.find('": ')
        if at >= 0:
            end = at + 3
            stop = min([i for i in (out.find(",", end), out.find("}", end)) if i >= 0],
                       default=len(out))
            out = out[:end] + raw + out[stop:]
    return out


def csv_mutation(rng: random.Random, text: str) -> str:
    """A CSV cell quoted oddly, made huge (past the csv module's 128 KB field limit in
    lines under the 64 KB line limit) or given an odd value; a row too short or long."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    cells = lines[i].split(",")
    k = rng.randrange(len(cells))
    choice = rng.randrange(6)
    if choice == 0:
        cells[k] = '"' + "x\n" * rng.choice([10, 70_000]) + '"'
    elif choice == 1:
        cells[k] = '"' + "\n".join(["y" * 60_000] * 3) + '"'
    elif choice == 2:
        cells[k] = rng.choice(['"', '""', '"a"b', "a\"b", "'x'", "\x00", '"\r"'])
    elif choice == 3:
        cells[k] = rng.choice(fs.ODD_NUMBERS + fs.ODD_EPOCHS)
    elif choice == 4:
        cells = cells[: rng.randrange(len(cells) + 1)]
    else:
        cells.insert(k, rng.choice(fs.ODD_STRINGS[:20]))
    lines[i] = ",".join(cells)
    return "\n".join(lines)


XML_TRICKS = [
    lambda t, tag, rng: t.replace(f"</{tag}>", "", 1),
    lambda t, tag, rng: t.replace(f"</{tag}>", f"</{tag}></{tag}>", 1),
    lambda t, tag, rng: t.replace(f"<{tag}>", f"<{tag}>" + "<a>" * rng.choice([100, 20_000])
                                  + "</a>" * rng.choice([0, 100, 20_000]), 1),
    lambda t, tag, rng: t.replace(f"<{tag}>", f"<{tag}><![CDATA[{rng.choice(fs.ODD_NUMBERS)}]]>",
                                  1),
    lambda t, tag, rng: t.replace(f"<{tag}>", f'<x:{tag} xmlns:x="urn:x">', 1).replace(
        f"</{tag}>", f"</x:{tag}>", 1),
    lambda t, tag, rng: t.replace("<ndm", '<!DOCTYPE ndm [<!ENTITY a "aaaa">]><ndm', 1),
    lambda t, tag, rng: t.replace("<ndm", '<!DOCTYPE ndm [<!ENTITY e SYSTEM "file:///etc/'
                                  'passwd">]><ndm', 1).replace(f"<{tag}>", f"<{tag}>&e;", 1),
    lambda t, tag, rng: t.replace('encoding="UTF-8"', 'encoding="{}"'.format(rng.choice(
        ["latin-1", "utf-16", "x-unknown", "", "ascii"])), 1),
    lambda t, tag, rng: t.replace(f"<{tag}>", f"<{tag}>{rng.choice(fs.ODD_NUMBERS)}", 1),
    lambda t, tag, rng: t.replace(f"<{tag}", f"<{tag} a=\"{rng.choice(fs.ODD_CHARS)}\"", 1),
]


def xml_mutation(rng: random.Random, text: str) -> str:
    """An XML tag left open, closed twice, nested deep, namespaced; CDATA; entities."""
    tags = re.findall(r"<(\w+)>", text[:20_000])
    if not tags:
        return text
    return rng.choice(XML_TRICKS)(text, rng.choice(tags), rng)


def kvn_mutation(rng: random.Random, text: str) -> str:
    """KVN: a key given an odd value or a unit, a line without '=', a block marker."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    key = lines[i].partition("=")[0]
    op = rng.randrange(4)
    if op == 0:
        lines[i] = f"{key}= {rng.choice(fs.ODD_NUMBERS + fs.ODD_CCSDS_EPOCHS + fs.OEM_VALUES)}"
    elif op == 1:
        lines[i] += f" [{rng.choice(fs.ODD_CHARS)}]"
    elif op == 2:
        lines[i] = lines[i].replace("=", " ")
    else:
        lines.insert(i, rng.choice(["META_START", "META_STOP", "COVARIANCE_START",
                                    "COVARIANCE_STOP", "CCSDS_OMM_VERS = 2.0",
                                    "CCSDS_OEM_VERS = 3.0", "COMMENT TRAJECTORY EVENT SUMMARY:",
                                    "COMMENT  Reboost  366:23:59:59.999  1e308  1  1"]))
    return "\n".join(lines)


OEM_TIME_KEYS = ("CREATION_DATE", "START_TIME", "STOP_TIME", "USEABLE_START_TIME",
                 "USEABLE_STOP_TIME", "EPOCH")


def oem_mutation(rng: random.Random, text: str) -> str:
    """OEM as a document: a segment repeated or dropped, a time key given an odd epoch
    (added when missing), a state's epoch or one of its numbers odd, the time system or
    frame changed, an event summary line with odd times."""
    op = rng.randrange(6)
    if op == 0:  # a segment (KVN: META_START to the next; XML: <segment>) repeated
        for start, stop in (("META_START", "COVARIANCE_START"), ("<segment>", "</segment>")):
            a, b = text.find(start), text.find(stop, text.find(start) + 1)
            if 0 <= a < b:
                block = text[a:b] + ("</segment>" if stop == "</segment>" else "")
                at = b + (len("</segment>") if stop == "</segment>" else 0)
                return text[:at] + block * rng.choice([1, 2]) + text[at:]
        return text
    if op == 1:  # a time key: an odd epoch
        key = rng.choice(OEM_TIME_KEYS)
        epoch = rng.choice(fs.ODD_CCSDS_EPOCHS)
        found = re.search(rf"(?m)^{key}\s*=.*$|<{key}>[^<]*</{key}>", text)
        if found:
            new = f"{key} = {epoch}" if "=" in found.group(0) else f"<{key}>{epoch}</{key}>"
            return text[: found.start()] + new + text[found.end() :]
        return text.replace("META_STOP", f"{key} = {epoch}\nMETA_STOP", 1)
    if op == 2:  # a state's epoch odd
        rows = list(re.finditer(r"(?m)^\d{4}-\d{3}T\S+|<EPOCH>[^<]*</EPOCH>", text))
        if rows:
            m = rng.choice(rows)
            epoch = rng.choice(fs.ODD_CCSDS_EPOCHS)
            new = f"<EPOCH>{epoch}</EPOCH>" if m.group(0).startswith("<") else epoch
            return text[: m.start()] + new + text[m.end() :]
        return text
    if op == 3:  # a number of a state: huge, tiny, NaN, odd
        numbers = list(re.finditer(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", text))
        if numbers:
            m = rng.choice(numbers)
            value = rng.choice(["1e300", "1e308", "-1e308", "nan", "inf", "0", "1e-300",
                                "6378.137", "1e7", "9" * 400, "²"])
            return text[: m.start()] + value + text[m.end() :]
        return text
    if op == 4:  # time system, frame, centre, interpolation
        key = rng.choice(["TIME_SYSTEM", "REF_FRAME", "CENTER_NAME", "INTERPOLATION",
                          "INTERPOLATION_DEGREE", "OBJECT_ID", "OBJECT_NAME"])
        value = rng.choice(fs.OEM_VALUES + fs.ODD_STRINGS[:12])
        found = re.search(rf"(?m)^{key}\s*=.*$|<{key}>[^<]*</{key}>", text)
        if found:
            new = f"{key} = {value}" if "=" in found.group(0) else f"<{key}>{value}</{key}>"
            return text[: found.start()] + new + text[found.end() :]
        return text.replace("META_STOP", f"{key} = {value}\nMETA_STOP", 1)
    line = rng.choice([" Reboost  366:23:59:59.999  1.2  424.0  410.1",
                       " Reboost  999:99:99:99.000  1.2  424.0  410.1",
                       " Burn     001:00:00:00.000  1e308  1e308  -1e308",
                       " X  000:00:00:00.000  " + "9" * 400 + " 1 1"])
    if "<COMMENT>" in text:
        return text.replace("<COMMENT>End", f"<COMMENT>{line}</COMMENT><COMMENT>End", 1)
    return text.replace("COMMENT End", f"COMMENT {line}\nCOMMENT End", 1)


STRUCTURED: dict[str, list[Callable[[random.Random, str], str]]] = {
    "tle": [tle_mutation, tle_mutation, text_mutation],
    "omm-json": [json_mutation, json_mutation, text_mutation],
    "omm-csv": [csv_mutation, text_mutation],
    "omm-kvn": [kvn_mutation, text_mutation],
    "omm-xml": [xml_mutation, text_mutation],
    "oem": [oem_mutation, oem_mutation, kvn_mutation, xml_mutation, text_mutation],
}


def mutate(rng: random.Random, fmt: str, data: bytes, other: bytes) -> bytes:
    """1 to 4 changes: structured ones of the format, text ones, byte ones, a splice."""
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        kind = rng.random()
        if kind < 0.55:
            text = data.decode("utf-8", "replace")
            data = rng.choice(STRUCTURED[fmt])(rng, text).encode("utf-8", "surrogatepass")
        elif kind < 0.95:
            data = byte_mutation(rng, data)
        else:  # splice with another input
            a, b = rng.randrange(len(data) + 1), rng.randrange(len(other) + 1)
            data = data[:a] + other[b:]
    return data[:MAX_BYTES]


# -------------------------------------------------------------------------- targets
def chunks(rng: random.Random, data: bytes) -> list[bytes]:
    """The bytes cut at 0 to 3 random points (chunk boundaries anywhere)."""
    cuts = sorted({0, len(data), *(rng.randrange(len(data) + 1) for _ in range(rng.randrange(4)))})
    return [data[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def use(sets: list) -> None:
    """What the commands do with element sets read."""
    for es in sets:
        es.epoch  # noqa: B018 - a datetime, computed
        if not es.period_minutes > 0:
            raise AssertionError(f"period {es.period_minutes} of an accepted set")
        es.satrec()


def run_one(rng: random.Random, fmt: str, data: bytes) -> tuple[str, int]:
    """Feed one input to one way in: ('target', sets read). Raises what the reader raises."""
    way = rng.random()
    if fmt == "tle" and way < 0.15:
        text = data.decode("utf-8", "replace")
        lines = [ln for ln in text.split("\n") if ln[:2] in ("1 ", "2 ")] + ["", ""]
        es = parse_tle(lines[0], lines[1], rng.choice(["", "ISS", text[:80]]),
                       lenient=rng.random() < 0.5)
        use([es])
        return "parse_tle", 1
    if fmt == "tle" and way < 0.3:
        sets = read_tle(data.decode("utf-8", "replace"), lenient=rng.random() < 0.5)
        use(sets)
        return "read_tle", len(sets)
    if fmt == "oem" and way < 0.3:
        trajectory = read_oem(data.decode("utf-8", "replace"))
        trajectory.burns()
        return "read_oem", trajectory.states
    given = None if rng.random() < 0.5 else fmt
    result = read_chunks(chunks(rng, data), fmt=given, skip_bad=rng.random() < 0.5)
    use([r.elements for r in result.records])
    return "read_chunks" + ("" if given is None else f"[{given}]"), result.count


def zarya_frame(exc: BaseException) -> str:
    """``file.py:function:line`` of the innermost traceback frame inside src/zarya."""
    found = "outside zarya"
    for frame in traceback.extract_tb(exc.__traceback__):
        if str(Path(frame.filename).resolve()).startswith(ZARYA_DIR):
            found = f"{Path(frame.filename).name}:{frame.name}:{frame.lineno}"
    return found


# ---------------------------------------------------------------------------- run
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="stop after N inputs")
    parser.add_argument("--seconds", type=float, default=None, help="stop after S seconds")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed)")
    parser.add_argument("--out", default="/tmp/fuzz-crashes", help="folder for crashes")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated, of {', '.join(FORMATS)}")
    parser.add_argument("--replay", default=None, help="rerun one saved crash (.json)")
    parser.add_argument("--progress", type=float, default=30.0, help="seconds between lines")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(Path(args.replay))

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    formats = [f for f in args.formats.split(",") if f]
    corpus = fs.seed_corpus()
    pools: dict[str, list[bytes]] = {f: [t.encode("utf-8") for t in corpus[f]] for f in formats}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    crashes: Counter[str] = Counter()
    first: dict[str, dict] = {}
    outcome_counts: Counter[tuple[str, str]] = Counter()
    print(f"fuzz_long: seed {seed}, formats {', '.join(formats)}, out {out}", flush=True)
    warnings.simplefilter("error")  # as the test suite: a warning is a line on stderr
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    try:
        n = fuzz(rng, args, formats, pools, corpus, out, crashes, first, outcome_counts, start)
    except KeyboardInterrupt:
        n = -1
    elapsed = time.perf_counter() - start
    report(seed, N_DONE[0] if n < 0 else n, elapsed, formats, outcome_counts, crashes, first,
           pools)
    return 1 if crashes else 0


N_DONE = [0]


def fuzz(rng: random.Random, args: argparse.Namespace, formats: list[str],
         pools: dict[str, list[bytes]], corpus: dict[str, tuple[str, ...]], out: Path,
         crashes: Counter[str], first: dict[str, dict],
         outcome_counts: Counter[tuple[str, str]], start: float) -> int:
    """The loop: mutate, run, classify, keep; returns the number of inputs tried."""
    seen_outcomes: set[tuple[str, str]] = set()
    weights = [WEIGHTS[f] for f in formats]
    last_report = start
    n = 0
    while n < args.inputs:
        now = time.perf_counter()
        if args.seconds is not None and now - start >= args.seconds:
            break
        if now - last_report >= args.progress:
            last_report = now
            rate = n / (now - start)
            print(f"  {n:>9,} inputs  {now - start:7.0f} s  {rate:7.0f}/s  "
                  f"crashes {sum(crashes.values())} ({len(crashes)} distinct)", flush=True)
        fmt = rng.choices(formats, weights)[0]
        pool = pools[fmt]
        seeds = len(corpus[fmt])  # the real files, half the time; else one kept
        base = pool[rng.randrange(seeds)] if rng.random() < 0.5 else rng.choice(pool)
        other = rng.choice(pools[rng.choice(formats)])
        data = mutate(rng, fmt, base, other)
        n += 1
        N_DONE[0] = n
        sub = random.Random(rng.randrange(1 << 62))  # the target's choices, replayable
        sub_state = sub.getstate()
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
        try:
            target, count = run_one(sub, fmt, data)
            outcome = ("ok", f"{target}:{min(count, 3)}")
        except ZaryaError as exc:
            words = re.sub(r"\d+", "#", str(exc).rpartition("): ")[2] or str(exc))
            outcome = ("refused", f"{type(exc).__name__}:{words[:40]}")
        except (Exception, Timeout) as exc:  # noqa: BLE001 - a crash, whatever it is
            signal.setitimer(signal.ITIMER_REAL, 0)
            key = f"{type(exc).__name__} at {zarya_frame(exc)}"
            crashes[key] += 1
            outcome = ("crash", key)
            if key not in first:
                first[key] = save(out, key, fmt, data, sub_state, exc)
                print(f"  new crash: {key}  -> {first[key]['file']}", flush=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        outcome_counts[(fmt, outcome[0])] += 1
        if (fmt, outcome[1]) not in seen_outcomes:  # a new way to end: keep the input
            seen_outcomes.add((fmt, outcome[1]))
            if len(data) < 200_000:
                pool.append(data)
                if len(pool) > POOL_LIMIT:
                    del pool[len(corpus[fmt]) + rng.randrange(POOL_LIMIT - len(corpus[fmt]))]
    return n


def save(out: Path, key: str, fmt: str, data: bytes, state: object, exc: BaseException) -> dict:
    """The crashing input (.bin) and what is known of it (.json), named by its signature."""
    digest = hashlib.sha1(data).hexdigest()[:10]
    safe = "".join(c if c.isalnum() else "_" for c in key)[:80]
    name = f"{safe}-{digest}"
    (out / f"{name}.bin").write_bytes(data)
    info = {
        "signature": key,
        "format": fmt,
        "file": str(out / f"{name}.bin"),
        "last_line": traceback.format_exception_only(type(exc), exc)[-1].strip()[:500],
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[
            -6000:],
        "rng_state": state,
        "replay": f"python benchmarks/fuzz_long.py --replay {out / (name + '.json')}",
    }
    (out / f"{name}.json").write_text(json.dumps(info, indent=1))
    return info


def replay(path: Path) -> int:
    """Run a saved crash again (the same target and chunking) and print what happens."""
    info = json.loads(path.read_text())
    data = Path(info["file"]).read_bytes()
    rng = random.Random()
    version, internal, gauss = info["rng_state"]
    rng.setstate((version, tuple(internal), gauss))
    warnings.simplefilter("error")
    print(f"replaying {info['signature']} ({info['format']}, {len(data)} bytes)")
    try:
        target, count = run_one(rng, info["format"], data)
    except ZaryaError as exc:
        print(f"refused ({type(exc).__name__}): {exc}")
        return 0
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 1
    print(f"answered: {target} read {count}")
    return 0


def report(seed: int, n: int, elapsed: float, formats: list[str],
           outcomes: Counter[tuple[str, str]], crashes: Counter[str], first: dict[str, dict],
           pools: dict[str, list[bytes]]) -> None:
    print()
    print(f"seed {seed}: {n:,} inputs in {elapsed:.1f} s = {n / elapsed:,.0f} inputs/s "
          f"(one process)")
    print(f"{'format':<10} {'inputs':>10} {'answered':>10} {'refused':>10} {'crashed':>9} "
          f"{'kept':>6}")
    for f in formats:
        total = sum(v for (g, _), v in outcomes.items() if g == f)
        print(f"{f:<10} {total:>10,} {outcomes[(f, 'ok')]:>10,} {outcomes[(f, 'refused')]:>10,} "
              f"{outcomes[(f, 'crash')]:>9,} {len(pools[f]):>6}")
    if not crashes:
        print("no crash: every input was answered or refused with a ZaryaError")
        return
    print(f"{sum(crashes.values()):,} crashes, {len(crashes)} distinct:")
    for key, count in crashes.most_common():
        print(f"  {count:>8,}  {key}")
        print(f"            {first[key]['last_line'][:150]}")
        print(f"            {first[key]['replay']}")


if __name__ == "__main__":
    sys.exit(main())
