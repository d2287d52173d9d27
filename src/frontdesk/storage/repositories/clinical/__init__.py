"""Chart repositories: every query is scoped to one practice."""
