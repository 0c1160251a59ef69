"""What a render leaves behind: files published atomically, joined lectures, mp4s with their index first, held
frames written without the encoder (h264), frames and posters, slide decks, output paths checked."""
