"""mockserver: stateful, spec-driven emulators of marketing and funnel platform APIs."""

__version__ = "0.1.0"
