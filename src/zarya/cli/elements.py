"""``zarya elements``: the element store from the command line.

``import FILE...`` adds element files (TLE, 3LE, OMM JSON/CSV/XML/KVN, gzipped or not) in
one transaction; ``update`` fetches a CelesTrak group; ``magnitudes FILE`` imports standard
magnitudes (a qs.mag-style list); ``list`` shows the objects; ``show ID`` one object's
history. Each takes ``--db PATH`` (default: ``$ZARYA_HOME`` or the
user data directory) and ``--json``. Errors are :class:`~zarya.errors.ZaryaError`, which
``zarya.cli.main`` prints as one line (exit status 2).

Only typer is imported here at start-up: the store, the readers, rich and httpx are imported
inside the commands, so that ``zarya passes`` does not pay for them.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .options import JsonOpt, console, emit_json, say

__all__ = ["elements_app"]

elements_app = typer.Typer(
    name="elements",
    help="The element store: import files, update from CelesTrak, magnitudes, list, show.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store file (default: elements.sqlite in $ZARYA_HOME or the user data dir).",
    ),
]
SkipBadOpt = Annotated[
    bool,
    typer.Option("--skip-bad", help="Import the good records of a file, list the bad ones."),
]


def _age(days: float) -> str:
    return f"{days:.1f} d"


# ----------------------------------------------------------------------- import
@elements_app.command("import")
def import_(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Element files: TLE, 3LE, OMM JSON/CSV/XML/KVN, OEM trajectories (KVN or "
            "XML), gzipped or not."
        ),
    ],
    skip_bad: SkipBadOpt = False,
    norad_id: Annotated[
        int | None,
        typer.Option("--norad-id", help="The NORAD number of the object an OEM is about, "
                     "where the store cannot tell it from the file's designator."),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add element files and trajectories to the store: all of them, or (on any bad record)
    nothing."""
    from ..elements.store import open_store

    with open_store(db) as store:
        summaries = store.import_files(files, skip_bad=skip_bad, norad_id=norad_id)
        total_sets, path = store.count(), str(store.path)
    report = {
        "store": path,
        "files": [
            {
                "source": s.source,
                "format": s.format,
                "read": s.read,
                "added": s.added,
                "duplicates": s.duplicates,
                "bad": [{"record": b.number, "line": b.line, "error": b.message} for b in s.bad],
                **({"trajectories": s.trajectories, "new_trajectories": s.new_trajectories}
                   if s.trajectories else {}),
            }
            for s in summaries
        ],
        "added": sum(s.added for s in summaries),
        "sets_in_store": total_sets,
    }
    if as_json:
        emit_json(report)
        return
    for s in summaries:
        for b in s.bad:
            sys.stderr.write(f"zarya: skipped: {s.source}: {' '.join(b.message.split())}\n")
    for s in summaries:
        if s.trajectories:
            say(f"{s.source}: a trajectory (OEM), "
                + ("new" if s.new_trajectories else "already in the store"))
            continue
        skipped = f", {len(s.bad)} bad records skipped" if s.bad else ""
        say(
            f"{s.source}: {s.read} sets ({s.format}), {s.added} new, "
            f"{s.duplicates} already in the store{skipped}"
        )
    say(f"{report['added']} sets added; {path} holds {total_sets} sets")


# ----------------------------------------------------------------------- update
@elements_app.command()
def update(
    group: Annotated[
        str,
        typer.Option("--group", help="CelesTrak group: stations, visual, active, weather, ..."),
    ] = "stations",
    url: Annotated[
        str | None,
        typer.Option("--url", help="Fetch this URL instead (any supported element format)."),
    ] = None,
    source: Annotated[
        str,
        typer.Option("--source", help="celestrak (element sets, the default) or nasa-iss "
                     "(NASA's ISS trajectory, an OEM)."),
    ] = "celestrak",
    force: Annotated[
        bool, typer.Option("--force", help="Fetch even if the last fetch is under 2 hours old.")
    ] = False,
    skip_bad: SkipBadOpt = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", help="Give up on an unanswered request after this, s (at most 300)."
        ),
    ] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", help="Tries after a failed one (with back-off), 0 to 10.")
    ] = 3,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch current elements from CelesTrak, or NASA's ISS trajectory (at most once per
    source every 2 hours)."""
    from ..elements import fetch
    from ..elements.store import open_store

    # bad options and URLs fail before the store is opened (or created)
    default = fetch.NASA_ISS_OEM_URL if source == "nasa-iss" else fetch.group_url(group)
    fetch.check_request(url or default, timeout_s=timeout, retries=retries)
    with open_store(db) as store:
        result = fetch.update(
            store,
            group=group,
            url=url,
            force=force,
            skip_bad=skip_bad,
            timeout_s=timeout,
            retries=retries,
            source=source,
        )
    if as_json:
        emit_json(result.as_dict())
        return
    if result.status == "too-soon":
        import time

        assert result.fetched_at is not None and result.next_allowed_at is not None
        ago = (time.time() - result.fetched_at) / 60.0
        wait = max(0.0, result.next_allowed_at - time.time()) / 60.0
        say(
            f"nothing fetched: {result.url} was fetched {ago:.0f} min ago and CelesTrak asks "
            f"for at most one fetch every 2 hours; the next is allowed at "
            f"{fetch.iso_unix(result.next_allowed_at)} (in {wait:.0f} min), or use --force"
        )
    elif result.status == "not-modified":
        say(f"{result.url}: not modified since the last fetch; nothing to import")
    elif result.trajectories:
        say(f"{result.url}: a trajectory (OEM), "
            + ("new" if result.new_trajectories else "already in the store"))
    else:
        skipped = f", {result.bad} bad records skipped" if result.bad else ""
        say(
            f"{result.url}: {result.read} sets of {result.objects} objects, "
            f"{result.added} new{skipped}"
        )


# ------------------------------------------------------------------------- list
@elements_app.command("list")
def list_(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Every object in the store: sets held, newest epoch and its age."""
    from ..elements.store import age_days, open_store
    from ..engine.timescale import utc_now

    now = utc_now()
    with open_store(db) as store:
        objects, path = store.objects(), str(store.path)
    rows: list[dict[str, Any]] = [
        {
            "norad_id": o.norad_id,
            "name": o.name,
            "sets": o.sets,
            "newest_epoch": o.newest_epoch,
            "age_days": round(age_days(o.newest_epoch_jd, now), 2),
        }
        for o in objects
    ]
    if as_json:
        emit_json({"store": path, "objects": rows})
        return
    from rich import box
    from rich.table import Table

    # the store's path on a line of its own, whole: as the table's title rich wrapped it to
    # the table's width, anywhere in the path or between the count and "objects"
    say(f"{path}: {len(rows)} objects")
    table = Table(header_style="bold", box=box.SIMPLE)
    for column, justify in (
        ("NORAD", "right"),
        ("Name", "left"),
        ("Sets", "right"),
        ("Newest epoch (UTC)", "left"),
        ("Age", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(
            str(r["norad_id"]),
            r["name"],
            str(r["sets"]),
            r["newest_epoch"][:19] + "Z",
            _age(r["age_days"]),
        )
    console(highlight=False).print(table)


# ------------------------------------------------------------------------- show
@elements_app.command()
def magnitudes(
    file: Annotated[str, typer.Argument(help="A qs.mag-style list: NORAD number, magnitude.")],
    convention: Annotated[
        str,
        typer.Option("--convention", help="What the list gives: standard (1000 km, phase 90 "
                     "degrees) or intrinsic (1000 km, full phase)."),
    ] = "standard",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import standard magnitudes per object (all of the list, or on any bad line nothing):
    passes of those objects then show how bright they are."""
    from ..elements.store import open_store

    with open_store(db) as store:
        n = store.import_magnitudes(file, convention)
        path = str(store.path)
    if as_json:
        emit_json({"store": path, "source": file, "convention": convention, "objects": n})
        return
    say(f"{file}: {n} standard magnitudes ({convention}) in {path}")


@elements_app.command()
def show(
    sat: Annotated[str, typer.Argument(help="NORAD number or name (case-insensitive prefix).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One object's element history (epochs, ages, revolution numbers, sources) and its
    trajectories (spans, planned events)."""
    from ..elements.schema import iso_from_jd
    from ..elements.store import age_days, open_store
    from ..engine.timescale import utc_now

    now = utc_now()
    from ..engine.satellite import BUILTIN_STD_MAGNITUDES

    with open_store(db) as store:
        norad_id = store.resolve(sat)
        history, name = store.history(norad_id), store.name(norad_id)
        trajectories = store.trajectory_rows(norad_id)
        stored = store.std_magnitude(norad_id)
    builtin = BUILTIN_STD_MAGNITUDES.get(norad_id)
    brightness = (
        {"std_magnitude": stored[0], "source": stored[1]} if stored is not None
        else {"std_magnitude": builtin, "source": "built-in" if builtin is not None else None}
    )
    rows: list[dict[str, Any]] = [
        {
            "epoch": iso_from_jd(*h.elements.epoch_jd),
            "age_days": round(age_days(h.elements.epoch_jd_total, now), 2),
            "rev_number": h.elements.rev_number,
            "element_set_no": h.elements.element_set_no,
            "format": h.format,
            "source": h.elements.source,
            "imported_at": h.imported_at,
            "original": h.original,
        }
        for h in history
    ]
    tracks = [
        {
            "creation": t.creation, "originator": t.originator, "start": t.start, "end": t.stop,
            "states": t.states, "object_id": t.object_id, "format": t.format,
            "source": t.source, "imported_at": t.imported_at, "planned_events": t.events,
        }
        for t in trajectories
    ]
    if as_json:
        emit_json({"norad_id": norad_id, "name": name, "magnitude": brightness, "sets": rows,
                   "trajectories": tracks})
        return
    from rich import box
    from rich.table import Table

    out = console(highlight=False)
    if brightness["std_magnitude"] is None:
        out.print(f"{name}: standard magnitude unknown (zarya elements magnitudes FILE)")
    else:
        out.print(f"{name}: standard magnitude {brightness['std_magnitude']:+.1f} "
                  f"({brightness['source']})")
    if tracks:
        _print_trajectories(out, name, norad_id, tracks)
    if not rows:
        return
    table = Table(
        header_style="bold", box=box.SIMPLE, title=f"{name} (NORAD {norad_id}): {len(rows)} sets"
    )
    for column, justify in (
        ("Epoch (UTC)", "left"),
        ("Age", "right"),
        ("Rev", "right"),
        ("Set", "right"),
        ("Format", "left"),
        ("Imported", "left"),
        ("Source", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=column != "Source", overflow="fold")  # type: ignore[arg-type]
    for r in rows:
        table.add_row(
            r["epoch"][:19] + "Z",
            _age(r["age_days"]),
            str(r["rev_number"]),
            str(r["element_set_no"]),
            r["format"],
            r["imported_at"][:10],
            r["source"],
        )
    out.print(table)


def _print_trajectories(out: Any, name: str, norad_id: int,
                        tracks: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.table import Table

    table = Table(header_style="bold", box=box.SIMPLE,
                  title=f"{name} (NORAD {norad_id}): {len(tracks)} trajectories")
    for column in ("Created (UTC)", "From", "To", "States", "By", "Planned events", "Source"):
        table.add_column(column, overflow="fold")
    for t in tracks:
        events = "; ".join(
            f"{e['name']} {e['time'][5:16].replace('T', ' ')}"
            + (f" ({e['delta_v_m_s']:g} m/s)" if e["delta_v_m_s"] else "")
            for e in t["planned_events"]
        ) or "-"
        table.add_row(t["creation"][:16].replace("T", " "), t["start"][:16].replace("T", " "),
                      t["end"][:16].replace("T", " "), str(t["states"]), t["originator"],
                      events, t["source"])
    out.print(table)
