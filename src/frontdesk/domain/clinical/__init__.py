"""Clinical rules: pure, standard library only (statuses, vitals, prescribing checks, code formats)."""
