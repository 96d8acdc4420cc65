"""Use cases: each function authorizes first, then reads or writes, then publishes."""
