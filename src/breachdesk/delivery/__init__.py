"""Delivering notices: campaigns, waves, the outbox, senders and the workers that run them."""
