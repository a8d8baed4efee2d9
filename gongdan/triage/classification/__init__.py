"""Category, tag and sentiment classification: features (text and training samples), training
(scikit-learn, pure), prediction (the shared model cached by version, keyword rules, combination)."""
