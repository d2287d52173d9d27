"""Messages: email over SMTP (email.py), templates (templates.py), invites (invite.py), the delivery of a
message exactly once through the job queue (delivery.py), appointment reminders (reminders.py)."""
