"""The test suite. Its shared helpers (support, spec_tools and each provider's helpers) check
responses with `assert` too: pytest rewrites them as it rewrites the tests, so that a failing
check shows the values it compared."""

import pytest

pytest.register_assert_rewrite("tests.support", "tests.spec_tools", "tests.providers")
