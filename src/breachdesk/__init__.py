"""breachdesk: runs a company's communication with its customers after a data breach."""

__version__ = "0.1.0"
