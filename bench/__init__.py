"""A benchmark of mockserver (and, with --prism, of Stoplight Prism): see bench/run."""
