"""The patient's own page (role patient), its access links and the team's side of them."""

from __future__ import annotations

from fastapi import FastAPI


def include(app: FastAPI) -> None:
    from telesurveillance.web.patient_space import access, routes, team

    app.include_router(routes.router)
    app.include_router(access.router)
    app.include_router(team.router)
