"""The ledger over SQL: its tables, the streams to judge, the synthetic store of the benchmarks."""
