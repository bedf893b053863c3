"""The billing ledger: runs, append-only billing lines, and their status events.

Nothing here is ever updated or deleted. A billed period × forfait is a `charge` line; a
correction is a `reversal` line (negated amounts, pointing at the charge); billing the period again
after a reversal is a new `charge` of the next `generation`. The unique constraint
`(prise_en_charge_id, period_number, forfait, generation, entry)` is what makes double billing
impossible on both backends, even under concurrent runs: two runs that both see a period as
unbilled both try generation g + 1, and the store keeps one. Status changes (sent, paid,
rejected) are events with who and when, in their own append-only table. Each distinct basis
text is stored once (`billing_bases`, migration `0008_s13_ledger_basis`).
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

billing_runs = sa.Table(
    "billing_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # run: periods judged up to `until`; correction: reversals entered by hand
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("until", sa.Date, nullable=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
)

#: The regulatory bases of ledger lines, each text stored once: a line points at its basis
#: (`billing_lines.basis_id`) instead of carrying its ~0.7 KB. Rows are only ever added.
billing_bases = sa.Table(
    "billing_bases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # SHA-256 of `basis` (hex): the key a basis is found by (a long text is a poor index key)
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    # JSON `[[parameter, since], ...]`: each regulatory value by its name and first day
    sa.Column("basis", sa.Text, nullable=False),
)

billing_lines = sa.Table(
    "billing_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.ForeignKey("billing_runs.id"), nullable=False, index=True),
    # services.billing.ledger.Entry: charge or reversal
    sa.Column("entry", sa.String(16), nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("reverses_id", sa.ForeignKey("billing_lines.id"), nullable=True),
    sa.Column("prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False),
    # The prise en charge's patient, opérateur, DMN and its exploitant when the line was written:
    # copies, without foreign keys of their own (each is a row trigger a line on PostgreSQL; the
    # prise en charge's key holds them: migration `0012_s23c_ledger_lean`).
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("operateur_id", sa.Integer, nullable=False, index=True),
    sa.Column("exploitant_id", sa.Integer, nullable=True, index=True),
    sa.Column("dmn_id", sa.Integer, nullable=True),
    sa.Column("indication", sa.String(48), nullable=False),
    sa.Column("period_number", sa.Integer, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_last_day", sa.Date, nullable=False),
    # domain.billing.verdict.Forfait
    sa.Column("forfait", sa.String(16), nullable=False),
    # TVA / TVB (forfait opérateur) or the LATM code (forfait technique)
    sa.Column("code", sa.String(16), nullable=True),
    sa.Column("coefficient", sa.String(8), nullable=True),
    # cents; negative on reversals; NULL when no encoded amount applies (technique.amount_unknown)
    sa.Column("amount_cents", sa.BigInteger, nullable=True),
    sa.Column("amo_cents", sa.BigInteger, nullable=True),
    sa.Column("amc_cents", sa.BigInteger, nullable=True),
    sa.Column("days_with_data", sa.Integer, nullable=False),
    sa.Column("expected_days", sa.Integer, nullable=False),
    # the regulatory basis of the line (`billing_bases`), and the verdict's notes as JSON
    sa.Column("basis_id", sa.ForeignKey("billing_bases.id"), nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    # why a reversal was entered
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(
        "prise_en_charge_id",
        "period_number",
        "forfait",
        "generation",
        "entry",
        name="uq_billing_lines_once",
    ),
)

billing_line_events = sa.Table(
    "billing_line_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("line_id", sa.ForeignKey("billing_lines.id"), nullable=False, index=True),
    # services.billing.ledger.Status: sent, paid, rejected
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)
