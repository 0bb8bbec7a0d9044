"""Users, roles, memberships and login."""
