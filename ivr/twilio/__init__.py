"""Twilio's wire formats: request signing, TwiML builders, Media Streams messages."""
