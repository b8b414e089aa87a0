"""Emailing creators: sequences, templates, and the mail mechanics (tokens, MIME, replies)."""
