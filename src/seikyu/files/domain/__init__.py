"""What a file may be, by purpose; pure, standard library only."""
