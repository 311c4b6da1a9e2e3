"""The composition root of the demo data: seeds every app through its public
interface only. No domain app imports it; it has no models."""
