"""`POST /fhir/$import`: NDJSON, one Observation or QuestionnaireResponse per line, streamed.

The body must be declared as NDJSON (`application/fhir+ndjson`, FHIR R4 nd-json.html, or
`application/ndjson`, `application/x-ndjson`; else 415). It is cut into lines at each line
feed, once, here; each line is parsed on its own (`bulk.ndjson`, within the JSON limits) and its
readings, as parsed, are judged as the route the line stands for (`fhir.observation.create`,
`fhir.questionnaireresponse.create`) and against the patient scope; `ingest.bulk` writes only
what the judge authorised. So a JSON document spread over several lines is several lines, each
judged on what it is.

An Observation line whose status is `amended` or `corrected` replaces the value of the reading
at its key, `entered-in-error` withdraws it (issue 17), judged as the line's create route like a
correction POSTed to `/fhir/Observation`; they are counted as `corrected`.

A line the judge refuses is reported with its number and the code `forbidden`, and the answer
is then a 403; the other good lines are stored all the same (one bad line never blocks the good
ones) and the same OperationOutcome counts them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import bulk, outcome
from telesurveillance.services import ingest
from telesurveillance.web.fhir import http
from telesurveillance.web.security import gate

IMPORT_BLOCK = 20_000


async def import_ndjson(request: Request) -> Response:
    """Stream NDJSON lines in blocks; each block is parsed, judged and committed in chunks."""
    http.require_media_type(request, http.NDJSON_TYPES)
    services = http.services(request)
    store = services.store.readings
    authorise = ingest.judged_by(gate.judge(request))
    source = ingest.source(ingest.SourceKind.IMPORT, gate.principal(request))
    depth = http.max_depth(request)
    window = http.window(request)
    total = ingest.Report()
    block: list[bytes] = []
    offset = 0
    rest = b""

    async def flush(lines: list[bytes], first: int) -> None:
        parsed = bulk.ndjson(lines, services.measures, window, start=first + 1, max_depth=depth)
        report = await run_in_threadpool(
            lambda: ingest.bulk(
                parsed,
                store,
                authorise,
                table=services.measures,
                after_write=lambda new: http.notify(request, new),
                correct=store.correct,
                source=source,
            )
        )
        total.accepted += report.accepted
        total.corrected += report.corrected
        total.duplicates += report.duplicates
        total.rejected += report.rejected
        total.readings += report.readings
        total.seconds += report.seconds
        total.patients |= report.patients
        gate.written(request, report.patients)  # named even if a later block fails

    async for chunk in request.stream():
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        block += lines
        if len(block) >= IMPORT_BLOCK:
            await flush(block, offset)
            offset += len(block)
            block = []
    if rest:
        block.append(rest)
    await flush(block, offset)
    return http.respond(report_outcome(total), 403 if total.forbidden else 200)


def report_outcome(report: ingest.Report, listed: int = 1000) -> dict[str, Any]:
    """The OperationOutcome of an import: the counts, then each rejected line (the lines
    refused by the authorisation first), at most `listed`."""
    summary = (
        f"accepted {report.accepted}, duplicates {report.duplicates}, "
        f"rejected {len(report.rejected)} ({report.readings} new readings)"
    )
    if report.corrected:
        summary += f"; corrected {report.corrected} (amended, corrected or entered-in-error)"
    if report.forbidden:
        summary += f"; {report.forbidden} of the rejected lines are forbidden to you"
    issues = [outcome.issue(summary, code="informational", severity="information")]
    ordered = sorted(report.rejected, key=lambda r: (not r.forbidden, r.line))
    issues += [
        outcome.issue(
            f"line {r.line}: {r.diagnostics}",
            r.expression,
            code="forbidden" if r.forbidden else r.code,
        )
        for r in ordered[:listed]
    ]
    return outcome.outcome(issues)
