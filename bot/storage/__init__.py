"""What is kept, in SQL: consultation requests (``requests``) and retention and "forget me" (``retention``)."""
