"""Examples of integrations tested against mockserver with its pytest plugin."""
