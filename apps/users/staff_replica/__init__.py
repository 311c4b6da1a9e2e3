"""The admin's user model in a deployable without the users app: staff members
resolved through users' interface at every request (backends.py), each kept as
a row only so Django's admin history can point at them."""
