"""Pure domain code: no database, no Flask."""
