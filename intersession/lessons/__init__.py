"""Planning of online lessons and consultations: scheduling, calendars and feeds, materials, the
attendance register, reminders, reports."""
