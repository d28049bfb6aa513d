"""Gunicorn settings shipped with the project; gunicorn reads this file from the directory it
is started in (`gunicorn flexcare.wsgi`). Command-line options override it."""

# The access log goes to stdout with every token value redacted (flexcare.gunicorn_logging).
logger_class = "flexcare.gunicorn_logging.RedactingLogger"
accesslog = "-"
