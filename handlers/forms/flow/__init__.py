"""The two guided flows of forms, each a declared state table (bot/flows.py).

`define`: the secretariat defines a form in 1:1 chat (表單 新增); `fill`: a unit's contact answers one.
"""
from handlers.forms.flow import define, fill

__all__ = ["define", "fill"]
