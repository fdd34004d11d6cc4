-- wrk script: each request the next search of a file of paths, one a line; the
-- headers given with -H go with every one. Each thread starts at its own place.
--   wrk ... -s searches.lua URL -- PATHS_FILE
local requests, i = {}, 0
local threads = 0

function setup(thread)
   thread:set("offset", threads * 37)
   threads = threads + 1
end

function init(args)
   for line in io.lines(args[1]) do
      if line ~= "" then requests[#requests + 1] = wrk.format(nil, line) end
   end
   i = offset % #requests
end

function request()
   i = i % #requests + 1
   return requests[i]
end
