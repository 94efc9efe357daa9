"""The base of every action that talks to the hub."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

from rasa_sdk import Action

from .hub_client import HubClient


class HubAction(Action, metaclass=ABCMeta):
    """An action with a hub client: from the environment when rasa-sdk registers the action
    (it instantiates actions without arguments), or the one a test passes in.

    Abstract, so rasa-sdk (which registers every concrete Action subclass) skips it.
    """

    def __init__(self, hub: HubClient | None = None) -> None:
        self._hub = hub if hub is not None else HubClient.from_env()

    @abstractmethod
    def name(self) -> str: ...
