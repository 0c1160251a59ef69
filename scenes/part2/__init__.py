"""Lecture: Feedforward Networks and Backpropagation, Part 2."""
