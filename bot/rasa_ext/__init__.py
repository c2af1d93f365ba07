"""Rasa extensions named by the YAML files: NLU components, policies, stores, response generator, channels.

Thin glue: what to answer is decided in ``bot.core``.
"""
