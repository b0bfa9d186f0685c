"""What runs inside the Rasa server: the launcher, the REST and erasure channels, the tracker store,
the language-detecting NLU component and the endpoints file writer."""
