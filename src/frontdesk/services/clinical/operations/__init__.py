"""The chart's operations, one module per group: patients, overview, encounters, drugs, problems,
measures, files. Each module's `OPERATIONS` lists what it declares."""
