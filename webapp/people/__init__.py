"""People: users as admins manage them, teams and membership, and importing both from a CSV file."""
