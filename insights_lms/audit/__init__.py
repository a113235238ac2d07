"""An append-only record of who did what to which record, for deletions and restores."""
