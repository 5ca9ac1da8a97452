"""What staff see before calling a leaving customer, and the retention offers they may make."""
