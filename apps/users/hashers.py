"""Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

Django's defaults (100 MiB, 8 lanes) make every login costly enough on a
small machine to be a denial-of-service lever.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
