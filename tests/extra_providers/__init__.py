"""Providers the suites serve beyond the built-in ones, one folder each (made by `mockserver
new-provider`, not served by default): the top-level conftest.py names every folder here in
MOCKSERVER_PROVIDERS, so a provider added here is served, tested and fuzzed with no edit
elsewhere."""
