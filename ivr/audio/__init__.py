"""Audio plumbing: μ-law codec, resampling, the telephone channel and speech detection."""
