"""In-app notifications: a list per person with an unread count in the page header."""
