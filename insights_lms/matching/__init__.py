"""Coach profiles (strengths, phases, capacity) and suggesting the right coach for a participant."""
