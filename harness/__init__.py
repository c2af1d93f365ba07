"""Test and benchmark harness (not part of the installed product, not in the Docker images).

``stack`` starts the real Rasa and action servers on free ports, ``services``
throw-away PostgreSQL, Redis and nginx, ``scripted`` plays scripted
conversations, ``nlu_scoring`` scores replies by their payloads.
"""
