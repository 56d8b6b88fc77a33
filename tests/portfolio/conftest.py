"""Portfolio rules speak English in these tests, so messages can be matched."""

from tests.assignments.conftest import english

__all__ = ["english"]
