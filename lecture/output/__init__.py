"""What a render leaves behind: files published atomically, joined lectures, frames and posters, slide decks."""
