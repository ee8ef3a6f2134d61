-- wrk script: a signed-in tenant's ordinary query (TOKEN from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"query":"{ customers(first: 20) { totalCount nodes { name currency } } }"}'
