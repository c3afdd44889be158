"""The site model: which pages exist, where they go and what they show."""
