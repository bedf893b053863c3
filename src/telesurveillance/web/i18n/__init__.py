"""The dashboard's languages: French (default) and English.

Messages live in a Python table (`messages.MESSAGES`: key → French, English) rather than gettext
catalogues: about a hundred short strings, no compile step at build time, both languages side by
side for review, and a test that fails when a key lacks a language. Numbers, amounts and dates are
formatted by Babel with the CLDR rules of the locale (`formats`).
"""
