"""Chart use cases: each opens its transaction, checks the caller's scope and records the audit entry
inside it. Every read of clinical data is audited (so it runs in a write transaction)."""
