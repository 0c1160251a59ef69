"""Rendering: jobs and their cache keys, the pools that run them, the render process, its errors and progress."""
