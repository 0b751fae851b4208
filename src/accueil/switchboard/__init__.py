"""The engine host: one asyncio task owns the routing engine, turns a clock into event times,
wakes at ``next_deadline()`` and carries out its commands through the telephony and the agents'
desks (docs/live.md)."""
