"""driftctl: configuration drift between Infrastructure-as-Code and live AWS."""

__version__ = "0.1.0"
