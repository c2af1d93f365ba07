"""rasa-sdk custom actions: thin glue over the logic in ``bot``."""
