"""The policy knowledge: model, schema-checked loading, answer selection and rendering, deadlines, texts.

Reads only data files (data/knowledge, data/topics.yml, data/rights.yml, data/texts); imports no Rasa.
"""
