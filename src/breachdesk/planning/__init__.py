"""Planning before and during a response: the contact-center capacity model, the wave
scheduler, the readiness check and drills."""
