"""Feature-free building blocks: database base, errors, storage, time."""
