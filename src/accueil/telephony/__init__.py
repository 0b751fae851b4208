"""The telephony port and its implementations (in-memory now; simulated and SIP to come)."""
