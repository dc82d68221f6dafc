"""Images, speech, transcription and video as Python functions (see chat/generate.py)."""
