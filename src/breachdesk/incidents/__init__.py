"""Organisations, incidents, and the numbered revisions of an incident's facts."""
