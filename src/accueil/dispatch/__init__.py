"""Message delivery: the dispatcher and its channels (SMTP, SMS gateways, webhooks, digest).

The edge of messages: ``services.messages`` stores a message and queues its deliveries;
``Dispatcher`` claims them (``services.deliveries``), sends each through its channel, and
records what came of it. docs/messages.md describes it.
"""
