from tests.reports.conftest import ready  # noqa: F401  (the reports' hub with lessons held)
