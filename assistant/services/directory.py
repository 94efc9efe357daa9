"""The branch as customers and devices see it: opening, services and their lines, triage, device states.

`BranchDirectory` is the part of the branch's use cases (`BranchService`) that issues nothing: what
the branch is, where a request should go, which devices work. Each method owns its transaction.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.audit import Actor, AuditAction
from assistant.domain.clock import Clock, business_date
from assistant.domain.errors import InvalidInput, NotFound
from assistant.domain.events import Event, EventType
from assistant.domain.hours import is_open
from assistant.domain.routing import DeviceState, Route, triage
from assistant.domain.staff import CounterStatus
from assistant.i18n import hours_text, language, say
from assistant.services.waits import WaitTimes
from assistant.services.wording import branch_info_text, reason_text
from assistant.settings import Settings
from assistant.store.audit import AuditLog
from assistant.store.repo import CounterRepository, DeviceRepository, TicketRepository
from assistant.store.stats import RouteLog
from lobby_wire.triage import Decision, RouteView, TriageView


class BranchDirectory:
    """Mixed into `BranchService`, which provides the settings, sessions, clock, publish and waits."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    waits: WaitTimes

    async def publish(self, event: Event) -> None:
        raise NotImplementedError

    def remote_join_refusal(self, service_id: str, lang: str | None = "en") -> str | None:
        """Why a customer cannot join `service_id`'s queue from the app right now (None: they can), in `lang`."""
        service = self.settings.service(service_id)
        branch = self.settings.branch
        if service is None or not service.remote_join:
            name = service.display_name(lang) if service else service_id
            return say("refusal.branch_only", lang, service=name)
        local = self.clock.now().astimezone(ZoneInfo(branch.timezone))
        if not is_open(branch.opening_hours, local):
            return say("refusal.closed", lang, hours=hours_text(branch.opening_hours, lang))
        return None

    def branch_json(self, lang: str | None = "en") -> dict[str, Any]:
        """GET /api/v1/branch: who and where the branch is, and its clock (for relative dates); words in `lang`."""
        branch = self.settings.branch
        business_now = self.clock.now().astimezone(ZoneInfo(branch.timezone))
        return {
            "id": branch.id,
            "name": branch.display_name(lang),
            "timezone": branch.timezone,
            "now": business_now.isoformat(),
            "opening_hours": {day: list(span) for day, span in branch.opening_hours.items()},
            "hours_text": hours_text(branch.opening_hours, lang),
            "address": branch.display_address(lang),
            "phone": branch.phone,
            "facilities": list(branch.display_facilities(lang)),
            "info_text": branch_info_text(branch, lang),
            "lang": language(lang),
        }

    async def queue_overview(self, lang: str | None = "en") -> dict[str, Any]:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            today = business_date(now, self.settings.branch.timezone)
            counts = await TicketRepository(session).waiting_counts(today)  # yesterday's never count today
            states = await CounterRepository(session).states()
            services = []
            for service in self.settings.services:
                count, oldest = counts.get(service.id, (0, None))
                estimate = await self.waits.for_new_ticket(session, service.id)
                eta = estimate.shown() if estimate is not None else None
                services.append(
                    {
                        "service": service.id,
                        "name": service.display_name(lang),
                        "waiting": count,
                        "longest_wait_minutes": round((now - oldest).total_seconds() / 60, 1) if oldest else 0,
                        "eta_minutes": list(eta) if eta else None,
                        "eta_wording": str(estimate.wording()) if estimate is not None else None,
                    }
                )
        counters = [
            {"id": c.id, "name": c.display_name(lang), "state": states.get(c.id, CounterStatus.CLOSED)}
            for c in self.settings.counters
        ]
        return {"services": services, "counters": counters, "at": now.isoformat()}

    # -- routing and devices ---------------------------------------------------

    async def triage(self, intent: str, entities: dict[str, Any], lang: str) -> TriageView:
        async with self.sessions.begin() as session:
            states = {k: v[0] for k, v in (await DeviceRepository(session).states()).items()}
            route = triage(intent, entities, self.settings.services, self.settings.devices, states)
            # Recorded for the dashboard (self-service share, top intents).
            now, zone = self.clock.now(), self.settings.branch.timezone
            await RouteLog(session).add(intent, route.decision.value, route.service_id, route.device_id, now, zone)
        return self._triage_view(route, lang)

    def _triage_view(self, route: Route, lang: str) -> TriageView:
        """The decision as the API shows it: names, places and reasons in `lang`."""
        reason = reason_text(route, self.settings, lang)
        device_view = None
        if route.device_id is not None:
            device = next(d for d in self.settings.devices if d.id == route.device_id)
            device_view = RouteView(
                service=route.service_id or "",
                device_id=device.id,
                kind=device.kind,
                name=device.display_name(lang),
                location=device.display_location(lang),
                reason=reason,
            )
        return TriageView(
            decision=Decision(route.decision.value),
            service=route.service_id,
            reason=reason,
            device=device_view,
            bookable=route.service_id in self.settings.bookable_service_ids(),
            remote_join_refusal=self.remote_join_refusal(route.service_id, lang) if route.service_id else None,
        )

    async def set_device_status(
        self, device_id: str, state: str, detail: str, actor: Actor | None = None
    ) -> dict[str, Any]:
        """Audited (who reported it, the state before and after) when the state or its detail changes."""
        try:
            device_state = DeviceState(state)
        except ValueError:
            raise InvalidInput(f"unknown device state {state!r}", code="unknown_state") from None
        now = self.clock.now()
        async with self.sessions.begin() as session:
            devices = DeviceRepository(session)
            was = (await devices.states()).get(device_id)
            if not await devices.set_state(device_id, device_state, detail, now):
                raise NotFound(f"no device {device_id}", code="device_not_found")
            if was is not None and was != (device_state, detail):
                before = {"state": was[0].value, "detail": was[1]}
                after = {"state": device_state.value, "detail": detail}
                await AuditLog(session).record(actor, AuditAction.DEVICE_STATUS, now, ("device", device_id),
                                               before, after)  # fmt: skip
        data = {"id": device_id, "state": device_state.value, "detail": detail}
        await self.publish(Event(EventType.DEVICE_STATUS, now, data))
        return data

    async def devices(self, lang: str | None = "en") -> list[dict[str, Any]]:
        async with self.sessions.begin() as session:
            states = await DeviceRepository(session).states()
        return [
            {
                "id": d.id,
                "kind": d.kind,
                "name": d.display_name(lang),
                "location": d.display_location(lang),
                "state": states.get(d.id, (DeviceState.OFFLINE, ""))[0].value,
                "detail": states.get(d.id, (DeviceState.OFFLINE, ""))[1],
            }
            for d in self.settings.devices
        ]
