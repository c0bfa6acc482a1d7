"""The serving process of an endpoint: raw rows in over HTTP (the Open Inference Protocol,
and TF Serving style `:predict`), through the split's fitted transform and the model, and
predictions out; the model version swapped in place, with no failed or mixed answer.

Contract with the runtimes that start it (local process or Docker container):

- Command line: `python -m providers.endpoint.serving --root DIR --host HOST --port PORT
  --workers N --name NAME [--max-body-bytes BYTES]` (default 1 MiB). The bearer token, when
  there is one, comes in the environment variable `MLFORM_ENDPOINT_TOKEN` (unset or empty: no
  token), never on the command line; it is never logged. Logs go to stderr. SIGTERM stops
  the server gracefully (workers included).
- `DIR/current` is a symlink to a version directory `DIR/versions/<version>/` holding
  `card.json` (the model card, for `providers.model.loading.load_predictor`), the model file
  (`card["file"]`, or else the one other file there), `transform.json` (the split's
  `FittedTransform.to_json()`) and `version.json` (`{"version", "model_id", "transform_id",
  "endpoint"}`).
- The swap: replace `DIR/current` atomically (a new link renamed over it). Every worker looks
  at the link every 50 ms in a background thread, loads the new version while answering with
  the old one, then swaps one reference: each request uses one version's transform and model.
  A version that fails to load is logged and retried every 2 s; the old one serves on.
- `DIR/workers/<pid>.json` (written to a temporary file and renamed) says what each live
  worker serves: `{"pid", "version", "model_id", "transform_id", "directory", "error",
  "updated"}`, written at start (version null until loaded), after every swap and after a
  failed load; removed when the worker stops. The server empties `DIR/workers/` and
  `DIR/metrics/` when it starts. Wait for a swap by waiting until every live pid's file
  shows the new version.
- `GET /v2/health/ready` answers 200 only once a version is loaded (503 before);
  `/v2/health/live` answers 200 as soon as the port is open.

Routes: `GET /v2/health/live`, `/v2/health/ready`, `/v2`, `/v2/models/{name}[/versions/{v}]`,
`.../ready`, `POST .../infer`, `GET /v1/models/{name}`, `POST /v1/models/{name}:predict`,
`GET /openapi.json`, `GET /metrics`. With a token, all but the two health checks need
`Authorization: Bearer <token>`.
"""
