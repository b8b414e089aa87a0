"""Tracking links and promo codes: creating them, the redirect, and click counting."""
