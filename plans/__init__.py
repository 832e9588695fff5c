"""Work plans: records split into sections and items whose progress is tracked."""
