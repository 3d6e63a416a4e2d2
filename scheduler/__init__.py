"""The scheduler process (`python -m scheduler`): exactly one runs beside the web workers."""
