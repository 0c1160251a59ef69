"""`lecture studio`: a local page to see, hear and change a lecture while writing it.

`safety` (what a request may ask for), `state` (views, checks, renders in the background), `watch`
(live reload on edits), `server` (routes over the standard library's ThreadingHTTPServer). The page
itself is plain HTML, CSS and JavaScript under lecture/assets/studio/, served from the package.
"""
