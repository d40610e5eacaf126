"""Tortoise models only: tables and columns, no business logic."""

from billgraph.models.enums import PricingManager, PricingSource, Provider
from billgraph.models.pricing import Pricing
from billgraph.models.usage import UsageLog

__all__ = ["Pricing", "PricingManager", "PricingSource", "Provider", "UsageLog"]
