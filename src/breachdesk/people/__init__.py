"""Affected people per incident: import, normalisation, deduplication, quarantine."""
