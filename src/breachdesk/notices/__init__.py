"""Notices: templates, rendering, linting and approvals."""
