"""People, roles, sign-in and sessions."""
