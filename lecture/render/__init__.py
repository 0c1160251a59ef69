"""Rendering: jobs and their cache keys, the pools that run them, the render process, the studio's draft of one
beat, a cluster worker's render server, its errors and progress."""
