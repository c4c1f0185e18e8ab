"""HTTP side of the IVR: Twilio webhooks, the media stream and the operator API."""
