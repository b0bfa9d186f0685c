"""The channel apps beside Rasa: the web app (widget, demo pages, staff console) and the Telegram relay.
Both talk to the assistant through Rasa's REST channel (rasa_client)."""
