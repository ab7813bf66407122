"""The contract suite: checks a base URL (a live account or an emulator) against a provider's
spec and reports where the two disagree."""
