"""One router per feature; each operation declares its tenant scope (``scoped``)."""
