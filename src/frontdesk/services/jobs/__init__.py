"""The durable job queue (queue.py) and the worker that runs its jobs (worker.py)."""
