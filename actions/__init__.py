"""The custom actions (rasa-sdk only): they read the conversation and orchestrate the knowledge and
tracking layers; no domain logic of their own."""
