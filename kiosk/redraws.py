"""How the greeter window redraws when the model changes (`KioskModel`'s signals): one method a signal.

Mixed into `kiosk.views.KioskWindow`, which builds the widgets these methods update and connects
the signals to them; kept apart so the window's module is about building and wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.viewmodel import ChatLine, Panel, Screen
from lobby_wire import RouteView, ServiceView, TicketView

if TYPE_CHECKING:
    from kiosk.viewmodel import KioskModel


class ModelRedraws:
    """The model-change slots of the window. The widgets are the window's (built in `KioskWindow`)."""

    model: KioskModel
    conversation: Any
    tiles: Any
    input: Any
    check_in_card: Any
    ticket_card: Any
    route_card: Any
    appointment_card: Any
    screens: Any
    home_button: Any
    logo: Any
    greeting: Any
    input_bar: Any
    status_line: Any
    attract: Any
    panels: Any
    partial: Any
    t: Any
    _screen_index: dict[Screen, int]
    _panel_index: dict[Panel, int]
    _has_logo: bool

    def _on_message(self, line: ChatLine) -> None:
        self.conversation.add_line(line)

    def _on_cleared(self) -> None:
        self.conversation.clear()
        self.tiles.first_page()
        self.input.clear()
        self.check_in_card.reset()

    def _on_ticket(self, ticket: TicketView | None) -> None:
        if ticket is not None:
            self.ticket_card.show_ticket(ticket)

    def _on_route(self, route: RouteView | None) -> None:
        if route is not None:
            self.route_card.show_route(route, self.t)

    def _on_appointment(self, appointment: dict[str, object] | None) -> None:
        if appointment is not None:
            self.appointment_card.show_appointment(appointment, self.t)

    def _on_services(self, services: tuple[ServiceView, ...]) -> None:
        self.tiles.set_services(services)
        self.tiles.set_enabled(not self.model.busy)

    def _on_screen(self, screen: Screen) -> None:
        self.screens.setCurrentIndex(self._screen_index[screen])
        self.screens.updateGeometry()
        self.home_button.setVisible(screen is not Screen.ATTRACT)
        for part in (self.logo, self.greeting):  # the attract screen names the branch itself, larger
            part.setVisible(screen is not Screen.ATTRACT and (part is not self.logo or self._has_logo))
        self._update_bars()
        if screen is Screen.CONVERSATION:
            self.conversation.scroll_to_end()

    def _update_bars(self) -> None:
        """The input bar and status line: not on the attract screen, not in elderly mode (voice and touch)."""
        shown = self.model.screen is not Screen.ATTRACT and not self.model.large_text
        self.input_bar.setVisible(shown)
        self.status_line.setVisible(not self.model.large_text)

    def _on_waits(self) -> None:
        self.attract.set_waits(self.model.waits)

    def _on_panel(self, panel: Panel) -> None:
        self.panels.setCurrentIndex(self._panel_index[panel])
        self.panels.updateGeometry()

    def _on_partial(self, text: str) -> None:
        self.partial.setText(text)
        self.partial.setVisible(bool(text))
