"""Report building blocks used by the parameterised notebooks: charts, tables, formatting,
rendering and the batch index. Each topic has its own module; notebooks stay thin."""
