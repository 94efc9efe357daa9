"""The kiosk's look: one Qt stylesheet, in normal, large-text and high-contrast variants.

`stylesheet(theme, font_families)` builds the sheet every window applies. The
normal theme is the original greeter style; `large_text` scales every font
size and touch target by 1.4; `high_contrast` draws white and yellow on black
with thick borders, every text colour at least 4.5:1 against its background
and every border at least 3:1 (WCAG 2.1 AA, 1.4.3 and 1.4.11). The two
combine. Pass the catalog's `font_families` so Chinese text uses a CJK face.

Object names styled here (keep them when widgets are rebuilt): greeting,
micButton, messageInput, bubble_customer / _assistant / _system, bubbleText,
ticketCard, routeCard, ticketNumber, ticketService, routeName, hubBanner,
statusLine, attractScreen, homeScreen, bigMicButton,
conversationScreen, appointmentCard, checkInCard, staffCard, levelMeter,
partialTranscript, langButton; the large-text and high-contrast toggles carry
the property a11y=true, tiles tile=true.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BASE_TOUCH_HEIGHT = 64  # px: the smallest button a finger hits reliably on a kiosk
LARGE_TEXT_PERCENT = 140  # large text: every font size and touch target x 1.4
AA_TEXT_CONTRAST = 4.5  # WCAG 2.1 AA, normal-size text
AA_NON_TEXT_CONTRAST = 3.0  # WCAG 2.1 AA, borders and other UI components

SCREENS = ("homeScreen", "conversationScreen", "appointmentCard", "checkInCard", "staffCard")

# High contrast: the only colours the sheet uses.
BLACK = "#000000"
WHITE = "#ffffff"
YELLOW = "#ffff00"
CYAN = "#00ffff"
DIM = "#b3b3b3"  # disabled text and borders on black: 10:1, still readable


@dataclass(frozen=True, slots=True)
class Theme:
    large_text: bool = False
    high_contrast: bool = False

    @property
    def scale_percent(self) -> int:
        return LARGE_TEXT_PERCENT if self.large_text else 100

    def px(self, size: int) -> int:
        """`size` scaled for this theme, rounded up (so large text is never under 1.4x)."""
        return -(-size * self.scale_percent // 100)

    @property
    def touch_height(self) -> int:
        return self.px(BASE_TOUCH_HEIGHT)


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


# -- the stylesheet ---------------------------------------------------------------------


def _rule(selector: str, **properties: object) -> str:
    """One QSS rule; property names use '_' for '-' (font_size -> font-size)."""
    body = " ".join(f"{name.replace('_', '-')}: {value};" for name, value in properties.items())
    return f"{selector} {{ {body} }}"


def _font_list(font_families: Sequence[str]) -> str:
    return ", ".join('"{}"'.format(family.replace('"', "")) for family in font_families)


def stylesheet(theme: Theme = NORMAL, font_families: Sequence[str] = ()) -> str:
    """The whole Qt stylesheet for `theme`, with `font_families` first to last as the font list."""
    rules = _base_rules(theme, font_families)
    rules += _high_contrast_rules(theme) if theme.high_contrast else _normal_colour_rules()
    return "\n".join(rules) + "\n"


def _base_rules(theme: Theme, font_families: Sequence[str]) -> list[str]:
    """Sizes, shapes and weights: the same in every colour scheme (scaled for large text)."""
    px = theme.px
    touch = theme.touch_height
    fonts = {"font_family": _font_list(font_families)} if font_families else {}
    big_mic = px(160)
    return [
        _rule("QWidget", **fonts, font_size=f"{px(22)}px"),
        _rule("QLabel#greeting", font_size=f"{px(34)}px", font_weight="bold"),
        _rule(
            "QPushButton",
            min_height=f"{touch}px",
            font_size=f"{px(24)}px",
            padding=f"{px(6)}px {px(18)}px",
            border_radius=f"{px(12)}px",
        ),
        _rule('QPushButton[tile="true"]', font_size=f"{px(26)}px", font_weight="bold"),
        _rule("QPushButton#micButton", min_height=f"{px(96)}px", min_width=f"{px(96)}px", font_size=f"{px(28)}px"),
        _rule("QLineEdit#messageInput", min_height=f"{touch}px", font_size=f"{px(26)}px", padding=f"0 {px(12)}px"),
        _rule("QWidget#checkInCard QLineEdit", min_height=f"{touch}px", font_size=f"{px(30)}px"),
        _rule("QFrame#bubble_customer, QFrame#bubble_assistant, QFrame#bubble_system", border_radius=f"{px(16)}px"),
        _rule("QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard", border_radius=f"{px(18)}px"),
        _rule("QLabel#ticketNumber", font_size=f"{px(96)}px", font_weight="bold"),
        _rule("QLabel#ticketService, QLabel#routeName", font_size=f"{px(30)}px", font_weight="bold"),
        _rule("QLabel#hubBanner", font_size=f"{px(26)}px", padding=f"{px(10)}px"),
        _rule("QLabel#statusLine", font_size=f"{px(16)}px"),
        _rule(
            "QLabel#homeQuestion, QLabel#checkInCaption, QLabel#appointmentCaption",
            font_size=f"{px(34)}px",
            font_weight="bold",
        ),
        _rule("QLabel#appointmentCode", font_size=f"{px(64)}px", font_weight="bold"),
        _rule("QLabel#appointmentService", font_size=f"{px(30)}px", font_weight="bold"),
        _rule("QLabel#staffText", font_size=f"{px(40)}px", font_weight="bold"),
        _rule("QLabel#routeArrow", font_size=f"{px(120)}px"),
        _rule("QLabel#checkInError", font_size=f"{px(24)}px", font_weight="bold"),
        _rule("QWidget#attractScreen QLabel", font_size=f"{px(40)}px", font_weight="bold"),
        _rule("QLabel#attractWelcome", font_size=f"{px(52)}px"),
        _rule(
            "QPushButton#bigMicButton",
            min_height=f"{big_mic}px",
            min_width=f"{big_mic}px",
            max_width=f"{big_mic}px",
            border_radius=f"{big_mic // 2}px",
            font_size=f"{px(32)}px",
            font_weight="bold",
            padding="0",
        ),
        _rule("#levelMeter", min_height=f"{px(20)}px", max_height=f"{px(20)}px", border_radius=f"{px(10)}px"),
        _rule("QLabel#partialTranscript", font_size=f"{px(26)}px", font_style="italic"),
        _rule(
            'QPushButton#langButton, QPushButton[a11y="true"]',
            min_height=f"{touch}px",
            min_width=f"{px(120)}px",
            font_size=f"{px(22)}px",
        ),
    ]


def _normal_colour_rules() -> list[str]:
    """The original greeter colours: soft blues on the platform's light background."""
    return [
        _rule("QPushButton", background="#e8eef7", border="2px solid #9fb3d1"),
        _rule("QPushButton:pressed", background="#c9d8ee"),
        _rule("QPushButton:disabled", color="#8a8a8a", background="#eeeeee", border_color="#cccccc"),
        _rule('QPushButton[tile="true"]', background="#dbe9ff"),
        _rule("QFrame#bubble_customer", background="#d7f5dd"),
        _rule("QFrame#bubble_assistant", background="#f1f1f1"),
        _rule("QFrame#bubble_system", background="#fff4d6"),
        _rule(
            "QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard",
            background="#ffffff",
            border="3px solid #2c5aa0",
        ),
        _rule("QLabel#hubBanner", background="#ffe0e0"),
        _rule("QLabel#statusLine", color="#555555"),
        _rule("QWidget#attractScreen", background="#1f3f73"),
        _rule("QWidget#attractScreen QLabel", color="#ffffff", background="transparent"),
        _rule(", ".join(f"QWidget#{name}" for name in SCREENS), background="#f7f9fc"),
        _rule("QPushButton#bigMicButton", color="#ffffff", background="#2c5aa0", border="4px solid #1f3f73"),
        _rule("QPushButton#bigMicButton:pressed", background="#1f3f73"),
        _rule("#levelMeter", background="#ffffff", border="2px solid #9fb3d1"),
        _rule("#levelMeter::chunk", background="#2c8a4b", border_radius="6px"),
        _rule("QLabel#partialTranscript", color="#444444"),
        _rule(
            'QPushButton#langButton, QPushButton[a11y="true"]',
            color="#1f3f73",
            background="#ffffff",
            border="2px solid #2c5aa0",
        ),
        _rule('QPushButton[a11y="true"]:checked', color="#ffffff", background="#2c5aa0"),
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
