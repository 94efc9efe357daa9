"""Which screen the kiosk is on: the four designed layouts and how one is chosen.

Bank lobby kiosks come as landscape 1280x800 and 1920x1080 and portrait
1080x1920 and 800x1280 touch screens. Each `Layout` says how the greeter is
laid out there: landscape puts the outcome beside the conversation and the
"just ask" column beside the tiles, portrait stacks them; how many service
tiles a page holds (columns x rows), in normal and in elderly-friendly mode
(at most four tiles, so a page never offers more than six choices with
"Just ask" and "More"); and `scale`, how much larger type and spacing are
than on the 1280x800 / 800x1280 design (a 1920x1080 panel of the same
physical size shows everything 1.35x).

`choose_layout` picks from the screen's size, or from the configuration
(`kiosk.orientation`, `kiosk.resolution`). The window always gets exactly
the screen's (or the configured) size: the layout decides what fits in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MIN_TOUCH_PX = 60  # 15 mm on a 21.5" 1920x1080 panel (0.248 mm a pixel): the smallest target a finger hits


class Orientation(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"


@dataclass(frozen=True, slots=True)
class Layout:
    """One designed layout, at the size the window really has (`width` x `height`)."""

    name: str  # the designed resolution, "1280x800"
    width: int
    height: int
    tile_grid: tuple[int, int]  # service tiles a page holds: columns, rows
    elderly_grid: tuple[int, int]  # the same in elderly-friendly mode (at most 4 tiles)

    @property
    def orientation(self) -> Orientation:
        """The design's (`kiosk.orientation` may put a landscape design on a portrait screen, or back)."""
        design_w, design_h = parse_resolution(self.name)
        return Orientation.LANDSCAPE if design_w >= design_h else Orientation.PORTRAIT

    @property
    def landscape(self) -> bool:
        return self.orientation is Orientation.LANDSCAPE

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def scale(self) -> float:
        """Type and spacing relative to the base design of this orientation (1280x800 or 800x1280)."""
        base_w, base_h = (1280, 800) if self.landscape else (800, 1280)
        return round(max(0.75, min(self.width / base_w, self.height / base_h)), 3)

    def grid(self, elderly: bool) -> tuple[int, int]:
        return self.elderly_grid if elderly else self.tile_grid

    def page_size(self, elderly: bool) -> int:
        columns, rows = self.grid(elderly)
        return columns * rows

    def at(self, width: int, height: int) -> Layout:
        """This design at another window size (a 1366x768 screen uses the 1280x800 design)."""
        return Layout(self.name, width, height, self.tile_grid, self.elderly_grid)


LAYOUTS: tuple[Layout, ...] = (
    Layout("1280x800", 1280, 800, tile_grid=(3, 3), elderly_grid=(2, 2)),
    Layout("1920x1080", 1920, 1080, tile_grid=(3, 3), elderly_grid=(2, 2)),
    Layout("1080x1920", 1080, 1920, tile_grid=(2, 5), elderly_grid=(2, 2)),
    Layout("800x1280", 800, 1280, tile_grid=(2, 4), elderly_grid=(1, 4)),
)
LAYOUT_NAMES = tuple(layout.name for layout in LAYOUTS)


def parse_resolution(text: str) -> tuple[int, int]:
    """'1080x1920' -> (1080, 1920); ValueError otherwise."""
    width, sep, height = text.strip().lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) <= 0 or int(height) <= 0:
        raise ValueError(f"not a resolution like 1080x1920: {text!r}")
    return int(width), int(height)


def layout_named(name: str) -> Layout:
    """One of the four designed layouts by its resolution ('1080x1920'); ValueError for any other."""
    for layout in LAYOUTS:
        if layout.name == name.strip().lower():
            return layout
    raise ValueError(f"no designed layout {name!r}: one of {', '.join(LAYOUT_NAMES)}")


def choose_layout(screen: tuple[int, int], orientation: str = "auto", resolution: str = "") -> Layout:
    """The layout for a screen of `screen` (width, height) pixels.

    `resolution` ("WxH") replaces the screen's size, but never grows past it in either direction;
    `orientation` ("landscape"/"portrait") restricts the designs to that family, "auto" takes the
    screen's. Of the family, the design nearest in size is used at the window's real size.
    """
    width, height = screen
    if resolution:
        wanted_w, wanted_h = parse_resolution(resolution)
        width, height = min(wanted_w, width), min(wanted_h, height)
    if orientation == "auto":
        family = Orientation.LANDSCAPE if width >= height else Orientation.PORTRAIT
    else:
        family = Orientation(orientation)
    candidates = [layout for layout in LAYOUTS if layout.orientation is family]
    nearest = min(candidates, key=lambda layout: abs(layout.width - width) + abs(layout.height - height))
    return nearest.at(width, height)
