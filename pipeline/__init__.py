"""modelmetrics: image-classification benchmark results from Markdown tables to versioned Parquet."""
