"""Brokers behind `app.events.Broker`: `memory` (one process) and `redis` (several)."""
