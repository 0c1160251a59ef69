"""Lecture: Feedforward Neural Networks and Backpropagation, Part 1."""
