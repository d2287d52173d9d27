"""Clients (Coordinalo's word for the patient record): listing with a provider filter, details with
recent sessions, creation that links a person by email, updates, the titular provider; and the
contact rules (emails unique per practice, phones in E.164) every path that writes a patient uses."""
