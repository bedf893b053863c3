"""The pages' languages: French (default) and English.

Messages live in YAML catalogues, one per area of the pages (`catalog/*.yaml`: key → French,
English, with plural forms where a count decides), rather than gettext catalogues: a few hundred
short strings, no compile step at build time, both languages side by side for review, and a
strict loader plus tests that fail when a key lacks a language or a template names a key that
does not exist. Numbers, amounts and dates are formatted by Babel with the CLDR rules of the
locale (`formats`), and so are plural categories.
"""
