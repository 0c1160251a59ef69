"""The kit every lecture's scenes are written with: the scene base and beats, theme, formatting, narration, caption
cues, pointing and pacing, numbers, headings, the title card, wording, params."""
