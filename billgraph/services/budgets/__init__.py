"""Budgets, spend limits and alerts. The write path calls only `record_spend`."""

from billgraph.services.budgets.spend import Spend, record_spend

__all__ = ["Spend", "record_spend"]
