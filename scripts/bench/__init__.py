"""Benchmark of the lecture renderer: `make bench`, or `.venv/bin/python -m scripts.bench [options]`.

Not a test. It measures how fast rendering is on this machine, and how much memory it takes, and writes
`bench/results/bench.md` (also printed) and `bench/results/bench.json`. Times are medians with their
spread (min-max). The report and the JSON (`total_s`) give how long the benchmark itself took. Do not
run it while anything else renders: on 2 cores the numbers would be noise.

Options: `--quick` (a smoke run of a few minutes: one rep, `title` only, a 2 s naive reference),
`--scenes a,b` (default: the whole lecture), `--sections engine,preview,cli,narration,plain,cluster,scenes,naive`
(default: all, run in that order), `--reps N` (cheap measurements: engine, imports, previews, the unchanged re-render;
default 2), `--heavy-reps N` (whole-lecture CLI runs, narrated and silent renders and the narration's
synthesis, 1080p60 renders, the naive reference; default 1),
`--naive-seconds S`, `--out DIR` (default bench/results), `--keep` (keep the render folders).

What is measured, and how, in the order a full run does it:

* engine: `engine.gradient_field` on a 1000 x 1000 grid against numpy's closed-form gradient of
  sin(x^2 + y^2) on the same grid (meshgrid, z and gradient both ways; the report gives their largest
  difference).
* preview: `lecture preview title` and `lecture preview gradient-field` (LaTeX warm; the cold first run
  is noted) against the import floor `python -c "import manim, torch"`, and the CLI's own import time.
* cli: the lecture through the real CLI (`lecture render all -q l --out DIR`), `--heavy-reps` times each:
  cold (empty folders, so LaTeX is cold too; the CLI's default `--jobs`, one per core), warm (the same
  command again, `--reps` times: every scene must be a cache hit; a run during which scenes/ or engine/
  changed is flagged, not scored), and `--jobs 1` against `--jobs 2` (fresh output folders, with the
  TeX and text caches of the cold run copied in: "cold, LaTeX warm"). The 480p target is the `--jobs 2`
  run's wall time over the lecture's video seconds.
  The 480p15 rows of the scenes table come from these runs, not from renders of their own: wall seconds
  per scene are the CLI's own per-scene times (its `  <scene>: done in N s` lines) in the `--jobs 1` run,
  one scene at a time, so no scene shares the cores; the first scene started (the CLI starts the longest
  first) also pays for starting the CLI's fork server. The "LaTeX-cold wall s" column is the same line in
  the cold run, where scenes ran two (one per core) at a time, so those times include sharing the cores.
  Video seconds, frames and the encoder floor (below) come from the `--jobs 1` run's clips
  (`<out>/480p15/<scene>.mp4`), peak memory from the line each render process writes at its end in its
  render.log (`peak memory: N MB`, its max RSS, which counts the pages it shares with the fork server).
* narration: the lecture narrated by the bundled voice `joe`, `--heavy-reps` times each. Synthesis: every
  beat's spoken text (`sections[*].narration` of the narrated run's sidecars, or the silent run's if that
  failed) said by `lecture.voice.narrator.VoiceNarrator` into an empty speech cache, in one fresh process
  (`--synthesis-worker`: interpreter start, imports and loading the model, about 0.6 s, are counted);
  the target is its wall time over the seconds of speech it made. Renders: `lecture render all -q l
  --jobs 2` and the same with `--voice joe`, each into a fresh folder with the TeX and text caches of the
  cli section's cold run copied in (without the cli section: of a silent 480p15 render made first, logged,
  not reported) and no speech cache, so the narrated run synthesises its speech cold; each run's wall
  time over its own clips' video seconds (`<out>/480p15/*.mp4`, `<out>/480p15/narrated/*.mp4`: narrated
  clips are longer, beats hold for their speech). The target is narrated over silent, per video second,
  in CPU seconds (the CLI's own, from `os.wait4`, plus every render process's `cpu:` line); wall seconds
  when a run has no CPU lines.
* plain: the lecture at 480p15, `lecture render all -q l --force` and the same with `--plain` (stock
  manim: none of the project's renderer, layers, fades, text cache or encoder changes), one run each, in
  one folder with the cli section's LaTeX caches copied in (without it: a render made first, logged, not
  reported). The target is the default's wall time against `--plain`'s. Skipped, with a line saying so,
  when `lecture render` has no `--plain`.
* cluster: the lecture at 480p15 on a Dask cluster, `lecture render all -q l --scheduler ADDRESS` against a 2-worker
  `distributed.LocalCluster` started by the section (two worker processes, one thread each, as `dask worker
  --nworkers 2 --nthreads 1`), against `lecture render all -q l --jobs 2` on the same machine, `--heavy-reps`
  times each, alternating, into fresh folders, LaTeX warm on both sides (the cli section's caches copied into
  the `--jobs 2` folder and into the workers' cache, `LECTURE_WORKER_CACHE`; without the cli section, from a
  render made first, logged, not reported). The cluster's render servers start with its first tasks, as the
  CLI's fork server starts with the CLI. The target is the cluster's wall time against `--jobs 2`'s.
* scenes: the lecture at 1080p60 through the real CLI as a lecturer renders it before class (`lecture
  render all -q h --jobs 1 --out DIR`), `--heavy-reps` times, in a fresh output folder with the TeX
  and text caches of the cli section's cold run copied in (TeX SVGs do not depend on the resolution;
  text SVGs do, and Pango makes them again, fast). One scene at a time, so each scene's time (its
  `done in` line) has both cores, as its encoder floor does. Without the cli section (`--sections
  scenes`), the same scenes are first rendered at 480p15 into the folder to warm LaTeX (logged, not
  reported). The lecture target is the renders' CPU seconds (each render process's `cpu:` line in its
  render.log: user + system of its threads, x264's included, and its children) over the floors' CPU
  seconds: on a shared machine CPU seconds move far less than wall seconds. Without CPU lines, this run's
  wall time, start-up included, over the sum of the floors (also given in the target's note).
* encoder floor (480p15 and 1080p60 rows): each clip's own frames, decoded from it, encoded again exactly
  as the renders encode (manim 0.21's `SceneFileWriter.open_partial_movie_stream`: PyAV, libx264,
  yuv420p, RGBA arrays in; with the project's options `lecture.manim_compat.encoding.X264_OPTIONS`: crf 23 and a
  10-frame lookahead), in streams of 60 frames as manim writes a partial movie
  file per animation; only the encoding is timed (wall and this process's CPU seconds, x264's threads
  included), once per render of the clip. It depends on the content, so a synthetic frame would not do.
  It is what stock manim's encoding of every frame costs: PyAV's `from_ndarray` copy (about 18 ms of CPU
  a 1080p frame), the conversion to YUV (about 7 ms) and x264. The renders avoid the copy and give x264
  a held frame (a wait) only as often as it looks ahead (`lecture.manim_compat.encoding`), so their
  encoding costs less than this floor.
  Clips longer than 180 frames are sampled (180 frames in evenly spread chunks of 60) and the time scaled
  to the whole clip. A render's wall time over its floor is what drawing adds.
* naive: a gradient field as one might first write it (a heatmap of 3,600 `Square`s, manim's
  `ArrowVectorField`, a probe with live `DecimalNumber` readouts; same function, ranges and beats as
  `gradient-field`, time-compressed to 4 s by default) against `gradient-field`, per video second at 1080p60.

Peak memory of the CLI rows is the max RSS `os.wait4` reports for the CLI: the CLI itself, or a child
it waited for if larger. Its render processes are forked from its fork server and are not such children,
so these rows show about the CLI's own size, not a render's; render memory is in the scene rows (and
the preview rows: a preview renders in the CLI's own process). The targets at the top
are scored as measured/limit ("at most") or limit/measured ("at least"): 1.00 or less passes. A failed
scene is reported as failed and left out of the totals; the run goes on.

The package: `measure` (running and timing commands), `video` (clip lengths, the encoder floor, encoded
with `lecture.manim_compat.encoding.encode_like_a_render`), `naive_scene` (the naive reference), `results` (a scene's
measurements, the CLI's output read back), `sections` (each section's runs), `targets`, `report` and
`text` (the Markdown and JSON), `__main__` (options, the order of the sections).
"""
