-- wrk's script for lesson 10's publish rate: every request is `POST /publish` with a
-- short text. `wrk -t4 -c4 -d10s -s examples/10_scale_out/publish.lua http://SERVER/publish`
wrk.method = "POST"
wrk.body = "hello"
wrk.headers["Content-Type"] = "text/plain"
