"""manim's file writer with bounded memory: at 1080p a frame is 8 MB, and x264 keeps dozens.

Changes, measured on the 1080p60 renders (peak memory target: under 1 GB) and with renders side by side:
- manim 0.21 hands frames to an encoder thread through a queue with no limit when one encoder is in
  flight (the default); a scene that draws faster than x264 encodes (text, fades) piled up hundreds of
  8 MB frames. Here the renderer waits for the encoder instead.
- x264 looks 40 frames ahead by default, and every frame it looks at costs about 16 MB at 1080p.
  10 frames: peak memory of learning-rates at 1080p 885-925 MB (four runs at 20 frames) -> 800-818
  (three runs), gradient-descent 927-1070 -> 817-886, in the same time; the file is 7% smaller, and
  re-encoding the clip's frames gives 43.4 dB PSNR against 44.3 at 20 frames (no visible difference
  at crf 23, the quality manim sets).
- Frames are copied into a few buffers used in turn, not into a new 8 MB array each (allocating
  and freeing them cost learning-rates at 1080p 71.4 s instead of 69.1 s).
- With renders side by side, each x264 gets its share of the cores (`encoder_threads`, set by
  `lecture.render.pool.render_jobs`): left to itself it starts three threads per encoder on 2 cores.

manim internals relied on (0.21.0): SceneFileWriter's `open_partial_movie_stream` and `write_frame`
hooks, its private `_current_encode_job` (with its `stream`, `queue`, `thread` and `failed`).
"""
from __future__ import annotations

import time
from typing import Any

import av
import numpy as np
from manim import config
from manim.scene.scene_file_writer import SceneFileWriter, to_av_frame_rate

from lecture.manim_compat import require_written_for

require_written_for()

MAX_QUEUED_FRAMES = 6  # a few frames of slack keep both threads busy
X264_OPTIONS = {"an": "1", "crf": "23", "rc-lookahead": "10"}  # manim's own options plus the shorter lookahead
# Frames alive at once: the queue, the one the encoder thread is copying into its own frame, the new one.
FRAME_BUFFERS = MAX_QUEUED_FRAMES + 2


class LectureFileWriter(SceneFileWriter):
    encoder_threads = 0  # x264 threads; 0: x264 chooses (`lecture.render.worker` sets it from the job)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffers: list[np.ndarray] = []
        self._next_buffer = 0

    def open_partial_movie_stream(self, file_path: Any = None) -> None:
        super().open_partial_movie_stream(file_path)
        job = self._current_encode_job  # manim private: the encoder job this stream belongs to
        if job is not None and job.stream.codec_context.name == "libx264":
            job.stream.options.update(X264_OPTIONS)  # the codec opens at the first frame, after this
            if self.encoder_threads:
                job.stream.codec_context.thread_count = self.encoder_threads

    def write_frame(self, frame_or_renderer: Any, num_frames: int = 1) -> None:
        """Queue a copy of the frame (`LectureRenderer` hands over the camera's own pixels)."""
        job = self._current_encode_job  # manim private: its queue and thread, to wait for the encoder
        while job is not None and not job.failed and job.thread.is_alive() and job.queue.qsize() >= MAX_QUEUED_FRAMES:
            time.sleep(0.001)
        if isinstance(frame_or_renderer, np.ndarray):
            frame_or_renderer = self._copy(frame_or_renderer)
        super().write_frame(frame_or_renderer, num_frames)

    def _copy(self, frame: np.ndarray) -> np.ndarray:
        """The frame copied into the buffer used longest ago, free by then: at most MAX_QUEUED_FRAMES
        wait in the queue, and an earlier clip's encoder has finished before the next clip starts
        (manim's default of one encoder in flight; with more, each frame gets a new array)."""
        if config.max_inflight_encoders != 1:
            return frame.copy()
        if not self._buffers or self._buffers[0].shape != frame.shape or self._buffers[0].dtype != frame.dtype:
            self._buffers = [np.empty_like(frame) for _ in range(FRAME_BUFFERS)]
        buffer = self._buffers[self._next_buffer]
        self._next_buffer = (self._next_buffer + 1) % FRAME_BUFFERS
        np.copyto(buffer, frame)
        return buffer


def encode_like_a_render(frames: list[np.ndarray], fps: int, width: int, height: int, target: Any) -> None:
    """RGBA frames encoded into one mp4 as a render encodes one partial movie file: manim 0.21's
    choice for mp4 (`SceneFileWriter.open_partial_movie_stream`: libx264, yuv420p, its frame rate) with
    this module's X264_OPTIONS. For the benchmark's encoder floor, which must cost what a render's
    encoding costs; if manim changes its encoder, this is the one place to follow it."""
    with av.open(str(target), mode="w") as container:
        stream = container.add_stream("libx264", rate=to_av_frame_rate(fps), options=X264_OPTIONS)
        stream.pix_fmt = "yuv420p"
        stream.width, stream.height = width, height
        for rgba in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgba, format="rgba")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
