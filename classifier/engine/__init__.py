"""The ML engine: Python, NumPy, SciPy and scikit-learn only (no Django, no app); plain data in, plain data out.

Each module imports only modules listed before it, so calls go one way (the Django
side decides which texts train, a task's language, and where models are stored):

* `text`: what a text becomes (tokens), and a row's context tokens after them;
* `word_store`: per-word feature entries the fast scorer gathers;
* `evaluation`: held-out figures per label and macro averages;
* `vectors`: the word-vector block (`EmbeddingBlock`) and its features;
* `features`: TF-IDF and word-vector features of normalised texts;
* `blending`: the plain and the NB-scaled fits of a label as one linear classifier;
* `model`: the trained model (`TaskModel`) and the plain dict it is stored as;
* `explain`: the fast scorer, and each word's share of a decision value;
* `scoring`: probabilities, yes/no per label and explanations of a `TaskModel`;
* `fitting`: the per-label search, and a `TaskModel` fitted from texts and labels.
"""
