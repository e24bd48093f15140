"""The HTTP API: FastAPI routes, solve jobs, persistence. Start it with ``make serve``."""
