"""Use cases. One write path per state change; every function takes the account first."""
