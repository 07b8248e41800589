"""Presentation of results: terminal tables (``table``), sky charts (``skychart``) and
world maps (``worldmap``) as PNG or SVG. Pictures import matplotlib lazily (Agg canvas,
no pyplot), so the command line starts fast."""

__all__: list[str] = []
