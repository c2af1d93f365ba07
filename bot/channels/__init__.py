"""Rasa input channels of this project: small subclasses of Rasa's own connectors.

Each one fixes or hardens one thing Rasa 3.6's connector does not do (see the
module docstrings); credentials.yml names them.
"""
