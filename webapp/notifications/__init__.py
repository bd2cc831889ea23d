"""Notifications: the in-app centre, email per kind, the weekly digest and nudges (#14)."""
