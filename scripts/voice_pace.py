"""`python -m scripts.voice_pace MEDIA_FOLDER [--lecture ID] [--length-scale S] [--gap SECONDS]`:
how fast the voice speaks a lecture and how its captions read, without rendering a frame.

Each beat's narration is filled in with the numbers its scene recorded (from the sidecars of any render
in MEDIA_FOLDER, e.g. `lecture render all -q t --out DIR` then `DIR/tiny`), spoken as a narrated render
speaks it (`VoiceNarrator`, pieces cut at sentences and marks, cached under MEDIA_FOLDER/../.speech),
and cut into caption cues. Prints words a minute, each beat's speech, and the cue statistics
(`docs/writing-scenes.md`, "Voice and captions"). `--length-scale` and `--gap` try other settings.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def beats_of(media: Path, lecture_id: str) -> list[tuple[str, str, str]]:
    """(scene, beat, filled narration with its marks) of every beat of the lecture, in order."""
    import importlib

    from scenes.kit.base import beat_narrations
    from scenes.catalog import LECTURE_BY_ID
    from scenes.kit.narration import fill

    found = []
    for info in LECTURE_BY_ID[lecture_id].scenes:
        values = json.loads((media / f"{info.id}.json").read_text())["values"]
        scene_class = getattr(importlib.import_module(info.module), info.cls)
        found += [(info.id, beat, fill(text, values)) for beat, text in beat_narrations(scene_class).items()]
    return found


def cue_stats(cues: list[tuple[float, float, str]]) -> dict[str, float]:
    lines = [line for _, _, text in cues for line in text.split("\n")]
    return {"cues": len(cues), "under_1s": sum(e - s < 1 - 1e-6 for s, e, _ in cues),
            "one_word": sum(len(t.split()) == 1 for _, _, t in cues), "longest_line": max(map(len, lines)),
            "over_2_lines": sum(t.count("\n") > 1 for _, _, t in cues),
            "shortest_s": round(min(e - s for s, e, _ in cues), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.voice_pace", description=__doc__.split("\n\n")[0])
    parser.add_argument("media", type=Path)
    parser.add_argument("--lecture", default="feedforward")
    parser.add_argument("--length-scale", type=float)
    parser.add_argument("--gap", type=float, help="seconds between sentences")
    parser.add_argument("--beats", action="store_true", help="also print each beat's words and seconds")
    args = parser.parse_args()
    from lecture.voice import narrator as voice
    from lecture.voice.voices import parse_voice
    from scenes.kit.cues import caption_cues
    from scenes.kit.narration import split_marks

    voice.LENGTH_SCALE = args.length_scale or voice.LENGTH_SCALE
    voice.SENTENCE_GAP = args.gap if args.gap is not None else voice.SENTENCE_GAP
    speaker = voice.VoiceNarrator(parse_voice("joe"), args.media.resolve().parent / ".speech")
    words = seconds = 0.0
    cues = []
    for scene, beat, text in beats_of(args.media, args.lecture):
        marked = split_marks(text)
        speech = speaker.speak(scene, beat, marked.text, marked.marks)
        words, seconds = words + len(marked.text.split()), seconds + speech.duration
        cues += caption_cues(speech, 0.0)
        if args.beats:
            print(f"{scene:18} {beat:28} {len(marked.text.split()):4d} words {speech.duration:6.1f} s")
    print(f"length scale {voice.LENGTH_SCALE}, gap {voice.SENTENCE_GAP} s: {words:.0f} words in {seconds:.1f} s "
          f"of speech, {60 * words / seconds:.1f} words a minute")
    print("captions:", json.dumps(cue_stats(cues)))


if __name__ == "__main__":
    main()
