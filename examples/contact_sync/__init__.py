"""A Systeme.io -> ClickFunnels 2.0 contact sync, and its tests (see README.md)."""
