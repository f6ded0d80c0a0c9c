"""The staff console: the response team's web workspace under /console."""
