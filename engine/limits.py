"""Bounds the engine holds its inputs to, in a module without torch: the CLI checks options against
them before torch is loaded."""
MAX_STEPS = 10_000  # descent steps
MAX_LEARNING_RATE = 1e3
