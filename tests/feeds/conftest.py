"""The messaging fixtures (a real local SMTP server and an app sending to it) for the NPS tests."""

from tests.jobs.conftest import inbox, mail_app

__all__ = ["inbox", "mail_app"]
