"""`python -m scripts.stillness CLIP.mp4 [CLIP.mp4 ...]`: how long the picture stands still while the voice speaks.

A thin entry to `lecture check`'s stillness rule (lecture/check/stillness.py, where the measure is
described): prints, per beat (the clip's sidecar JSON beside it) and per clip, the share of the speech
spoken over a still picture and the longest still run while speaking, flagging what is over the targets.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from lecture.check.rules import STILL_MAX_S, STILL_SHARE_MAX
from lecture.check.stillness import Measure, measures


def report(clip: Path) -> Measure:
    sidecar = clip.with_suffix(".json")
    sections = json.loads(sidecar.read_text()).get("sections", []) if sidecar.exists() else []
    whole, beats = measures(clip, sections)
    for section, m in beats:
        flag = " <" if m.longest_s > STILL_MAX_S or m.share > STILL_SHARE_MAX else ""
        print(f"  {section['name']:<28} speech {m.speech_s:5.1f} s  still {m.share:4.0%}  "
              f"longest {m.longest_s:4.1f} s at {section['start'] + m.longest_at:5.1f}{flag}")
    print(f"{clip.stem}: speech {whole.speech_s:.1f} s, {whole.share:.0%} over a still picture, "
          f"longest still {whole.longest_s:.1f} s at {whole.longest_at:.1f} s")
    return whole


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.stillness", description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", type=Path, nargs="+")
    total_speech = total_still = longest = 0.0
    for clip in parser.parse_args().clips:
        m = report(clip)
        total_speech, total_still, longest = total_speech + m.speech_s, total_still + m.still_speech_s, max(longest, m.longest_s)
    if total_speech:
        print(f"all: {total_still / total_speech:.0%} of {total_speech:.0f} s of speech over a still picture, longest {longest:.1f} s")


if __name__ == "__main__":
    main()
