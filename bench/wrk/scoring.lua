-- wrk script: POST the same JSON body (read from BODY_FILE) to PATH (default /invocations).
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
local body = f:read("*a")
f:close()
local path = os.getenv("PATH_INFO") or "/invocations"
local headers = { ["Content-Type"] = "application/json" }

function request()
  return wrk.format("POST", path, headers, body)
end
