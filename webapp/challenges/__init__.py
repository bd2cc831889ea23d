"""Challenge authoring: the rules behind the admin pages (lifecycle, missions, badges, teams, users, imports)."""
