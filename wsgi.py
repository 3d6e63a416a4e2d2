"""gunicorn's entry point (`gunicorn wsgi:app`): each worker builds the app here, after the fork."""
import gc

from app import create_app

app = create_app()
# Everything built so far (modules, routes, mappers, the privacy screen's patterns) lives as long as the
# worker. Frozen, the collector no longer walks it on each full collection: those walks (about 300,000
# objects) held all of a worker's threads for 110-175 ms, twice in a benchmark round of 2,300 requests.
gc.collect()
gc.freeze()
