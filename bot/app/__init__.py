"""How the assistant is started: the staff command line, the Rasa launcher, the demo page, the banner."""
