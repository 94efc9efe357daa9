"""The kiosk's look: one Qt stylesheet for every layout, mode and language.

`stylesheet(theme, font_families)` builds the sheet the window applies. A
`Theme` is the layout's `scale` (1920x1080 shows everything 1.35x the
1280x800 design), the branch's one `accent` colour (branch.yml
`kiosk.theme.accent`) and two switches:

* `large_text` — the elderly-friendly mode: every font size, touch target
  and spacing x1.4 (the layouts reflow: fewer tiles a page, nothing grows
  the window), black text on white, borders and pictograms in the accent
  darkened to at least 7:1 on white (WCAG AAA).
* `high_contrast` — white and yellow on black with thick borders, every
  text colour at least 4.5:1 against its background and every border at
  least 3:1 (WCAG 2.1 AA, 1.4.3 and 1.4.11). The two combine.

Text on the accent is white or black, whichever reads better; where the
accent itself is text or a pictogram on white it is darkened until it reads
(4.5:1, 7:1 in elderly mode). Sizes follow one spacing scale (`SPACING`).
Pass the catalog's `font_families` so Chinese text uses a CJK face.

Object names styled here (keep them when widgets are rebuilt): greeting,
micButton, messageInput, bubble_customer / _assistant / _system, bubbleText,
ticketCard, routeCard, ticketNumber, ticketService, routeName, hubBanner,
statusLine, attractScreen, homeScreen, bigMicButton, conversationScreen,
appointmentCard, checkInCard, staffCard, levelMeter, partialTranscript,
langButton, helpBar, buttonText, tileText, panelIcon, waitsBoard; the toggles
carry the property a11y=true, tiles tile=true, filled buttons primary=true,
pictograms pictogram=true.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BASE_TOUCH_HEIGHT = 64  # px: the smallest button a finger hits reliably on a kiosk
MIN_TOUCH_HEIGHT = 60  # px: never smaller, whatever the scale (15 mm on a 21.5" 1080p panel)
LARGE_TEXT_PERCENT = 140  # large text: every font size and touch target x 1.4
AA_TEXT_CONTRAST = 4.5  # WCAG 2.1 AA, normal-size text
AAA_TEXT_CONTRAST = 7.0  # WCAG 2.1 AAA: elderly-friendly mode
AA_NON_TEXT_CONTRAST = 3.0  # WCAG 2.1 AA, borders and other UI components
SPACING = (4, 8, 12, 16, 24, 32)  # px at scale 1: the one spacing scale (margins, gaps)
DEFAULT_ACCENT = "#1f5fa8"

SCREENS = ("homeScreen", "conversationScreen", "appointmentCard", "checkInCard", "staffCard")

# High contrast: the only colours the sheet uses.
BLACK = "#000000"
WHITE = "#ffffff"
YELLOW = "#ffff00"
CYAN = "#00ffff"
DIM = "#b3b3b3"  # disabled text and borders on black: 10:1, still readable
# The light schemes.
PAGE = "#f4f6fa"
INK = "#1a1a1a"
SOFT_INK = "#4d4d4d"


@dataclass(frozen=True, slots=True)
class Theme:
    large_text: bool = False  # the elderly-friendly mode
    high_contrast: bool = False
    scale: float = 1.0  # the layout's: 1.35 on 1920x1080 and 1080x1920
    accent: str = DEFAULT_ACCENT

    @property
    def scale_percent(self) -> int:
        return LARGE_TEXT_PERCENT if self.large_text else 100

    def px(self, size: int) -> int:
        """`size` scaled for this theme and layout, rounded up (so large text is never under 1.4x)."""
        return -(-round(size * self.scale * 1000) * self.scale_percent // 100_000)

    def space(self, step: int) -> int:
        """Step `step` (0..5) of the spacing scale, for this theme and layout."""
        return self.px(SPACING[step])

    @property
    def touch_height(self) -> int:
        return max(MIN_TOUCH_HEIGHT, self.px(BASE_TOUCH_HEIGHT))


NORMAL = Theme()
LARGE_TEXT = Theme(large_text=True)
HIGH_CONTRAST = Theme(high_contrast=True)
LARGE_HIGH_CONTRAST = Theme(large_text=True, high_contrast=True)
THEMES = (NORMAL, LARGE_TEXT, HIGH_CONTRAST, LARGE_HIGH_CONTRAST)


# -- contrast (WCAG 2.1 relative luminance) -------------------------------------------


def parse_hex(color: str) -> tuple[int, int, int]:
    """'#rrggbb' or '#rgb' -> (r, g, b) in 0..255."""
    digits = color.strip().removeprefix("#")
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    if len(digits) != 6:
        raise ValueError(f"not a hex colour: {color!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def relative_luminance(color: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in parse_hex(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two colours, 1.0 (same) to 21.0 (black on white)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def on_colour(fill: str) -> str:
    """White or black text on `fill`, whichever contrasts more (one of them is always >= 4.5:1)."""
    return WHITE if contrast_ratio(WHITE, fill) >= contrast_ratio(BLACK, fill) else BLACK


def readable_on(colour: str, background: str, ratio: float = AA_TEXT_CONTRAST) -> str:
    """`colour`, darkened (or lightened on a dark background) just enough to reach `ratio` on `background`."""
    red, green, blue = parse_hex(colour)
    target = 0 if relative_luminance(background) > 0.18 else 255
    for step in range(101):
        mix = step / 100
        candidate = "#{:02x}{:02x}{:02x}".format(
            *(round(channel + (target - channel) * mix) for channel in (red, green, blue))
        )
        if contrast_ratio(candidate, background) >= ratio:
            return candidate
    return BLACK if target == 0 else WHITE


# -- the stylesheet ---------------------------------------------------------------------


def _rule(selector: str, **properties: object) -> str:
    """One QSS rule; property names use '_' for '-' (font_size -> font-size)."""
    body = " ".join(f"{name.replace('_', '-')}: {value};" for name, value in properties.items())
    return f"{selector} {{ {body} }}"


def _font_list(font_families: Sequence[str]) -> str:
    return ", ".join('"{}"'.format(family.replace('"', "")) for family in font_families)


def stylesheet(theme: Theme = NORMAL, font_families: Sequence[str] = (), icon_family: str = "") -> str:
    """The whole Qt stylesheet for `theme`, with `font_families` first to last as the font list.

    `icon_family`: the pictograms' font (`kiosk.icons.font_family()`), which the text font list must not replace.
    """
    rules = _base_rules(theme, font_families)
    if icon_family:
        rules.append(_rule('QLabel[pictogram="true"]', font_family=_font_list((icon_family,)), font_weight="normal"))
    rules += _high_contrast_rules(theme) if theme.high_contrast else _light_colour_rules(theme)
    return "\n".join(rules) + "\n"


def _base_rules(theme: Theme, font_families: Sequence[str]) -> list[str]:
    """Sizes, shapes and weights: the same in every colour scheme (scaled for the layout and large text)."""
    px = theme.px
    touch = theme.touch_height
    fonts = {"font_family": _font_list(font_families)} if font_families else {}
    big_mic = px(96)
    return [
        _rule("QWidget", **fonts, font_size=f"{px(22)}px"),
        _rule("QLabel#greeting", font_size=f"{px(30)}px", font_weight="bold"),
        _rule(
            "QPushButton",
            min_height=f"{touch}px",
            font_size=f"{px(24)}px",
            padding=f"{px(6)}px {px(16)}px",
            border_radius=f"{px(12)}px",
        ),
        _rule("QLabel#buttonText", font_size=f"{px(24)}px"),
        _rule('QPushButton[tile="true"]', font_size=f"{px(26)}px", font_weight="bold", padding=f"{px(8)}px"),
        _rule("QLabel#tileText", font_size=f"{px(25)}px", font_weight="bold"),
        _rule('QLabel[pictogram="true"]', font_size=f"{px(30)}px"),
        _rule('QPushButton[tile="true"] QLabel[pictogram="true"]', font_size=f"{px(36)}px"),
        _rule("QLabel#panelIcon", font_size=f"{px(46)}px"),
        _rule("QPushButton#micButton", min_height=f"{touch}px", min_width=f"{touch}px", font_size=f"{px(26)}px"),
        _rule("QLineEdit#messageInput", min_height=f"{touch}px", font_size=f"{px(24)}px", padding=f"0 {px(12)}px"),
        _rule("QWidget#checkInCard QLineEdit", min_height=f"{touch}px", font_size=f"{px(30)}px"),
        _rule("QFrame#bubble_customer, QFrame#bubble_assistant, QFrame#bubble_system", border_radius=f"{px(16)}px"),
        _rule("QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard", border_radius=f"{px(18)}px"),
        _rule("QLabel#ticketNumber", font_size=f"{px(80)}px", font_weight="bold"),
        _rule("QLabel#ticketService, QLabel#routeName", font_size=f"{px(30)}px", font_weight="bold"),
        _rule("QLabel#hubBanner", font_size=f"{px(20)}px", padding=f"{px(4)}px"),
        _rule("QLabel#statusLine", font_size=f"{px(15)}px"),
        _rule(
            "QLabel#homeQuestion, QLabel#checkInCaption, QLabel#appointmentCaption",
            font_size=f"{px(32)}px",
            font_weight="bold",
        ),
        _rule("QLabel#appointmentCode", font_size=f"{px(60)}px", font_weight="bold"),
        _rule("QLabel#appointmentService", font_size=f"{px(28)}px", font_weight="bold"),
        _rule("QLabel#staffText", font_size=f"{px(38)}px", font_weight="bold"),
        _rule("QLabel#routeArrow", font_size=f"{px(100)}px"),
        _rule("QLabel#checkInError", font_size=f"{px(24)}px", font_weight="bold"),
        _rule("QWidget#attractScreen QLabel", font_size=f"{px(30)}px", font_weight="bold"),
        _rule("QWidget#attractScreen QLabel#attractWelcome", font_size=f"{px(44)}px"),
        _rule("QWidget#attractScreen QLabel#waitsTitle", font_size=f"{px(26)}px"),
        _rule("QWidget#attractScreen QLabel#waitName, QWidget#attractScreen QLabel#waitTime", font_size=f"{px(22)}px"),
        _rule("QWidget#attractScreen QLabel#attractHand", font_size=f"{px(40)}px"),
        _rule("QWidget#attractScreen QPushButton QLabel#buttonText", font_size=f"{px(30)}px"),
        _rule(
            "QPushButton#bigMicButton",
            min_height=f"{big_mic}px",
            min_width=f"{big_mic}px",
            border_radius=f"{px(24)}px",
            font_size=f"{px(28)}px",
            font_weight="bold",
            padding=f"{px(8)}px",
        ),
        _rule("QPushButton#bigMicButton QLabel#buttonText", font_size=f"{px(28)}px", font_weight="bold"),
        _rule('QPushButton#bigMicButton QLabel[pictogram="true"]', font_size=f"{px(48)}px"),
        _rule("#levelMeter", min_height=f"{px(20)}px", max_height=f"{px(20)}px", border_radius=f"{px(10)}px"),
        _rule("QLabel#partialTranscript", font_size=f"{px(24)}px", font_style="italic"),
        _rule(
            'QPushButton#langButton, QPushButton[a11y="true"]',
            min_height=f"{touch}px",
            font_size=f"{px(20)}px",
        ),
        _rule('QPushButton[iconic="true"]', padding="0px"),  # its layout's margins pad it (IconButton)
        _rule("QWidget#helpBar QLabel#buttonText", font_size=f"{px(20)}px"),
        _rule('QWidget#helpBar QLabel[pictogram="true"]', font_size=f"{px(24)}px"),
    ]


def _light_colour_rules(theme: Theme) -> list[str]:
    """The light schemes: soft greys with the branch's accent; elderly mode black on white, 7:1 accents."""
    strong = theme.large_text
    page, ink = (WHITE, BLACK) if strong else (PAGE, INK)
    accent_text = readable_on(theme.accent, WHITE, AAA_TEXT_CONTRAST if strong else AA_TEXT_CONTRAST)
    fill = accent_text if strong else theme.accent  # a filled button: its text is white or black on it
    on_fill = on_colour(fill)
    edge = f"{3 if strong else 2}px solid {accent_text if strong else '#9fb3d1'}"
    return [
        _rule("QWidget", color=ink),
        _rule("QPushButton", color=ink, background="#ffffff" if strong else "#e8eef7", border=edge),
        _rule("QPushButton:pressed", background="#c9d8ee"),
        _rule("QPushButton:disabled", color="#8a8a8a", background="#eeeeee", border_color="#cccccc"),
        _rule('QPushButton[tile="true"]', background="#ffffff", border=f"{3 if strong else 2}px solid {accent_text}"),
        _rule('QPushButton[tile="true"]:pressed', background="#dbe9ff"),
        _rule('QLabel[pictogram="true"]', color=accent_text, background="transparent"),
        _rule("QLabel#buttonText, QLabel#tileText", color=ink, background="transparent"),
        _rule(
            'QPushButton[primary="true"], QPushButton#bigMicButton',
            color=on_fill,
            background=fill,
            border=f"4px solid {fill}",
        ),
        _rule(
            'QPushButton[primary="true"] QLabel#buttonText, QPushButton[primary="true"] QLabel[pictogram="true"], '
            "QPushButton#bigMicButton QLabel",
            color=on_fill,
            background="transparent",
        ),
        _rule("QLineEdit", color=ink, background="#ffffff", placeholder_text_color="#595959"),
        _rule("QFrame#bubble_customer", background="#d7f5dd"),
        _rule("QFrame#bubble_assistant", background="#ffffff" if strong else "#eef0f3"),
        _rule("QFrame#bubble_system", background="#fff4d6"),
        _rule(
            "QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard",
            background="#ffffff",
            border=f"3px solid {accent_text}",
        ),
        _rule("QLabel#panelIcon, QLabel#routeArrow", color=accent_text, background="transparent"),
        _rule("QLabel#hubBanner", color=BLACK, background="#ffe0e0"),
        _rule("QLabel#statusLine", color=SOFT_INK),
        _rule("QWidget#attractScreen", background=fill),
        _rule("QWidget#attractScreen QLabel", color=on_fill, background="transparent"),
        _rule("QWidget#attractScreen QPushButton", color=accent_text, background="#ffffff", border="4px solid #ffffff"),
        _rule("QWidget#attractScreen QPushButton QLabel", color=accent_text, background="transparent"),
        _rule(", ".join(f"QWidget#{name}" for name in SCREENS), background=page),
        _rule("QWidget#helpBar", background=page),
        _rule("QPushButton#bigMicButton:pressed", background=ink),
        _rule("#levelMeter", background="#ffffff", border="2px solid #9fb3d1"),
        _rule("#levelMeter::chunk", background="#2c8a4b", border_radius="6px"),
        _rule("QLabel#partialTranscript", color="#444444"),
        _rule(
            'QPushButton#langButton, QPushButton[a11y="true"]',
            color=accent_text,
            background="#ffffff",
            border=f"2px solid {accent_text}",
        ),
        _rule('QPushButton[a11y="true"]:checked', color=on_colour(accent_text), background=accent_text),
        _rule(
            'QPushButton#langButton QLabel, QPushButton[a11y="true"] QLabel#buttonText, '
            'QPushButton[a11y="true"] QLabel[pictogram="true"]',
            color=accent_text,
            background="transparent",
        ),
        _rule(
            'QPushButton[a11y="true"] QLabel#buttonText[on="true"], '
            'QPushButton[a11y="true"] QLabel[pictogram="true"][on="true"]',
            color=on_colour(accent_text),
            background="transparent",
        ),
        _rule(
            'QPushButton#bigMicButton:disabled, QPushButton#langButton:disabled, QPushButton[a11y="true"]:disabled',
            color="#5a5a5a",
            background="#dde3ec",
            border_color="#aab4c3",
        ),
    ]


def _high_contrast_rules(theme: Theme) -> list[str]:
    """White and yellow on black, thick borders; each rule with text names its background."""
    thick = "4px solid"
    on_black = {"color": WHITE, "background_color": BLACK}
    yellow_on_black = {"color": YELLOW, "background_color": BLACK}
    return [
        _rule("QWidget", **on_black),
        _rule("QToolTip", **on_black, border=f"2px solid {WHITE}"),
        _rule("QLabel#greeting, QLabel#ticketNumber", **yellow_on_black),
        _rule("QPushButton", **yellow_on_black, border=f"{thick} {YELLOW}"),
        _rule("QPushButton:pressed, QPushButton:checked", color=BLACK, background_color=YELLOW, border_color=WHITE),
        _rule('QPushButton[tile="true"]', **yellow_on_black),
        _rule("QPushButton QLabel, QPushButton QLabel#buttonText, QPushButton QLabel#tileText", **yellow_on_black),
        _rule(
            'QPushButton[a11y="true"] QLabel#buttonText[on="true"], '
            'QPushButton[a11y="true"] QLabel[pictogram="true"][on="true"]',
            color=BLACK,
            background_color=YELLOW,
        ),
        _rule('QLabel[pictogram="true"], QLabel#panelIcon, QLabel#routeArrow', **yellow_on_black),
        _rule("QPushButton:disabled", color=DIM, background_color=BLACK, border=f"{thick} {DIM}"),
        _rule(
            "QLineEdit",
            **on_black,
            border=f"{thick} {WHITE}",
            selection_color=BLACK,
            selection_background_color=YELLOW,
            placeholder_text_color=DIM,
        ),
        _rule("QFrame#bubble_customer", **on_black, border=f"3px solid {YELLOW}"),
        _rule("QFrame#bubble_assistant", **on_black, border=f"3px solid {WHITE}"),
        _rule("QFrame#bubble_system", **on_black, border=f"3px solid {CYAN}"),
        _rule("QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard", **on_black, border=f"{thick} {WHITE}"),
        _rule("QLabel#hubBanner", color=BLACK, background_color=YELLOW),
        _rule("QLabel#statusLine, QLabel#partialTranscript", **on_black),
        _rule("QWidget#attractScreen", **on_black),
        _rule("QWidget#attractScreen QLabel", **yellow_on_black),
        _rule(", ".join(f"QWidget#{name}" for name in SCREENS), **on_black),
        _rule("QWidget#helpBar", **on_black),
        _rule("QPushButton#bigMicButton", **yellow_on_black, border=f"6px solid {YELLOW}"),
        _rule("QPushButton#bigMicButton:pressed", color=BLACK, background_color=YELLOW, border_color=WHITE),
        _rule("#levelMeter", **on_black, border=f"3px solid {WHITE}"),
        _rule("#levelMeter::chunk", background_color=YELLOW),
        _rule('QPushButton#langButton, QPushButton[a11y="true"]', **on_black, border=f"{thick} {WHITE}"),
        _rule('QPushButton[a11y="true"]:checked', color=BLACK, background_color=YELLOW, border_color=YELLOW),
        _rule(
            'QPushButton#bigMicButton:disabled, QPushButton#langButton:disabled, QPushButton[a11y="true"]:disabled',
            color=DIM,
            background_color=BLACK,
            border_color=DIM,
        ),
        _rule("QScrollBar:vertical", background_color=BLACK, border=f"2px solid {WHITE}", width=f"{theme.px(24)}px"),
        _rule("QScrollBar::handle:vertical", background_color=WHITE, min_height=f"{theme.touch_height}px"),
        _rule("QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical", height="0px", border="none"),
        _rule("QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical", background="none"),
    ]
