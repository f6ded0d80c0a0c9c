"""Breach-notification law as cited data, and the engine that applies it."""
