"""The greeter window's look and words: theme, language, status, the microphone's state.

A mixin of `kiosk.views.KioskWindow` (which builds the widgets): it redraws the
labels in the model's language, applies the stylesheet for the layout and the
customer's mode, and fits the help bar to its wrapped labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk import icons
from kiosk.attract import AttractScreen
from kiosk.buttons import IconButton
from kiosk.home import HomeScreen, TilePager
from kiosk.i18n import LANGUAGES, Catalog
from kiosk.layout import Layout
from kiosk.screens import AppointmentCard, CheckInCard, LevelMeter, RouteScreen, StaffCard
from kiosk.theme import Theme, stylesheet
from kiosk.viewmodel import HubState, KioskModel
from kiosk.widgets import ConversationView, TicketCard


class WindowLook:
    model: KioskModel
    t: Catalog
    catalog_for: Callable[[str], Catalog]
    languages: Sequence[str]
    layout_spec: Layout
    accent: str
    greeting: QLabel
    banner: QLabel
    status_line: QLabel
    input: QLineEdit
    send_button: QPushButton
    mic_button: QPushButton
    level: LevelMeter
    home_button: IconButton
    lang_button: IconButton
    large_button: IconButton
    contrast_button: IconButton
    staff_button: IconButton
    help_bar: QWidget
    attract: AttractScreen
    home: HomeScreen
    tiles: TilePager
    conversation: ConversationView
    ticket_card: TicketCard
    route_card: RouteScreen
    appointment_card: AppointmentCard
    check_in_card: CheckInCard
    staff_card: StaffCard
    _root: QVBoxLayout
    _top: QVBoxLayout
    _help_row: QVBoxLayout
    _page_box: QVBoxLayout

    if TYPE_CHECKING:  # provided by QMainWindow and KioskWindow; never defined here (it would shadow them)

        def setWindowTitle(self, title: str) -> None: ...
        def setStyleSheet(self, sheet: str) -> None: ...
        def _update_bars(self) -> None: ...

    def _on_status(self) -> None:
        self.status_line.setText(self.model.status_text)
        state = self.model.hub_state
        self.banner.setText(self.t.text("banner.offline" if state is HubState.TOUCH_ONLY else "banner.touch_only"))
        self.banner.setVisible(state in (HubState.TOUCH_ONLY, HubState.CHAT_DOWN))
        self._update_mic()

    def _on_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.tiles.set_enabled(not busy)
        self._update_mic()

    def _on_listening(self, listening: bool) -> None:
        self.mic_button.setText(self.t.text("chat.listening") if listening else self.t.text("chat.speak"))
        self.level.setVisible(listening)
        if not listening:
            self.level.set_level(0.0)
        self._update_mic()

    def _update_mic(self) -> None:
        model = self.model
        # Stays enabled while listening: disabling a held button would "release" it (push-to-talk).
        self.mic_button.setEnabled(model.voice_ready and (model.listening or not model.busy))
        self.mic_button.setVisible(model.voice_ready)
        self.home.set_voice(model.voice_ready, self.t.text("home.tap_to_talk"))
        if model.voice_ready:
            self.mic_button.setToolTip(self.t.text("chat.mic_tooltip"))
        else:
            self.mic_button.setToolTip(self.t.text("voice.off", reason=model.voice_off_reason))
        self.mic_button.setAccessibleDescription(self.mic_button.toolTip())

    def retranslate(self) -> None:
        """Every label in the model's language (the language button shows the next language's own name)."""
        t = self.t = self.catalog_for(self.model.lang)
        model = self.model
        self.setWindowTitle(t.text("app.title", branch=model.branch_name))  # the branch's name in this language
        self.greeting.setText(model.branch_name)  # the screens below ask the question
        next_lang = (
            self.languages[(self.languages.index(model.lang) + 1) % len(self.languages)]
            if (model.lang in self.languages)
            else self.languages[0]
        )
        self.lang_button.setText(LANGUAGES[next_lang])
        self.lang_button.setVisible(len(self.languages) > 1)
        self.large_button.setText(t.text("a11y.elderly"))
        self.large_button.setAccessibleDescription(t.text("a11y.large_text"))
        self.contrast_button.setText(t.text("a11y.high_contrast"))
        self.home_button.setText(t.text("common.start_again"))
        self.staff_button.setText(t.text("home.staff"))
        self.input.setPlaceholderText(t.text("chat.placeholder"))
        self.send_button.setText(t.text("chat.send"))
        self.attract.retranslate(t, model.branch_name)
        self.home.retranslate(t)
        self.check_in_card.retranslate(t)
        self.staff_card.retranslate(t)
        self.ticket_card.retranslate(t)
        if model.route is not None:
            self.route_card.show_route(model.route, t)
        if model.appointment is not None:
            self.appointment_card.show_appointment(model.appointment, t)
        self._apply_theme()  # fonts differ per language; it fits the help bar again too
        self._on_listening(model.listening)
        self._on_status()

    def _fit_bars(self) -> None:
        """The help bar as tall as its wrapped labels need at its width (the window's layout does not ask)."""
        buttons = [button for button in self.help_bar.findChildren(IconButton) if button.isVisibleTo(self.help_bar)]
        needed = max((button.heightForWidth(button.width()) for button in buttons), default=0)
        if needed and needed != self.help_bar.minimumHeight():
            self.help_bar.setMinimumHeight(needed)

    def theme(self) -> Theme:
        model = self.model
        return Theme(
            large_text=model.large_text,
            high_contrast=model.high_contrast,
            scale=self.layout_spec.scale,
            accent=self.accent,
        )

    def _apply_theme(self) -> None:
        theme = self.theme()
        self.setStyleSheet(stylesheet(theme, self.t.font_families, icons.font_family()))
        space = theme.space
        self._root.setContentsMargins(space(2), space(1), space(2), space(1))
        self._root.setSpacing(space(1))
        self._top.setSpacing(space(2))
        self._help_row.setSpacing(space(1))
        self._page_box.setContentsMargins(space(2), space(2), space(2), space(2))
        self._page_box.setSpacing(space(3))
        for button in (self.home_button, self.lang_button, self.large_button, self.contrast_button, self.staff_button):
            button.set_margins(space(1), space(0), space(0))
        self.home.apply_theme(theme)
        self.attract.apply_theme(theme)
        self.ticket_card.set_compact(theme.large_text)
        self.ticket_card.set_qr_size(theme.px(150 if theme.large_text else 180))
        self.appointment_card.qr_size = theme.px(130 if theme.large_text else 160)
        if self.model.appointment is not None:
            self.appointment_card.show_appointment(self.model.appointment, self.t)
        self.conversation.elderly = theme.large_text
        self._update_bars()
        QTimer.singleShot(0, self._fit_bars)
        toggles = ((self.large_button, self.model.large_text), (self.contrast_button, self.model.high_contrast))
        for button, on in toggles:
            if button.isChecked() != on:
                button.blockSignals(True)
                button.setChecked(on)
                button.blockSignals(False)
                button._mark(on)
