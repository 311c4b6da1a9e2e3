"""Public functions other apps may call: plain data in, contracts out."""
