"""Custom Rasa 3.6 NLU components for Lobby (run in .venv-rasa, referenced from config.yml).

* `tokenizer.MixedTokenizer`: one tokenizer for English, Mandarin and the two mixed in one sentence.
* `lang.LanguageTagger`: tells the dialogue which language the turn is in (the `lang` entity/slot).
"""
