"""Rasa input channels of this project: small subclasses of Rasa's own connectors.

Each one fixes or hardens one thing Rasa 3.6's connector does not do (see the
module docstrings); credentials.yml names them.
"""

# The environment variables credentials.yml reads for the messaging channels;
# empty means "this channel is off" (scripts/env.sh and harness.stack set them so).
CHANNEL_VARIABLES = (
    "CALLBACK_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_NUMBER",
    "TWILIO_WEBHOOK_URL",
    "TELEGRAM_TOKEN",
    "TELEGRAM_BOT_NAME",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_SECRET_TOKEN",
    "TELEGRAM_API_URL",
    "SLACK_TOKEN",
    "SLACK_CHANNEL",
    "SLACK_SIGNING_SECRET",
    "FACEBOOK_VERIFY_TOKEN",
    "FACEBOOK_APP_SECRET",
    "FACEBOOK_PAGE_ACCESS_TOKEN",
)
