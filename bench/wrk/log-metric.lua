-- wrk script: one log-metric call per request, each a new step of metric "loss" (distinct points).
-- RUN_ID names the run; STEP_BASE keeps the steps of separate wrk invocations apart.
local run_id = os.getenv("RUN_ID")
local step = tonumber(os.getenv("STEP_BASE") or "0")
local headers = { ["Content-Type"] = "application/json" }

function request()
  step = step + 1
  local body = '{"run_id":"' .. run_id .. '","key":"loss","value":' .. (1 / step) .. ',"timestamp":'
    .. (1700000000000 + step) .. ',"step":' .. step .. '}'
  return wrk.format("POST", "/api/2.0/mlflow/runs/log-metric", headers, body)
end
