"""Public data importers: one module per source, plus shared validation."""
