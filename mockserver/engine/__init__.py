"""The provider-independent engine: specs, validation, state, webhooks, admin.

Nothing in this package imports `mockserver.providers`: providers declare, the engine runs.
"""
