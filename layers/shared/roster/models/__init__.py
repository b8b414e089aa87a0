"""Pydantic v2 models: API requests and responses, and the domain records behind them."""
