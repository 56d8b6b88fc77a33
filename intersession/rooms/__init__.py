"""Online lessons and consultations: scheduling, calendars, the attendance register."""
