"""What instances share live, through Redis: desk events and grammar edits."""
