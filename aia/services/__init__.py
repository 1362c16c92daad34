"""Every write in AIA goes through a service in this package (see docs/architecture.md)."""
