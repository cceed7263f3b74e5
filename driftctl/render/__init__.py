"""One renderer per output format. Only driftctl.cli imports this package."""
