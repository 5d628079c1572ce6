"""Budget allocation: splitting money across districts (`district`) and, later, optimising the
split across lines (`optimize`)."""
