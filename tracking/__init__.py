"""The rights-request tracking database: models, migrations, and the one request service.

Everything that reads or writes requests goes through `tracking.service`; the bot's actions, the
staff command line (`python -m tracking`) and the staff console all use it.
"""
