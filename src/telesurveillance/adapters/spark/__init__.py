"""Scale-out: the billing aggregation on Spark SQL over the Parquet export."""
