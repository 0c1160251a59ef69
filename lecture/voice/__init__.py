"""Narration: who speaks (voices), what is said (pronunciation, the script file), the sound and the captions."""
