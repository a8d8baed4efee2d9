"""Labelled bilingual data the project generates itself, for evaluating the classifier."""
