"""The security gate of the web app: authentication, authorisation, hardening, audit, log-in pages,
OpenID Connect."""
