"""Reusable pictures with methods that return animations: graph and network diagrams, surfaces, code panels, equation rows, ..."""
