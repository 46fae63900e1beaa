"""``channelmix serve``: a local web planner. The scenario as forms, each change re-solved by a
resident worker into a verified plan shown with the HTML report's own sections, saved back
into the file. A layer above analysis and reports, below the command line (which only starts
it): starlette and uvicorn are used here and nowhere else (the ``serve`` extra)."""
