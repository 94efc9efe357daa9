"""Simulated branch days and replays of recorded queues: the real queue engine on simulated time
(`lobby simulate`)."""

from lobby_tools.simulation.day import DayDefinition, draw_customers, load_day, run_day, simulate_day
from lobby_tools.simulation.engine import FIFO, Policy, QueueRun, policy_from_settings
from lobby_tools.simulation.report import ClassStats, EtaStats, SimulationReport
from lobby_tools.simulation.setup import Customer

__all__ = [
    "FIFO",
    "ClassStats",
    "Customer",
    "DayDefinition",
    "EtaStats",
    "Policy",
    "QueueRun",
    "SimulationReport",
    "draw_customers",
    "load_day",
    "policy_from_settings",
    "run_day",
    "simulate_day",
]
