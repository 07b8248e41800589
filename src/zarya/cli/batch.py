"""``zarya batch``: visible passes for many places at once, written to a file."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from ..errors import param
from .app import app
from .options import (
    BrighterOpt,
    DarkLimitOpt,
    DaysOpt,
    ElementsOpt,
    ExtinctionOpt,
    FromOpt,
    JsonOpt,
    MinElevationOpt,
    RulesOpt,
    SatOpt,
    ShadowOpt,
    SkyOpt,
    StaleOpt,
    SunLimitOpt,
    console,
    visible_options,
    warn,
)

__all__ = ["MAX_BATCH_DAYS", "batch"]

MAX_BATCH_DAYS = 31.0


@app.command()
def batch(
    places: Annotated[
        str | None, typer.Option("--places", help="CSV file with name, lat, lon[, alt_m].")
    ] = None,
    cities: Annotated[
        int | None, typer.Option("--cities", help="The N most populous cities of the gazetteer.")
    ] = None,
    start: FromOpt = "now",
    days: DaysOpt = 1.0,
    visible: Annotated[
        bool, typer.Option("--visible", help="Only passes visible to the naked eye.")
    ] = False,
    out: Annotated[
        str, typer.Option("--out", help="Output file: .parquet, .arrow, .csv or .jsonl.")
    ] = "",
    workers: Annotated[
        int | None, typer.Option("--workers", help="Start a Dask LocalCluster of N processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Use the Dask scheduler at ADDRESS.")
    ] = None,
    threads: Annotated[
        int | None, typer.Option("--threads", help="Threads of this process (default: the "
                                 "CPUs, at most 4); not with --workers or --scheduler.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Places per task.")
    ] = 1000,
    min_elevation: MinElevationOpt = 10.0,
    sun_limit: SunLimitOpt = -6.0,
    rules: RulesOpt = "zarya",
    shadow_height_km: ShadowOpt = None,
    brighter_than: BrighterOpt = None,
    against_sky: SkyOpt = False,
    limiting_magnitude: DarkLimitOpt = None,
    extinction: ExtinctionOpt = None,
    sat: SatOpt = None,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Passes for many places (a places file or the largest cities), to Parquet/CSV/JSONL."""
    from pathlib import Path

    from .. import batch as engine
    from ..engine.timescale import Window, parse_instant
    from ..errors import BatchError
    from ..reports.satellites import load_satellite, many_objects

    if (places is None) == (cities is None):
        raise BatchError("give exactly one of --places FILE or --cities N")
    if workers is not None and scheduler is not None:
        raise BatchError("give --workers N or --scheduler ADDRESS, not both")
    if threads is not None and (workers is not None or scheduler is not None):
        raise BatchError("--threads is for a run in this process: give it without "
                         "--workers or --scheduler")
    if threads is not None and threads < 1:
        raise BatchError(f"--threads must be at least 1, got {threads}")
    if not out:
        raise BatchError("say where to write: --out FILE.parquet|.csv|.jsonl")
    if chunk_size < 1:
        raise BatchError(f"--chunk-size must be at least 1, got {chunk_size}")
    options = visible_options(
        rules, min_elevation=min_elevation, sun_limit=sun_limit,
        shadow_height_km=shadow_height_km, brighter_than=brighter_than,
        against_sky=against_sky, limiting_magnitude=limiting_magnitude, extinction=extinction,
    )
    if scheduler is not None:
        engine.check_scheduler_address(scheduler)
    out_path = Path(out)
    engine.check_output_path(out_path)
    if places is not None:
        engine.check_not_input(out_path, Path(places))
    window = Window.days(parse_instant(start), days, max_days=MAX_BATCH_DAYS)
    objects = None
    if sat is not None and many_objects(sat, elements):
        objects, warnings = _objects(sat, elements, window, allow_stale)
    else:
        satellite = load_satellite(sat, elements_file=elements)
        warnings = satellite.check_age(window, allow_stale=allow_stale)
        from ..reports.passes import brightness_warnings

        warnings += brightness_warnings(satellite, options)
    if places is not None:
        where = engine.read_places(places)
    else:
        assert cities is not None
        where = engine.city_places(cities)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    err = Console(stderr=True)
    warn(err, warnings)
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("places" if objects is None else "objects x places",
                            total=len(where) * (1 if objects is None else len(objects)))
        kw: dict[str, Any] = {
            "visible_only": visible, "chunk_size": chunk_size, "workers": workers,
            "scheduler": scheduler, "threads": threads,
            "progress": lambda done, total: bar.update(task, completed=done),
        }
        if objects is None:
            chunks = engine.iter_chunks(
                [*satellite.elements, *satellite.trajectories], satellite.std_magnitude,
                window, options, where, **kw)
        else:
            chunks = engine.iter_object_chunks(objects, window, options, where, **kw)
        counts = engine.write_stream(chunks, out_path, objects=objects is not None)
    info = {"places": len(where), "days": days, **counts, "out": str(out_path),
            "warnings": warnings}
    if objects is not None:
        info = {"objects": len(objects), **info}
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    console().print(
        f"{info['passes']} passes ({info['visible_passes']} visible) for "
        f"{info['places_with_passes']} of {info['places']} places over {days:g} days "
        f"-> {out_path}",
        highlight=False,
    )


def _objects(sat: str, elements: str | None, window: Any, allow_stale: bool
             ) -> tuple[list[tuple[int, str, list[Any], float | None]], list[str]]:
    """``--sat all``, a group or a list: (NORAD number, name, sources, standard magnitude)
    of each object recent enough for the window, and the warnings about the others."""
    from ..errors import OptionError
    from ..reports.satellites import ManyObjects, object_sets
    by_object, mags = object_sets(sat, elements)
    chosen = ManyObjects(by_object, window, allow_stale=allow_stale, std_magnitudes=mags)
    objects = [(s.norad_id, s.name, [*s.elements, *s.trajectories], s.std_magnitude)
               for s in chosen.satellites()]
    if not objects:
        raise OptionError(
            f"{param('sat')} {sat!r} leaves no object to compute over the window"
            + (f" ({'; '.join(chosen.warnings())})" if chosen.warnings() else ""),
            parameter="sat", value=sat)
    return objects, chosen.warnings()
