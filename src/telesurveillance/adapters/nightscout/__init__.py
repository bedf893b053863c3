"""The Nightscout v1 REST protocol, as uploaders speak it (no routes here: pure mapping).

`credentials` checks the `api-secret` header, `?token=` and `?secret=`; `documents` decodes
upload bodies; `entries` and `treatments` map uploads to readings (`cgm.lines.Line`, one per
uploaded document); `query` reads `GET` filters; `ids` makes stable `_id`s; `responses` builds
the bodies uploaders read (`status.json`, the POST echo, entries, errors). Facts are from the
Nightscout project (cgm-remote-monitor 15: `lib/api/*`, `lib/server/*`, `lib/authorization`)
and from what xDrip+, Loop (NightscoutKit), share2nightscout-bridge and nightscout-connect send
and read; see docs/data-sources.md.
"""
