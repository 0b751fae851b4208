"""The pure core: no I/O, no clock of its own. Give it data and the time, get decisions back."""
