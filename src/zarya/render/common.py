"""Plumbing shared by the pictures: figures without pyplot, label placement, atomic saves.

Matplotlib is imported inside the functions here (never at import time), so that commands
that draw nothing start without it. Figures are built as :class:`matplotlib.figure.Figure`
with an Agg canvas attached, never through pyplot: no global figure registry, no GUI
backend, safe to build in a web worker.

Sizes: a figure is ``width_px`` x ``height_px`` pixels at ``dpi`` (1200 x 800 at 100 by
default); font sizes are in points (1 pt = dpi / 72 px), none below :data:`MIN_FONT_PT`.
Positions given in pixels are converted to figure fractions, so an SVG (which matplotlib
writes at 72 dpi) has the same layout as the PNG.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import RenderError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = [
    "DPI",
    "FONT",
    "HEIGHT_PX",
    "MIN_FONT_PT",
    "MONO",
    "PICTURE_FORMATS",
    "WIDTH_PX",
    "LabelPlacer",
    "RenderError",
    "TextColumn",
    "check_output",
    "figure_bytes",
    "figure_svg",
    "fit_width",
    "new_figure",
    "overlapping_texts",
    "picture_format",
    "px_rect",
    "rc_context",
    "ring_offsets",
    "save_figure",
    "text_boxes",
]

WIDTH_PX = 1200
HEIGHT_PX = 800
DPI = 100
MIN_FONT_PT = 10.0
PICTURE_FORMATS = ("png", "svg")
FONT = "DejaVu Sans"  # ships with matplotlib: every glyph used here is in it
MONO = "DejaVu Sans Mono"

# rcParams in force while a figure is built and saved (a context, never set globally)
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.monospace": [MONO],
    "font.size": 11.0,
    "axes.unicode_minus": True,
    "svg.fonttype": "path",  # glyphs as paths: the SVG looks the same without the font
    "svg.hashsalt": "zarya",  # stable element ids: the same picture gives the same text
    "path.simplify": True,
}


def rc_context() -> Any:
    """The rcParams context under which zarya builds and saves figures."""
    import matplotlib

    return matplotlib.rc_context(_RC)


def picture_format(path: str | os.PathLike[str]) -> str:
    """``"png"`` or ``"svg"`` from a file name's suffix; :class:`RenderError` otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PICTURE_FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise RenderError(
            f"cannot write {os.fspath(path)!r}: unknown picture format ({shown}); expected a "
            "file name ending in .png or .svg"
        )
    return suffix


def check_output(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """Check before any work that ``path`` can be written: (path, format).

    The format must be PNG or SVG and the folder must exist and be writable; an existing
    folder of that name is refused too. Raises :class:`RenderError`.
    """
    fmt = picture_format(path)
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise RenderError(f"cannot write {os.fspath(path)!r}: the folder {str(parent)!r} "
                          "does not exist")
    if out.is_dir():
        raise RenderError(f"cannot write {os.fspath(path)!r}: it is a folder")
    if not os.access(parent, os.W_OK):
        raise RenderError(f"cannot write {os.fspath(path)!r}: the folder {str(parent)!r} "
                          "is not writable")
    return out, fmt


def new_figure(width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX, dpi: int = DPI) -> Figure:
    """An empty figure of ``width_px`` x ``height_px`` pixels with an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def px_rect(fig: Figure, x0: float, y0: float, width: float, height: float) -> list[float]:
    """A rectangle given in pixels from the bottom left, as figure fractions."""
    w, h = fig.bbox.width, fig.bbox.height
    return [x0 / w, y0 / h, width / w, height / h]


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The picture as PNG or SVG bytes (at the figure's own size)."""
    if fmt not in PICTURE_FORMATS:
        raise RenderError(f"unknown picture format {fmt!r}: expected png or svg")
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "zarya"}
    with rc_context():
        fig.savefig(buf, format=fmt, dpi=fig.dpi, metadata=metadata)
    return buf.getvalue()


def figure_svg(fig: Figure) -> str:
    """The picture as SVG text (for the web page)."""
    return figure_bytes(fig, "svg").decode("utf-8")


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write the figure to ``path`` (PNG or SVG by its suffix), atomically.

    The picture is rendered to memory, written to a temporary file in the same folder and
    moved into place with :func:`os.replace`: a reader never sees half a file, and on any
    error nothing is left behind (an older file of that name stays as it was).
    """
    out, fmt = check_output(path)
    data = figure_bytes(fig, fmt)
    parent = out.parent if str(out.parent) else Path(".")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=parent)
        os.fchmod(fd, _new_file_mode())  # mkstemp makes 0600; give what open() would
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise RenderError(
            f"cannot write {os.fspath(path)!r}: {exc.strerror or exc}"
        ) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return out


_MODE: list[int] = []


def _new_file_mode() -> int:
    """0666 less the process's umask (read once), the mode a plain open() would give."""
    if not _MODE:
        mask = os.umask(0o022)
        os.umask(mask)
        _MODE.append(0o666 & ~mask)
    return _MODE[0]


# ------------------------------------------------------------------ label placement
class LabelPlacer:
    """Greedy placement of text labels so that no two overlap, in display pixels.

    Obstacles (text already placed, lines, markers) are kept as boxes ``(x0, y0, x1, y1)``.
    :meth:`place` tries candidate offsets around an anchor in order and keeps the first
    whose text box, padded by ``pad_px``, touches no obstacle and lies inside ``bounds``.
    The figure must not change size while labels are placed.
    """

    def __init__(
        self, fig: Figure, *, bounds: Sequence[float] | None = None, pad_px: float = 2.0
    ) -> None:
        self.fig = fig
        self.renderer = fig.canvas.get_renderer()
        self.pad_px = pad_px
        w, h = fig.bbox.width, fig.bbox.height
        self.bounds = tuple(bounds) if bounds is not None else (0.0, 0.0, w, h)
        self.boxes = np.zeros((0, 4))

    # obstacles ---------------------------------------------------------------
    def block(self, boxes: np.ndarray) -> None:
        """Add obstacle boxes, ``(K, 4)`` pixels: x0, y0, x1, y1."""
        b = np.asarray(boxes, dtype=float).reshape(-1, 4)
        self.boxes = np.concatenate((self.boxes, b))

    def block_artists(self, artists: Iterable[Any]) -> None:
        """Add the window extents of artists (texts, legends, patches)."""
        for a in artists:
            bb = a.get_window_extent(self.renderer)
            self.block(np.array([[bb.x0, bb.y0, bb.x1, bb.y1]]))

    def block_polyline(self, xy_px: np.ndarray, half_width_px: float) -> None:
        """Add a drawn line (``(K, 2)`` pixels, NaN breaks it) as small boxes along it."""
        xy = np.asarray(xy_px, dtype=float)
        pts = []
        for a, b in zip(xy[:-1], xy[1:], strict=True):
            if not (np.isfinite(a).all() and np.isfinite(b).all()):
                continue
            n = max(1, int(np.ceil(np.hypot(*(b - a)) / max(half_width_px, 1.0))))
            f = np.linspace(0.0, 1.0, n + 1)[:, None]
            pts.append(a + f * (b - a))
        if len(xy) == 1 and np.isfinite(xy).all():
            pts.append(xy)
        if pts:
            p = np.concatenate(pts)
            hw = half_width_px
            self.block(np.column_stack((p[:, 0] - hw, p[:, 1] - hw, p[:, 0] + hw, p[:, 1] + hw)))

    def fits(self, box: Sequence[float]) -> bool:
        """Whether a box (pixels) is inside the bounds and clear of every obstacle."""
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return False
        p = self.pad_px
        b = self.boxes
        hit = (b[:, 0] < x1 + p) & (b[:, 2] > x0 - p) & (b[:, 1] < y1 + p) & (b[:, 3] > y0 - p)
        return not bool(hit.any())

    # labels ------------------------------------------------------------------
    def text_size(self, text: str, **kw: Any) -> tuple[float, float]:
        """Width and height (pixels) that ``text`` takes with these text properties."""
        t = self.fig.text(0.5, 0.5, text, ha="center", va="center", parse_math=False, **kw)
        bb = t.get_window_extent(self.renderer)
        t.remove()
        return bb.width, bb.height

    def place(
        self,
        text: str,
        anchor_px: Sequence[float],
        offsets_px: Iterable[Sequence[float]],
        **kw: Any,
    ) -> Text | None:
        """Put ``text`` centred at the first free ``anchor + offset``; None if none is free.

        ``kw`` are text properties (fontsize, color, ...). The placed text becomes an
        obstacle for the labels placed after it.
        """
        w, h = self.text_size(text, **kw)
        ax_, ay_ = float(anchor_px[0]), float(anchor_px[1])
        for dx, dy in offsets_px:
            cx, cy = ax_ + dx, ay_ + dy
            box = (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
            if self.fits(box):
                return self.put(text, (cx, cy), **kw)
        return None

    def put(self, text: str, centre_px: Sequence[float], **kw: Any) -> Text:
        """Put ``text`` centred at ``centre_px`` unconditionally, and block its box."""
        fw, fh = self.fig.bbox.width, self.fig.bbox.height
        t = self.fig.text(
            centre_px[0] / fw, centre_px[1] / fh, text, ha="center", va="center",
            parse_math=False, **kw,
        )
        bb = t.get_window_extent(self.renderer)
        self.block(np.array([[bb.x0, bb.y0, bb.x1, bb.y1]]))
        return t


class TextColumn:
    """Texts stacked downwards from ``top_px`` at ``x_px``, each fitted to the figure's
    width less ``right_px`` (:func:`fit_width`); ``y`` is where the next one starts."""

    def __init__(self, fig: Any, x_px: float, top_px: float, right_px: float,
                 color: str) -> None:
        self.fig = fig
        self.x_px = x_px
        self.y = top_px
        self.right_px = right_px
        self.color = color
        self.renderer = fig.canvas.get_renderer()
        self.texts: list[Any] = []

    def add(self, text: str, gap: float, **kw: Any) -> Any:
        W, H = self.fig.bbox.width, self.fig.bbox.height
        kw.setdefault("color", self.color)
        t = self.fig.text(self.x_px / W, self.y / H, text, ha="left", va="top",
                          parse_math=False, **kw)
        fit_width(t, W - self.right_px - self.x_px, self.renderer)
        self.y = t.get_window_extent(self.renderer).y0 - gap
        self.texts.append(t)
        return t


def fit_width(t: Any, width_px: float, renderer: Any) -> None:
    """Make a text no wider than ``width_px``: a font up to a fifth smaller (never under
    the minimum), then lines wrapped at spaces."""
    import textwrap

    size = float(t.get_fontsize())
    smallest = max(MIN_FONT_PT, 0.8 * size)
    while t.get_window_extent(renderer).width > width_px and size > smallest:
        size = max(smallest, size - 1.0)
        t.set_fontsize(size)
    extent = t.get_window_extent(renderer).width
    if extent > width_px:
        lines = t.get_text().split("\n")
        longest = max(len(line) for line in lines)
        chars = max(8, int(longest * width_px / extent))
        t.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def ring_offsets(
    distances_px: Sequence[float], n_directions: int = 16, first_deg: float = 0.0
) -> list[tuple[float, float]]:
    """Candidate offsets on circles of the given radii, ``n_directions`` each (pixels)."""
    out = []
    for d in distances_px:
        for k in range(n_directions):
            a = np.radians(first_deg + 360.0 * k / n_directions)
            out.append((d * float(np.cos(a)), d * float(np.sin(a))))
    return out


def text_boxes(fig: Figure) -> list[tuple[Any, Any]]:
    """(Text, window extent) of every visible, non-empty text of a drawn figure.

    Draws the figure first, so that axis tick labels have their final positions.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and _drawn(t):
            out.append((t, t.get_window_extent(renderer)))
    return out


def _drawn(artist: Any) -> bool:
    """Whether the artist's axes (if any) is visible too."""
    ax = getattr(artist, "axes", None)
    return ax is None or ax.get_visible()


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (empty for a readable picture)."""
    boxes = text_boxes(fig)
    out = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i][1], boxes[j][1]
            if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1:
                out.append((boxes[i][0].get_text(), boxes[j][0].get_text()))
    return out
