-- wrk script: GET /health, the cheapest request the server answers (a round-trip floor).
function request()
  return wrk.format("GET", "/health")
end
