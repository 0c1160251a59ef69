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

- Each frame reaches the encoder without a copy of its own (`rgba_frame`): manim's `from_ndarray` cost
  18 ms of CPU a 1080p frame, more than x264's conversion to YUV.
- A frame written more than once (a `wait`, a beat holding for its speech: manim's `freeze_current_frame`
  hands it over once with `num_frames`) is converted to the encoder's YUV once, not once per copy (about
  10 ms of CPU a 1080p frame). When such a held frame is all of a partial movie file, x264 is given only
  as many copies as it looks ahead (so the first picture is the one it always encoded, quality and
  all) and the rest are H.264 frames that repeat the picture before them without the encoder
  (`lecture.output.h264.SkippedFrames`): a few bytes each, and no CPU. See `HeldFrameJob`.

manim internals relied on (0.21.0): SceneFileWriter's `open_partial_movie_stream` and `write_frame`
hooks, its private `_current_encode_job` (with its `stream`, `queue`, `thread` and `failed`), the
module's private `_PartialMovieEncodeJob` (its constructor, `_listen_and_write`, `_encode_and_write_frame`,
`container`, `stream`, `_exception`), swapped for `HeldFrameJob` while a stream opens.
"""
from __future__ import annotations

import os
import time
from fractions import Fraction
from typing import Any

import av
import numpy as np
from manim import config
from manim.scene import scene_file_writer
from manim.scene.scene_file_writer import SceneFileWriter, _PartialMovieEncodeJob, to_av_frame_rate

from lecture.manim_compat import require_written_for
from lecture.output.h264 import SkippedFrames, Unsupported

require_written_for()

EVERY_FRAME = "LECTURE_X264_EVERY_FRAME"  # set to 1: manim's encoder job, every copy of a held frame to x264
MAX_QUEUED_FRAMES = 6  # a few frames of slack keep both threads busy
X264_OPTIONS = {"an": "1", "crf": "23", "rc-lookahead": "10"}  # manim's own options plus the shorter lookahead
# Frames alive at once: the queue, the one the encoder thread is copying into its own frame, the new one.
FRAME_BUFFERS = MAX_QUEUED_FRAMES + 2


def rgba_frame(frame: np.ndarray) -> av.VideoFrame:
    """The RGBA array as a PyAV frame without copying it (`from_numpy_buffer`): manim's `from_ndarray`
    copies it first, about 18 ms of CPU for a 1080p frame (PyAV 18.1, measured), more than converting
    it to YUV (7 ms). The encoder converts it to a frame of its own before `encode` returns, so the
    array may be written again after that; the pixels reaching x264 are the same."""
    if frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 4 and frame.flags.c_contiguous:
        return av.VideoFrame.from_numpy_buffer(frame, format="rgba")
    return av.VideoFrame.from_ndarray(frame, format="rgba")


class HeldFrameJob(_PartialMovieEncodeJob):
    """manim's encoder job for one partial movie file, with held frames made cheap.

    A frame handed over with `num_frames` > 1 is converted to YUV once. If it is the file's first,
    x264 gets at most `rc-lookahead` + 1 copies of it and their packets wait: when the file ends
    there (a wait), only x264's first picture (the IDR, as it would have been encoded in the long
    run) is written, then the other copies as skipped frames; when more frames follow, the waiting
    packets are written and x264 gets the rest of the copies, as before."""

    skip_held_frames = True  # False: every copy to x264 (tests compare the two)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._frames_in = 0
        self._held = 0  # copies of the first frame not given to x264 (yet)
        self._held_frame: av.VideoFrame | None = None
        self._waiting: list[av.Packet] = []  # x264's packets of the held frame's copies
        super().__init__(*args, **kwargs)  # starts the encoder thread

    def _encode_and_write_frame(self, frame: np.ndarray, num_frames: int) -> None:
        if self._held_frame is not None:  # more frames after the held one: x264 encodes it all after all
            self._give_up_holding()
        if num_frames == 1:
            for packet in self.stream.encode(rgba_frame(frame)):
                self.container.mux(packet)
            self._frames_in += 1
            return
        yuv = self._yuv(frame)
        given = num_frames
        if self._frames_in == 0 and self.skip_held_frames and self.stream.codec_context.name == "libx264":
            given = min(num_frames, int(X264_OPTIONS["rc-lookahead"]) + 1)
            if given < num_frames:
                self._held, self._held_frame = num_frames - given, yuv
        for _ in range(given):
            yuv.pts = None  # PyAV numbers a frame without pts; a reused frame keeps the one it was given
            packets = self.stream.encode(yuv)
            if self._held_frame is not None:
                self._waiting.extend(packets)
            else:
                for packet in packets:
                    self.container.mux(packet)
        self._frames_in += num_frames

    def _yuv(self, frame: np.ndarray) -> av.VideoFrame:
        """The frame as PyAV would convert it for the encoder (`VideoCodecContext._prepare_frames_for_encode`)."""
        ctx = self.stream.codec_context
        return rgba_frame(frame).reformat(ctx.width, ctx.height, ctx.pix_fmt)

    def _give_up_holding(self) -> None:
        frame, held, waiting = self._held_frame, self._held, self._waiting
        self._held_frame, self._held, self._waiting = None, 0, []
        for packet in waiting:
            self.container.mux(packet)
        for _ in range(held):
            frame.pts = None
            for packet in self.stream.encode(frame):
                self.container.mux(packet)

    def _finish_held(self) -> bool:
        """The file is one held frame: x264's first picture, then skipped frames. False (nothing
        written) if the stream is not one these frames can follow."""
        try:
            skipped = SkippedFrames(self.stream.codec_context.extradata)
        except Unsupported:
            return False
        packets = self._waiting + list(self.stream.encode())
        idr = packets[0]
        if not idr.is_keyframe or idr.pts != 0:
            raise RuntimeError(f"x264's first packet is not the first picture (pts {idr.pts}, key {idr.is_keyframe})")
        rate = self.stream.codec_context.framerate or self.stream.average_rate
        time_base = idr.time_base  # the encoder's; muxing a packet rebases it to the stream's
        ticks = Fraction(1) / Fraction(rate) / time_base  # a frame's duration in it
        if ticks.denominator != 1:
            raise RuntimeError(f"a frame lasts {ticks} ticks of {time_base}")
        idr.dts, idr.duration = 0, int(ticks)  # nothing is reordered in this file
        self.container.mux(idr)
        for index in range(1, self._frames_in):
            packet = av.Packet(skipped.packet(index))
            packet.stream = self.stream  # first: PyAV gives the packet the stream's time base here
            packet.time_base = time_base
            packet.pts = packet.dts = index * int(ticks)
            packet.duration = int(ticks)
            self.container.mux(packet)
        return True

    # manim private: the encoder thread's loop (`_PartialMovieEncodeJob._listen_and_write`, 0.21.0),
    # with a held frame finished before the stream is flushed.
    def _listen_and_write(self) -> None:
        while True:
            num_frames, frame_data = self.queue.get()
            if frame_data is None:
                break
            if self._exception is not None:
                continue
            try:
                self._encode_and_write_frame(frame_data, num_frames)
            except BaseException as exception:
                self._capture_exception(exception)
        try:
            if self._exception is None and self._held_frame is not None:
                if self._finish_held():
                    self._held_frame, self._waiting = None, []
                    return
                self._give_up_holding()
            for packet in self.stream.encode():
                self.container.mux(packet)
        except BaseException as exception:
            self._capture_exception(exception)
        finally:
            try:
                self.container.close()
            except BaseException as exception:
                self._capture_exception(exception)


class LectureFileWriter(SceneFileWriter):
    encoder_threads = 0  # x264 threads; 0: x264 chooses (`lecture.render.worker` sets it from the job)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffers: list[np.ndarray] = []
        self._next_buffer = 0

    def open_partial_movie_stream(self, file_path: Any = None) -> None:
        if os.environ.get(EVERY_FRAME) != "1":  # manim private: the class it builds the job from
            scene_file_writer._PartialMovieEncodeJob = HeldFrameJob
        try:
            super().open_partial_movie_stream(file_path)
        finally:
            scene_file_writer._PartialMovieEncodeJob = _PartialMovieEncodeJob
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
