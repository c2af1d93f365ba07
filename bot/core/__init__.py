"""The pure core: clinical and product logic, no Rasa, rasa-sdk, Sanic or SQLAlchemy.

Questionnaire scoring (``questionnaire``) and answer reading (``answers``), the
red-flag safety net (``safety``), the knowledge catalog (``knowledge``,
``catalog.yml``), the topic decision (``understanding``), clinic settings
(``settings``), contact details (``contact``), language helpers (``language``), the
text rendering of custom payloads for text-only channels (``channel_text``), the
actions' readings of a conversation's events and the window of them each needs (``history``).
"""
