"""Rendering on a Dask cluster (`--scheduler`)."""
