"""Data files shipped with Frontdesk (see README.md here for their sources and limits)."""
