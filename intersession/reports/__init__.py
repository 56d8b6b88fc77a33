"""Reports that run the hub: a pupil's progress and the session-readiness report, with exports."""
