"""The care pathway's rules: organisation prerequisites, eligibility, prescription, follow-up
tasks, majorations, delegation and end of monitoring. Pure: handed the regulation and the day."""
