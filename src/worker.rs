//! Job worker: claims jobs, dispatches by event, retries.
