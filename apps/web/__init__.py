"""The project's web app: the chat widget and its demo pages, and the staff console."""
