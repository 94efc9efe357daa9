"""Simulated branch days: the real queue engine on simulated time (`lobby simulate`)."""

from assistant.simulation.day import Customer, DayDefinition, draw_customers, load_day
from assistant.simulation.engine import FIFO, Policy, policy_from_settings, simulate_day
from assistant.simulation.report import ClassStats, EtaStats, SimulationReport

__all__ = [
    "FIFO",
    "ClassStats",
    "Customer",
    "DayDefinition",
    "EtaStats",
    "Policy",
    "SimulationReport",
    "draw_customers",
    "load_day",
    "policy_from_settings",
    "simulate_day",
]
