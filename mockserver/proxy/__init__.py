"""A validating proxy: forwards to the real API and checks each exchange against the spec."""
