"""Use cases: tickets, counters, appointments, waits, chat; each owns its transactions and publishes events."""
