"""Events: the in-process event hub, the cross-process bus (PostgreSQL NOTIFY, Redis) and periodic jobs."""
