"""Scripts: what the agent says, asks and does for a call (authored, merged, run)."""
