"""The kit every lecture's scenes are written with: the scene base and beats, theme, formatting, narration, numbers, wording."""
