"""The naive reference: a gradient field as one might first write it in manim, rendered with stock manim."""
from __future__ import annotations

import json
from typing import Any


NAIVE_SQUARES = 60  # per axis: 3,600 squares

NAIVE_DEFAULT_S = 4.0  # video length of the naive reference (the full beats, time-compressed)

# The naive scene's beats at full length (seconds), as in gradient-field (29.5 s): surface and formula,
# pause, arrows, pause, probe appears, probe walks, pause, probe leaves, lesson, pause.
NAIVE_BEATS = {"surface": 1.5, "formula": 1.5, "pause1": 1.0, "arrows": 2.5, "pause2": 1.0, "probe": 1.2,
               "walk": 17.3, "pause3": 1.0, "leave": 1.0, "lesson": 1.0, "pause4": 1.0}

def naive_worker(spec: dict[str, Any]) -> None:
    """Subprocess entry (`--naive-worker JSON`): render the naive scene with the worker's manim settings."""
    from manim import tempconfig

    settings = {"media_dir": spec["media_dir"], "pixel_width": spec["width"], "pixel_height": spec["height"],
                "frame_rate": spec["fps"], "format": "mp4", "output_file": "naive", "write_to_movie": True,
                "progress_bar": "none", "verbosity": "WARNING", "notify_outdated_version": False}
    with tempconfig(settings):
        from scripts.bench.naive_field import NaiveGradientField  # imports manim: only in this worker process

        scene = NaiveGradientField(spec["duration_s"])
        scene.render()
        print("RESULT " + json.dumps({"files": [str(scene.renderer.file_writer.movie_file_path)]}), flush=True)
